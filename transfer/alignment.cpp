// Gradient reversal, the domain discriminator, the statistical alignment losses and the
// variational bottleneck with its InfoNCE term: the pieces the alignment methods combine with
// fine-tuning.
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "graph_io/errors.h"
#include "transfer/alignment_losses.h"
#include "transfer/domain_discriminator.h"
#include "transfer/gradient_reversal.h"
#include "transfer/variational_bottleneck.h"

namespace graft::transfer {

// ---- gradient reversal -------------------------------------------------------------------------

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

class GradientReversal : public torch::autograd::Function<GradientReversal> {
 public:
  // A copy rather than a view: custom functions returning views of their input are restricted
  // in-place, and representations are small next to the encoder that produced them.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, double lambda) {
    ctx->saved_data["lambda"] = lambda;
    return x.clone();
  }

  // Written with differentiable ops, so the reversed gradient can itself be differentiated.
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    return {grad_outputs[0] * -ctx->saved_data["lambda"].toDouble(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor gradient_reversal(const torch::Tensor& x, double lambda) {
  TORCH_CHECK(std::isfinite(lambda) && lambda >= 0, "gradient_reversal: lambda must be finite and >= 0, got ",
              lambda);
  return GradientReversal::apply(x, lambda);
}

double grl_lambda(double progress, double gamma, double lambda_max) {
  const double p = std::clamp(progress, 0.0, 1.0);
  return lambda_max * (2.0 / (1.0 + std::exp(-gamma * p)) - 1.0);
}

// ---- domain discriminator ----------------------------------------------------------------------

DomainDiscriminatorImpl::DomainDiscriminatorImpl(const DomainDiscriminatorOptions& options) : options(options) {
  reset();
}

void DomainDiscriminatorImpl::reset() {
  const DomainDiscriminatorOptions& o = options;
  TORCH_CHECK(o.in() >= 1, "DomainDiscriminator: in must be positive, got ", o.in());
  TORCH_CHECK(o.hidden() >= 1, "DomainDiscriminator: hidden must be positive, got ", o.hidden());
  TORCH_CHECK(o.layers() >= 1, "DomainDiscriminator: layers must be at least 1, got ", o.layers());
  TORCH_CHECK(o.dropout() >= 0 && o.dropout() < 1, "DomainDiscriminator: dropout must be in [0, 1), got ",
              o.dropout());
  linears_ = torch::nn::ModuleList();
  for (int64_t l = 0; l < o.layers(); ++l) {
    const int64_t in = l == 0 ? o.in() : o.hidden();
    const int64_t out = l + 1 == o.layers() ? 1 : o.hidden();
    linears_->push_back(torch::nn::Linear(in, out));
  }
  linears_ = register_module("linears", linears_);
  reset_parameters();
}

void DomainDiscriminatorImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(options.seed());
  for (const auto& module : *linears_) {
    auto* linear = module->as<torch::nn::Linear>();
    const double bound = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(1)));
    for (torch::Tensor* p : {&linear->weight, &linear->bias}) {
      p->copy_(torch::empty(p->sizes(), torch::kFloat64).uniform_(-bound, bound, generator));
    }
  }
}

torch::Tensor DomainDiscriminatorImpl::forward(const torch::Tensor& reps) {
  TORCH_CHECK(reps.dim() == 2 && reps.size(1) == options.in(), "DomainDiscriminator: reps must be [N, ",
              options.in(), "], got ", reps.sizes());
  torch::Tensor h = reps;
  for (size_t l = 0; l < linears_->size(); ++l) {
    h = linears_[l]->as<torch::nn::Linear>()->forward(h);
    if (l + 1 < linears_->size()) h = torch::dropout(torch::relu(h), options.dropout(), is_training());
  }
  return h.squeeze(1);
}

void DomainDiscriminatorImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::transfer::DomainDiscriminator(in=" << options.in() << ", hidden=" << options.hidden()
         << ", layers=" << options.layers() << ", dropout=" << options.dropout() << ")";
}

