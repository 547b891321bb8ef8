// Statistical alignment losses between source representations x [n, d] and target
// representations y [m, d] (→ scalar), alternatives to the adversary.
//
//   MMD²   biased (V-statistic) estimate of the squared maximum mean discrepancy with the kernel
//          k(a, b) = (1/J) Σ_j exp(−‖a − b‖² / s_j), averaged over J bandwidths:
//          mean K(x, x) + mean K(y, y) − 2 mean K(x, y). The V-statistic is a squared RKHS norm,
//          so it is ≥ 0 and exactly 0 when the two samples are the same set; it lies in [0, 2].
//   CORAL  ‖C_x − C_y‖²_F / (4 d²), C the unbiased (n − 1) feature covariance (Sun & Saenko,
//          "Deep CORAL", ECCV-W 2016).
// MMD builds the (n + m)² distance matrix: meant for batches (AlignOptions::batch_users), not
// whole user tables.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "transfer/transfer_options.h"

namespace graft::transfer {

// MMD² with absolute kernel scales s_j > 0 (the squared-distance divisors above). n, m ≥ 1.
torch::Tensor gaussian_mmd(const torch::Tensor& x, const torch::Tensor& y, const std::vector<double>& scales);

// The median of ‖z_a − z_b‖² over pairs a < b of the rows of z (at least 2 rows), detached.
double median_squared_distance(const torch::Tensor& z);

// MMD² with s_j = bandwidths[j] · median_squared_distance([x; y]); the median is a constant for
// autograd (gradients flow through the kernel only). A median of 0 (mostly repeated rows) is
// raised to the smallest positive double so the kernel stays defined.
torch::Tensor mmd_loss(const torch::Tensor& x, const torch::Tensor& y, const std::vector<double>& bandwidths);

// Deep CORAL. n, m ≥ 2.
torch::Tensor coral_loss(const torch::Tensor& x, const torch::Tensor& y);

// "mmd" (with options.bandwidths) or "coral"; UsageError naming the value and the valid names otherwise.
torch::Tensor alignment_loss(const std::string& name, const torch::Tensor& x, const torch::Tensor& y,
                             const AlignOptions& options);
std::vector<std::string> alignment_loss_names();  // "mmd", "coral"

}  // namespace graft::transfer
