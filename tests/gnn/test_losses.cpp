// Losses on hand-computed logits, including gaps that would overflow a naive log(sigmoid).
#include <gtest/gtest.h>

#include <cmath>

#include "gnn/losses.h"
#include "graph_io/errors.h"

namespace graft::gnn {
namespace {

double softplus(double x) { return std::log1p(std::exp(x)); }

TEST(Losses, BprIsTheMeanSoftplusOfTheGap) {
  const torch::Tensor pos = torch::tensor({1.0, 0.0}, torch::kFloat64);
  const torch::Tensor neg = torch::tensor({0.0, 0.0}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(bpr_loss(pos, neg).item<double>(), (softplus(-1.0) + softplus(0.0)) / 2);
  // [B, n] negatives are compared with their row's positive.
  const torch::Tensor many = torch::tensor({0.0, 2.0, 1.0, -1.0}, torch::kFloat64).view({2, 2});
  EXPECT_DOUBLE_EQ(bpr_loss(pos, many).item<double>(),
                   (softplus(-1.0) + softplus(1.0) + softplus(1.0) + softplus(-1.0)) / 4);
}

TEST(Losses, BprStaysFiniteForHugeGaps) {
  EXPECT_FLOAT_EQ(bpr_loss(torch::tensor({1000.0f}), torch::tensor({-1000.0f})).item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(bpr_loss(torch::tensor({-1000.0f}), torch::tensor({1000.0f})).item<float>(), 2000.0f);
}

TEST(Losses, BceAveragesOverAllLogits) {
  const torch::Tensor pos = torch::tensor({2.0}, torch::kFloat64);
  const torch::Tensor neg = torch::tensor({0.0, -1.0}, torch::kFloat64).view({1, 2});
  EXPECT_DOUBLE_EQ(bce_loss(pos, neg).item<double>(), (softplus(-2.0) + softplus(0.0) + softplus(-1.0)) / 3);
  EXPECT_FLOAT_EQ(bce_loss(torch::tensor({500.0f}), torch::tensor({-500.0f})).item<float>(), 0.0f);
}

TEST(Losses, PairwiseLossByName) {
  const torch::Tensor pos = torch::tensor({0.5f}), neg = torch::tensor({0.25f});
  EXPECT_TRUE(torch::equal(pairwise_loss("bpr", pos, neg), bpr_loss(pos, neg)));
  EXPECT_TRUE(torch::equal(pairwise_loss("bce", pos, neg), bce_loss(pos, neg)));
  EXPECT_THROW(pairwise_loss("hinge", pos, neg), io::UsageError);
  EXPECT_THROW(bpr_loss(pos, torch::zeros({2})), c10::Error);
}

TEST(Losses, L2RegularizerIsHalfTheDecayPerExample) {
  EXPECT_DOUBLE_EQ(l2_regularizer(torch::tensor(10.0, torch::kFloat64), 4, 0.1).item<double>(), 0.125);
}

}  // namespace
}  // namespace graft::gnn
