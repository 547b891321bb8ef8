// Alignment building blocks: gradient reversal against finite differences, the DANN λ schedule,
// the domain discriminator (separable vs identical domains, and adversarial training of a
// feature map driving it toward chance), MMD and CORAL values and gradients, the variational
// bottleneck and InfoNCE (closed forms, sampling statistics, gradients), the discrepancy
// measures, and the error for an unknown alignment loss.
#include "tests/support/error_text.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "graph_io/errors.h"
#include "tests/support/gradcheck.h"
#include "transfer/alignment_losses.h"
#include "transfer/discrepancy.h"
#include "transfer/domain_discriminator.h"
#include "transfer/gradient_reversal.h"
#include "transfer/variational_bottleneck.h"

namespace graft::transfer {
namespace {

torch::Tensor gaussian(int64_t n, int64_t d, uint64_t seed, double shift = 0.0,
                       torch::Dtype dtype = torch::kFloat32) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::Tensor x = torch::randn({n, d}, gen, torch::kFloat64);
  x.select(1, 0).add_(shift);  // the domains differ along the first coordinate
  return x.to(dtype);
}

using graft::testing::error_of;

// ---- gradient reversal ---------------------------------------------------------------------------

// A nonlinear map on either side of the reversal: out = tanh(GRL(x² · A) · B).
torch::Tensor around_reversal(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& b,
                              double lambda, bool reverse) {
  const torch::Tensor inner = x.pow(2).mm(a);
  return torch::tanh((reverse ? gradient_reversal(inner, lambda) : inner).mm(b));
}

// The autograd Jacobian through the reversal equals −λ times the central-difference Jacobian of
// the forward pass (which is the plain composition, the reversal being the identity forward).
TEST(GradientReversal, JacobianIsMinusLambdaTimesFiniteDifferences) {
  const torch::Tensor a = gaussian(3, 4, 1, 0, torch::kFloat64), b = gaussian(4, 2, 2, 0, torch::kFloat64);
  const torch::Tensor x = gaussian(5, 3, 3, 0, torch::kFloat64).mul(0.5).requires_grad_();
  for (double lambda : {0.0, 0.3, 1.0, 2.5}) {
    const torch::Tensor out = around_reversal(x, a, b, lambda, true).reshape({-1});
    EXPECT_TRUE(torch::equal(out, around_reversal(x, a, b, lambda, false).reshape({-1}))) << "forward is identity";
    std::vector<torch::Tensor> analytic, numeric;
    for (int64_t o = 0; o < out.numel(); ++o) {
      analytic.push_back(torch::autograd::grad({out[o]}, {x}, {}, true)[0].reshape({-1}));
    }
    torch::NoGradGuard no_grad;
    const double eps = 1e-6;
    torch::Tensor probe = x.detach().clone();
    for (int64_t j = 0; j < probe.numel(); ++j) {
      double& v = probe.data_ptr<double>()[j];
      const double saved = v;
      v = saved + eps;
      const torch::Tensor plus = around_reversal(probe, a, b, lambda, true).reshape({-1});
      v = saved - eps;
      const torch::Tensor minus = around_reversal(probe, a, b, lambda, true).reshape({-1});
      v = saved;
      numeric.push_back((plus - minus) / (2 * eps));
    }
    const torch::Tensor jacobian = torch::stack(analytic), finite = torch::stack(numeric, 1);
    EXPECT_GT(finite.abs().max().item<double>(), 0.1) << "the check must see a non-trivial Jacobian";
    EXPECT_TRUE(torch::allclose(jacobian, -lambda * finite, 1e-6, 1e-7))
        << "lambda=" << lambda << " max error " << (jacobian + lambda * finite).abs().max().item<double>();
  }
}

TEST(GradientReversal, BackwardScalesTheUpstreamGradient) {
  const torch::Tensor x = gaussian(7, 3, 4).requires_grad_();
  const torch::Tensor upstream = gaussian(7, 3, 5);
  gradient_reversal(x, 0.7).backward(upstream);
  EXPECT_TRUE(torch::allclose(x.grad(), -0.7 * upstream, 0, 1e-7));
}

// The reversed gradient is itself differentiable: the vector–Jacobian product
// v(x) = ∂/∂x Σ GRL(x² · A) · B = −λ · 2x ⊙ (A·B·1), taken with create_graph, passes the
// finite-difference check. (Above the reversal the map is linear: a second derivative through
// the reversal's forward output would be reversed again, which finite differences cannot see.)
TEST(GradientReversal, VectorJacobianProductPassesGradcheck) {
  const torch::Tensor a = gaussian(3, 4, 6, 0, torch::kFloat64), b = gaussian(4, 2, 7, 0, torch::kFloat64);
  const torch::Tensor x = gaussian(4, 3, 8, 0, torch::kFloat64).requires_grad_();
  const auto vjp = [&](const torch::Tensor& x_in) {
    const torch::Tensor out = gradient_reversal(x_in.pow(2).mm(a), 1.5).mm(b).sum();
    return torch::autograd::grad({out}, {x_in}, {}, true, /*create_graph=*/true)[0];
  };
  EXPECT_TRUE(torch::allclose(vjp(x), -1.5 * 2 * x * a.mm(b).sum(1).unsqueeze(0), 1e-12, 1e-12));
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<torch::Tensor>& in) {
        // gradcheck probes the function under a NoGradGuard with plain tensors: the VJP still
        // needs a graph, from a leaf of its own there.
        torch::AutoGradMode enable_grad(true);
        return vjp(in[0].requires_grad() ? in[0] : in[0].detach().requires_grad_());
      },
      {x}));
}

