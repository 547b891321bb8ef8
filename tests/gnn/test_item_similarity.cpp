// The training-free item–item models against hand-computed weights and independent solutions:
// ItemKNN's cosine with shrinkage and top-k, EASE against the constrained least squares solved
// column by column, GF-CF's low-pass term against an SVD; scoring through the Recommender
// interface, and the memory budget.
#include "gnn/item_similarity.h"
#include "graph_io/errors.h"

#include <gtest/gtest.h>
#include <torch/linalg.h>

#include <cmath>

namespace graft::gnn {
namespace {

// 4 users × 3 items: u0 {0, 1}, u1 {0, 1, 2}, u2 {1, 2}, u3 {2}.
torch::Tensor small_matrix() {
  return torch::tensor({{1.f, 1.f, 0.f}, {1.f, 1.f, 1.f}, {0.f, 1.f, 1.f}, {0.f, 0.f, 1.f}});
}

// Counts 2, 3, 3; co-counts (0,1) 2, (0,2) 1, (1,2) 2. cos = c / (√n_i √n_j + shrink).
TEST(ItemSimilarity, ItemKnnIsShrunkCosineKeepingTheNearestNeighbours) {
  const torch::Tensor w = itemknn_weights(small_matrix(), 1, 1.0);
  const double w01 = 2.0 / (std::sqrt(2.0 * 3.0) + 1.0), w02 = 1.0 / (std::sqrt(2.0 * 3.0) + 1.0);
  const double w12 = 2.0 / (3.0 + 1.0);
  // Column i keeps its single most similar item j ≠ i: item 0 keeps 1, item 1 keeps 0
  // (w01 ≈ 0.580 > w12 = 0.5), item 2 keeps 1.
  ASSERT_GT(w01, w12);
  const torch::Tensor expected =
      torch::tensor({{0.0, w01, 0.0}, {w01, 0.0, w12}, {0.0, 0.0, 0.0}}, torch::kFloat);
  EXPECT_TRUE(torch::allclose(w, expected, 1e-6, 1e-6)) << w << "\n" << expected;
  EXPECT_GT(w01, w02);

  const torch::Tensor all = itemknn_weights(small_matrix(), 5, 0.0);  // every neighbour, plain cosine
  EXPECT_NEAR(all[0][2].item<float>(), 1.0 / std::sqrt(6.0), 1e-6);
  EXPECT_EQ(all.diagonal().abs().sum().item<float>(), 0.0f);
}

// Column j of EASE minimises ‖x_j − X b‖² + λ‖b‖² with b_j = 0: a ridge regression of x_j on the
// other columns, solved here directly.
TEST(ItemSimilarity, EaseSolvesTheZeroDiagonalRidgeRegressionOfEveryColumn) {
  torch::manual_seed(3);
  const torch::Tensor x = (torch::rand({30, 6}) < 0.4).to(torch::kFloat);
  const double lambda = 2.0;
  const torch::Tensor w = ease_weights(x, lambda).to(torch::kDouble);
  const torch::Tensor xd = x.to(torch::kDouble);
  for (int64_t j = 0; j < 6; ++j) {
    std::vector<int64_t> others;
    for (int64_t k = 0; k < 6; ++k) {
      if (k != j) others.push_back(k);
    }
    const torch::Tensor rest = xd.index_select(1, torch::tensor(others));
    const torch::Tensor gram = rest.t().mm(rest) + lambda * torch::eye(5, torch::kDouble);
    const torch::Tensor b = torch::linalg::solve(gram, rest.t().mm(xd.narrow(1, j, 1)), true).squeeze(1);
    EXPECT_TRUE(torch::allclose(w.index_select(0, torch::tensor(others)).select(1, j), b, 1e-5, 1e-5)) << "column " << j;
    EXPECT_EQ(w[j][j].item<double>(), 0.0);
  }
}

// GF-CF's weights from an SVD of R̃ (torch::linalg::svd), against the implementation's eigh.
TEST(ItemSimilarity, GfcfIsTheLinearFilterPlusTheIdealLowPassOfTheTopSingularVectors) {
  torch::manual_seed(5);
  torch::Tensor x = (torch::rand({25, 8}) < 0.35).to(torch::kFloat);
  x.select(1, 7).zero_();  // an item nobody took reads nothing
  const double alpha = 0.3;
  const int64_t rank = 3;
  const torch::Tensor xd = x.to(torch::kDouble);
  const torch::Tensor du = xd.sum(1), di = xd.sum(0);
  const torch::Tensor su = torch::where(du > 0, du.pow(-0.5), torch::zeros_like(du));
  const torch::Tensor si = torch::where(di > 0, di.pow(-0.5), torch::zeros_like(di));
  const torch::Tensor r = xd * su.unsqueeze(1) * si.unsqueeze(0);
  const torch::Tensor vt = std::get<2>(torch::linalg::svd(r, false, c10::nullopt)).narrow(0, 0, rank);
  const torch::Tensor expected = r.t().mm(r) + alpha * torch::diag(si).mm(vt.t()).mm(vt).mm(torch::diag(di.sqrt()));
  const torch::Tensor w = gfcf_weights(x, rank, alpha);
  EXPECT_TRUE(torch::allclose(w.to(torch::kDouble), expected, 1e-5, 1e-5)) << w - expected;
  EXPECT_TRUE(torch::allclose(gfcf_weights(x, 0, alpha).to(torch::kDouble), r.t().mm(r), 1e-6, 1e-6));
}

// The randomized eigenvectors span the same top-k subspace as eigh's (projectors agree) on a
// matrix whose spectrum has a gap after the k-th eigenvalue.
TEST(ItemSimilarity, RandomizedTopEigenvectorsSpanTheExactSubspace) {
  torch::manual_seed(2);
  const int64_t n = 300, k = 12;
  const torch::Tensor q = std::get<0>(torch::linalg::qr(torch::randn({n, n}, torch::kDouble)));
  torch::Tensor values = torch::rand({n}, torch::kDouble) * 0.5;
  values.narrow(0, 0, k).add_(torch::linspace(2.0, 4.0, k, torch::kDouble));
  const torch::Tensor symmetric = q.mm(torch::diag(values)).mm(q.t());
  const torch::Tensor exact = top_eigenvectors(symmetric, k), fast = top_eigenvectors(symmetric, k, /*exact_up_to=*/0);
  ASSERT_EQ(fast.sizes(), (torch::IntArrayRef{n, k}));
  const torch::Tensor top = q.narrow(1, 0, k);
  EXPECT_TRUE(torch::allclose(exact.mm(exact.t()), top.mm(top.t()), 1e-8, 1e-8));
  EXPECT_LT((fast.mm(fast.t()) - top.mm(top.t())).abs().max().item<double>(), 1e-6);
}

std::shared_ptr<RowScorer> small_model(const std::string& kind) {
  ItemSimilarityOptions o;
  o.kind = kind;
  o.lambda = 1.0;
  o.shrink = 0.0;
  // Users 0..3 as in small_matrix(), user 4 without training interactions.
  return fit_item_similarity(o, make_binary_rows(5, 3, {0, 0, 1, 1, 1, 2, 2, 3, 0}, {0, 1, 0, 1, 2, 1, 2, 2, 1}));
}

TEST(ItemSimilarity, ScoresAreTheUsersTrainingRowsTimesTheWeights) {
  for (const std::string& kind : item_similarity_kinds()) {
    const std::shared_ptr<RowScorer> model = small_model(kind);
    EXPECT_TRUE(model->parameters().empty()) << kind;
    const Representations reps = model->represent();
    ASSERT_EQ(reps.users.sizes(), (torch::IntArrayRef{5, 3})) << kind;
    const torch::Tensor weights = reps.items.t();
    const torch::Tensor all = model->score_all_items(reps, torch::tensor({0, 1, 2, 3, 4}));
    // Duplicate (u0, i1) counts once: the same W as from small_matrix().
    const torch::Tensor rows = torch::cat({small_matrix(), torch::zeros({1, 3})});
    EXPECT_TRUE(torch::allclose(all, rows.mm(weights), 1e-6, 1e-6)) << kind;
    EXPECT_EQ(all[4].abs().sum().item<float>(), 0.0f) << kind;  // no history, no evidence
    const torch::Tensor users = torch::tensor({3, 0, 3, 2}), items = torch::tensor({0, 2, 1, 0});
    const torch::Tensor pairs = model->score_pairs(reps, users, items);
    for (int64_t b = 0; b < 4; ++b) {
      EXPECT_FLOAT_EQ(pairs[b].item<float>(), all[users[b].item<int64_t>()][items[b].item<int64_t>()].item<float>())
          << kind;
    }
  }
}

// Some output columns only (cross-domain: the target's items among all): the same as those
// columns of the whole W, for every kind.
TEST(ItemSimilarity, OutputColumnsAreThoseOfTheWholeWeights) {
  torch::manual_seed(11);
  const torch::Tensor x = (torch::rand({40, 9}) < 0.3).to(torch::kFloat);
  const torch::Tensor outputs = torch::tensor({7, 2, 5});
  for (const std::string& kind : item_similarity_kinds()) {
    ItemSimilarityOptions o;
    o.kind = kind;
    o.neighbours = 4;
    o.lambda = 3.0;
    o.rank = 3;
    const torch::Tensor whole = item_weights(o, x, torch::arange(9));
    EXPECT_TRUE(torch::allclose(item_weights(o, x, outputs), whole.index_select(1, outputs), 1e-5, 1e-6)) << kind;
  }
}

// Weighted rows, a bias, and the dense representations whose dot products are the same scores.
TEST(ItemSimilarity, RowScorerAddsTheBiasAndMatchesItsDenseRepresentations) {
  SparseRows rows;
  rows.width = 3;
  rows.offsets = {0, 2, 2, 3};
  rows.columns = {0, 2, 1};
  rows.values = {0.5f, 2.0f, 1.0f};
  const torch::Tensor w = torch::tensor({{1.f, 0.f}, {0.f, 3.f}, {2.f, 1.f}});
  RowScorer scorer("test", rows, w, torch::tensor({0.25f, -1.f}));
  const torch::Tensor scores = scorer.score_all_items(scorer.represent(), torch::tensor({0, 1, 2}));
  const torch::Tensor expected = torch::tensor({{0.5f + 4.f + 0.25f, 2.f - 1.f}, {0.25f, -1.f}, {0.25f, 3.f - 1.f}});
  EXPECT_TRUE(torch::allclose(scores, expected)) << scores;
  const Representations dense = scorer.dense_representations();
  EXPECT_TRUE(torch::allclose(dense.users.mm(dense.items.t()), expected));
  EXPECT_EQ(rows.non_empty_rows(), 2);
}

TEST(ItemSimilarity, AFitOverTheMemoryBudgetIsRefusedBeforeItAllocates) {
  ItemSimilarityOptions o;
  o.kind = "ease";
  o.memory_budget_mb = 1;
  // 1,000 items: 48 MB of float64 item × item matrices and kept columns.
  std::vector<int64_t> users(1000), items(1000);
  for (int64_t k = 0; k < 1000; ++k) items[k] = k, users[k] = k % 7;
  try {
    fit_item_similarity(o, make_binary_rows(7, 1000, users, items));
    ADD_FAILURE() << "expected a refusal";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("ease needs about 46 MiB for 1000 items"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("memory budget of 1 MiB"), std::string::npos) << e.what();
  }
  EXPECT_EQ(item_similarity_bytes("ease", 1000, 1000), 48 * 1000000);
}

}  // namespace
}  // namespace graft::gnn