namespace {

void check_pair(const char* what, const torch::Tensor& source, const torch::Tensor& target, int64_t min_rows) {
  TORCH_CHECK(source.dim() == 2 && target.dim() == 2 && source.size(1) == target.size(1), what,
              ": source and target representations must be [N, d] with the same d, got ", source.sizes(), " and ",
              target.sizes());
  TORCH_CHECK(source.size(0) >= min_rows && target.size(0) >= min_rows, what, ": needs at least ", min_rows,
              " rows on each side, got ", source.size(0), " source and ", target.size(0), " target rows");
}

}  // namespace

torch::Tensor domain_adversarial_loss(DomainDiscriminator& disc, const torch::Tensor& source_reps,
                                      const torch::Tensor& target_reps, double lambda) {
  check_pair("domain_adversarial_loss", source_reps, target_reps, 1);
  const torch::Tensor source_logits = disc->forward(gradient_reversal(source_reps, lambda));
  const torch::Tensor target_logits = disc->forward(gradient_reversal(target_reps, lambda));
  // −log σ(s) for source rows, −log(1 − σ(t)) for target rows.
  return 0.5 * (torch::softplus(-source_logits).mean() + torch::softplus(target_logits).mean());
}

double discriminator_accuracy(DomainDiscriminator& disc, const torch::Tensor& source_reps,
                              const torch::Tensor& target_reps) {
  check_pair("discriminator_accuracy", source_reps, target_reps, 1);
  torch::NoGradGuard no_grad;
  const bool was_training = disc->is_training();
  disc->eval();
  const double source_hits = (disc->forward(source_reps) > 0).to(torch::kFloat64).mean().item<double>();
  const double target_hits = (disc->forward(target_reps) <= 0).to(torch::kFloat64).mean().item<double>();
  disc->train(was_training);
  return 0.5 * (source_hits + target_hits);
}

// ---- statistical alignment ---------------------------------------------------------------------

namespace {

// ‖a_i − b_j‖² [n, m] through ‖a‖² + ‖b‖² − 2a·b: no [n, m, d] intermediate. Rounding can make
// an entry slightly negative; the clamp keeps the kernel ≤ 1.
torch::Tensor squared_distances(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor an = a.pow(2).sum(1, true), bn = b.pow(2).sum(1, true);
  return (an + bn.t() - 2 * a.mm(b.t())).clamp_min(0);
}

torch::Tensor mean_kernel(const torch::Tensor& a, const torch::Tensor& b, const std::vector<double>& scales) {
  const torch::Tensor d = squared_distances(a, b);
  torch::Tensor k = torch::zeros_like(d);
  for (double s : scales) k = k + torch::exp(d / -s);
  return k.mean() / static_cast<double>(scales.size());
}

}  // namespace

torch::Tensor gaussian_mmd(const torch::Tensor& x, const torch::Tensor& y, const std::vector<double>& scales) {
  check_pair("mmd", x, y, 1);
  TORCH_CHECK(!scales.empty(), "mmd: no kernel bandwidth given");
  for (double s : scales) TORCH_CHECK(s > 0 && std::isfinite(s), "mmd: kernel scales must be positive, got ", s);
  return mean_kernel(x, x, scales) + mean_kernel(y, y, scales) - 2 * mean_kernel(x, y, scales);
}

double median_squared_distance(const torch::Tensor& z) {
  TORCH_CHECK(z.dim() == 2 && z.size(0) >= 2, "median_squared_distance: needs [N, d] with N >= 2, got ", z.sizes());
  torch::NoGradGuard no_grad;
  const torch::Tensor zd = z.detach();
  const torch::Tensor pairs = torch::triu_indices(z.size(0), z.size(0), 1, torch::TensorOptions(z.device()));
  const torch::Tensor d = squared_distances(zd, zd).index({pairs[0], pairs[1]});
  return d.median().item<double>();  // the lower median for an even count
}

