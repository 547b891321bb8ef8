// The pieces of the "vib" method (after CDRIB: Cao et al., "Cross-Domain Recommendation to
// Cold-Start Users via Variational Information Bottleneck", ICDE 2022).
//
// VariationalBottleneck: a user representation h becomes, while training, a sample
//     z = h + σ(h) ⊙ ε,   ε ~ N(0, I),   log σ(h) = W h + b
// and each row pays KL(N(h, diag σ²) ‖ N(0, I)) = ½ Σ_d (h_d² + σ_d² − 1 − 2 log σ_d) for the
// information it keeps. Noise on the representation a cold-start user is scored from is what
// keeps the 1–2 thousand users active in both domains from being memorised. In eval mode z = h.
// W starts at zero and b at log(init_sigma); log σ is clamped to [−10, 2]. The noise comes from
// the global generator (seeded by the caller).
//
// info_nce: the contrastive term tying a shared user's two representations together,
//     ½ [CE(S Tᵀ/τ, diag) + CE(T Sᵀ/τ, diag)]   on L2-normalised rows,
// row k of `a` and row k of `b` being the same user (a positive pair) and every other row of the
// other set a negative (van den Oord et al. 2018). Rows must be distinct users.
//
// Shapes: h [N, d] → {z [N, d], kl [N]}; info_nce(a [N, d], b [N, d], τ) → scalar, N ≥ 1.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <utility>

namespace graft::transfer {

class VariationalBottleneckImpl : public torch::nn::Module {
 public:
  VariationalBottleneckImpl(int64_t dim, double init_sigma);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& h);
  // log σ(h) [N, d], clamped.
  torch::Tensor log_sigma(const torch::Tensor& h);

 private:
  torch::nn::Linear scale_{nullptr};
};
TORCH_MODULE(VariationalBottleneck);

// KL(N(mean, diag exp(log_sigma)²) ‖ N(0, I)) per row: [N].
torch::Tensor gaussian_kl(const torch::Tensor& mean, const torch::Tensor& log_sigma);

torch::Tensor info_nce(const torch::Tensor& a, const torch::Tensor& b, double temperature);

}  // namespace graft::transfer