TEST(GradientReversal, RejectsBadLambda) {
  EXPECT_EQ(error_of([] { gradient_reversal(torch::zeros({2}), -1.0); }),
            "gradient_reversal: lambda must be finite and >= 0, got -1");
  EXPECT_EQ(error_of([] { gradient_reversal(torch::zeros({2}), NAN); }),
            "gradient_reversal: lambda must be finite and >= 0, got nan");
}

TEST(GradientReversal, LambdaSchedule) {
  EXPECT_EQ(grl_lambda(0.0, 10.0, 1.0), 0.0);
  EXPECT_NEAR(grl_lambda(1.0, 10.0, 1.0), 0.9999092, 1e-7);
  EXPECT_NEAR(grl_lambda(1.0, 10.0, 0.5), 0.5 * 0.9999092, 1e-7);
  EXPECT_NEAR(grl_lambda(0.5, 10.0, 1.0), std::tanh(2.5), 1e-12);
  EXPECT_EQ(grl_lambda(-0.3, 10.0, 1.0), 0.0) << "progress is clamped to [0, 1]";
  EXPECT_EQ(grl_lambda(1.7, 10.0, 1.0), grl_lambda(1.0, 10.0, 1.0));
  double previous = -1.0;
  for (int step = 0; step <= 100; ++step) {
    const double lambda = grl_lambda(step / 100.0, 10.0, 2.0);
    EXPECT_GT(lambda, previous) << "step " << step;
    previous = lambda;
  }
}

// ---- domain discriminator ------------------------------------------------------------------------

// Trains the discriminator alone (the representations do not require grad) with Adam.
void train_discriminator(DomainDiscriminator& disc, const torch::Tensor& source, const torch::Tensor& target,
                         int steps) {
  torch::optim::Adam optimizer(disc->parameters(), torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    domain_adversarial_loss(disc, source, target, 1.0).backward();
    optimizer.step();
  }
}