torch::Tensor mmd_loss(const torch::Tensor& x, const torch::Tensor& y, const std::vector<double>& bandwidths) {
  check_pair("mmd", x, y, 1);
  TORCH_CHECK(!bandwidths.empty(), "mmd: no kernel bandwidth given");
  const double median =
      std::max(median_squared_distance(torch::cat({x, y})), std::numeric_limits<double>::min());
  std::vector<double> scales;
  for (double b : bandwidths) {
    TORCH_CHECK(b > 0 && std::isfinite(b), "mmd: bandwidths must be positive, got ", b);
    scales.push_back(b * median);
  }
  return gaussian_mmd(x, y, scales);
}

torch::Tensor coral_loss(const torch::Tensor& x, const torch::Tensor& y) {
  check_pair("coral", x, y, 2);
  const auto covariance = [](const torch::Tensor& a) {
    const torch::Tensor centred = a - a.mean(0, true);
    return centred.t().mm(centred) / static_cast<double>(a.size(0) - 1);
  };
  const double d = static_cast<double>(x.size(1));
  return (covariance(x) - covariance(y)).pow(2).sum() / (4 * d * d);
}

std::vector<std::string> alignment_loss_names() { return {"mmd", "coral"}; }

torch::Tensor alignment_loss(const std::string& name, const torch::Tensor& x, const torch::Tensor& y,
                             const AlignOptions& options) {
  if (name == "mmd") return mmd_loss(x, y, options.bandwidths);
  if (name == "coral") return coral_loss(x, y);
  throw io::UsageError("unknown alignment loss '" + name + "'; valid alignment losses: mmd, coral");
}

// ---- variational bottleneck and InfoNCE --------------------------------------------------------

VariationalBottleneckImpl::VariationalBottleneckImpl(int64_t dim, double init_sigma) {
  TORCH_CHECK(dim >= 1, "VariationalBottleneck: dim must be positive, got ", dim);
  TORCH_CHECK(init_sigma > 0, "VariationalBottleneck: init_sigma must be positive, got ", init_sigma);
  scale_ = register_module("scale", torch::nn::Linear(dim, dim));
  torch::NoGradGuard no_grad;
  scale_->weight.zero_();
  scale_->bias.fill_(std::log(init_sigma));
}

torch::Tensor VariationalBottleneckImpl::log_sigma(const torch::Tensor& h) {
  return scale_->forward(h).clamp(-10.0, 2.0);
}

std::pair<torch::Tensor, torch::Tensor> VariationalBottleneckImpl::forward(const torch::Tensor& h) {
  const torch::Tensor s = log_sigma(h);
  const torch::Tensor kl = gaussian_kl(h, s);
  if (!is_training()) return {h, kl};
  return {h + s.exp() * torch::randn_like(h), kl};
}

torch::Tensor gaussian_kl(const torch::Tensor& mean, const torch::Tensor& log_sigma) {
  return 0.5 * (mean.pow(2) + (2 * log_sigma).exp() - 1 - 2 * log_sigma).sum(-1);
}

torch::Tensor info_nce(const torch::Tensor& a, const torch::Tensor& b, double temperature) {
  TORCH_CHECK(a.dim() == 2 && a.sizes() == b.sizes() && a.size(0) >= 1,
              "info_nce: a and b must be [N, d] of the same shape with N >= 1");
  TORCH_CHECK(temperature > 0, "info_nce: temperature must be positive, got ", temperature);
  namespace F = torch::nn::functional;
  const torch::Tensor logits =
      F::normalize(a, F::NormalizeFuncOptions().dim(1)).mm(F::normalize(b, F::NormalizeFuncOptions().dim(1)).t()) /
      temperature;
  const torch::Tensor labels = torch::arange(a.size(0), torch::kInt64);
  return 0.5 * (F::cross_entropy(logits, labels) + F::cross_entropy(logits.t(), labels));
}

}  // namespace graft::transfer
