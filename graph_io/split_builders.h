// The builders behind add_split (splits.cpp), one per split kind, and the negative sampler it
// applies before storing a split. Options reach them already checked; add_split sorts the index
// lists of the parts they return.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph_io/dataset.h"
#include "graph_io/splits.h"

namespace graft::io {

// Per user with >= 3 interactions: the latest (by time, ties in a seeded random order; without
// time a seeded random one) is the test case, the latest of the rest the valid case, the rest
// train. Users with 1 or 2 interactions cannot give all three: they stay in train, and
// *too_few counts them.
DomainSplit leave_one_out_split(const Domain& domain, int64_t num_users, uint64_t seed, int64_t* too_few);

// Per user, a seeded shuffle cut into test, valid and train shares (rounding in the .cpp).
DomainSplit ratio_split(const Domain& domain, int64_t num_users, double valid_ratio, double test_ratio,
                        uint64_t seed);

// One global cutoff per domain: the latest test_ratio of interactions test, the valid_ratio
// before them valid. The domain must have timestamps.
DomainSplit temporal_split(const Domain& domain, double valid_ratio, double test_ratio);

// Parts for source and target: a seeded share of the users of both domains lose all target
// training interactions; half of them are valid users, the other half test users.
std::vector<DomainSplit> cold_start_users_split(const Dataset& dataset, const std::string& source,
                                                const std::string& target, double fraction, uint64_t seed);

// Multi-behaviour cold start in one domain with behaviours: of the users with `target`
// interactions and interactions of another behaviour, a seeded share (as in
// cold_start_users_split) lose every `target` interaction from training; half of them are valid
// users, the other half test users. Every other interaction trains.
DomainSplit cold_start_buyers_split(const Domain& domain, int64_t num_users, Behavior target, double fraction,
                                    uint64_t seed);

// Interactions with items of `category` are test cases except each user's first `k_shot` of
// them (by time, ties in seeded random order; else seeded random), which stay in train.
DomainSplit new_category_split(const Domain& domain, int64_t num_users, int32_t category, int64_t k_shot,
                               uint64_t seed);

// Item cold start: of the domain's n items that have interactions, a seeded random
// round(n * test_ratio) are test items and the next round(n * valid_ratio) validation items (at
// least one item stays warm); every interaction of a test (validation) item is a test (valid)
// case, every other interaction trains.
DomainSplit new_items_split(const Domain& domain, double valid_ratio, double test_ratio, uint64_t seed);

// Validation carved from `base`'s training interactions: per user, a seeded shuffle of them of which
// round(n * valid_ratio) (at most n − 1) become validation cases. The base part's validation and
// test cases and cold-start users stay as they are, so its test numbers stay comparable.
DomainSplit holdout_valid_split(const Domain& domain, const DomainSplit& base, int64_t num_users, double valid_ratio,
                                uint64_t seed);

// Draws `count` negatives per valid/test case into every part of `split` (see sample_negatives)
// and records count and seed in split.params. Leaves `split` untouched when it throws.
void draw_negatives(const Dataset& dataset, Split& split, int64_t count, uint64_t seed);

}  // namespace graft::io
