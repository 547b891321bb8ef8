#include "gnn/losses.h"

#include "graph_io/errors.h"

namespace graft::gnn {

namespace {

// [B] positives against [B] or [B, n] negatives.
torch::Tensor broadcast_positive(const torch::Tensor& positive, const torch::Tensor& negative) {
  TORCH_CHECK(positive.dim() == 1, "loss: positive logits must be [B], got ", positive.sizes());
  TORCH_CHECK((negative.dim() == 1 || negative.dim() == 2) && negative.size(0) == positive.size(0),
              "loss: negative logits must be [B] or [B, n] with B = ", positive.size(0), ", got ",
              negative.sizes());
  return negative.dim() == 2 ? positive.unsqueeze(1) : positive;
}

}  // namespace

torch::Tensor bpr_loss(const torch::Tensor& positive, const torch::Tensor& negative) {
  return torch::softplus(negative - broadcast_positive(positive, negative)).mean();
}

torch::Tensor bce_loss(const torch::Tensor& positive, const torch::Tensor& negative) {
  broadcast_positive(positive, negative);
  const double count = static_cast<double>(positive.numel() + negative.numel());
  return (torch::softplus(-positive).sum() + torch::softplus(negative).sum()) / count;
}

std::vector<std::string> loss_names() { return {"bpr", "bce"}; }

torch::Tensor pairwise_loss(const std::string& name, const torch::Tensor& positive, const torch::Tensor& negative) {
  if (name == "bpr") return bpr_loss(positive, negative);
  if (name == "bce") return bce_loss(positive, negative);
  throw io::UsageError("unknown loss '" + name + "'; valid losses: bpr, bce");
}

torch::Tensor l2_regularizer(const torch::Tensor& squared_norms, int64_t batch_size, double weight_decay) {
  TORCH_CHECK(batch_size > 0, "l2_regularizer: batch_size must be positive, got ", batch_size);
  return squared_norms * (0.5 * weight_decay / static_cast<double>(batch_size));
}

}  // namespace graft::gnn
