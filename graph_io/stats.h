// Dataset statistics, graph ones (components) through Boost.Graph.
//
// format_stats_json layout (keys in this order; the degree objects have min, p25, p50, p75,
// p90, p99, max):
//   {"users": U,
//    "domains": [{"name", "users", "items", "categories", "interactions", "density",
//                 "user_degree": {...}, "item_degree": {...}, "components", "largest_component",
//                 "shared_users": {other domain: count}, "shared_items": {other domain: count},
//                 "interactions_on_shared_items": {other domain: share in [0, 1]},
//                 "cold_start_users": {split: count},
//                 "features": [{"name", "of" ("item" | "user"), "kind", "width", "rows",
//                               "missing", "nonzeros_per_row" (sparse; null otherwise)}],
//                 "behaviors": [{"name", "interactions", "pairs", "pairs_also_in": {other: count}}]}],
//    "splits": [{"split", "kind", "domain", "train": {"interactions", "users"}, "valid": {...},
//                "test": {...}, "cold_start_users", "negatives_per_case"}]}
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

// One feature block of a domain.
struct FeatureStats {
  std::string name;
  std::string of;  // "item" or "user"
  FeatureKind kind = FeatureKind::kDense;
  int64_t width = 0;
  int64_t rows = 0;
  int64_t missing = 0;            // rows without a value
  double nonzeros_per_row = 0.0;  // sparse: mean stored entries over the rows with a value
};

// One behaviour of a domain with behaviours (pv, cart, fav, buy).
struct BehaviorStats {
  std::string name;          // the behaviour code
  int64_t interactions = 0;
  int64_t pairs = 0;         // distinct (user, item) pairs
  // other behaviour of the domain -> how many of these pairs it has too (e.g. of the pairs of
  // buy, those also in pv: the purchases whose item the buyer viewed)
  std::map<std::string, int64_t> pairs_also_in;
};

struct DomainStats {
  std::string name;
  int64_t users = 0;         // users with at least one interaction in the domain
  int64_t items = 0;
  int64_t categories = 0;
  int64_t interactions = 0;
  double density = 0.0;      // interactions / (users * items)
  // Degree quantiles (min, 25%, 50%, 75%, 90%, 99%, max) of users and of items, linearly
  // interpolated; over the domain's users above and over all its items (unused ones count 0).
  std::vector<double> user_degree_quantiles, item_degree_quantiles;
  int64_t components = 0;          // connected components of the user–item graph
  int64_t largest_component = 0;   // nodes in the largest one
  std::map<std::string, int64_t> shared_users;                // other domain -> users in both
  // Items linked across domains by their external id (graph_io/SCHEMA.md): other domain -> items
  // of this domain with an id the other domain has too, and the share of this domain's
  // interactions that fall on those items (0 without interactions).
  std::map<std::string, int64_t> shared_items;
  std::map<std::string, double> interactions_on_shared_items;
  std::map<std::string, int64_t> cold_start_users_per_split;  // split -> cold-start users here
  std::vector<FeatureStats> features;                          // item blocks, then user blocks
  std::vector<BehaviorStats> behaviors;  // the behaviours present, in code order; empty when untyped
};

// One domain's part of one split: the data table a paper prints (interactions and distinct users
// per train / valid / test, cold-start users, sampled negatives per held-out case).
struct SplitPartStats {
  struct Part {
    int64_t interactions = 0;
    int64_t users = 0;  // distinct users with an interaction in the part
  };
  std::string split, kind, domain;
  Part train, valid, test;
  int64_t cold_start_users = 0;
  int64_t negatives_per_case = 0;
};

struct DatasetStats {
  int64_t users = 0;  // global user id space
  std::vector<DomainStats> domains;
  std::vector<SplitPartStats> splits;  // per split in file order, per domain part in split order
};

DatasetStats compute_stats(const Dataset& dataset);
std::vector<BehaviorStats> behavior_stats(const Domain& domain);  // stats_behaviors.cpp
std::vector<SplitPartStats> split_stats(const Dataset& dataset);  // stats_splits.cpp
std::string format_stats_table(const DatasetStats& stats);  // human-readable, aligned columns
std::string format_stats_json(const DatasetStats& stats);   // for scripts

}  // namespace graft::io
