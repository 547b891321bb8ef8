// The domain discriminator of adversarial alignment: an MLP giving one logit per representation,
// positive for "source" (label 1), negative for "target" (label 0).
//
//   layers = 1: logistic regression, Linear(in, 1).
//   layers = L ≥ 2: (Linear → ReLU → Dropout) × (L − 1) with width `hidden`, then Linear(hidden, 1).
// Weights and biases start U(−1/√fan_in, 1/√fan_in) (LibTorch's Linear default) drawn from a CPU
// generator seeded by `seed`, so the module is a function of its options alone (dropout, when
// on, uses the global generator).
//
// Shapes: reps [N, in] → logits [N].
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <ostream>

namespace graft::transfer {

struct DomainDiscriminatorOptions {
  DomainDiscriminatorOptions(int64_t in, int64_t hidden) : in_(in), hidden_(hidden) {}
  TORCH_ARG(int64_t, in);           // representation width, ≥ 1
  TORCH_ARG(int64_t, hidden);       // hidden width, ≥ 1 (unused when layers = 1)
  TORCH_ARG(int64_t, layers) = 2;   // linear layers, ≥ 1
  TORCH_ARG(double, dropout) = 0.0; // in [0, 1)
  TORCH_ARG(uint64_t, seed) = 0;
};

class DomainDiscriminatorImpl : public torch::nn::Cloneable<DomainDiscriminatorImpl> {
 public:
  explicit DomainDiscriminatorImpl(const DomainDiscriminatorOptions& options);
  void reset() override;
  void reset_parameters();
  torch::Tensor forward(const torch::Tensor& reps);
  void pretty_print(std::ostream& stream) const override;

  DomainDiscriminatorOptions options;

 private:
  torch::nn::ModuleList linears_;
};
TORCH_MODULE(DomainDiscriminator);

// The DANN domain loss: binary cross-entropy with logits of disc(GRL(reps, λ)), source rows
// labelled 1 and target rows 0, each set's mean weighted ½ so unequal set sizes count equally.
// Minimising it trains the discriminator; the reversal makes the same step push the
// representations toward domain confusion. Shapes: source_reps [Ns, in], target_reps [Nt, in] → scalar.
torch::Tensor domain_adversarial_loss(DomainDiscriminator& disc, const torch::Tensor& source_reps,
                                      const torch::Tensor& target_reps, double lambda);

// Balanced accuracy ½(share of source rows with logit > 0 + share of target rows with logit ≤ 0),
// computed without gradients and with dropout off; 0.5 is chance. For logging alignment.
double discriminator_accuracy(DomainDiscriminator& disc, const torch::Tensor& source_reps,
                              const torch::Tensor& target_reps);

}  // namespace graft::transfer
