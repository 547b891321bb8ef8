// Recommender: the interface the trainer and the evaluators work against. A recommender holds
// its own graph and parameters; `represent()` runs the model once over the whole graph and the
// scoring functions rank items from those representations, so one propagation serves a batch
// (training) or every user (evaluation).
//
// Shapes: Representations::users [U, d], items [I, d]; users/items index tensors are int64.
#pragma once

#include <torch/torch.h>

#include <string>

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
};

}  // namespace graft::gnn
