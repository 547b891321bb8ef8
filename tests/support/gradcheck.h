// Finite-difference gradient check for autograd code (header-only; needs LibTorch, so only test
// suites that link gnn or above include it).
//
// gradcheck(fn, inputs) compares, for every input that requires grad and every output element,
// the analytic Jacobian entry ∂out_o/∂in_j (one backward pass per output element) with the
// central difference (f(in + eps·e_j) − f(in − eps·e_j)) / 2eps. Inputs must be float64; inputs
// that do not require grad are held constant. An entry passes when
// |analytic − numeric| <= atol + rtol·|numeric|; the result names the worst entry either way.
//
//   EXPECT_TRUE(graft::testing::gradcheck(
//       [&](const std::vector<torch::Tensor>& in) { return gnn::spmm(graph, in[0], in[1]); },
//       {x.requires_grad_(), values.requires_grad_()}));
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <limits>
#include <sstream>
#include <vector>

namespace graft::testing {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

using GradcheckFn = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

inline ::testing::AssertionResult gradcheck(const GradcheckFn& fn, const std::vector<torch::Tensor>& inputs,
                                            const GradcheckOptions& options = {}) {
  std::vector<size_t> checked;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].scalar_type() != torch::kFloat64) {
      return ::testing::AssertionFailure() << "gradcheck: input " << i << " is " << inputs[i].scalar_type()
                                           << ", finite differences need float64";
    }
    if (inputs[i].requires_grad() && inputs[i].numel() > 0) checked.push_back(i);
  }
  if (checked.empty()) return ::testing::AssertionFailure() << "gradcheck: no input requires grad";

  // Analytic Jacobian rows, one backward pass per output element.
  const torch::Tensor output = fn(inputs).reshape({-1});
  if (output.numel() == 0) return ::testing::AssertionFailure() << "gradcheck: the output is empty";
  if (!output.requires_grad()) {
    return ::testing::AssertionFailure() << "gradcheck: the output does not depend on any checked input";
  }
  std::vector<torch::Tensor> wrt;
  for (size_t i : checked) wrt.push_back(inputs[i]);
  std::vector<std::vector<torch::Tensor>> analytic_rows(checked.size());  // [input][output]
  for (int64_t o = 0; o < output.numel(); ++o) {
    const auto grads = torch::autograd::grad({output[o]}, wrt, {}, /*retain_graph=*/true,
                                             /*create_graph=*/false, /*allow_unused=*/true);
    for (size_t c = 0; c < checked.size(); ++c) {
      analytic_rows[c].push_back(grads[c].defined() ? grads[c].reshape({-1})
                                                    : torch::zeros({wrt[c].numel()}, torch::kFloat64));
    }
  }

  // Central differences on detached copies, one input element at a time.
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> probe;
  for (const torch::Tensor& t : inputs) probe.push_back(t.detach().clone().contiguous());
  std::ostringstream worst;
  double worst_excess = -std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < checked.size(); ++c) {
    const size_t i = checked[c];
    double* data = probe[i].data_ptr<double>();
    std::vector<torch::Tensor> numeric_cols;
    for (int64_t j = 0; j < probe[i].numel(); ++j) {
      const double saved = data[j];
      data[j] = saved + options.eps;
      const torch::Tensor plus = fn(probe).reshape({-1}).clone();
      data[j] = saved - options.eps;
      const torch::Tensor minus = fn(probe).reshape({-1});
      data[j] = saved;
      numeric_cols.push_back((plus - minus) / (2 * options.eps));
    }
    const torch::Tensor analytic = torch::stack(analytic_rows[c]);    // [outputs, elements]
    const torch::Tensor numeric = torch::stack(numeric_cols, 1);      // [outputs, elements]
    const torch::Tensor excess = (analytic - numeric).abs() - (options.atol + options.rtol * numeric.abs());
    const int64_t at = excess.argmax().item<int64_t>();
    const double e = excess.reshape({-1})[at].item<double>();
    if (e > worst_excess) {
      const int64_t o = at / excess.size(1), j = at % excess.size(1);
      worst_excess = e;
      worst.str("");
      worst << "worst entry: d output[" << o << "] / d input" << i << "[" << j << "]: analytic "
            << analytic[o][j].item<double>() << ", numeric " << numeric[o][j].item<double>() << " (atol "
            << options.atol << ", rtol " << options.rtol << ")";
    }
  }
  if (worst_excess > 0) return ::testing::AssertionFailure() << "gradcheck failed, " << worst.str();
  return ::testing::AssertionSuccess() << worst.str();
}

}  // namespace graft::testing
