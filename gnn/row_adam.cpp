#include "gnn/row_adam.h"

#include <cmath>

namespace graft::gnn {

RowAdam::RowAdam(torch::Tensor table, double lr, double beta1, double beta2, double eps)
    : table_(std::move(table)), lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {
  TORCH_CHECK(table_.dim() == 2, "RowAdam: the table must be 2-D, got ", table_.dim(), "-D");
  m_ = torch::zeros_like(table_);
  v_ = torch::zeros_like(table_);
}

void RowAdam::step(const torch::Tensor& rows, const torch::Tensor& grad) {
  TORCH_CHECK(grad.size(0) == rows.size(0), "RowAdam: ", rows.size(0), " rows, ", grad.size(0), " gradient rows");
  torch::NoGradGuard no_grad;
  ++steps_;
  const torch::Tensor m = m_.index_select(0, rows).mul_(beta1_).add_(grad, 1.0 - beta1_);
  const torch::Tensor v = v_.index_select(0, rows).mul_(beta2_).addcmul_(grad, grad, 1.0 - beta2_);
  m_.index_copy_(0, rows, m);
  v_.index_copy_(0, rows, v);
  const double correction1 = 1.0 - std::pow(beta1_, static_cast<double>(steps_));
  const double correction2 = 1.0 - std::pow(beta2_, static_cast<double>(steps_));
  const torch::Tensor denominator = (v / correction2).sqrt_().add_(eps_);
  table_.index_add_(0, rows, m.div(denominator).mul_(-lr_ / correction1));
}

}  // namespace graft::gnn
