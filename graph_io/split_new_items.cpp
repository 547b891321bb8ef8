// The new_items split (item cold start, PROTOCOLS.md "New items"): whole items leave training,
// so every interaction of a held-out item is a valid or test case.
#include <algorithm>
#include <cmath>
#include <random>

#include "graph_io/seeded_random.h"
#include "graph_io/split_builders.h"

namespace graft::io {

namespace {

// Per item: 0 warm, 1 validation item, 2 test item.
std::vector<int8_t> item_roles(const Domain& domain, double valid_ratio, double test_ratio, uint64_t seed) {
  std::vector<bool> used(static_cast<size_t>(domain.num_items()), false);
  for (const int64_t item : domain.interactions.item) used[item] = true;
  std::vector<int64_t> items;
  for (int64_t i = 0; i < domain.num_items(); ++i) {
    if (used[i]) items.push_back(i);
  }
  std::mt19937_64 rng(seed);
  seeded_shuffle(items, rng);
  const auto n = static_cast<int64_t>(items.size());
  const auto share = [n](double ratio) {
    return static_cast<int64_t>(std::floor(static_cast<double>(n) * ratio + 0.5));
  };
  // One item stays warm, so the domain keeps something to train on.
  const int64_t n_test = std::max<int64_t>(0, std::min(share(test_ratio), n - 1));
  const int64_t n_valid = std::max<int64_t>(0, std::min(share(valid_ratio), n - 1 - n_test));
  std::vector<int8_t> role(used.size(), 0);
  for (int64_t k = 0; k < n_test + n_valid; ++k) role[items[k]] = k < n_test ? 2 : 1;
  return role;
}

}  // namespace

DomainSplit new_items_split(const Domain& domain, double valid_ratio, double test_ratio, uint64_t seed) {
  const std::vector<int8_t> role = item_roles(domain, valid_ratio, test_ratio, seed);
  DomainSplit part;
  part.domain = domain.name;
  const auto& items = domain.interactions.item;
  for (size_t k = 0; k < items.size(); ++k) {
    const int8_t r = role[items[k]];
    (r == 0 ? part.train : r == 1 ? part.valid : part.test).push_back(static_cast<int64_t>(k));
  }
  return part;
}

std::vector<uint8_t> held_out_items(const Domain& domain, const DomainSplit& part) {
  const auto& items = domain.interactions.item;
  std::vector<uint8_t> held_out(static_cast<size_t>(domain.num_items()), 0);
  for (const auto* rows : {&part.valid, &part.test}) {
    for (const int64_t k : *rows) held_out[items[k]] = 1;
  }
  for (const int64_t k : part.train) held_out[items[k]] = 0;
  return held_out;
}

}  // namespace graft::io
