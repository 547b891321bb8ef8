// Training losses over logits of positive and sampled negative (user, item) pairs.
//
// Shapes: positive [B]; negative [B] (one negative per positive) or [B, n] (n per positive).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace graft::gnn {

// Bayesian personalised ranking: mean over pairs of -log σ(pos - neg) = softplus(neg - pos),
// which stays finite for any logit gap. A [B, n] negative is compared with its row's positive.
torch::Tensor bpr_loss(const torch::Tensor& positive, const torch::Tensor& negative);

// Binary cross-entropy on logits: positives labelled 1, negatives 0, mean over all B + B·n
// logits (softplus(-pos) and softplus(neg), numerically stable).
torch::Tensor bce_loss(const torch::Tensor& positive, const torch::Tensor& negative);

// The named loss: "bpr" or "bce"; UsageError naming the value and the valid names otherwise.
torch::Tensor pairwise_loss(const std::string& name, const torch::Tensor& positive, const torch::Tensor& negative);
std::vector<std::string> loss_names();

// The L2 term of the reference LightGCN: weight_decay · ½ · squared_norms / batch_size, where
// squared_norms is Recommender::batch_l2 (the batch's layer-0 embeddings).
torch::Tensor l2_regularizer(const torch::Tensor& squared_norms, int64_t batch_size, double weight_decay);

}  // namespace graft::gnn
