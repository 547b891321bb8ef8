// Methods that prepare the adaptation before it runs: meta (Reptile over target user tasks) and
// instance_weighting (source interactions re-weighted by a density ratio).
#include "gnn/losses.h"
#include "graph_io/seeded_random.h"
#include "transfer/methods.h"
#include "transfer/model_method.h"

#include <random>

namespace graft::transfer {
namespace {

// Reptile (first-order meta-learning) of the adaptation's starting point over tasks of a few
// target users each, then fine-tuning from it: for few-shot targets such as a new category.
class Meta : public ModelMethod {
 public:
  std::string name() const override { return "meta"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    pretrain(log);
    reptile(log);
    Recipe r = recipe();
    add_bridge(*task, r.objective);
    adapt(std::move(r), log);
  }

 private:
  // A task: tasks_per_step users, up to 8 (positive, negative) training pairs each.
  gnn::Triples draw_task(std::mt19937_64& rng) const {
    const MetaOptions& o = task_->options.meta;
    const gnn::NegativeSampler& sampler = *task_->target_sampler;
    const std::vector<int64_t>& users = sampler.active_users();
    std::vector<int64_t> u, p, n;
    for (int64_t t = 0; t < o.tasks_per_step; ++t) {
      const int64_t user = users[io::draw_below(rng, users.size())];
      const int64_t degree = sampler.positives_end(user) - sampler.positives_begin(user);
      for (int64_t k = 0; k < std::min<int64_t>(8, degree); ++k) {
        u.push_back(user);
        p.push_back(sampler.positives_begin(user)[io::draw_below(rng, degree)]);
        n.push_back(sampler.sample_negative(user, rng));
      }
    }
    return {as_index(u), as_index(p), as_index(n)};
  }

  void reptile(FitLog& log) {
    const auto start = Clock::now();
    const MetaOptions& o = task_->options.meta;
    const int64_t users = static_cast<int64_t>(task_->target_sampler->active_users().size());
    const int64_t steps = std::min<int64_t>(20, (users + o.tasks_per_step - 1) / o.tasks_per_step);
    torch::optim::SGD inner(model_->parameters(), torch::optim::SGDOptions(o.inner_lr));
    model_->train();
    for (int64_t epoch = 1; epoch <= o.meta_epochs; ++epoch) {
      const auto epoch_start = Clock::now();
      std::mt19937_64 rng(io::derive_seed(task_->options.seed, "meta/" + std::to_string(epoch)));
      double loss_sum = 0.0;
      for (int64_t step = 0; step < steps; ++step) {
        const gnn::Triples batch = draw_task(rng);
        const std::vector<torch::Tensor> start_state = model_->snapshot();
        for (int64_t s = 0; s < o.inner_steps; ++s) {
          const gnn::Representations reps =
              model_->with_item_bias(model_->represent(GraphKind::kTarget), GraphKind::kTarget);
          const torch::Tensor loss = gnn::pairwise_loss(
              task_->options.loss, (reps.users.index_select(0, batch.users) * reps.items.index_select(0, batch.positives)).sum(-1),
              (reps.users.index_select(0, batch.users) * reps.items.index_select(0, batch.negatives)).sum(-1));
          inner.zero_grad();
          loss.backward();
          inner.step();
          loss_sum += loss.item<double>();
        }
        torch::NoGradGuard no_grad;
        const auto params = model_->parameters();
        for (size_t k = 0; k < params.size(); ++k) {
          params[k].copy_(start_state[k] + o.meta_lr * (params[k] - start_state[k]));
        }
      }
      log.history.push_back({"meta", epoch, loss_sum / static_cast<double>(std::max<int64_t>(1, steps * o.inner_steps)),
                             {}, seconds_since(epoch_start)});
    }
    log.phase_seconds["meta"] += seconds_since(start);
  }
};

// Source interactions re-weighted by the density ratio p(target | h_u) / p(source | h_u) of a
// logistic domain classifier on pretrained user representations, then trained with the target.
class InstanceWeighting : public ModelMethod {
 public:
  std::string name() const override { return "instance_weighting"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    pretrain(log);
    Recipe r = recipe();
    r.objective.push_back(parts::source_ranking(1.0, user_weights()));
    add_bridge(*task, r.objective);
    adapt(std::move(r), log);
  }

 private:
  std::vector<float> user_weights() {
    const InstanceWeightOptions& o = task_->options.instance_weighting;
    torch::Tensor source_all, xs, xt;
    {
      torch::NoGradGuard no_grad;
      source_all = model_->represent(GraphKind::kSource).users.detach();
      xs = source_all.index_select(0, as_index(task_->source_sampler->active_users()));
      xt = model_->represent(GraphKind::kTarget).users.detach().index_select(
          0, as_index(task_->target_sampler->active_users()));
    }
    const torch::Tensor mean = torch::cat({xs, xt}).mean(0), scale = torch::cat({xs, xt}).std(0).clamp_min(1e-6);
    const auto standardise = [&](const torch::Tensor& x) { return (x - mean) / scale; };
    torch::manual_seed(io::derive_seed(task_->options.seed, "instance_weighting"));
    torch::nn::Linear classifier(xs.size(1), 1);
    torch::optim::Adam optimizer(classifier->parameters(), torch::optim::AdamOptions(0.05));
    const torch::Tensor x = torch::cat({standardise(xs), standardise(xt)});
    const torch::Tensor label = torch::cat({torch::zeros({xs.size(0)}), torch::ones({xt.size(0)})});
    // Balanced classes: each domain carries half the loss.
    const torch::Tensor weight = torch::cat({torch::full({xs.size(0)}, 0.5 / xs.size(0)),
                                             torch::full({xt.size(0)}, 0.5 / xt.size(0))});
    for (int64_t step = 0; step < o.estimator_epochs; ++step) {
      const torch::Tensor logits = classifier->forward(x).squeeze(1);
      const torch::Tensor loss =
          (torch::binary_cross_entropy_with_logits(logits, label, {}, {}, at::Reduction::None) * weight).sum() +
          1e-3 * classifier->weight.pow(2).sum();
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
    torch::NoGradGuard no_grad;
    // With balanced classes the logit is log p(target|h) − log p(source|h) = the log density ratio.
    torch::Tensor w = classifier->forward(standardise(source_all)).squeeze(1).exp().clamp(1.0 / o.clip, o.clip);
    const torch::Tensor active = as_index(task_->source_sampler->active_users());
    w = w / w.index_select(0, active).mean();
    return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  }
};

}  // namespace

std::unique_ptr<TransferMethod> make_meta() { return std::make_unique<Meta>(); }
std::unique_ptr<TransferMethod> make_instance_weighting() { return std::make_unique<InstanceWeighting>(); }

}  // namespace graft::transfer
