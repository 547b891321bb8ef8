// The synthetic interaction log the training benchmarks share: one domain, users drawn uniformly,
// item i with probability falling like a power of its index (skewed popularity), seeded, so a
// graph has the shape but not the content of a real one.
#pragma once

#include <cmath>
#include <random>
#include <string>

#include "graph_io/dataset.h"

namespace graft::bench {

// `train` training then `test` test interactions of `users` × `items` in domain `domain`, under
// split "bench".
inline io::Dataset skewed_interactions(const std::string& domain, int64_t users, int64_t items, int64_t train,
                                       int64_t test) {
  io::Dataset ds;
  for (int64_t u = 0; u < users; ++u) ds.user_ids.push_back(std::to_string(u));
  io::Domain d;
  d.name = domain;
  for (int64_t i = 0; i < items; ++i) d.item_ids.push_back(std::to_string(i));
  io::DomainSplit part;
  part.domain = domain;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int64_t k = 0; k < train + test; ++k) {
    d.interactions.user.push_back(static_cast<int64_t>(unit(rng) * static_cast<double>(users)));
    d.interactions.item.push_back(static_cast<int64_t>(std::pow(unit(rng), 2.0) * static_cast<double>(items)));
    (k < train ? part.train : part.test).push_back(k);
  }
  ds.domains.push_back(d);
  io::Split split;
  split.name = "bench";
  split.parts.push_back(part);
  ds.splits.push_back(split);
  return ds;
}

}  // namespace graft::bench
