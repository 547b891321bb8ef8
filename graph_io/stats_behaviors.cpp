// Per-behaviour counts of a domain and how its behaviours overlap: which (user, item) pairs of
// one behaviour occur in another (purchases of viewed items, carts that were bought).
#include <algorithm>
#include <utility>

#include "graph_io/stats.h"

namespace graft::io {

namespace {

using Pair = std::pair<int64_t, int64_t>;  // (user, item)

// The distinct pairs of each behaviour, sorted.
std::vector<std::vector<Pair>> pairs_by_behavior(const Interactions& x) {
  std::vector<std::vector<Pair>> pairs(kNumBehaviors);
  for (size_t k = 0; k < x.size(); ++k) pairs[static_cast<size_t>(x.behavior[k])].emplace_back(x.user[k], x.item[k]);
  for (auto& p : pairs) {
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
  }
  return pairs;
}

// |a ∩ b| of two sorted sets.
int64_t common(const std::vector<Pair>& a, const std::vector<Pair>& b) {
  int64_t n = 0;
  for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end();) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      ++n, ++i, ++j;
    }
  }
  return n;
}

}  // namespace

std::vector<BehaviorStats> behavior_stats(const Domain& domain) {
  const Interactions& x = domain.interactions;
  if (!x.has_behavior()) return {};
  std::vector<int64_t> interactions(kNumBehaviors, 0);
  for (const int8_t b : x.behavior) ++interactions[static_cast<size_t>(b)];
  const std::vector<std::vector<Pair>> pairs = pairs_by_behavior(x);

  std::vector<BehaviorStats> out;
  for (size_t b = 0; b < pairs.size(); ++b) {
    if (interactions[b] == 0) continue;
    BehaviorStats s;
    s.name = behavior_name(static_cast<Behavior>(b));
    s.interactions = interactions[b];
    s.pairs = static_cast<int64_t>(pairs[b].size());
    for (size_t other = 0; other < pairs.size(); ++other) {
      if (other == b || interactions[other] == 0) continue;
      s.pairs_also_in[behavior_name(static_cast<Behavior>(other))] = common(pairs[b], pairs[other]);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace graft::io