TEST(DomainDiscriminator, SeparatesWellSeparatedGaussians) {
  DomainDiscriminator disc(DomainDiscriminatorOptions(8, 16).seed(1));
  train_discriminator(disc, gaussian(400, 8, 10, 4.0), gaussian(300, 8, 11), 200);
  const double accuracy = discriminator_accuracy(disc, gaussian(500, 8, 12, 4.0), gaussian(500, 8, 13));
  EXPECT_GT(accuracy, 0.95);
}

TEST(DomainDiscriminator, IsNearChanceOnIdenticalDistributions) {
  DomainDiscriminator disc(DomainDiscriminatorOptions(8, 16).seed(2));
  train_discriminator(disc, gaussian(400, 8, 20), gaussian(400, 8, 21), 200);
  const double accuracy = discriminator_accuracy(disc, gaussian(2000, 8, 22), gaussian(2000, 8, 23));
  EXPECT_NEAR(accuracy, 0.5, 0.06);
}

TEST(DomainDiscriminator, SeededInitialisationAndShapes) {
  DomainDiscriminator a(DomainDiscriminatorOptions(5, 7).layers(3).seed(9));
  DomainDiscriminator b(DomainDiscriminatorOptions(5, 7).layers(3).seed(9));
  DomainDiscriminator c(DomainDiscriminatorOptions(5, 7).layers(3).seed(10));
  const torch::Tensor x = gaussian(6, 5, 30);
  EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
  EXPECT_FALSE(torch::equal(a->forward(x), c->forward(x)));
  EXPECT_EQ(a->forward(x).sizes(), torch::IntArrayRef({6}));
  EXPECT_EQ(a->parameters().size(), 6u);
  DomainDiscriminator logistic(DomainDiscriminatorOptions(5, 7).layers(1));
  EXPECT_EQ(logistic->parameters().size(), 2u);
  const auto clone = std::dynamic_pointer_cast<DomainDiscriminatorImpl>(a->clone());
  EXPECT_TRUE(torch::equal(clone->forward(x), a->forward(x)));
  std::ostringstream printed;
  a->pretty_print(printed);
  EXPECT_EQ(printed.str(), "graft::transfer::DomainDiscriminator(in=5, hidden=7, layers=3, dropout=0)");
  EXPECT_EQ(error_of([&] { a->forward(gaussian(6, 4, 31)); }), "DomainDiscriminator: reps must be [N, 5], got [6, 4]");
  EXPECT_EQ(error_of([] { DomainDiscriminator(DomainDiscriminatorOptions(5, 7).layers(0)); }),
            "DomainDiscriminator: layers must be at least 1, got 0");
}

// The loss weights the two sets equally: duplicating every target row leaves it unchanged.
TEST(DomainDiscriminator, LossBalancesTheTwoSets) {
  DomainDiscriminator disc(DomainDiscriminatorOptions(4, 8).seed(3));
  const torch::Tensor source = gaussian(10, 4, 40), target = gaussian(3, 4, 41, 1.0);
  const double once = domain_adversarial_loss(disc, source, target, 1.0).item<double>();
  const double twice = domain_adversarial_loss(disc, source, torch::cat({target, target}), 1.0).item<double>();
  EXPECT_NEAR(once, twice, 1e-6);
}

