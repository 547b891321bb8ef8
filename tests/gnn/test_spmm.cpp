// spmm: forward against dense A·X, gradients against finite differences, argument checks,
// determinism across runs and thread counts, and CUDA against CPU where a GPU exists. Every
// case runs for int32 and int64 indices on awkward sizes.
#include "tests/support/error_text.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "gnn/sparse_graph.h"
#include "gnn/spmm.h"
#include "tests/support/gradcheck.h"

namespace graft::gnn {
namespace {

const std::vector<int64_t> kSizes = {1, 7, 31, 33, 257};
const std::vector<torch::Dtype> kIndexDtypes = {torch::kInt32, torch::kInt64};

// A random directed n × n graph with about 4 edges per row, every third row empty, normalised
// as asked, in float64.
SparseGraph random_graph(int64_t n, torch::Dtype index_dtype, Normalization normalization, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t edges = 4 * n;
  torch::Tensor row = torch::randint(n, {edges}, gen, torch::kInt64);
  row = torch::where(row % 3 == 0, (row + 1) % n, row);
  if (n == 1) row.zero_();
  const torch::Tensor col = torch::randint(n, {edges}, gen, torch::kInt64);
  const torch::Tensor value = torch::rand({edges}, gen, torch::kFloat64) + 0.5;
  const SparseGraph a = SparseGraph::from_coo(n, n, row.to(index_dtype), col.to(index_dtype), value);
  return normalize(a, normalization, false);
}

torch::Tensor random_features(int64_t rows, int64_t f, uint64_t seed, torch::Dtype dtype = torch::kFloat64) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn({rows, f}, gen, torch::kFloat64).to(dtype);
}

using graft::testing::error_of;

// Restores the intra-op thread count when a test changes it.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : saved_(at::get_num_threads()) {}
  ~ThreadCountGuard() { at::set_num_threads(saved_); }

 private:
  int saved_;
};

TEST(Spmm, ForwardMatchesDenseProduct) {
  for (torch::Dtype index : kIndexDtypes) {
    for (int64_t n : kSizes) {
      for (Normalization norm : {Normalization::kSymmetric, Normalization::kRandomWalk}) {
        const SparseGraph g = random_graph(n, index, norm, static_cast<uint64_t>(n));
        const torch::Tensor x = random_features(n, 5, 100 + static_cast<uint64_t>(n));
        const torch::Tensor expected = g.to_dense().mm(x);
        EXPECT_TRUE(torch::allclose(spmm(g, x), expected, 1e-12, 1e-12)) << "n=" << n << " index=" << index;
        const SparseGraph g32 = g.with_value_dtype(torch::kFloat32);
        EXPECT_TRUE(torch::allclose(spmm(g32, x.to(torch::kFloat32)), expected.to(torch::kFloat32), 1e-5, 1e-5))
            << "float32 n=" << n;
      }
    }
  }
}

// The kernels compile some feature widths as constants; every path must agree with the dense
// formulas: Y = A·X, dX = Aᵀ·dY, d value_k = (dY·Xᵀ)[row_k, col_k].
TEST(Spmm, EveryFeatureWidthMatchesDenseFormulas) {
  const SparseGraph g = random_graph(33, torch::kInt32, Normalization::kSymmetric, 11);
  const torch::Tensor a = g.to_dense();
  const torch::Tensor rows = g.row_indices().to(torch::kInt64), cols = g.csr().col.to(torch::kInt64);
  for (int64_t f : {1, 16, 32, 64, 100, 128, 256}) {
    const torch::Tensor x = random_features(33, f, 12).requires_grad_();
    const torch::Tensor w = g.csr().value.clone().requires_grad_();
    const torch::Tensor dy = random_features(33, f, 13);
    const torch::Tensor y = spmm(g, x, w);
    y.backward(dy);
    EXPECT_TRUE(torch::allclose(y, a.mm(x), 1e-12, 1e-12)) << "F=" << f;
    EXPECT_TRUE(torch::allclose(x.grad(), a.t().mm(dy), 1e-12, 1e-12)) << "F=" << f;
    EXPECT_TRUE(torch::allclose(w.grad(), dy.mm(x.detach().t()).index({rows, cols}), 1e-12, 1e-12)) << "F=" << f;
  }
}

TEST(Spmm, EmptyRowsGiveZeroRows) {
  const SparseGraph g = random_graph(31, torch::kInt64, Normalization::kSymmetric, 3);
  const torch::Tensor y = spmm(g, random_features(31, 4, 4));
  const torch::Tensor row_ptr = g.csr().row_ptr;
  for (int64_t r = 0; r < 31; ++r) {
    if (row_ptr[r].item<int64_t>() == row_ptr[r + 1].item<int64_t>()) {
      EXPECT_EQ(y[r].abs().sum().item<double>(), 0.0) << "row " << r;
    }
  }
}

