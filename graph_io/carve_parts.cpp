#include "graph_io/carve_parts.h"

#include <utility>

namespace graft::io::carving {

void append_interaction(const Interactions& from, int64_t k, int64_t item, Interactions& to) {
  to.user.push_back(from.user[k]);
  to.item.push_back(item);
  if (from.has_time()) to.time.push_back(from.time[k]);
  if (from.has_behavior()) to.behavior.push_back(from.behavior[k]);
  if (from.has_weight()) to.weight.push_back(from.weight[k]);
}

Split carve_split(const Split& split, const DomainSplit& part, const Moves& moves, const Domain (&out)[2]) {
  DomainSplit parts[2];
  for (int s = 0; s < 2; ++s) parts[s].domain = out[s].name;
  const auto distribute = [&](const std::vector<int64_t>& rows, std::vector<int64_t> DomainSplit::*role) {
    for (const int64_t k : rows) {
      if (moves.side[k] != kDropped) (parts[moves.side[k]].*role).push_back(moves.index[k]);
    }
  };
  distribute(part.train, &DomainSplit::train);
  distribute(part.valid, &DomainSplit::valid);
  distribute(part.test, &DomainSplit::test);
  parts[kTarget].cold_start_users = part.cold_start_users;
  Split carved;
  carved.name = split.name;
  carved.kind = split.kind;
  carved.params = split.params;
  carved.parts = {std::move(parts[kSource]), std::move(parts[kTarget])};
  return carved;
}

Dataset carved_dataset(const Dataset& from, Domain (&out)[2], Split split) {
  Dataset result;
  result.user_ids = from.user_ids;
  result.provenance = from.provenance;
  result.domains = {std::move(out[kSource]), std::move(out[kTarget])};
  result.splits = {std::move(split)};
  validate(result, "carved dataset");
  return result;
}

}  // namespace graft::io::carving
