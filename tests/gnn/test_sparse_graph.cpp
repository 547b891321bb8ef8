// SparseGraph: COO → CSR (+ transpose), normalisation, conversions and build_domain_graph, on
// hand-built cases with exact expected arrays.
#include "tests/support/error_text.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "gnn/sparse_graph.h"
#include "graph_io/errors.h"

namespace graft::gnn {
namespace {

torch::Tensor i64(std::vector<int64_t> v) { return torch::tensor(v, torch::kInt64); }
torch::Tensor f64(std::vector<double> v) { return torch::tensor(v, torch::kFloat64); }

using graft::testing::error_of;

// 3 × 4 matrix with a duplicate (1, 2) and an empty row 2:
//   [0 5 0 0]
//   [1 0 6 0]      (6 = 2 + 4)
//   [0 0 0 0]
SparseGraph small_graph(torch::Dtype index_dtype) {
  return SparseGraph::from_coo(3, 4, i64({1, 0, 1, 1}).to(index_dtype), i64({2, 1, 0, 2}).to(index_dtype),
                               f64({2, 5, 1, 4}));
}

TEST(SparseGraph, FromCooSortsSumsDuplicatesAndBuildsTranspose) {
  for (torch::Dtype dtype : {torch::kInt32, torch::kInt64}) {
    const SparseGraph g = small_graph(dtype);
    EXPECT_EQ(g.rows(), 3);
    EXPECT_EQ(g.cols(), 4);
    EXPECT_EQ(g.nnz(), 3);
    EXPECT_EQ(g.index_dtype(), dtype);
    EXPECT_EQ(g.csr().col.scalar_type(), dtype);
    EXPECT_TRUE(torch::equal(g.csr().row_ptr, i64({0, 1, 3, 3}).to(dtype)));
    EXPECT_TRUE(torch::equal(g.csr().col, i64({1, 0, 2}).to(dtype)));
    EXPECT_TRUE(torch::equal(g.csr().value, f64({5, 1, 6})));
    // Transpose: 4 × 3, columns of the original become rows.
    EXPECT_TRUE(torch::equal(g.csr_transpose().row_ptr, i64({0, 1, 2, 3, 3}).to(dtype)));
    EXPECT_TRUE(torch::equal(g.csr_transpose().col, i64({1, 0, 1}).to(dtype)));
    EXPECT_TRUE(torch::equal(g.csr_transpose().value, f64({1, 5, 6})));
    EXPECT_TRUE(torch::equal(g.transpose_permutation(), i64({1, 0, 2})));
    EXPECT_TRUE(torch::equal(g.row_indices(), i64({0, 1, 1}).to(dtype)));
    EXPECT_TRUE(torch::equal(g.to_dense(), f64({0, 5, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0}).reshape({3, 4})));
  }
}

TEST(SparseGraph, FromCooIsInvariantToEdgeOrder) {
  const SparseGraph a = SparseGraph::from_coo(3, 3, i64({0, 2, 1, 0, 2}), i64({1, 0, 2, 2, 2}), f64({1, 2, 3, 4, 5}));
  const SparseGraph b = SparseGraph::from_coo(3, 3, i64({2, 0, 2, 1, 0}), i64({2, 2, 0, 2, 1}), f64({5, 4, 2, 3, 1}));
  for (auto [x, y] : {std::pair{a.csr(), b.csr()}, std::pair{a.csr_transpose(), b.csr_transpose()}}) {
    EXPECT_TRUE(torch::equal(x.row_ptr, y.row_ptr));
    EXPECT_TRUE(torch::equal(x.col, y.col));
    EXPECT_TRUE(torch::equal(x.value, y.value));
  }
  EXPECT_TRUE(torch::equal(a.transpose_permutation(), b.transpose_permutation()));
}

TEST(SparseGraph, FromCooKeepsFloat32AndHandlesEmptyGraphs) {
  const SparseGraph g = SparseGraph::from_coo(2, 2, i64({}), i64({}), torch::zeros({0}, torch::kFloat32));
  EXPECT_EQ(g.nnz(), 0);
  EXPECT_EQ(g.csr().value.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(g.csr().row_ptr, i64({0, 0, 0})));
  EXPECT_TRUE(torch::equal(g.to_dense(), torch::zeros({2, 2})));
}

TEST(SparseGraph, FromCooRejectsBadInput) {
  EXPECT_NE(error_of([] { SparseGraph::from_coo(2, 2, i64({0, 2}), i64({0, 1}), f64({1, 1})); })
                .find("row index out of range [0, 2): found 2"),
            std::string::npos);
  EXPECT_NE(error_of([] { SparseGraph::from_coo(2, 2, i64({0}), i64({-1}), f64({1})); })
                .find("col index out of range [0, 2): found -1"),
            std::string::npos);
  EXPECT_NE(error_of([] { SparseGraph::from_coo(2, 2, i64({0, 1}), i64({0}), f64({1, 1})); })
                .find("lengths differ: 2, 1, 2"),
            std::string::npos);
  EXPECT_NE(error_of([] { SparseGraph::from_coo(2, 2, i64({0}), i64({0}).to(torch::kInt32), f64({1})); })
                .find("both be int32 or both int64"),
            std::string::npos);
  EXPECT_NE(error_of([] { SparseGraph::from_coo(2, 2, i64({0}), i64({0}), i64({1})); })
                .find("values must be float32 or float64, got Long"),
            std::string::npos);
}

TEST(SparseGraph, ConversionsKeepThePattern) {
  const SparseGraph g = small_graph(torch::kInt64);
  const SparseGraph narrow = g.with_index_dtype(torch::kInt32);
  EXPECT_EQ(narrow.index_dtype(), torch::kInt32);
  EXPECT_EQ(narrow.csr_transpose().col.scalar_type(), torch::kInt32);
  EXPECT_TRUE(torch::equal(narrow.csr().col.to(torch::kInt64), g.csr().col));
  const SparseGraph single = g.with_value_dtype(torch::kFloat32);
  EXPECT_EQ(single.csr().value.scalar_type(), torch::kFloat32);
  EXPECT_EQ(single.csr_transpose().value.scalar_type(), torch::kFloat32);
  const SparseGraph moved = g.to(torch::kCPU);
  EXPECT_EQ(moved.device(), torch::Device(torch::kCPU));
  const SparseGraph reweighted = g.with_values(f64({7, 8, 9}));
  EXPECT_TRUE(torch::equal(reweighted.csr_transpose().value, f64({8, 7, 9})));
  EXPECT_NE(error_of([&] { g.with_values(f64({1, 2})); }).find("expected 3 values (one per edge), got shape [2]"),
            std::string::npos);
}

TEST(SparseGraph, ParseNormalization) {
  EXPECT_EQ(parse_normalization("symmetric"), Normalization::kSymmetric);
  EXPECT_EQ(parse_normalization("random_walk"), Normalization::kRandomWalk);
  EXPECT_EQ(parse_normalization("none"), Normalization::kNone);
  EXPECT_THROW(parse_normalization("sym"), io::UsageError);
  EXPECT_EQ(error_of([] { parse_normalization("sym"); }),
            "unknown normalization 'sym' (valid: symmetric, random_walk, none)");
}

// The path 0 – 1 – 2 plus an isolated node 3; degrees 1, 2, 1, 0.
SparseGraph path_graph() {
  return SparseGraph::from_coo(4, 4, i64({0, 1, 1, 2}), i64({1, 0, 2, 1}), f64({1, 1, 1, 1}));
}

TEST(Normalize, SymmetricOnAPath) {
  const torch::Tensor a = normalize(path_graph(), Normalization::kSymmetric, false).to_dense();
  const double s = 1 / std::sqrt(2.0);
  const torch::Tensor expected = f64({0, s, 0, 0, s, 0, s, 0, 0, s, 0, 0, 0, 0, 0, 0}).reshape({4, 4});
  EXPECT_TRUE(torch::allclose(a, expected, 1e-15, 0)) << a;
}

TEST(Normalize, RandomWalkOnAPath) {
  const torch::Tensor a = normalize(path_graph(), Normalization::kRandomWalk, false).to_dense();
  const torch::Tensor expected = f64({0, 1, 0, 0, 0.5, 0, 0.5, 0, 0, 1, 0, 0, 0, 0, 0, 0}).reshape({4, 4});
  EXPECT_TRUE(torch::equal(a, expected)) << a;
}

TEST(Normalize, SymmetricWithSelfLoops) {
  // Degrees with self-loops: 2, 3, 2, 1.
  const torch::Tensor a = normalize(path_graph(), Normalization::kSymmetric, true).to_dense();
  const double h = 0.5, t = 1.0 / 3, s = 1 / std::sqrt(6.0);
  const torch::Tensor expected = f64({h, s, 0, 0, s, t, s, 0, 0, s, h, 0, 0, 0, 0, 1}).reshape({4, 4});
  EXPECT_TRUE(torch::allclose(a, expected, 1e-15, 0)) << a;
}

TEST(Normalize, NoneOnlyAddsSelfLoops) {
  const torch::Tensor a = normalize(path_graph(), Normalization::kNone, true).to_dense();
  EXPECT_TRUE(torch::equal(a, path_graph().to_dense() + torch::eye(4, torch::kFloat64)));
}

TEST(Normalize, ZeroDegreeRowsStayZero) {
  for (Normalization n : {Normalization::kSymmetric, Normalization::kRandomWalk}) {
    const torch::Tensor a = normalize(path_graph(), n, false).to_dense();
    EXPECT_TRUE(torch::isfinite(a).all().item<bool>());
    EXPECT_EQ(a[3].abs().sum().item<double>(), 0.0);
  }
}

// Users 0..2; domain "books": items b0, b1, categories c0, c1 (b0 ∈ {c1}, b1 ∈ {c0, c1}).
io::Dataset tiny_dataset() {
  io::Dataset ds;
  ds.user_ids = {"u0", "u1", "u2"};
  io::Domain books;
  books.name = "books";
  books.item_ids = {"b0", "b1"};
  books.category_names = {"c0", "c1"};
  books.item_category_offsets = {0, 1, 3};
  books.item_category = {1, 0, 1};
  books.interactions.user = {0, 1, 1, 0, 2};
  books.interactions.item = {0, 0, 1, 0, 1};
  books.interactions.behavior = {0, 0, 0, 3, 0};  // the repeated (u0, b0) is a view, then a buy
  ds.domains.push_back(books);
  return ds;
}

TEST(BuildDomainGraph, ExactCsrFromTrainInteractionsOnly) {
  GraphOptions options;
  options.normalization = Normalization::kNone;
  NodeLayout layout;
  // Interaction 4 (u2, b1) is held out and must not appear.
  const SparseGraph g = build_domain_graph(tiny_dataset(), "books", {0, 1, 2, 3}, options, &layout);
  EXPECT_EQ(layout.users, 3);
  EXPECT_EQ(layout.items, 2);
  EXPECT_EQ(layout.categories, 0);
  EXPECT_EQ(layout.total(), 5);
  EXPECT_EQ(g.rows(), 5);
  EXPECT_EQ(g.index_dtype(), torch::kInt64);
  EXPECT_TRUE(torch::equal(g.csr().row_ptr, i64({0, 1, 3, 3, 5, 6})));
  EXPECT_TRUE(torch::equal(g.csr().col, i64({3, 3, 4, 0, 1, 1})));
  EXPECT_TRUE(torch::equal(g.csr().value, torch::ones({6})));  // the duplicate (u0, b0) counts once
}

TEST(BuildDomainGraph, CategoriesBehaviourWeightsAndSymmetricNormalisation) {
  GraphOptions options;
  options.normalization = Normalization::kNone;
  options.include_categories = true;
  options.weight_by_behavior = true;
  options.index_dtype = torch::kInt32;
  NodeLayout layout;
  const SparseGraph g = build_domain_graph(tiny_dataset(), "books", {0, 1, 2, 3}, options, &layout);
  EXPECT_EQ(layout.categories, 2);
  EXPECT_EQ(layout.category_offset(), 5);
  EXPECT_EQ(g.index_dtype(), torch::kInt32);
  // Rows: u0 | u1 | u2 | b0: u0 u1 c1 | b1: u1 c0 c1 | c0: b1 | c1: b0 b1
  EXPECT_TRUE(torch::equal(g.csr().row_ptr, i64({0, 1, 3, 3, 6, 9, 10, 12}).to(torch::kInt32)));
  EXPECT_TRUE(torch::equal(g.csr().col, i64({3, 3, 4, 0, 1, 6, 1, 5, 6, 4, 3, 4}).to(torch::kInt32)));
  // (u0, b0) was viewed and bought: it keeps the buy weight 4.
  EXPECT_TRUE(torch::equal(g.csr().value, torch::tensor({4.f, 1.f, 1.f, 4.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f})));

  options.normalization = Normalization::kSymmetric;
  const torch::Tensor a = build_domain_graph(tiny_dataset(), "books", {0, 1, 2, 3}, options).to_dense();
  // deg(u0) = 4, deg(b0) = 4 + 1 + 1 = 6: A[u0, b0] = 4 / sqrt(4 · 6).
  EXPECT_FLOAT_EQ(a[0][3].item<float>(), static_cast<float>(4 / std::sqrt(24.0)));
  EXPECT_FLOAT_EQ(a[3][0].item<float>(), a[0][3].item<float>());
  EXPECT_EQ(a[2].abs().sum().item<float>(), 0.0f);  // u2 has no training interaction
}

TEST(BuildDomainGraph, RejectsBadArguments) {
  const io::Dataset ds = tiny_dataset();
  EXPECT_THROW(build_domain_graph(ds, "music", {0}, GraphOptions{}), io::UsageError);
  EXPECT_NE(error_of([&] { build_domain_graph(ds, "books", {0, 5}, GraphOptions{}); })
                .find("interaction index 5 out of range for domain 'books' with 5 interactions"),
            std::string::npos);
  io::Dataset untyped = ds;
  untyped.domains[0].interactions.behavior.clear();
  GraphOptions weighted;
  weighted.weight_by_behavior = true;
  EXPECT_THROW(build_domain_graph(untyped, "books", {0}, weighted), io::UsageError);
  io::Dataset broken = ds;
  broken.domains[0].interactions.item[0] = 9;
  EXPECT_THROW(build_domain_graph(broken, "books", {0}, GraphOptions{}), io::DataError);
}

}  // namespace
}  // namespace graft::gnn