// DANN in miniature: a linear feature map R⁴ → R² trained on a source regression task and,
// through the reversal, against the discriminator. The domains differ by a shift of 3 along
// the first input coordinate, which the task does not need. The discriminator first learns the
// domains on the initial features; adversarial training then removes the shift, and its
// accuracy falls from well above chance toward chance.
TEST(DomainDiscriminator, AdversarialTrainingDrivesAccuracyTowardChance) {
  const torch::Tensor source = gaussian(512, 4, 50, 3.0), target = gaussian(512, 4, 51);
  const torch::Tensor source_label = source.select(1, 1) + source.select(1, 2) - source.select(1, 3);
  auto feature_map = torch::nn::Linear(4, 2);
  auto head = torch::nn::Linear(2, 1);
  {
    torch::NoGradGuard no_grad;
    // Both features start carrying the shift, mixed with the task's coordinates.
    feature_map->weight.copy_(torch::tensor({1.0, 0.3, 0.3, 0.0, 1.0, 1.0, 1.0, -1.0}).reshape({2, 4}));
    feature_map->bias.zero_();
    head->weight.copy_(torch::tensor({0.5, 0.5}).reshape({1, 2}));
    head->bias.zero_();
  }
  DomainDiscriminator disc(DomainDiscriminatorOptions(2, 16).seed(4));
  const auto features = [&] {
    torch::NoGradGuard no_grad;
    return std::make_pair(feature_map->forward(source), feature_map->forward(target));
  };
  auto [hs0, ht0] = features();
  train_discriminator(disc, hs0, ht0, 200);
  const double accuracy_before = discriminator_accuracy(disc, hs0, ht0);
  std::printf("discriminator on the initial features: accuracy %.3f\n", accuracy_before);

  std::vector<torch::Tensor> parameters = feature_map->parameters();
  for (const auto& p : head->parameters()) parameters.push_back(p);
  for (const auto& p : disc->parameters()) parameters.push_back(p);
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(1e-2));
  const int steps = 600;
  double task_loss = 0.0, accuracy = 0.0;
  for (int step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    const torch::Tensor hs = feature_map->forward(source), ht = feature_map->forward(target);
    const torch::Tensor task = (head->forward(hs).squeeze(1) - source_label).pow(2).mean();
    const double lambda = grl_lambda(static_cast<double>(step) / steps, 10.0, 1.0);
    (task + domain_adversarial_loss(disc, hs, ht, lambda)).backward();
    optimizer.step();
    task_loss = task.item<double>();
    if (step % 100 == 0 || step + 1 == steps) {
      accuracy = discriminator_accuracy(disc, hs.detach(), ht.detach());
      std::printf("step %3d  lambda %.3f  task %.4f  disc_acc %.3f\n", step, lambda, task_loss, accuracy);
    }
  }
  // A domain classifier fitted from scratch on the final features agrees that the shift is gone.
  auto [hs, ht] = features();
  const double pad_before = measure_discrepancy(hs0, ht0, 0).proxy_a_distance;
  const double pad_after = measure_discrepancy(hs, ht, 0).proxy_a_distance;
  std::printf("proxy A-distance: initial features %.3f, aligned features %.3f\n", pad_before, pad_after);

  EXPECT_GT(accuracy_before, 0.8);
  EXPECT_LT(accuracy, 0.65);
  EXPECT_GT(pad_before, 1.0);
  EXPECT_LT(pad_after, 0.5);
  EXPECT_LT(task_loss, 0.05) << "the features must stay useful for the task";
}

// ---- MMD and CORAL ---------------------------------------------------------------------------------

TEST(AlignmentLosses, MmdIsZeroForIdenticalSamplesAndGrowsWithShift) {
  const std::vector<double> bandwidths = {0.5, 1.0, 2.0, 4.0, 8.0};
  const torch::Tensor x = gaussian(200, 6, 60);
  EXPECT_NEAR(mmd_loss(x, x, bandwidths).item<double>(), 0.0, 1e-6);
  double previous = -1.0;
  for (double shift : {0.0, 0.5, 1.0, 2.0, 4.0}) {
    const double mmd = mmd_loss(x, gaussian(200, 6, 61, shift), bandwidths).item<double>();
    EXPECT_GT(mmd, previous) << "shift " << shift;
    EXPECT_GE(mmd, 0.0);
    EXPECT_LE(mmd, 2.0);
    previous = mmd;
  }
  EXPECT_GT(previous, 0.1);
}

