// gather_rows matches index_select forward and backward, repeated rows included.
#include <gtest/gtest.h>

#include "gnn/gather_rows.h"

namespace graft::gnn {
namespace {

TEST(GatherRows, MatchesIndexSelectWithRepeatedRows) {
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const torch::Tensor table = torch::arange(15, dtype).view({5, 3}).requires_grad_();
    const torch::Tensor index = torch::tensor({4, 0, 4, 2, 4});
    const torch::Tensor weights = torch::arange(1, 16, dtype).view({5, 3});
    const torch::Tensor ours = gather_rows(table, index);
    EXPECT_TRUE(torch::equal(ours, table.index_select(0, index)));
    (ours * weights).sum().backward();
    const torch::Tensor expected = torch::tensor({4.0, 5.0, 6.0, 0.0, 0.0, 0.0, 10.0, 11.0, 12.0, 0.0, 0.0, 0.0,
                                                  1.0 + 7.0 + 13.0, 2.0 + 8.0 + 14.0, 3.0 + 9.0 + 15.0},
                                                 dtype)
                                       .view({5, 3});
    EXPECT_TRUE(torch::equal(table.grad(), expected)) << table.grad();
  }
}

TEST(GatherRows, RejectsIndicesOutOfRange) {
  EXPECT_THROW(gather_rows(torch::zeros({2, 3}), torch::tensor({2})), c10::Error);
}

TEST(GatherRows, FallsBackToIndexSelectForOtherIndexTypes) {
  const torch::Tensor table = torch::arange(6.0).view({3, 2}).requires_grad_();
  const torch::Tensor out = gather_rows(table, torch::tensor({1, 1}, torch::kInt32));
  out.sum().backward();
  EXPECT_TRUE(torch::equal(table.grad(), torch::tensor({0.0, 0.0, 2.0, 2.0, 0.0, 0.0}).view({3, 2})));
}

}  // namespace
}  // namespace graft::gnn