TEST(Spmm, EdgeValuesReplaceTheGraphValues) {
  const SparseGraph g = random_graph(33, torch::kInt32, Normalization::kNone, 5);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(6);
  const torch::Tensor w = torch::rand({g.nnz()}, gen, torch::kFloat64);
  const torch::Tensor x = random_features(33, 3, 7);
  EXPECT_TRUE(torch::allclose(spmm(g, x, w), g.with_values(w).to_dense().mm(x), 1e-12, 1e-12));
}

TEST(Spmm, NonContiguousInput) {
  const SparseGraph g = random_graph(33, torch::kInt64, Normalization::kSymmetric, 8);
  const torch::Tensor xt = random_features(6, 33, 9).t();  // [33, 6], column-major
  ASSERT_FALSE(xt.is_contiguous());
  EXPECT_TRUE(torch::equal(spmm(g, xt), spmm(g, xt.contiguous())));
}

TEST(Spmm, GradientWithRespectToX) {
  for (torch::Dtype index : kIndexDtypes) {
    for (int64_t n : kSizes) {
      const SparseGraph g = random_graph(n, index, Normalization::kSymmetric, 10 + static_cast<uint64_t>(n));
      const torch::Tensor x = random_features(n, 2, 20 + static_cast<uint64_t>(n)).requires_grad_();
      EXPECT_TRUE(testing::gradcheck([&](const std::vector<torch::Tensor>& in) { return spmm(g, in[0]); }, {x}))
          << "n=" << n << " index=" << index;
    }
  }
}

TEST(Spmm, GradientWithRespectToEdgeValuesAndX) {
  for (torch::Dtype index : kIndexDtypes) {
    for (int64_t n : kSizes) {
      const SparseGraph g = random_graph(n, index, Normalization::kRandomWalk, 30 + static_cast<uint64_t>(n));
      const torch::Tensor x = random_features(n, 3, 40 + static_cast<uint64_t>(n)).requires_grad_();
      const torch::Tensor w = g.csr().value.clone().requires_grad_();
      EXPECT_TRUE(testing::gradcheck(
          [&](const std::vector<torch::Tensor>& in) { return spmm(g, in[0], in[1]); }, {x, w}))
          << "n=" << n << " index=" << index;
    }
  }
}

TEST(Spmm, GradientOfEdgeValuesAlone) {
  const SparseGraph g = random_graph(7, torch::kInt64, Normalization::kNone, 50);
  const torch::Tensor x = random_features(7, 9, 51);  // 9 features: exercises the dot product's tail
  const torch::Tensor w = g.csr().value.clone().requires_grad_();
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<torch::Tensor>& in) { return spmm(g, x, in[0]); }, {w}));
}

TEST(Spmm, InvariantToCooEdgeOrder) {
  const int64_t n = 33;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(60);
  const torch::Tensor row = torch::randint(n, {100}, gen, torch::kInt64);
  const torch::Tensor col = torch::randint(n, {100}, gen, torch::kInt64);
  const torch::Tensor order = torch::randperm(100, gen, torch::kInt64);
  const torch::Tensor ones = torch::ones({100}, torch::kFloat64);
  const SparseGraph a = normalize(SparseGraph::from_coo(n, n, row, col, ones), Normalization::kSymmetric, true);
  const SparseGraph b = normalize(SparseGraph::from_coo(n, n, row.index_select(0, order), col.index_select(0, order),
                                                        ones),
                                  Normalization::kSymmetric, true);
  const torch::Tensor x = random_features(n, 4, 61);
  EXPECT_TRUE(torch::equal(spmm(a, x), spmm(b, x)));
}

TEST(Spmm, DuplicateEdgesAreSummed) {
  const SparseGraph dup = SparseGraph::from_coo(2, 2, torch::tensor({0, 0, 1}, torch::kInt64),
                                                torch::tensor({1, 1, 0}, torch::kInt64),
                                                torch::tensor({1.5, 2.5, 1.0}, torch::kFloat64));
  const torch::Tensor x = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64).reshape({2, 2});
  EXPECT_TRUE(torch::equal(spmm(dup, x), torch::tensor({12.0, 16.0, 1.0, 2.0}, torch::kFloat64).reshape({2, 2})));
}