TEST(AlignmentLosses, MmdMatchesTheKernelFormula) {
  const torch::Tensor x = gaussian(3, 2, 62, 0, torch::kFloat64), y = gaussian(4, 2, 63, 1.0, torch::kFloat64);
  const std::vector<double> scales = {0.7, 3.0};
  const auto k = [&](const torch::Tensor& a, const torch::Tensor& b) {
    double sum = 0.0;
    for (int64_t i = 0; i < a.size(0); ++i) {
      for (int64_t j = 0; j < b.size(0); ++j) {
        const double d = (a[i] - b[j]).pow(2).sum().item<double>();
        sum += 0.5 * (std::exp(-d / 0.7) + std::exp(-d / 3.0));
      }
    }
    return sum / static_cast<double>(a.size(0) * b.size(0));
  };
  EXPECT_NEAR(gaussian_mmd(x, y, scales).item<double>(), k(x, x) + k(y, y) - 2 * k(x, y), 1e-12);
  // mmd_loss = gaussian_mmd at bandwidth × median of the pooled pairwise squared distances.
  const double median = median_squared_distance(torch::cat({x, y}));
  EXPECT_NEAR(mmd_loss(x, y, {1.0, 4.0}).item<double>(),
              gaussian_mmd(x, y, {median, 4 * median}).item<double>(), 1e-12);
}

TEST(AlignmentLosses, MmdGradient) {
  const torch::Tensor x = gaussian(5, 3, 64, 0, torch::kFloat64).requires_grad_();
  const torch::Tensor y = gaussian(4, 3, 65, 0.8, torch::kFloat64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<torch::Tensor>& in) { return gaussian_mmd(in[0], in[1], {0.5, 2.0, 8.0}); }, {x, y}));
  // mmd_loss treats the median as a constant: its gradient is gaussian_mmd's at that scale.
  const double median = median_squared_distance(torch::cat({x, y}));
  const auto gx = torch::autograd::grad({mmd_loss(x, y, {1.0, 2.0})}, {x})[0];
  const auto gx_fixed = torch::autograd::grad({gaussian_mmd(x, y, {median, 2 * median})}, {x})[0];
  EXPECT_TRUE(torch::allclose(gx, gx_fixed, 1e-12, 1e-12));
}

TEST(AlignmentLosses, CoralHandComputed) {
  // C_x = diag(4/3, 4/3); C_y = [[1, 1], [1, 1]]; ‖C_x − C_y‖² = 2/9 + 2 = 20/9; / (4·2²) = 5/36.
  const torch::Tensor x = torch::tensor({0.0, 0.0, 2.0, 0.0, 0.0, 2.0, 2.0, 2.0}, torch::kFloat64).reshape({4, 2});
  const torch::Tensor y = torch::tensor({0.0, 0.0, 1.0, 1.0, 2.0, 2.0}, torch::kFloat64).reshape({3, 2});
  EXPECT_NEAR(coral_loss(x, y).item<double>(), 5.0 / 36.0, 1e-15);
  EXPECT_EQ(coral_loss(x, x + 5.0).item<double>(), 0.0) << "CORAL ignores the means";
}

TEST(AlignmentLosses, CoralGradient) {
  const torch::Tensor x = gaussian(5, 3, 66, 0, torch::kFloat64).requires_grad_();
  const torch::Tensor y = gaussian(6, 3, 67, 0.5, torch::kFloat64).mul(1.5).requires_grad_();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<torch::Tensor>& in) { return coral_loss(in[0], in[1]); },
                                 {x, y}));
}

TEST(AlignmentLosses, ByName) {
  AlignOptions options;
  const torch::Tensor x = gaussian(20, 3, 68), y = gaussian(30, 3, 69, 1.0);
  EXPECT_EQ(alignment_loss("mmd", x, y, options).item<double>(), mmd_loss(x, y, options.bandwidths).item<double>());
  EXPECT_EQ(alignment_loss("coral", x, y, options).item<double>(), coral_loss(x, y).item<double>());
  EXPECT_EQ(alignment_loss_names(), (std::vector<std::string>{"mmd", "coral"}));
  EXPECT_THROW(alignment_loss("wasserstein", x, y, options), io::UsageError);
  EXPECT_EQ(error_of([&] { alignment_loss("wasserstein", x, y, options); }),
            "unknown alignment loss 'wasserstein'; valid alignment losses: mmd, coral");
}

