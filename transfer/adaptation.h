// The training loops of transfer methods.
//
// pretrain_source: BPR (or BCE) on the source training graph alone (gnn::train through a
// DomainView), options.pretrain.
//
// adapt: one loop for every adaptation recipe. Per batch of target triples it minimises
//     L_target(graph)                         BPR/BCE + L2 on the target (or union) graph
//   + source_weight · L_source                keep the source task (optionally per-user weighted)
//   + bridge_weight · L_bridge                the batch's triples of users active in both domains,
//                                             scored from their source-graph representations
//   + alignment(h_S[users_S], h_T[users_T])   adversarial (GRL + discriminator), MMD or CORAL on
//                                             source-graph vs target-graph user representations
//   + l2sp_weight · ‖w − w_anchor‖²           L2-SP toward the pretrained weights
//   + kl_weight · KL                          variational bottleneck: user representations are
//                                             sampled z = h + σ(h)ε; KL over the batch's users
//   + contrastive_weight · InfoNCE            a shared user's source-graph vs target-graph rows
//   + bridge_weight · L_reverse_bridge        (reverse_bridge) the source batch's triples of users
//                                             active in both domains, scored from their
//                                             target-graph representations
// with Adam over the parameter groups the fine-tuning mode leaves trainable (frozen groups get
// no gradient), validating on the target every eval_every epochs with the scoring the method
// will use, and restoring the best epoch.
#pragma once

#include "transfer/cross_domain_model.h"
#include "transfer/method.h"

#include <chrono>
#include <functional>

namespace graft::transfer {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start);

// An int64 index tensor holding a copy of v.
torch::Tensor as_index(const std::vector<int64_t>& v);

// task.cold as a [users, 1] bool column (true: cold-start user of the target).
torch::Tensor cold_column(const TransferTask& task);
// log(1 + training interactions) of each target item, [target items, 1] double.
torch::Tensor log_popularity(const TransferTask& task);
// Whether each domain has at least 2 active users (what a discrepancy measure needs).
bool has_both_sides(const TransferTask& task);

// Target scoring representations from the model in its current state.
using ScoringFunction = std::function<gnn::Representations(CrossDomainModel&)>;

// users = target-graph representations, except cold-start users: their source-graph ones.
gnn::Representations cold_from_source_graph(CrossDomainModel& model);
// The (item, user) edges of a [users | items]² training graph (TransferTask's layout) whose user
// is one of `users`, item ids counted from 0, in CSR order: {items [E], users [E]}, int64.
struct ItemUserEdges {
  torch::Tensor items, users;
};
ItemUserEdges item_user_edges(const gnn::SparseGraph& graph, int64_t num_users, const std::vector<int64_t>& users);

// Cold-start users read through the users active in both domains: two propagation steps over the
// source graph, user → its source items → the shared users who also took them, collecting those
// shared users' target-graph representations with symmetric (LightGCN-style) weights:
//     h_u = Σ_{v ∈ N_S(u), S_v ≠ ∅} (1/√n_u) · (1/√|S_v|) Σ_{s ∈ S_v} h_s^T
// where S_v is the set of shared users who took source item v and n_u counts u's items with a
// non-empty S_v. It is item-to-item collaborative filtering across domains carried out in
// representation space; 1/√|S_v| rather than a mean lets items many shared users took weigh more
// (on the Amazon pair it gave the better validation MRR of the two). A user none of whose source
// items reaches a shared user gets zero, so its score is the item bias, i.e. popularity.
// Shapes: target-graph users [U, d] → [U, d].
class SharedNeighbourhood {
 public:
  explicit SharedNeighbourhood(const TransferTask& task);
  torch::Tensor operator()(const torch::Tensor& target_users) const;

 private:
  gnn::SparseGraph user_item_, item_shared_;  // [U, I_s] and [I_s, U], row-normalised
};

// users = target-graph representations, except cold-start users:
// mix · SharedNeighbourhood(target-graph users) + (1 − mix) · their source-graph representation.
ScoringFunction cold_from_shared_neighbourhood(const TransferTask& task, double mix);
// items = the union graph's target items, users = union-graph representations.
gnn::Representations union_scoring(CrossDomainModel& model);
// Appends a popularity column: warm users score h_u·h_i, cold-start users score log(1+pop_i).
gnn::Representations with_popularity_fallback(const gnn::Representations& reps, const TransferTask& task);

struct AdaptationPlan {
  std::string phase = "adapt";
  GraphKind graph = GraphKind::kTarget;  // kUnion: joint training on both domains
  std::string finetune_mode = "full";    // FinetuneOptions::mode
  double source_weight = 0.0;
  double bridge_weight = 0.0;            // TransferOptions::bridge_weight (source-graph scoring only)
  std::vector<float> source_user_weights;  // [users], empty: 1
  std::string alignment;                 // "" | "adversarial" | "mmd" | "coral"
  std::vector<torch::Tensor> anchor;     // L2-SP anchor (model.snapshot()), empty: none
  double kl_weight = 0.0;                // > 0: variational bottleneck (BottleneckOptions)
  double contrastive_weight = 0.0;       // > 0: InfoNCE over shared users (BottleneckOptions)
  bool reverse_bridge = false;           // also bridge target-graph users to source items (needs source_weight > 0)
  ScoringFunction scoring = cold_from_source_graph;
};

void pretrain_source(CrossDomainModel& model, const TransferTask& task, FitLog& log);

void adapt(CrossDomainModel& model, const TransferTask& task, const AdaptationPlan& plan, FitLog& log);

// Validation metrics of `reps` on the task (empty when the split has no validation cases).
Metrics validate_target(const TransferTask& task, const gnn::Representations& reps);

// Up to `count` source-graph rows of source-active users and target-graph rows of target-active
// users, seeded, as a plain sample for plots.
RepresentationSample sample_representations(const TransferTask& task, const torch::Tensor& source_users,
                                            const torch::Tensor& target_users, int64_t count, uint64_t seed);

// Up to `count` rows of each representation set, rows drawn at random from `users`, seeded.
torch::Tensor sample_rows(const torch::Tensor& reps, const std::vector<int64_t>& users, int64_t count, uint64_t seed);

}  // namespace graft::transfer
