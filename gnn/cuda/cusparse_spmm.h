// The cuSPARSE backend of spmm as a raw-pointer API: no LibTorch here, so it compiles with nvcc
// alone and links into a CPU-only LibTorch build. Callers pass device pointers, sizes, the index
// width and value type, the device ordinal and the stream to enqueue on. Errors throw
// std::runtime_error naming the failed call and the cuSPARSE/CUDA status.
//
// Shapes: A rows × cols in CSR (row_ptr [rows + 1], col [nnz], value [nnz], zero-based),
// dense operands row-major: x [cols, f], y [rows, f], dy [rows, f], g [nnz].
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace graft::gnn::cuda {

enum class IndexType { kInt32, kInt64 };  // for row_ptr and col alike
enum class ValueType { kFloat32, kFloat64 };

// A CSR matrix in device memory, borrowed for the duration of one call.
struct CsrView {
  int64_t rows = 0, cols = 0, nnz = 0;
  const void* row_ptr = nullptr;
  const void* col = nullptr;
  const void* value = nullptr;
  IndexType index_type = IndexType::kInt64;
  ValueType value_type = ValueType::kFloat32;
};

// Where a call's cuSPARSE workspace comes from. allocate(bytes, stream) is called with the call's
// device current and returns `bytes` of its memory for work enqueued on `stream`; release(ptr,
// stream) is called as soon as that work is enqueued, before it has run. The allocator must
// therefore be stream-ordered, as LibTorch's caching allocator (raw_alloc_with_stream /
// raw_delete) and cudaMallocAsync / cudaFreeAsync are.
struct WorkspaceAllocator {
  void* (*allocate)(size_t bytes, cudaStream_t stream) = nullptr;
  void (*release)(void* ptr, cudaStream_t stream) = nullptr;
};

// y = A · x with cusparseSpMM (CSR_ALG2: row-major, bitwise deterministic). The product Aᵀ · dy
// of the backward pass is this call on the stored transpose, never cuSPARSE's transpose mode,
// which is not deterministic. Without an allocator the workspace comes from a per-thread cache of
// cudaMalloc'ed buffers, one per (device, graph, width, stream), kept across calls and evicted
// least recently used first.
void csr_spmm(const CsrView& a, const void* x, void* y, int64_t f, int device, cudaStream_t stream,
              const WorkspaceAllocator* allocator = nullptr);

// g_k = <dy[row_k], x[col_k]> for every stored entry k of A (one warp per row, no atomics).
void csr_sddmm(const CsrView& a, const void* dy, const void* x, void* g, int64_t f, int device,
               cudaStream_t stream);

}  // namespace graft::gnn::cuda
