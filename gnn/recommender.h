// Recommender: the interface the trainer and the evaluators work against. A recommender holds
// its own graph and parameters; `represent()` runs the model once over the whole graph and the
// scoring functions rank items from those representations, so one propagation serves a batch
// (training) or every user (evaluation).
//
// Shapes: Representations::users [U, d], items [I, d]; users/items index tensors are int64.
#pragma once

#include <torch/torch.h>

#include <string>

#include "gnn/neighbor_sampler.h"

namespace graft::gnn {

struct Representations {
  torch::Tensor users;  // [U, d]
  torch::Tensor items;  // [I, d]
};

class Recommender : public torch::nn::Module {
 public:
  // Final user and item representations (differentiable).
  virtual Representations represent() = 0;

  // Logit of each (users[b], items[b]) pair: [B]. Default: dot product.
  virtual torch::Tensor score_pairs(const Representations& r, const torch::Tensor& users,
                                    const torch::Tensor& items);

  // Logits of the given users against every item: [B, I]. Default: dot product.
  virtual torch::Tensor score_all_items(const Representations& r, const torch::Tensor& users);

  // Sum over the batch of the squared L2 norms of the parameters the batch touches (the ID
  // embeddings of its users and items before propagation), for the L2 regulariser.
  virtual torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                                 const torch::Tensor& neg_items) = 0;

  virtual std::string model_name() const = 0;

  // Moves the parameters and whatever the model propagates over to `device` (gnn/device.h).
  // Default: the CPU only; UsageError naming the model for any other device.
  virtual void move_to(torch::Device device);

  // Sampled training (gnn/neighbor_sampler.h): the square adjacency the model propagates over, or
  // nullptr when it cannot be trained on sampled subgraphs; and its number of propagation layers.
  virtual const SparseGraph* propagation_graph() const { return nullptr; }
  virtual int64_t propagation_layers() const { return 0; }
  // The layer-0 table the propagation reads, [nodes, d] in the graph's node order (undefined for
  // models without one), and the seeds' final representations from the input layer's rows of it
  // ([|F_0|, d], gathered in blocks.nodes order; a detached copy for row-wise updates).
  virtual torch::Tensor node_table() { return {}; }
  virtual torch::Tensor propagate_seeds(const SampledBlocks& blocks, const torch::Tensor& input_rows);
  // The final representations of the blocks' seeds, [seeds, d] in seed order (node ids: users,
  // then items at users + i), equal to represent()'s rows when no neighbour was left out:
  // propagate_seeds over node_table()'s rows. std::logic_error for models without a
  // propagation_graph().
  torch::Tensor represent_seeds(const SampledBlocks& blocks);
};

}  // namespace graft::gnn