TEST(AlignmentLosses, RejectBadArguments) {
  const torch::Tensor x = gaussian(4, 3, 70);
  EXPECT_EQ(error_of([&] { mmd_loss(x, gaussian(4, 2, 71), {1.0}); }),
            "mmd: source and target representations must be [N, d] with the same d, got [4, 3] and [4, 2]");
  EXPECT_EQ(error_of([&] { mmd_loss(x, x, {}); }), "mmd: no kernel bandwidth given");
  EXPECT_EQ(error_of([&] { mmd_loss(x, x, {1.0, 0.0}); }), "mmd: bandwidths must be positive, got 0");
  EXPECT_EQ(error_of([&] { coral_loss(x, gaussian(1, 3, 72)); }),
            "coral: needs at least 2 rows on each side, got 4 source and 1 target rows");
}

// ---- variational bottleneck and InfoNCE ---------------------------------------------------------

TEST(VariationalBottleneck, KlMatchesTheClosedForm) {
  // Row 0: mean (1, 0), σ = (1, 1): ½(1 + 0) = 0.5. Row 1: mean 0, σ = (e, 1): ½(e² − 1 − 2) = ½(e² − 3).
  const torch::Tensor mean = torch::tensor({1.0, 0.0, 0.0, 0.0}, torch::kFloat64).reshape({2, 2});
  const torch::Tensor log_sigma = torch::tensor({0.0, 0.0, 1.0, 0.0}, torch::kFloat64).reshape({2, 2});
  const torch::Tensor kl = gaussian_kl(mean, log_sigma);
  EXPECT_NEAR(kl[0].item<double>(), 0.5, 1e-15);
  EXPECT_NEAR(kl[1].item<double>(), 0.5 * (std::exp(2.0) - 3.0), 1e-14);
  EXPECT_EQ(gaussian_kl(torch::zeros({3, 4}), torch::zeros({3, 4})).abs().max().item<double>(), 0.0)
      << "the prior itself costs nothing";
}

TEST(VariationalBottleneck, SamplesAroundTheMeanWithTheInitialSigmaAndIsExactInEval) {
  torch::manual_seed(5);
  VariationalBottleneck bottleneck(3, 0.25);
  const torch::Tensor h = gaussian(20000, 3, 73);
  const auto [z, kl] = bottleneck->forward(h);
  const torch::Tensor noise = z - h;
  EXPECT_NEAR(noise.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(noise.std().item<double>(), 0.25, 0.01);
  EXPECT_TRUE(torch::allclose(kl, gaussian_kl(h, torch::full_like(h, std::log(0.25))), 1e-5, 1e-5));
  bottleneck->eval();
  EXPECT_TRUE(torch::equal(bottleneck->forward(h).first, h)) << "evaluation uses the mean";
}

TEST(VariationalBottleneck, KlGradient) {
  const torch::Tensor mean = gaussian(4, 3, 74, 0, torch::kFloat64).requires_grad_();
  const torch::Tensor log_sigma = gaussian(4, 3, 75, 0, torch::kFloat64).mul(0.5).requires_grad_();
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<torch::Tensor>& in) { return gaussian_kl(in[0], in[1]); }, {mean, log_sigma}));
}

