// The LibTorch side of the cuSPARSE backend: turns tensors into the raw pointers of
// gnn/cuda/cusparse_spmm.h. It uses no CUDA LibTorch API, so it builds against the CPU
// LibTorch too; work goes to the legacy default stream, which is also LibTorch's default
// current stream, so it is ordered with the surrounding tensor operations.
#include "gnn/spmm_kernels.h"

#if GRAFT_WITH_CUDA
#include "gnn/cuda/cusparse_spmm.h"
#endif

namespace graft::gnn::detail {

#if GRAFT_WITH_CUDA
namespace {

cuda::CsrView device_view(const Csr& a, int64_t rows, int64_t cols) {
  cuda::CsrView view;
  view.rows = rows;
  view.cols = cols;
  view.nnz = a.col.numel();
  view.row_ptr = a.row_ptr.data_ptr();
  view.col = a.col.data_ptr();
  view.value = a.value.data_ptr();
  view.index_type = a.row_ptr.scalar_type() == torch::kInt32 ? cuda::IndexType::kInt32 : cuda::IndexType::kInt64;
  view.value_type = a.value.scalar_type() == torch::kFloat32 ? cuda::ValueType::kFloat32 : cuda::ValueType::kFloat64;
  return view;
}

constexpr cudaStream_t kDefaultStream = nullptr;

}  // namespace

torch::Tensor csr_spmm_cuda(const Csr& a, int64_t rows, const torch::Tensor& x) {
  torch::Tensor y = torch::empty({rows, x.size(1)}, x.options());
  cuda::csr_spmm(device_view(a, rows, x.size(0)), x.data_ptr(), y.data_ptr(), x.size(1), x.device().index(),
                 kDefaultStream);
  return y;
}

torch::Tensor csr_sddmm_cuda(const Csr& a, int64_t rows, const torch::Tensor& dy, const torch::Tensor& x) {
  torch::Tensor g = torch::empty({a.col.numel()}, x.options());
  cuda::csr_sddmm(device_view(a, rows, x.size(0)), dy.data_ptr(), x.data_ptr(), g.data_ptr(), x.size(1),
                  x.device().index(), kDefaultStream);
  return g;
}

#else

torch::Tensor csr_spmm_cuda(const Csr&, int64_t, const torch::Tensor&) {
  TORCH_CHECK(false, "spmm: graft was built without CUDA");
}

torch::Tensor csr_sddmm_cuda(const Csr&, int64_t, const torch::Tensor&, const torch::Tensor&) {
  TORCH_CHECK(false, "spmm: graft was built without CUDA");
}

#endif

}  // namespace graft::gnn::detail
