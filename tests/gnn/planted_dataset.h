// A tiny planted one-domain dataset the training tests learn: users and items in clusters.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::gnn {

constexpr int64_t kUsers = 120, kClusters = 4, kItemsPerCluster = 15;

// Users and items fall into 4 clusters; each user interacts with 7 random items of its own
// cluster, 5 for training and 2 for test. Random ranking gets recall@5 ≈ 5/55 ≈ 0.09; a model
// that finds the clusters ≈ 5/10.
inline io::Dataset planted_dataset() {
  io::Dataset ds;
  io::Domain d;
  d.name = "shop";
  for (int64_t i = 0; i < kClusters * kItemsPerCluster; ++i) d.item_ids.push_back("i" + std::to_string(i));
  io::Split split;
  split.name = "given";
  split.kind = "given";
  io::DomainSplit& part = split.part_or_add("shop");
  std::mt19937_64 rng(42);
  for (int64_t u = 0; u < kUsers; ++u) {
    ds.user_ids.push_back("u" + std::to_string(u));
    std::vector<int64_t> items(kItemsPerCluster);
    for (int64_t k = 0; k < kItemsPerCluster; ++k) items[k] = (u % kClusters) * kItemsPerCluster + k;
    std::shuffle(items.begin(), items.end(), rng);
    for (int64_t k = 0; k < 7; ++k) {
      (k < 5 ? part.train : part.test).push_back(static_cast<int64_t>(d.interactions.size()));
      d.interactions.user.push_back(u);
      d.interactions.item.push_back(items[k]);
    }
  }
  ds.domains.push_back(d);
  ds.splits.push_back(split);
  return ds;
}

}  // namespace graft::gnn