TEST(InfoNce, HandComputedAndOrderedByAgreement) {
  // Two users, orthogonal unit rows matched exactly: logits diag 1/τ, off-diagonal 0, so each
  // row's loss is log(1 + e^(−1/τ)).
  const torch::Tensor a = torch::eye(2, torch::kFloat64);
  const double tau = 0.5;
  EXPECT_NEAR(info_nce(a, a * 3.0, tau).item<double>(), std::log(1 + std::exp(-1 / tau)), 1e-14)
      << "cosine similarity: the scale of a row does not matter";
  const torch::Tensor x = gaussian(16, 8, 76), noise = gaussian(16, 8, 77);
  const double aligned = info_nce(x, x + 0.1 * noise, 0.2).item<double>();
  const double shuffled = info_nce(x, x.roll(1, 0), 0.2).item<double>();
  EXPECT_LT(aligned, 0.5);
  EXPECT_GT(shuffled, std::log(16.0)) << "mismatched pairs are worse than a uniform guess";
}

TEST(InfoNce, Gradient) {
  const torch::Tensor a = gaussian(5, 3, 78, 0, torch::kFloat64).requires_grad_();
  const torch::Tensor b = gaussian(5, 3, 79, 0, torch::kFloat64).requires_grad_();
  EXPECT_TRUE(testing::gradcheck([](const std::vector<torch::Tensor>& in) { return info_nce(in[0], in[1], 0.3); },
                                 {a, b}));
}

TEST(InfoNce, RejectsBadArguments) {
  const torch::Tensor x = gaussian(4, 3, 80);
  EXPECT_NE(error_of([&] { info_nce(x, gaussian(3, 3, 81), 0.2); }).find("same shape"), std::string::npos);
  EXPECT_NE(error_of([&] { info_nce(x, x, 0.0); }).find("temperature must be positive"), std::string::npos);
}

// ---- discrepancy --------------------------------------------------------------------------------

TEST(Discrepancy, IdenticalDistributionsAreClose) {
  const Discrepancy d = measure_discrepancy(gaussian(1500, 16, 80), gaussian(1500, 16, 81), 1);
  std::printf("identical: linear MMD %.4f, proxy A-distance %.3f\n", d.linear_mmd, d.proxy_a_distance);
  EXPECT_LT(d.linear_mmd, 0.05);
  EXPECT_LT(d.proxy_a_distance, 0.3);
}

TEST(Discrepancy, SeparatedDistributionsAreFar) {
  const Discrepancy d = measure_discrepancy(gaussian(1500, 16, 82, 6.0), gaussian(400, 16, 83), 1);
  std::printf("separated: linear MMD %.4f, proxy A-distance %.3f\n", d.linear_mmd, d.proxy_a_distance);
  EXPECT_NEAR(d.linear_mmd, 36.0, 2.0);
  EXPECT_GT(d.proxy_a_distance, 1.9);
  EXPECT_LE(d.proxy_a_distance, 2.0);
}

TEST(Discrepancy, LinearMmdAndDeterminism) {
  const torch::Tensor x = torch::tensor({1.0, 2.0, 3.0, 4.0}).reshape({2, 2});
  const torch::Tensor y = torch::tensor({0.0, 0.0, 1.0, 1.0, 2.0, 2.0}).reshape({3, 2});
  EXPECT_NEAR(linear_mmd(x, y), 5.0, 1e-12);  // means (2, 3) and (1, 1)
  const torch::Tensor a = gaussian(300, 8, 84, 0.7), b = gaussian(200, 8, 85);
  const Discrepancy first = measure_discrepancy(a, b, 5), second = measure_discrepancy(a, b, 5);
  EXPECT_EQ(first.proxy_a_distance, second.proxy_a_distance);
  EXPECT_EQ(first.linear_mmd, second.linear_mmd);
  {
    torch::NoGradGuard no_grad;  // callers may measure without gradients
    EXPECT_EQ(measure_discrepancy(a, b, 5).proxy_a_distance, first.proxy_a_distance);
  }
  EXPECT_EQ(error_of([&] { measure_discrepancy(a, gaussian(1, 8, 86), 0); }),
            "discrepancy: needs at least 2 representations per domain, got 300 source and 1 target rows");
}

}  // namespace
}  // namespace graft::transfer
