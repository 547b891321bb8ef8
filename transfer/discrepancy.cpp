#include "transfer/discrepancy.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

namespace graft::transfer {

namespace {

constexpr double kHeldOut = 0.3;   // share of each domain held out for the error estimate
constexpr double kL2 = 1e-3;       // on the mean logistic loss; keeps separable data bounded
constexpr int64_t kMaxIterations = 500;

void check_reps(const torch::Tensor& source, const torch::Tensor& target) {
  TORCH_CHECK(source.dim() == 2 && target.dim() == 2 && source.size(1) == target.size(1),
              "discrepancy: source and target representations must be [N, d] with the same d, got ",
              source.sizes(), " and ", target.sizes());
  TORCH_CHECK(source.size(0) >= 2 && target.size(0) >= 2,
              "discrepancy: needs at least 2 representations per domain, got ", source.size(0), " source and ",
              target.size(0), " target rows");
}

torch::Tensor as_cpu_double(const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); }

// Logistic regression w·x + b fitted on (x, labels ∈ {0, 1}); returns [w; b]. Gradients are
// switched on here, so callers may measure under a NoGradGuard.
torch::Tensor fit_logistic_regression(const torch::Tensor& x, const torch::Tensor& labels) {
  torch::AutoGradMode enable_grad(true);
  torch::Tensor w = torch::zeros({x.size(1)}, torch::kFloat64).requires_grad_();
  torch::Tensor b = torch::zeros({1}, torch::kFloat64).requires_grad_();
  torch::optim::LBFGS optimizer({w, b}, torch::optim::LBFGSOptions(1.0)
                                            .max_iter(kMaxIterations)
                                            .tolerance_grad(1e-9)
                                            .tolerance_change(1e-12)
                                            .history_size(20)
                                            .line_search_fn("strong_wolfe"));
  const torch::Tensor sign = 2 * labels - 1;
  optimizer.step([&] {
    optimizer.zero_grad();
    const torch::Tensor loss = torch::softplus(-sign * (x.mv(w) + b)).mean() + 0.5 * kL2 * w.pow(2).sum();
    loss.backward();
    return loss;
  });
  return torch::cat({w.detach(), b.detach()});
}

}  // namespace

double linear_mmd(const torch::Tensor& source_reps, const torch::Tensor& target_reps) {
  check_reps(source_reps, target_reps);
  torch::NoGradGuard no_grad;
  return (as_cpu_double(source_reps).mean(0) - as_cpu_double(target_reps).mean(0)).pow(2).sum().item<double>();
}

double domain_classifier_error(const torch::Tensor& source_reps, const torch::Tensor& target_reps, uint64_t seed) {
  check_reps(source_reps, target_reps);
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const int64_t n = std::min(source_reps.size(0), target_reps.size(0));
  const int64_t test = std::clamp<int64_t>(std::llround(kHeldOut * static_cast<double>(n)), 1, n - 1);

  // Balanced classes: n rows of each domain, the same held-out count from each.
  torch::Tensor train_parts[2], test_parts[2];
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor domains[2] = {as_cpu_double(target_reps), as_cpu_double(source_reps)};
    for (int label = 0; label < 2; ++label) {
      const torch::Tensor order = torch::randperm(domains[label].size(0), generator, torch::kInt64).narrow(0, 0, n);
      const torch::Tensor rows = domains[label].index_select(0, order);
      test_parts[label] = rows.narrow(0, 0, test);
      train_parts[label] = rows.narrow(0, test, n - test);
    }
  }
  torch::Tensor train_x = torch::cat({train_parts[0], train_parts[1]});
  torch::Tensor test_x = torch::cat({test_parts[0], test_parts[1]});
  const torch::Tensor mean = train_x.mean(0, true);
  const torch::Tensor std = train_x.std(0, /*unbiased=*/false, true);
  const torch::Tensor scale = torch::where(std > 1e-12, std, torch::ones_like(std));
  train_x = (train_x - mean) / scale;
  test_x = (test_x - mean) / scale;
  const auto labels = [](int64_t per_class) {
    return torch::cat({torch::zeros({per_class}, torch::kFloat64), torch::ones({per_class}, torch::kFloat64)});
  };

  const torch::Tensor wb = fit_logistic_regression(train_x, labels(n - test));
  const int64_t d = train_x.size(1);
  const torch::Tensor predicted = (test_x.mv(wb.narrow(0, 0, d)) + wb[d] > 0).to(torch::kFloat64);
  return (predicted != labels(test)).to(torch::kFloat64).mean().item<double>();
}

Discrepancy measure_discrepancy(const torch::Tensor& source_reps, const torch::Tensor& target_reps, uint64_t seed) {
  Discrepancy result;
  result.linear_mmd = linear_mmd(source_reps, target_reps);
  const double error = domain_classifier_error(source_reps, target_reps, seed);
  result.proxy_a_distance = std::clamp(2.0 * (1.0 - 2.0 * error), 0.0, 2.0);
  return result;
}

}  // namespace graft::transfer
