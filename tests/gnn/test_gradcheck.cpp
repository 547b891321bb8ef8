// The finite-difference checker of tests/support/gradcheck.h accepts correct gradients and
// names the worst entry of a wrong one.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "tests/support/gradcheck.h"

namespace graft::testing {
namespace {

// y = x², with a backward that is off by a factor when `scale` != 1.
class ScaledSquare : public torch::autograd::Function<ScaledSquare> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double scale) {
    ctx->save_for_backward({x});
    ctx->saved_data["scale"] = scale;
    return x * x;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const torch::Tensor x = ctx->get_saved_variables()[0];
    return {grad[0] * 2 * x * ctx->saved_data["scale"].toDouble(), torch::Tensor()};
  }
};

torch::Tensor inputs() { return torch::tensor({0.5, -1.0, 2.0}, torch::kFloat64).requires_grad_(); }

TEST(Gradcheck, AcceptsACorrectGradient) {
  const torch::Tensor x = inputs();
  const torch::Tensor w = torch::tensor({1.0, 2.0, 3.0}, torch::kFloat64).requires_grad_();
  EXPECT_TRUE(gradcheck([](const std::vector<torch::Tensor>& in) { return (in[0] * in[1]).sum() * in[0]; }, {x, w}));
  EXPECT_TRUE(gradcheck([](const std::vector<torch::Tensor>& in) { return ScaledSquare::apply(in[0], 1.0); }, {x}));
}

TEST(Gradcheck, RejectsAWrongGradientAndNamesTheWorstEntry) {
  const ::testing::AssertionResult result =
      gradcheck([](const std::vector<torch::Tensor>& in) { return ScaledSquare::apply(in[0], 1.5); }, {inputs()});
  ASSERT_FALSE(result);
  // d y2 / d x2 = 2·2 = 4, reported as 1.5 · 4 = 6: the largest error.
  EXPECT_NE(std::string(result.message()).find("d output[2] / d input0[2]: analytic 6, numeric 4"), std::string::npos)
      << result.message();
}

TEST(Gradcheck, RejectsUnsuitableInputs) {
  const auto identity = [](const std::vector<torch::Tensor>& in) { return in[0] * 1; };
  EXPECT_FALSE(gradcheck(identity, {torch::ones({2}, torch::kFloat32).requires_grad_()}));
  EXPECT_FALSE(gradcheck(identity, {torch::ones({2}, torch::kFloat64)}));
}

}  // namespace
}  // namespace graft::testing
