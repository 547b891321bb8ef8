// LowRankUpdate: the trainable piece of LoRA (Hu et al., 2021), a rank-r update A·B added to a
// frozen matrix W, so fine-tuning trains r·(rows + cols) numbers instead of rows·cols:
//
//   apply(W) = W + A·B        A [rows, r] ~ U(-1/√rows, 1/√rows) from `seed`, B [r, cols] = 0
//
// B starts at zero, so apply(W) is exactly W until B is trained. The Encoder wraps its weight
// matrices with it (EncoderImpl::add_lora); it serves any matrix of the same shape, e.g. an
// embedding table (users [U, d] + A·B).
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace graft::gnn {

class LowRankUpdateImpl : public torch::nn::Cloneable<LowRankUpdateImpl> {
 public:
  // rows, cols and rank must be positive.
  LowRankUpdateImpl(int64_t rows, int64_t cols, int64_t rank, uint64_t seed);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  torch::Tensor delta() const;                             // A·B [rows, cols]
  torch::Tensor apply(const torch::Tensor& weight) const;  // weight [rows, cols] + A·B
  using torch::nn::Module::apply;                          // Module's apply(function) stays visible

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t rank() const { return rank_; }

  torch::Tensor A, B;

 private:
  int64_t rows_, cols_, rank_;
  uint64_t seed_;
};
TORCH_MODULE(LowRankUpdate);

}  // namespace graft::gnn
