// How far apart source and target representations are, for the report's before/after lines.
//
//   linear MMD  ‖mean(x) − mean(y)‖².
//   proxy A-distance (Ben-David et al. 2007)  2(1 − 2ε), ε the held-out error of a linear domain
//          classifier, clamped to [0, 2]: 0 when the domains are indistinguishable, 2 when a
//          hyperplane separates them. The classifier: the larger set subsampled to the size of
//          the smaller, 30% of each domain held out, features standardised with the training
//          part's mean and standard deviation, L2-regularised logistic regression (weight 1e-3
//          on the mean loss) fitted full-batch by L-BFGS.
// Computed in float64 on the CPU without gradients; the subsample and split come from `seed`,
// so the result is a function of the inputs and the seed.
//
// Shapes: source_reps [Ns, d], target_reps [Nt, d], Ns, Nt ≥ 2.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "transfer/transfer_report.h"

namespace graft::transfer {

Discrepancy measure_discrepancy(const torch::Tensor& source_reps, const torch::Tensor& target_reps, uint64_t seed);

double linear_mmd(const torch::Tensor& source_reps, const torch::Tensor& target_reps);

// The held-out error ε behind the proxy A-distance (0.5 is chance).
double domain_classifier_error(const torch::Tensor& source_reps, const torch::Tensor& target_reps, uint64_t seed);

}  // namespace graft::transfer
