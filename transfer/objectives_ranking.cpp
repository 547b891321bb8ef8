// The ranking parts: target and source ranking losses and the bridge in both directions.
#include "gnn/gather_rows.h"
#include "gnn/losses.h"
#include "transfer/objective.h"

namespace graft::transfer {
namespace {

torch::Tensor pair_logits(const gnn::Representations& scoring, const torch::Tensor& users, const torch::Tensor& items) {
  return (gnn::gather_rows(scoring.users, users) * gnn::gather_rows(scoring.items, items)).sum(-1);
}

// BPR (or BCE) of the batch with a weight per triple ([B]), mean over triples.
torch::Tensor weighted_ranking_loss(const std::string& loss, const gnn::Representations& scoring,
                                    const gnn::Triples& batch, const torch::Tensor& weights) {
  const torch::Tensor positive = pair_logits(scoring, batch.users, batch.positives);
  const torch::Tensor negative = pair_logits(scoring, batch.users, batch.negatives);
  const torch::Tensor per_pair = loss == "bce" ? torch::softplus(-positive) + torch::softplus(negative)
                                               : torch::softplus(negative - positive);
  return (per_pair * weights).mean();
}

// The triples of `batch` whose user is active in both domains (an empty batch when none is).
gnn::Triples shared_rows(const torch::Tensor& shared_mask, const gnn::Triples& batch) {
  const torch::Tensor rows = shared_mask.index_select(0, batch.users).nonzero().squeeze(1);
  if (rows.numel() == 0) return {};
  return {batch.users.index_select(0, rows), batch.positives.index_select(0, rows),
          batch.negatives.index_select(0, rows)};
}

class TargetRanking : public ObjectivePart {
 public:
  std::string name() const override { return "target_ranking"; }
  torch::Tensor loss(const Step& step) override {
    const TransferOptions& o = step.task.options;
    const gnn::Triples& b = step.target_batch;
    return ranking_loss(o.loss, step.model.with_item_bias(step.target, GraphKind::kTarget), b) +
           gnn::l2_regularizer(step.model.batch_l2(GraphKind::kTarget, b.users, b.positives, b.negatives), b.size(),
                               o.adapt.weight_decay);
  }
};

class SourceRanking : public ObjectivePart {
 public:
  SourceRanking(double weight, std::vector<float> user_weights) : weight_(weight) {
    if (!user_weights.empty()) {
      user_weights_ = torch::from_blob(user_weights.data(), {static_cast<int64_t>(user_weights.size())}, torch::kFloat)
                          .clone();
    }
  }
  std::string name() const override { return "source_ranking"; }
  bool reads_source_graph() const override { return true; }
  bool reads_source_triples() const override { return true; }
  torch::Tensor loss(const Step& step) override {
    if (!step.has_source_batch()) return {};
    const TransferOptions& o = step.task.options;
    const gnn::Triples& b = step.source_batch;
    const gnn::Representations scoring = step.model.with_item_bias(step.source, GraphKind::kSource);
    const torch::Tensor weights = user_weights_.defined() ? user_weights_.index_select(0, b.users) : torch::ones({b.size()});
    return weight_ * (weighted_ranking_loss(o.loss, scoring, b, weights) +
                      gnn::l2_regularizer(step.model.batch_l2(GraphKind::kSource, b.users, b.positives, b.negatives),
                                          b.size(), o.adapt.weight_decay));
  }

 private:
  double weight_;
  torch::Tensor user_weights_;
};

// The target batch's shared users scored from their source-graph representations (forward) or
// the source batch's shared users from their target-graph ones (reverse).
class Bridge : public ObjectivePart {
 public:
  Bridge(const TransferTask& task, double weight, bool reverse)
      : weight_(weight), reverse_(reverse), shared_(shared_user_mask(task)) {}
  std::string name() const override { return reverse_ ? "reverse_bridge" : "bridge"; }
  bool reads_source_graph() const override { return true; }
  bool reads_source_triples() const override { return reverse_; }
  torch::Tensor loss(const Step& step) override {
    if (reverse_ && !step.has_source_batch()) return {};
    const gnn::Triples rows = shared_rows(shared_, reverse_ ? step.source_batch : step.target_batch);
    if (!rows.users.defined()) return {};
    const gnn::Representations crossed =
        reverse_ ? step.model.with_item_bias({step.target.users, step.source.items}, GraphKind::kSource)
                 : step.model.with_item_bias({step.source.users, step.target.items}, GraphKind::kTarget);
    return weight_ * ranking_loss(step.task.options.loss, crossed, rows);
  }

 private:
  double weight_;
  bool reverse_;
  torch::Tensor shared_;
};

}  // namespace

torch::Tensor ranking_loss(const std::string& loss, const gnn::Representations& scoring, const gnn::Triples& batch) {
  return gnn::pairwise_loss(loss, pair_logits(scoring, batch.users, batch.positives),
                            pair_logits(scoring, batch.users, batch.negatives));
}

namespace parts {

std::unique_ptr<ObjectivePart> target_ranking() { return std::make_unique<TargetRanking>(); }

std::unique_ptr<ObjectivePart> source_ranking(double weight, std::vector<float> user_weights) {
  return std::make_unique<SourceRanking>(weight, std::move(user_weights));
}

std::unique_ptr<ObjectivePart> bridge(const TransferTask& task, double weight) {
  return std::make_unique<Bridge>(task, weight, false);
}

std::unique_ptr<ObjectivePart> reverse_bridge(const TransferTask& task, double weight) {
  return std::make_unique<Bridge>(task, weight, true);
}

}  // namespace parts
}  // namespace graft::transfer
