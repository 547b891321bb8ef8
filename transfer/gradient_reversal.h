// Gradient reversal (Ganin & Lempitsky, ICML 2015): the identity on the way forward, −λ times the
// incoming gradient on the way back. Placed between a feature extractor and a domain
// discriminator, one minimisation step trains the discriminator to tell the domains apart and
// the features to make them indistinguishable.
//
// Shapes: any x → the same shape. The backward is itself differentiable (double backward works).
#pragma once

#include <torch/torch.h>

namespace graft::transfer {

// Identity forward, grad ↦ −lambda · grad backward. lambda must be finite and ≥ 0.
torch::Tensor gradient_reversal(const torch::Tensor& x, double lambda);

// The DANN schedule λ_p = lambda_max · (2 / (1 + exp(−γ·p)) − 1), p = training progress
// clamped to [0, 1]: 0 at the start, rising to ≈ lambda_max (lambda_max · tanh(γ/2) at p = 1),
// so the adversary's noisy early gradients do not disturb the features.
double grl_lambda(double progress, double gamma, double lambda_max);

}  // namespace graft::transfer
