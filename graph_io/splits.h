// Splits of a dataset into train/valid/test, stored by name inside the dataset, and sampled
// negatives for the 999- and 99-negative protocols of ../shared/PROTOCOLS.md. All seeded,
// deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

struct SplitOptions {
  std::string name;                  // name to store the split under (default: the kind)
  std::string kind;                  // leave_one_out | ratio | temporal | cold_start_users | new_category
                                     // | new_items | cold_start_buyers | holdout_valid
  std::vector<std::string> domains;  // domains to split (empty: all); cold_start_users uses source/target
  double valid_ratio = 0.1;          // ratio / temporal: of interactions; new_items: of items
  double test_ratio = 0.1;
  // cold_start_users: a fraction of the users shared by source and target lose all their target
  // interactions from training; theirs are divided between valid and test.
  std::string source, target;
  // cold_start_buyers: a fraction of the users with interactions of target_behavior and of
  // another behaviour lose all their target_behavior interactions from training (the others
  // still train); theirs are divided between valid and test.
  double cold_start_fraction = 0.2;  // cold_start_users and cold_start_buyers
  std::string target_behavior = "buy";  // a behaviour code: pv, cart, fav, buy
  // new_category: the category's interactions are withheld except k per user (k-shot budget).
  std::string category;
  int64_t k_shot = 0;
  // holdout_valid: the existing split whose training interactions lose a valid_ratio share per
  // user to validation (its test cases stay: model selection without looking at the test set).
  std::string from;
  // sampled negatives per valid/test case; 0 for none.
  int64_t negatives = 999;
  uint64_t seed = 0;
};

std::vector<std::string> split_kinds();

// Adds (or replaces) the split options.name in the dataset. Throws UsageError for bad options
// (unknown kind, unknown domain, ratios out of range) naming the option and the value. A
// leave_one_out split records per domain how many users it cannot evaluate, having fewer than 3
// interactions (params "users_too_few_interactions.<domain>": "<n> (kept in training, not
// evaluated)").
void add_split(Dataset& dataset, const SplitOptions& options);

// One line per thing about `split` worth telling whoever made it, e.g. "note: split 'loo',
// domain 'jp': 12 users have fewer than 3 interactions (kept in training, not evaluated)".
std::vector<std::string> split_notes(const Split& split);

// (Re)draws the sampled negatives of an existing split: per valid/test case, `count` items drawn
// uniformly from the domain's training items, never an item the user interacted with in any
// split of that domain. In a new_items split the held-out items are candidates too (PROTOCOLS.md:
// new items compete with warm ones), else the ground truth would be the only cold item of every
// case. In a leave_one_out split every item with an interaction in the domain is a candidate
// (PROTOCOLS.md, 99 negatives: the market's items the user never rated there), also one that
// only other users' valid or test cases hold. Throws DataError when a user has too few candidate
// items.
void sample_negatives(Dataset& dataset, const std::string& split, int64_t count, uint64_t seed);

// Per item of `domain`, 1 when `part` holds it out: no training interaction and at least one
// valid or test interaction. In a new_items split these are exactly the new items, so later
// code (carving, evaluation) tells new from warm items without the split's seed.
std::vector<uint8_t> held_out_items(const Domain& domain, const DomainSplit& part);

}  // namespace graft::io
