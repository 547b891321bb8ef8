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

#include "bench/gowalla_like_graph.h"
#include "gnn/sparse_graph.h"
#include "gnn/spmm.h"

namespace {

using graft::bench::gowalla_like_graph;
using graft::gnn::SparseGraph;

constexpr int64_t kFeatures = 64;

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
