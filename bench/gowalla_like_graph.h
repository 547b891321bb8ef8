// The Gowalla-sized synthetic user–item graph the spmm benchmarks share: 29,858 users, 40,981
// items and 810,128 distinct interactions with power-law-like degrees, as the symmetric
// bipartite adjacency over users then items (2 × 810,128 stored entries), symmetric-normalised,
// float32 values, int64 indices. Seeded, so every run and every benchmark sees the same graph.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <unordered_set>
#include <vector>

#include "gnn/sparse_graph.h"

namespace graft::bench {

constexpr int64_t kGowallaUsers = 29858, kGowallaItems = 40981, kGowallaInteractions = 810128;

// An index in [0, n) drawn with a power-law-like skew (index ~ n·u^skew, u uniform), then
// scattered through a fixed permutation so popular nodes are not adjacent in memory.
class SkewedIndex {
 public:
  SkewedIndex(int64_t n, double skew, std::mt19937_64& rng) : skew_(skew), permutation_(static_cast<size_t>(n)) {
    for (int64_t i = 0; i < n; ++i) permutation_[static_cast<size_t>(i)] = i;
    std::shuffle(permutation_.begin(), permutation_.end(), rng);
  }
  int64_t operator()(std::mt19937_64& rng) const {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    const auto k = static_cast<size_t>(static_cast<double>(permutation_.size()) * std::pow(u, skew_));
    return permutation_[std::min(k, permutation_.size() - 1)];
  }

 private:
  double skew_;
  std::vector<int64_t> permutation_;
};

// Built once per process.
inline const gnn::SparseGraph& gowalla_like_graph() {
  static const gnn::SparseGraph graph = [] {
    std::mt19937_64 rng(20240501);
    const SkewedIndex user(kGowallaUsers, 1.6, rng), item(kGowallaItems, 2.0, rng);
    std::unordered_set<int64_t> seen;
    std::vector<int64_t> rows, cols;
    rows.reserve(2 * kGowallaInteractions);
    cols.reserve(2 * kGowallaInteractions);
    while (static_cast<int64_t>(seen.size()) < kGowallaInteractions) {
      const int64_t u = user(rng), i = item(rng);
      if (!seen.insert(u * kGowallaItems + i).second) continue;
      rows.insert(rows.end(), {u, kGowallaUsers + i});
      cols.insert(cols.end(), {kGowallaUsers + i, u});
    }
    const int64_t n = kGowallaUsers + kGowallaItems, nnz = static_cast<int64_t>(rows.size());
    const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
    const gnn::SparseGraph adjacency =
        gnn::SparseGraph::from_coo(n, n, torch::from_blob(rows.data(), {nnz}, i64).clone(),
                                   torch::from_blob(cols.data(), {nnz}, i64).clone(), torch::ones({nnz}));
    return gnn::normalize(adjacency, gnn::Normalization::kSymmetric, false);
  }();
  return graph;
}

}  // namespace graft::bench
