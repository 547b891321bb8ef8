// Adam on the rows of one table that a step touched (the "lazy" Adam of TensorFlow's LazyAdam and
// PyTorch's SparseAdam): rows outside the step keep their values and moments. With sampled
// subgraphs a step reads a few thousand rows of a table of millions; dense Adam would still touch
// every row (and allocate a dense gradient), which makes an epoch cost steps × table size.
// Bias correction uses the number of steps taken, as SparseAdam does.
#pragma once

#include <torch/torch.h>

namespace graft::gnn {

class RowAdam {
 public:
  // table: the parameter to update in place, [rows, d].
  RowAdam(torch::Tensor table, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

  void set_lr(double lr) { lr_ = lr; }
  // One step on `rows` (distinct int64 indices) with their gradient rows [rows, d].
  void step(const torch::Tensor& rows, const torch::Tensor& grad);

 private:
  torch::Tensor table_, m_, v_;
  double lr_, beta1_, beta2_, eps_;
  int64_t steps_ = 0;
};

}  // namespace graft::gnn
