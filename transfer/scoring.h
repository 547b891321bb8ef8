// How a method scores the target once trained: representations of every user (cold-start users
// from their source-domain evidence) and every target item, score(u, i) = users[u] · items[i].
//
//   cold_from_source_graph        cold-start users: their source-graph representation
//   cold_from_shared_neighbourhood cold-start users: read through the shared users their source
//                                  items lead to (SharedNeighbourhood), mixed with their own
//   union_scoring                 joint training: the union graph's users and target items
//   with_popularity_fallback      cold-start users score target item popularity (target_only)
//
// Every scoring form carries the model's item bias (CrossDomainModel::with_item_bias).
#pragma once

#include "transfer/cross_domain_model.h"
#include "transfer/transfer_report.h"

#include <functional>

namespace graft::transfer {

// Target scoring representations from the model in its current state.
using ScoringFunction = std::function<gnn::Representations(CrossDomainModel&)>;

// users = target-graph representations, except cold-start users: their source-graph ones.
gnn::Representations cold_from_source_graph(CrossDomainModel& model);

// The (item, user) edges of a domain training graph whose user is one of `users`, item ids
// counted from 0, in CSR order: {items [E], users [E]}, int64. Category nodes are ignored.
struct ItemUserEdges {
  torch::Tensor items, users;
};
ItemUserEdges item_user_edges(const gnn::TypedGraph& graph, const std::vector<int64_t>& users);

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

// Validation metrics of `reps` on the task (empty when the split has no validation cases).
Metrics validate_target(const TransferTask& task, const gnn::Representations& reps);

// Up to `count` source-graph rows of source-active users and target-graph rows of target-active
// users, seeded, as a plain sample for plots.
RepresentationSample sample_representations(const TransferTask& task, const torch::Tensor& source_users,
                                            const torch::Tensor& target_users, int64_t count, uint64_t seed);

// Up to `count` rows of each representation set, rows drawn at random from `users`, seeded.
torch::Tensor sample_rows(const torch::Tensor& reps, const std::vector<int64_t>& users, int64_t count, uint64_t seed);

}  // namespace graft::transfer
