// Benchmarks of gnn. Each compares graft with a LibTorch baseline in the same run.
//
// spmm: forward + backward (w.r.t. the dense input) of one propagation step Â·X on a
// Gowalla-sized synthetic user–item graph (29,858 users, 40,981 items, 810,128 interactions,
// power-law degrees; symmetric normalisation, F = 64), with 1 and 2 threads:
//   Spmm/graft     gnn::spmm (CSR kernel; backward through the stored transpose)
//   Spmm/torch_csr torch::mm on torch::sparse_csr_tensor
//   Spmm/torch_coo torch::mm on a coalesced torch::sparse_coo_tensor
// Both LibTorch baselines backpropagate through their own autograd formulas. The GFLOP rate
// counts 2·nnz·F flops for the forward product and as many for the backward one.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <unordered_set>
#include <vector>

#include "gnn/sparse_graph.h"
#include "gnn/spmm.h"

namespace {

using graft::gnn::SparseGraph;

constexpr int64_t kUsers = 29858, kItems = 40981, kInteractions = 810128, kFeatures = 64;

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

// The symmetric-normalised bipartite adjacency over users then items, built once.
const SparseGraph& gowalla_like_graph() {
  static const SparseGraph graph = [] {
    std::mt19937_64 rng(20240501);
    const SkewedIndex user(kUsers, 1.6, rng), item(kItems, 2.0, rng);
    std::unordered_set<int64_t> seen;
    std::vector<int64_t> rows, cols;
    rows.reserve(2 * kInteractions);
    cols.reserve(2 * kInteractions);
    while (static_cast<int64_t>(seen.size()) < kInteractions) {
      const int64_t u = user(rng), i = item(rng);
      if (!seen.insert(u * kItems + i).second) continue;
      rows.insert(rows.end(), {u, kUsers + i});
      cols.insert(cols.end(), {kUsers + i, u});
    }
    const int64_t n = kUsers + kItems, nnz = static_cast<int64_t>(rows.size());
    const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
    const SparseGraph adjacency =
        SparseGraph::from_coo(n, n, torch::from_blob(rows.data(), {nnz}, i64).clone(),
                              torch::from_blob(cols.data(), {nnz}, i64).clone(), torch::ones({nnz}));
    return graft::gnn::normalize(adjacency, graft::gnn::Normalization::kSymmetric, false);
  }();
  return graph;
}

// The dense input and the upstream gradient of one propagation step.
struct Operands {
  torch::Tensor x, dy;
};
const Operands& operands() {
  static const Operands ops = [] {
    torch::manual_seed(7);
    const int64_t n = gowalla_like_graph().rows();
    return Operands{torch::randn({n, kFeatures}), torch::randn({n, kFeatures})};
  }();
  return ops;
}

// Forward and backward with respect to x of y = op(x), the upstream gradient being dy, with
// state.range(0) threads; reports the rate in GFLOP/s.
template <typename Op>
void forward_backward(benchmark::State& state, const Op& op) {
  graft::gnn::set_num_threads(static_cast<int>(state.range(0)));
  const torch::Tensor x = operands().x.clone().requires_grad_();
  for (auto _ : state) {
    const torch::Tensor y = op(x);
    const auto dx = torch::autograd::grad({y}, {x}, {operands().dy});
    benchmark::DoNotOptimize(dx[0].data_ptr());
  }
  const double flops = 4.0 * static_cast<double>(gowalla_like_graph().nnz()) * kFeatures;
  state.counters["GFLOP"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Spmm_graft(benchmark::State& state) {
  const SparseGraph& g = gowalla_like_graph();
  forward_backward(state, [&](const torch::Tensor& x) { return graft::gnn::spmm(g, x); });
}

void BM_Spmm_torch_csr(benchmark::State& state) {
  const SparseGraph& g = gowalla_like_graph();
  const torch::Tensor a = torch::sparse_csr_tensor(g.csr().row_ptr, g.csr().col, g.csr().value, {g.rows(), g.cols()},
                                                   g.csr().value.options().layout(torch::kSparseCsr));
  forward_backward(state, [&](const torch::Tensor& x) { return torch::mm(a, x); });
}

void BM_Spmm_torch_coo(benchmark::State& state) {
  const SparseGraph& g = gowalla_like_graph();
  const torch::Tensor indices = torch::stack({g.row_indices(), g.csr().col});
  const torch::Tensor a = torch::sparse_coo_tensor(indices, g.csr().value, {g.rows(), g.cols()}).coalesce();
  forward_backward(state, [&](const torch::Tensor& x) { return torch::mm(a, x); });
}

}  // namespace

BENCHMARK(BM_Spmm_graft)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Spmm_torch_csr)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Spmm_torch_coo)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
