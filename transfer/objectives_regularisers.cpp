// The regularising parts: L2-SP toward the pretrained weights, the variational bottleneck's KL
// and InfoNCE between a shared user's two representations.
#include "graph_io/seeded_random.h"
#include "transfer/objective.h"
#include "transfer/variational_bottleneck.h"

namespace graft::transfer {
namespace {

// w · Σ ‖θ − θ₀‖² over the parameters anchored at construction that still train; item tables
// and item biases are exempt (the target's are new, the source's are not what transfers).
class L2SP : public ObjectivePart {
 public:
  L2SP(const CrossDomainModel& model, double weight) : weight_(weight) {
    const std::vector<torch::Tensor> exempt = {model.target_items(), model.source_items(), model.target_item_bias(),
                                               model.source_item_bias()};
    for (const torch::Tensor& p : model.parameters()) {
      const bool skip = std::any_of(exempt.begin(), exempt.end(), [&](const torch::Tensor& e) { return e.is_same(p); });
      if (!skip) anchored_.push_back({p, p.detach().clone()});
    }
  }
  std::string name() const override { return "l2sp"; }
  torch::Tensor loss(const Step&) override {
    torch::Tensor penalty = torch::zeros({});
    for (const auto& [param, anchor] : anchored_) {
      if (param.requires_grad()) penalty = penalty + (param - anchor).pow(2).sum();
    }
    return weight_ * penalty;
  }

 private:
  double weight_;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> anchored_;
};

// Users become samples z = h + σ(h)ε (prepare); the loss is β times the mean KL of the users the
// step scores: the target batch's (target graph), the source batch's (source graph) and the
// target batch's shared users (source graph, as the bridge scores them).
class BottleneckKl : public ObjectivePart {
 public:
  BottleneckKl(const TransferTask& task, int64_t dim)
      : beta_(task.options.bottleneck.beta),
        bottleneck_(dim, task.options.bottleneck.init_sigma),
        shared_(shared_user_mask(task)) {}
  std::string name() const override { return "bottleneck_kl"; }
  bool reads_source_graph() const override { return true; }
  std::vector<torch::Tensor> parameters() override { return bottleneck_->parameters(); }
  void prepare(Step& step) override {
    bottleneck_->train(step.model.is_training());
    std::tie(step.target.users, step.kl_target) = bottleneck_->forward(step.target.users);
    std::tie(step.source.users, step.kl_source) = bottleneck_->forward(step.source.users);
  }
  torch::Tensor loss(const Step& step) override {
    const torch::Tensor& users = step.target_batch.users;
    torch::Tensor kl = step.kl_target.index_select(0, users).mean();
    if (step.has_source_batch()) kl = kl + step.kl_source.index_select(0, step.source_batch.users).mean();
    const torch::Tensor shared = users.masked_select(shared_.index_select(0, users));
    if (shared.numel() > 0) kl = kl + step.kl_source.index_select(0, shared).mean();
    return beta_ * kl;
  }

 private:
  double beta_;
  VariationalBottleneck bottleneck_;
  torch::Tensor shared_;
};

// InfoNCE over align.batch_users distinct shared users drawn from the step's stream.
class InfoNce : public ObjectivePart {
 public:
  InfoNce(const TransferTask& task, double weight) : weight_(weight) {}
  std::string name() const override { return "info_nce"; }
  bool reads_source_graph() const override { return true; }
  torch::Tensor loss(const Step& step) override {
    const TransferTask& task = step.task;
    if (task.shared_users.size() < 2) return {};
    const torch::Tensor users = as_index(draw_distinct(task.shared_users, task.options.align.batch_users, step.rng));
    return weight_ * transfer::info_nce(step.source.users.index_select(0, users),
                                        step.target.users.index_select(0, users), task.options.bottleneck.temperature);
  }

 private:
  // min(count, |users|) distinct users, drawn at random (a partial Fisher–Yates shuffle).
  static std::vector<int64_t> draw_distinct(std::vector<int64_t> users, int64_t count, std::mt19937_64& rng) {
    const size_t n = std::min(users.size(), static_cast<size_t>(count));
    for (size_t k = 0; k < n; ++k) std::swap(users[k], users[k + io::draw_below(rng, users.size() - k)]);
    users.resize(n);
    return users;
  }
  double weight_;
};

}  // namespace

namespace parts {

std::unique_ptr<ObjectivePart> l2sp(const CrossDomainModel& model, double weight) {
  return std::make_unique<L2SP>(model, weight);
}

std::unique_ptr<ObjectivePart> bottleneck_kl(const TransferTask& task, int64_t dim) {
  return std::make_unique<BottleneckKl>(task, dim);
}

std::unique_ptr<ObjectivePart> info_nce(const TransferTask& task, double weight) {
  return std::make_unique<InfoNce>(task, weight);
}

}  // namespace parts
}  // namespace graft::transfer
