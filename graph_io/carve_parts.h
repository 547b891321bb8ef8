// What every carving of one domain into a source and a target domain shares (category_domain.h,
// behavior_domain.h): moving interactions to a side, and the split that follows them.
#pragma once

#include <cstdint>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io::carving {

inline constexpr int kSource = 0, kTarget = 1, kDropped = -1;

// Where each interaction of the carved domain went: its side (kSource, kTarget or kDropped) and
// its index there.
struct Moves {
  std::vector<int> side;
  std::vector<int64_t> index;
};

// Copies interaction `k` of `from`, with its optional columns, onto the end of `to` as `item`.
void append_interaction(const Interactions& from, int64_t k, int64_t item, Interactions& to);

// `split` with one part per side: each moved interaction keeps its role, dropped ones leave;
// cold-start users go to the target. Negatives are left out (their item ids may no longer hold).
Split carve_split(const Split& split, const DomainSplit& part, const Moves& moves, const Domain (&out)[2]);

// The carved dataset: `from`'s users and provenance, the two sides as its domains (source, then
// target) and `split` as its one split; validated.
Dataset carved_dataset(const Dataset& from, Domain (&out)[2], Split split);

}  // namespace graft::io::carving
