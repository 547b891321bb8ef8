// A synthetic two-platform world (tests/transfer): the preset scaled down, with a cold-start split
// named "cold" whose held-out cases are ranked against stored negatives.
#pragma once

#include "graph_io/splits.h"
#include "graph_io/synthetic.h"

namespace graft::transfer::testing {

struct WorldSize {
  int64_t users;
  std::vector<int64_t> items;                // source, target
  std::vector<double> interactions_per_user;  // source, target
  double shift = 0.2;                         // 1: the domains share nothing
  uint64_t seed = 3;
  int64_t negatives = 99;
  uint64_t split_seed = 1;
};

inline io::Dataset cold_start_world(const WorldSize& size) {
  io::SyntheticOptions o = io::synthetic_preset("two-platform");
  o.users = size.users;
  o.items_per_domain = size.items;
  o.mean_interactions_per_user = size.interactions_per_user;
  o.domain_shift = size.shift;
  o.seed = size.seed;
  io::Dataset dataset = io::generate_synthetic(o);
  io::SplitOptions split;
  split.name = "cold";
  split.kind = "cold_start_users";
  split.source = "source";
  split.target = "target";
  split.cold_start_fraction = 0.3;
  split.negatives = size.negatives;
  split.seed = size.split_seed;
  io::add_split(dataset, split);
  return dataset;
}

}  // namespace graft::transfer::testing
