// Per split and domain: interactions and distinct users of train / valid / test (stats.h).
#include <algorithm>

#include "graph_io/stats.h"

namespace graft::io {

namespace {

SplitPartStats::Part part_stats(const Interactions& interactions, const std::vector<int64_t>& rows) {
  std::vector<int64_t> users;
  users.reserve(rows.size());
  for (const int64_t row : rows) users.push_back(interactions.user[row]);
  std::sort(users.begin(), users.end());
  const int64_t distinct = std::unique(users.begin(), users.end()) - users.begin();
  return {static_cast<int64_t>(rows.size()), distinct};
}

}  // namespace

std::vector<SplitPartStats> split_stats(const Dataset& dataset) {
  std::vector<SplitPartStats> out;
  for (const Split& split : dataset.splits) {
    for (const DomainSplit& part : split.parts) {
      const Interactions& interactions = dataset.domain(part.domain).interactions;
      SplitPartStats s;
      s.split = split.name;
      s.kind = split.kind;
      s.domain = part.domain;
      s.train = part_stats(interactions, part.train);
      s.valid = part_stats(interactions, part.valid);
      s.test = part_stats(interactions, part.test);
      s.cold_start_users = static_cast<int64_t>(part.cold_start_users.size());
      s.negatives_per_case = part.negatives_per_case;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace graft::io
