#include "gnn/low_rank.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <ostream>

namespace graft::gnn {

LowRankUpdateImpl::LowRankUpdateImpl(int64_t rows, int64_t cols, int64_t rank, uint64_t seed)
    : rows_(rows), cols_(cols), rank_(rank), seed_(seed) {
  reset();
}

void LowRankUpdateImpl::reset() {
  TORCH_CHECK(rows_ > 0 && cols_ > 0, "LowRankUpdate: the matrix must have positive size, got ", rows_, " x ", cols_);
  TORCH_CHECK(rank_ > 0, "LowRankUpdate: rank must be positive, got ", rank_);
  A = register_parameter("A", torch::empty({rows_, rank_}));
  B = register_parameter("B", torch::empty({rank_, cols_}));
  reset_parameters();
}

// A as PEFT draws its down-projection (Kaiming-uniform with a = √5: bound 1/√fan_in, the fan-in
// being the rows A·B adds to); B at zero.
void LowRankUpdateImpl::reset_parameters() {
  at::Generator generator = at::detail::createCPUGenerator(seed_);
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(rows_));
  A.uniform_(-bound, bound, generator);
  B.zero_();
}

void LowRankUpdateImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::LowRankUpdate(rows=" << rows_ << ", cols=" << cols_ << ", rank=" << rank_ << ")";
}

torch::Tensor LowRankUpdateImpl::delta() const { return A.mm(B); }

torch::Tensor LowRankUpdateImpl::apply(const torch::Tensor& weight) const {
  TORCH_CHECK(weight.dim() == 2 && weight.size(0) == rows_ && weight.size(1) == cols_,
              "LowRankUpdate: the weight must be [", rows_, ", ", cols_, "], got ", weight.sizes());
  return weight + delta();
}

}  // namespace graft::gnn
