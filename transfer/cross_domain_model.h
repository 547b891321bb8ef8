// CrossDomainModel: one user table shared by every domain (users are global ids), an item table
// per domain, and one Encoder applied to whichever graph is asked for. A user's source-graph
// representation and its target-graph representation come from the same parameters, which is
// what lets a cold-start user (no target edges) be scored in the target from its source graph.
//
// Every score is h_u·h_i + b_i (with_item_bias): the item bias carries popularity, which is the
// one thing a cold-start user's representation cannot.
//
// Views adapt the model to gnn::Recommender so gnn::train and gnn's evaluators drive it:
//   DomainView(model, kind)   represent() = the encoder over that graph (users, that graph's items);
//                             for the union graph the items are the target's.
// The union graph has one node per linked pair of items (transfer_task.h); represent(kUnion)
// still returns [source items; target items], a linked pair as two copies of its node's row.
//   FixedRecommender(reps)    fixed representations (evaluation of a finished method).
//
// Node inputs x = [users; items of the graph; categories] (the typed graph's layout, categories
// shared across domains by name). Users and items enter through a gnn::NodeInput each
// (options.features): their ID embeddings, their projected features, or both; one item projection
// serves both domains' items (the content bridge), and an item without training interactions
// stands on its features alone.
//
// Shapes: users [U, dim], source_items [I_s, dim], target_items [I_t, dim], categories [C, dim];
// representations [*, encoder.out_dim()].
#pragma once

#include "gnn/encoder.h"
#include "gnn/feature_input.h"
#include "gnn/low_rank.h"
#include "gnn/recommender.h"
#include "transfer/transfer_task.h"

#include <memory>

namespace graft::transfer {

class CrossDomainModel : public torch::nn::Module {
 public:
  // Shares ownership of the task: the model reads its graphs whenever it represents.
  explicit CrossDomainModel(std::shared_ptr<const TransferTask> task);

  // Encoder output over the graph: {users [U, d'], items of that graph [I, d']}; for the union
  // graph, items are [source items; target items]. Category nodes take part in message passing
  // but are not returned.
  gnn::Representations represent(GraphKind kind);

  // Scoring form of representations of `kind`'s graph: a ones column on the users and each
  // item's learned bias on the items, so users[u]·items[i] = h_u·h_i + b_i. The bias carries an
  // item's popularity, which a cold-start user's representation alone cannot (kUnion: items are
  // the target's).
  gnn::Representations with_item_bias(const gnn::Representations& reps, GraphKind kind) const;

  // Sum of squared norms of the layer-0 embeddings a batch touches, for the L2 regulariser (plus the
  // encoder's batch_l2_share, its weights under encoder.decay_weights).
  // `kind` says whose item table the items index (the union graph: target items).
  torch::Tensor batch_l2(GraphKind kind, const torch::Tensor& users, const torch::Tensor& positives,
                         const torch::Tensor& negatives) const;

  // Shared items (task.linked_source_item): each linked target item's embedding and bias become
  // its source item's, the start of fine-tuning after source pretraining.
  void start_linked_items_from_source();

  const TransferTask& task() const { return *task_; }
  gnn::Encoder& encoder() { return encoder_; }
  const torch::Tensor& users() const { return users_; }
  const torch::Tensor& source_items() const { return source_items_; }
  const torch::Tensor& target_items() const { return target_items_; }
  const torch::Tensor& source_item_bias() const { return source_bias_; }
  const torch::Tensor& target_item_bias() const { return target_bias_; }
  // The pretrained tables: users, source items and their bias, categories (when the graphs have any).
  std::vector<torch::Tensor> pretrained_tables() const;

  // LoRA: low-rank updates of the user, source item and category tables and of every encoder
  // weight matrix, starting at zero (the model's function is unchanged until they train).
  // LoRA also updates the feature projections' weights.
  void add_lora(int64_t rank);
  std::vector<torch::Tensor> lora_parameters() const;

  // The feature projections (and the concat mix) of users and items; empty when no node type
  // reads features. Adapters on the projections' outputs, starting as the identity.
  std::vector<torch::Tensor> feature_parameters() const;
  void add_feature_adapters(int64_t bottleneck);
  std::vector<torch::Tensor> feature_adapter_parameters() const;

  // Copies of every parameter, and their restore, for best-epoch selection.
  std::vector<torch::Tensor> snapshot() const;
  void restore(const std::vector<torch::Tensor>& state);

 private:
  // A table with its low-rank update, when LoRA is on.
  torch::Tensor table(const torch::Tensor& base, const gnn::LowRankUpdate& update) const;
  // Layer-0 inputs of the items of `kind`'s graph.
  torch::Tensor item_inputs(GraphKind kind);
  std::vector<gnn::NodeInput*> node_inputs();
  // Whether `kind`'s graph has one node for each linked pair of items (the union graph).
  bool merges_linked_items(GraphKind kind) const;

  std::shared_ptr<const TransferTask> task_;
  torch::Tensor users_, source_items_, target_items_, categories_;  // categories_: [C, dim], C ≥ 0
  torch::Tensor source_bias_, target_bias_;  // [I_s], [I_t], start at zero
  gnn::Encoder encoder_{nullptr};
  gnn::NodeInput user_input_{nullptr}, item_input_{nullptr};
  gnn::LowRankUpdate users_lora_{nullptr}, source_items_lora_{nullptr}, categories_lora_{nullptr};
};

// The model seen through one graph, as a gnn::Recommender (the model is a registered submodule,
// so parameters() and train()/eval() reach it).
class DomainView : public gnn::Recommender {
 public:
  DomainView(std::shared_ptr<CrossDomainModel> model, GraphKind kind);
  gnn::Representations represent() override;
  torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& positives,
                         const torch::Tensor& negatives) override;
  std::string model_name() const override { return "cross_domain"; }

 private:
  std::shared_ptr<CrossDomainModel> model_;
  GraphKind kind_;
};

class FixedRecommender : public gnn::Recommender {
 public:
  explicit FixedRecommender(gnn::Representations reps) : reps_(std::move(reps)) {}
  gnn::Representations represent() override { return reps_; }
  torch::Tensor batch_l2(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) override;
  std::string model_name() const override { return "fixed"; }

 private:
  gnn::Representations reps_;
};

}  // namespace graft::transfer
