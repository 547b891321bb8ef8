// Synthetic graphs for scale: one domain of any size, generated in time and memory linear in the
// number of interactions (the planted generator of synthetic.h scores every item for every user,
// which does not reach tens of millions).
//
// Generative model:
//   sizes     `interactions` in all; users and items default to interactions / 17 and / 35 (the
//             proportions of a 3.28M-interaction power-law graph with 188,490 users and 95,013
//             items).
//   activity  user u makes n_u = 1 + its share of the rest, the shares ∝ rank_u^(−user_exponent)
//             (ranks a random permutation), rounded so the n_u add up to `interactions`; n_u is
//             capped at a quarter of the items (the excess goes to the heaviest users below the cap).
//   taste     users and items belong to `clusters` clusters (a user's by a hash of its index, an
//             item's by its index modulo clusters); each of a user's draws comes from its own
//             cluster with probability `in_cluster`, else from all items, so a model has
//             something to learn.
//   pop       within its cluster and overall, item i is drawn ∝ rank_i^(−item_exponent) (ranks a
//             random permutation): power-law item degrees.
//   distinct  a user's items are distinct (redrawn on a repeat; after many repeats a uniform item).
//   time      uniform seconds in one year, in time order per user.
// Users are generated in parallel, each from its own seed, so the dataset does not depend on the
// thread count. Ids: users "u<k>", items "i<k>"; one domain, "main"; no split.
#pragma once

#include <cstdint>
#include <string>

#include "graph_io/dataset.h"

namespace graft::io {

struct ScaleOptions {
  int64_t interactions = 1'000'000;
  int64_t users = 0;  // 0: interactions / 17
  int64_t items = 0;  // 0: interactions / 35
  double user_exponent = 0.5;
  double item_exponent = 0.8;
  int64_t clusters = 64;
  double in_cluster = 0.7;
  uint64_t seed = 0;
  int threads = 0;  // 0: all cores
};

// The options with users and items filled in; UsageError naming the first bad field.
ScaleOptions resolve_scale_options(const ScaleOptions& options);

// Bytes the generator holds at its peak for these options (resolved): the dataset in memory plus
// the per-user draws and the alias tables. A model of the layout (8 bytes per user, item and time
// value, the id strings, the tables), checked against measured peaks in bench/.
int64_t scale_memory_bytes(const ScaleOptions& options);

// Same options (and seed) → identical dataset. Validates first.
Dataset generate_scale(const ScaleOptions& options);

// "10M" → 10000000, "1.5K" → 1500, "24G" → 24·2^30 when `binary` (memory sizes); UsageError
// naming `what` for anything else.
int64_t parse_size(const std::string& text, const std::string& what, bool binary = false);

}  // namespace graft::io