TEST(Spmm, RejectsBadArguments) {
  const SparseGraph g = random_graph(7, torch::kInt64, Normalization::kSymmetric, 70);
  EXPECT_EQ(error_of([&] { spmm(g, torch::zeros({6, 3}, torch::kFloat64)); }),
            "spmm: x has 6 rows but the graph has 7 columns");
  EXPECT_EQ(error_of([&] { spmm(g, torch::zeros({7}, torch::kFloat64)); }),
            "spmm: x must be a 2-D tensor [cols, F], got [7]");
  EXPECT_EQ(error_of([&] { spmm(g, torch::zeros({7, 3}, torch::kInt64)); }),
            "spmm: unsupported dtype Long (float32 and float64 are supported)");
  EXPECT_EQ(error_of([&] { spmm(g, torch::zeros({7, 3}, torch::kFloat32)); }),
            "spmm: x has dtype Float but the graph's values have dtype Double");
  EXPECT_EQ(error_of([&] { spmm(g, torch::zeros({7, 3}, torch::kFloat64), torch::zeros({g.nnz() - 1})); }),
            "spmm: edge_values must hold one value per edge (nnz = " + std::to_string(g.nnz()) + "), got shape [" +
                std::to_string(g.nnz() - 1) + "]");
  EXPECT_EQ(error_of([&] { spmm(g, torch::zeros({7, 3}, torch::kFloat64), torch::zeros({g.nnz()})); }),
            "spmm: x has dtype Double but the edge values have dtype Float");
  EXPECT_EQ(error_of([&] { spmm(SparseGraph(), torch::zeros({7, 3})); }),
            "spmm: the graph is empty (default-constructed)");
  const SparseGraph meta = g.to(torch::kMeta);
  EXPECT_EQ(error_of([&] { spmm(meta, torch::zeros({7, 3}, torch::TensorOptions(torch::kFloat64).device(torch::kMeta))); }),
            "spmm: unsupported device meta");
  EXPECT_EQ(error_of([&] { spmm(meta, torch::zeros({7, 3}, torch::kFloat64)); }),
            "spmm: x is on cpu but the graph is on meta");
}

// Outputs and gradients bit for bit: twice in a row, and with 1 versus 2 threads (the graph is
// large enough for the kernel to split it across threads).
TEST(Spmm, DeterministicAcrossRunsAndThreadCounts) {
  ThreadCountGuard guard;
  const SparseGraph g = random_graph(257, torch::kInt64, Normalization::kSymmetric, 80).with_value_dtype(torch::kFloat32);
  const torch::Tensor x0 = random_features(257, 64, 81, torch::kFloat32);
  const torch::Tensor w0 = g.csr().value.clone();
  auto run = [&](int threads) {
    set_num_threads(threads);
    const torch::Tensor x = x0.clone().requires_grad_();
    const torch::Tensor w = w0.clone().requires_grad_();
    const torch::Tensor y = spmm(g, x, w);
    (y * y).sum().backward();
    return std::vector<torch::Tensor>{y.detach(), x.grad(), w.grad()};
  };
  const auto reference = run(1);
  for (int threads : {1, 2, 2}) {
    const auto again = run(threads);
    for (size_t k = 0; k < reference.size(); ++k) {
      EXPECT_TRUE(torch::equal(again[k], reference[k])) << "output " << k << " with " << threads << " threads";
    }
  }
}

TEST(Spmm, SetNumThreads) {
  ThreadCountGuard guard;
  set_num_threads(2);
  EXPECT_EQ(at::get_num_threads(), 2);
  set_num_threads(0);
  EXPECT_EQ(at::get_num_threads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(error_of([] { set_num_threads(-1); }), "set_num_threads: threads must be non-negative, got -1");
}

TEST(Spmm, CudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  for (torch::Dtype index : kIndexDtypes) {
    for (int64_t n : kSizes) {
      for (torch::Dtype value : {torch::kFloat32, torch::kFloat64}) {
        const SparseGraph cpu = random_graph(n, index, Normalization::kSymmetric, 90 + static_cast<uint64_t>(n))
                                    .with_value_dtype(value);
        const SparseGraph gpu = cpu.to(torch::kCUDA);
        const torch::Tensor x = random_features(n, 33, 91, value);
        const torch::Tensor w = cpu.csr().value.clone();
        // New leaves on each device: x.to(kCPU) would return x itself, and requires_grad_ and the
        // gradient would then land on the shared tensor.
        auto run = [&](const SparseGraph& g, torch::Device device) {
          const torch::Tensor xd = x.detach().to(device).requires_grad_();
          const torch::Tensor wd = w.detach().to(device).requires_grad_();
          const torch::Tensor y = spmm(g, xd, wd);
          (y * y).sum().backward();
          return std::vector<torch::Tensor>{y.detach().cpu(), xd.grad().cpu(), wd.grad().cpu()};
        };
        const auto on_cpu = run(cpu, torch::kCPU);
        const auto on_gpu = run(gpu, torch::kCUDA);
        const double tol = value == torch::kFloat32 ? 1e-4 : 1e-10;
        for (size_t k = 0; k < on_cpu.size(); ++k) {
          EXPECT_TRUE(torch::allclose(on_gpu[k], on_cpu[k], tol, tol)) << "n=" << n << " output " << k;
        }
      }
    }
  }
}

}  // namespace
}  // namespace graft::gnn
