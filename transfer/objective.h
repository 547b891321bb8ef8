// Objective parts: the training signals a transfer method sums during adaptation.
//
// A part maps one training step (the representations of this batch and the batch's triples) to a
// weighted loss. The adaptation loop (adaptation.h) knows none of them: it builds the step,
// asks every part of the method's recipe for its loss in order, sums, and steps the optimiser.
//
//   part                 loss of one step                                          reads
//   target_ranking       BPR/BCE + L2 on the target batch (target graph)            target
//   source_ranking       w · (BPR/BCE, optionally weighted per user, + L2) on the    source graph, source triples
//                        source batch
//   bridge               w · BPR/BCE of the target batch's shared users scored       source graph
//                        from their source-graph representations
//   reverse_bridge       w · BPR/BCE of the source batch's shared users scored       source graph, source triples
//                        from their target-graph representations
//   adversarial          DANN: discriminator(GRL(h)) on source-graph vs target-graph source graph
//                        users (align.on items: linked items), λ following the
//                        progress schedule
//   mmd, coral           w · statistic between the same two samples                source graph
//   l2sp                 w · ‖θ − θ_pretrained‖² over encoder and user table         —
//   bottleneck_kl        samples user representations z = h + σ(h)ε first           —
//                        (prepare), then β · KL of the batch's users
//   info_nce             w · InfoNCE between shared users' two representations     source graph
//
// Shapes: representations [users, d] and [items, d]; every loss is a scalar.
#pragma once

#include "gnn/negative_sampler.h"
#include "gnn/recommender.h"
#include "transfer/cross_domain_model.h"
#include "transfer/transfer_report.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace graft::transfer {

// What every part sees in one optimiser step. The loop fills it; prepare() may transform the
// representations (the bottleneck samples them) before any part computes its loss.
struct Step {
  const TransferTask& task;
  CrossDomainModel& model;
  gnn::Representations target;   // target-graph users, target items (the union graph's, for joint training)
  gnn::Representations source;   // source-graph users, source items; undefined unless a part reads them
  torch::Tensor kl_target, kl_source;  // per-user KL [users], set by bottleneck_kl
  gnn::Triples target_batch;     // this step's target triples
  gnn::Triples source_batch;     // this step's source triples; users undefined when there are none
  double progress = 0.0;         // training progress in [0, 1] (adversarial schedule)
  std::mt19937_64& rng;          // per-epoch stream for drawing users
  bool has_source_batch() const { return source_batch.users.defined() && source_batch.size() > 0; }
};

class ObjectivePart {
 public:
  virtual ~ObjectivePart() = default;
  virtual std::string name() const = 0;
  // What the loop must compute for this part.
  virtual bool reads_source_graph() const { return false; }
  virtual bool reads_source_triples() const { return false; }
  // Parameters the part owns and trains (a discriminator, the bottleneck's σ).
  virtual std::vector<torch::Tensor> parameters() { return {}; }
  // Called on every step before any loss, in recipe order.
  virtual void prepare(Step&) {}
  // The weighted loss of this step; an undefined tensor when the part has nothing to add.
  virtual torch::Tensor loss(const Step& step) = 0;
  // After each epoch (without gradients): metrics to log, e.g. the discriminator's accuracy.
  virtual void after_epoch(const TransferTask&, CrossDomainModel&, uint64_t, EpochLog&) {}
};

using Objective = std::vector<std::unique_ptr<ObjectivePart>>;

// BPR (or BCE) of (users, positives) against (users, negatives) under representations in scoring
// form (CrossDomainModel::with_item_bias).
torch::Tensor ranking_loss(const std::string& loss, const gnn::Representations& scoring, const gnn::Triples& batch);


// The parts, by the names in the table above.
namespace parts {
std::unique_ptr<ObjectivePart> target_ranking();
// user_weights: [users] per-user weights of the source pairs (instance weighting); empty: 1.
std::unique_ptr<ObjectivePart> source_ranking(double weight, std::vector<float> user_weights = {});
std::unique_ptr<ObjectivePart> bridge(const TransferTask& task, double weight);
std::unique_ptr<ObjectivePart> reverse_bridge(const TransferTask& task, double weight);
// kind: "adversarial", "mmd" or "coral" (alignment_names()).
std::unique_ptr<ObjectivePart> alignment(const std::string& kind, const TransferTask& task, int64_t dim);
std::vector<std::string> alignment_names();
// Anchored at the model's current parameters (call after pretraining), except item tables and biases.
std::unique_ptr<ObjectivePart> l2sp(const CrossDomainModel& model, double weight);
std::unique_ptr<ObjectivePart> bottleneck_kl(const TransferTask& task, int64_t dim);
std::unique_ptr<ObjectivePart> info_nce(const TransferTask& task, double weight);
}  // namespace parts

}  // namespace graft::transfer
