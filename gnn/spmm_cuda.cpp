// The LibTorch side of the cuSPARSE backend: turns tensors into the raw pointers of
// gnn/cuda/cusparse_spmm.h. Where LibTorch itself has CUDA (GRAFT_TORCH_CUDA), work goes to
// LibTorch's current stream of the tensors' device and cuSPARSE's workspace comes from LibTorch's
// caching allocator, so it is ordered with the surrounding tensor operations and shares their
// memory pool. Against a CPU-only LibTorch (Debian's) none of that API exists: work goes to the
// legacy default stream and the backend's own workspace cache.
#include "gnn/spmm_kernels.h"

#if GRAFT_WITH_CUDA
#include "gnn/cuda/cusparse_spmm.h"
#endif
#if GRAFT_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
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

#if GRAFT_TORCH_CUDA

cudaStream_t stream_of(const torch::Tensor& x) { return at::cuda::getCurrentCUDAStream(x.device().index()).stream(); }

// Stream-ordered, as the backend requires: a block freed after enqueuing is reused on its stream.
const cuda::WorkspaceAllocator kTorchWorkspace{
    [](size_t bytes, cudaStream_t stream) {
      return c10::cuda::CUDACachingAllocator::raw_alloc_with_stream(bytes, stream);
    },
    [](void* ptr, cudaStream_t) { c10::cuda::CUDACachingAllocator::raw_delete(ptr); }};
const cuda::WorkspaceAllocator* workspace_allocator() { return &kTorchWorkspace; }

#else

cudaStream_t stream_of(const torch::Tensor&) { return nullptr; }  // the legacy default stream
const cuda::WorkspaceAllocator* workspace_allocator() { return nullptr; }  // the backend's cache

#endif

}  // namespace

torch::Tensor csr_spmm_cuda(const Csr& a, int64_t rows, const torch::Tensor& x) {
  torch::Tensor y = torch::empty({rows, x.size(1)}, x.options());
  cuda::csr_spmm(device_view(a, rows, x.size(0)), x.data_ptr(), y.data_ptr(), x.size(1), x.device().index(),
                 stream_of(x), workspace_allocator());
  return y;
}

torch::Tensor csr_sddmm_cuda(const Csr& a, int64_t rows, const torch::Tensor& dy, const torch::Tensor& x) {
  torch::Tensor g = torch::empty({a.col.numel()}, x.options());
  cuda::csr_sddmm(device_view(a, rows, x.size(0)), dy.data_ptr(), x.data_ptr(), g.data_ptr(), x.size(1),
                  x.device().index(), stream_of(x));
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
