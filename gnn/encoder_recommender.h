// EncoderRecommender: ID embeddings fed through an Encoder over the domain graph (a SparseGraph,
// or a TypedGraph for relation-typed layers),
//
//   H = encoder(Â, E)      E [U + I (+ C), dim] layer-0 ID embeddings in the graph's node order
//                          (item rows through a NodeInput with use_item_features)
//   score(u, i) = h_u · h_i + b                     a logit; the loss applies σ
//
// E is drawn N(0, init_std²) from a generator seeded by the encoder's seed (the layers use seeds
// derived from it), so the model is a function of its options. batch_l2 covers the batch's rows
// of E, as in LightGCN (and, with decay_weights, the encoder's weights once a step). Category nodes (a graph built with categories) get embeddings too but
// are never scored.
//
// Shapes: represent() → users [U, out_dim], items [I, out_dim].
#pragma once

#include <torch/torch.h>

#include <string>

#include "gnn/encoder.h"
#include "gnn/feature_input.h"
#include "gnn/recommender.h"
#include "gnn/sparse_graph.h"
#include "gnn/typed_graph.h"

namespace graft::gnn {

class EncoderRecommender : public Recommender {
 public:
  // graph: layout.total() × layout.total(), normalised as the encoder's layer expects.
  EncoderRecommender(const EncoderOptions& encoder, double init_std, const NodeLayout& layout, SparseGraph graph);
  // The encoder runs on the typed graph (its layout is the node layout).
  EncoderRecommender(const EncoderOptions& encoder, double init_std, TypedGraph graph);
  void reset_parameters();
  // Items enter through a NodeInput over their features (gnn/feature_input.h) instead of their ID
  // rows alone; trained [items] bool marks items with training interactions.
  void use_item_features(const NodeInputOptions& options, NodeFeatures features, torch::Tensor trained);

  Representations represent() override;
  torch::Tensor score_pairs(const Representations& r, const torch::Tensor& users, const torch::Tensor& items) override;
  torch::Tensor score_all_items(const Representations& r, const torch::Tensor& users) override;
  torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                         const torch::Tensor& neg_items) override;
  std::string model_name() const override { return "encoder"; }
  void pretty_print(std::ostream& stream) const override;

  Encoder& encoder() { return encoder_; }
  const torch::Tensor& embedding() const { return embedding_; }

 private:
  double init_std_;
  TypedGraph graph_;  // an untyped graph: graph_.full, no relations, typed_ false
  bool typed_;
  torch::Tensor embedding_, bias_;
  Encoder encoder_{nullptr};
  NodeInput item_input_{nullptr};
  NodeFeatures item_features_;
  torch::Tensor item_trained_;
};

// The graph an encoder layer expects: symmetric normalisation, with self-loops for gcn and gat
// (GCN's Â = D^-½(A + I)D^-½; a GAT node attends to itself).
GraphOptions encoder_graph_options(const EncoderOptions& encoder);

}  // namespace graft::gnn
