// cuSPARSE SpMM and a warp-per-row SDDMM kernel behind the raw API of cusparse_spmm.h.
// Handles and workspaces live in a per-thread cache: a handle per device, and, unless the caller
// brings a WorkspaceAllocator, a workspace per (graph, feature width, stream), since spmm is
// called with the same few graphs every layer of every step and cudaMalloc per call would
// dominate small products.
#include "gnn/cuda/cusparse_spmm.h"

#include <cusparse.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace graft::gnn::cuda {
namespace {

#define GRAFT_STRINGIFY_DETAIL(x) #x
#define GRAFT_STRINGIFY(x) GRAFT_STRINGIFY_DETAIL(x)
#define GRAFT_CUSPARSE_CHECK(call)                                                               \
  do {                                                                                           \
    const cusparseStatus_t graft_status = (call);                                                \
    if (graft_status != CUSPARSE_STATUS_SUCCESS) {                                               \
      throw std::runtime_error(std::string(__FILE__ ":" GRAFT_STRINGIFY(__LINE__) ": ") + #call + \
                               " failed: " + cusparseGetErrorString(graft_status));              \
    }                                                                                            \
  } while (false)
#define GRAFT_CUDA_CHECK(call)                                                                   \
  do {                                                                                           \
    const cudaError_t graft_error = (call);                                                      \
    if (graft_error != cudaSuccess) {                                                            \
      throw std::runtime_error(std::string(__FILE__ ":" GRAFT_STRINGIFY(__LINE__) ": ") + #call + \
                               " failed: " + cudaGetErrorString(graft_error));                   \
    }                                                                                            \
  } while (false)

// Destructors cannot throw; a failed destroy at shutdown only leaks.
void destroy(cusparseHandle_t h) { cusparseDestroy(h); }
void destroy(cusparseConstSpMatDescr_t d) { cusparseDestroySpMat(d); }
void destroy(cusparseConstDnMatDescr_t d) { cusparseDestroyDnMat(d); }

// Owns one cuSPARSE object and destroys it once.
template <typename T>
class Owned {
 public:
  Owned() = default;
  ~Owned() {
    if (value_ != nullptr) destroy(value_);
  }
  Owned(Owned&& other) noexcept : value_(std::exchange(other.value_, nullptr)) {}
  Owned& operator=(Owned&& other) noexcept {
    std::swap(value_, other.value_);
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  T* out() { return &value_; }
  T get() const { return value_; }

 private:
  T value_ = nullptr;
};

class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes_ > 0) GRAFT_CUDA_CHECK(cudaMalloc(&data_, bytes_));
  }
  ~DeviceBuffer() {
    if (data_ != nullptr) cudaFree(data_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// Makes `device` current for one call and restores the caller's device afterwards.
class DeviceScope {
 public:
  explicit DeviceScope(int device) {
    GRAFT_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) GRAFT_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceScope() { cudaSetDevice(previous_); }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = 0;
};

// Identifies a workspace: the graph (its row_ptr allocation and shape), the product and the stream.
using WorkspaceKey = std::tuple<int, const void*, int64_t, int64_t, int64_t, int64_t, ValueType, cudaStream_t>;

// Per-thread cache of handles and workspaces. Stale entries (graphs since freed) are harmless
// but take memory, so past a few graphs the least recently used workspace is freed to make room;
// cudaFree waits for the device, so work still queued on that buffer finishes first.
class Context {
 public:
  cusparseHandle_t handle(int device) {
    auto it = handles_.find(device);
    if (it == handles_.end()) {
      Owned<cusparseHandle_t> h;
      GRAFT_CUSPARSE_CHECK(cusparseCreate(h.out()));
      it = handles_.emplace(device, std::move(h)).first;
    }
    return it->second.get();
  }

  void* workspace(const WorkspaceKey& key, size_t bytes) {
    auto it = workspaces_.find(key);
    if (it != workspaces_.end() && it->second.buffer.bytes() < bytes) {
      workspaces_.erase(it);
      it = workspaces_.end();
    }
    if (it == workspaces_.end()) {
      if (workspaces_.size() >= kMaxWorkspaces) {
        workspaces_.erase(std::min_element(workspaces_.begin(), workspaces_.end(), [](const auto& a, const auto& b) {
          return a.second.last_use < b.second.last_use;
        }));
      }
      it = workspaces_.emplace(key, bytes).first;
    }
    it->second.last_use = ++clock_;
    return it->second.buffer.data();
  }

 private:
  struct CachedWorkspace {
    explicit CachedWorkspace(size_t bytes) : buffer(bytes) {}
    DeviceBuffer buffer;
    uint64_t last_use = 0;
  };

  static constexpr size_t kMaxWorkspaces = 32;
  std::map<int, Owned<cusparseHandle_t>> handles_;
  std::map<WorkspaceKey, CachedWorkspace> workspaces_;
  uint64_t clock_ = 0;  // counts workspace requests: the last_use of the most recent one
};

// A workspace from the caller's allocator for one call, released once the call has enqueued.
class BorrowedWorkspace {
 public:
  BorrowedWorkspace(const WorkspaceAllocator& allocator, size_t bytes, cudaStream_t stream)
      : allocator_(allocator), stream_(stream) {
    if (bytes == 0) return;
    data_ = allocator_.allocate(bytes, stream_);
    if (data_ == nullptr) {
      throw std::runtime_error("csr_spmm: the workspace allocator returned no memory for " + std::to_string(bytes) +
                               " bytes");
    }
  }
  ~BorrowedWorkspace() {
    if (data_ != nullptr) allocator_.release(data_, stream_);
  }
  BorrowedWorkspace(const BorrowedWorkspace&) = delete;
  BorrowedWorkspace& operator=(const BorrowedWorkspace&) = delete;
  void* data() const { return data_; }

 private:
  const WorkspaceAllocator& allocator_;
  cudaStream_t stream_;
  void* data_ = nullptr;
};

Context& context() {
  thread_local Context ctx;
  return ctx;
}

cusparseIndexType_t index_type(IndexType t) {
  return t == IndexType::kInt32 ? CUSPARSE_INDEX_32I : CUSPARSE_INDEX_64I;
}
cudaDataType data_type(ValueType t) { return t == ValueType::kFloat32 ? CUDA_R_32F : CUDA_R_64F; }
size_t value_bytes(ValueType t) { return t == ValueType::kFloat32 ? sizeof(float) : sizeof(double); }

template <typename scalar_t>
void spmm_typed(const CsrView& a, const void* x, void* y, int64_t f, int device, cudaStream_t stream,
                const WorkspaceAllocator* allocator) {
  cusparseHandle_t handle = context().handle(device);
  GRAFT_CUSPARSE_CHECK(cusparseSetStream(handle, stream));
  const cudaDataType type = data_type(a.value_type);
  Owned<cusparseConstSpMatDescr_t> mat_a;
  GRAFT_CUSPARSE_CHECK(cusparseCreateConstCsr(mat_a.out(), a.rows, a.cols, a.nnz, a.row_ptr, a.col, a.value,
                                              index_type(a.index_type), index_type(a.index_type),
                                              CUSPARSE_INDEX_BASE_ZERO, type));
  Owned<cusparseConstDnMatDescr_t> mat_x;
  GRAFT_CUSPARSE_CHECK(cusparseCreateConstDnMat(mat_x.out(), a.cols, f, f, x, type, CUSPARSE_ORDER_ROW));
  Owned<cusparseDnMatDescr_t> mat_y;
  GRAFT_CUSPARSE_CHECK(cusparseCreateDnMat(mat_y.out(), a.rows, f, f, y, type, CUSPARSE_ORDER_ROW));

  const scalar_t alpha = 1, beta = 0;
  const cusparseOperation_t op = CUSPARSE_OPERATION_NON_TRANSPOSE;
  size_t bytes = 0;
  GRAFT_CUSPARSE_CHECK(cusparseSpMM_bufferSize(handle, op, op, &alpha, mat_a.get(), mat_x.get(), &beta, mat_y.get(),
                                               type, CUSPARSE_SPMM_CSR_ALG2, &bytes));
  auto run = [&](void* buffer) {
    GRAFT_CUSPARSE_CHECK(cusparseSpMM(handle, op, op, &alpha, mat_a.get(), mat_x.get(), &beta, mat_y.get(), type,
                                      CUSPARSE_SPMM_CSR_ALG2, buffer));
  };
  if (allocator != nullptr) {
    const BorrowedWorkspace buffer(*allocator, bytes, stream);
    run(buffer.data());
  } else {
    run(context().workspace(WorkspaceKey{device, a.row_ptr, a.rows, a.cols, a.nnz, f, a.value_type, stream}, bytes));
  }
}

constexpr int kWarpSize = 32;
constexpr int kWarpsPerBlock = 8;

// One warp per row of A; lanes stride over the features and reduce with shuffles in a fixed
// order, so each g_k is written once and deterministically.
template <typename index_t, typename scalar_t>
__global__ void csr_sddmm_kernel(int64_t rows, int64_t f, const index_t* __restrict__ row_ptr,
                                 const index_t* __restrict__ col, const scalar_t* __restrict__ dy,
                                 const scalar_t* __restrict__ x, scalar_t* __restrict__ g) {
  const int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarpSize;
  const int lane = threadIdx.x % kWarpSize;
  if (row >= rows) return;  // uniform per warp: the shuffles below see full warps only
  const scalar_t* dy_row = dy + row * f;
  for (int64_t k = row_ptr[row]; k < static_cast<int64_t>(row_ptr[row + 1]); ++k) {
    const scalar_t* x_row = x + static_cast<int64_t>(col[k]) * f;
    scalar_t sum = 0;
    for (int64_t j = lane; j < f; j += kWarpSize) sum += dy_row[j] * x_row[j];
    for (int offset = kWarpSize / 2; offset > 0; offset /= 2) sum += __shfl_down_sync(0xffffffffu, sum, offset);
    if (lane == 0) g[k] = sum;
  }
}

template <typename index_t, typename scalar_t>
void sddmm_typed(const CsrView& a, const void* dy, const void* x, void* g, int64_t f, cudaStream_t stream) {
  const int64_t blocks = (a.rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
  csr_sddmm_kernel<index_t, scalar_t><<<static_cast<unsigned>(blocks), kWarpsPerBlock * kWarpSize, 0, stream>>>(
      a.rows, f, static_cast<const index_t*>(a.row_ptr), static_cast<const index_t*>(a.col),
      static_cast<const scalar_t*>(dy), static_cast<const scalar_t*>(x), static_cast<scalar_t*>(g));
  GRAFT_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void csr_spmm(const CsrView& a, const void* x, void* y, int64_t f, int device, cudaStream_t stream,
              const WorkspaceAllocator* allocator) {
  if (allocator != nullptr && (allocator->allocate == nullptr || allocator->release == nullptr)) {
    throw std::invalid_argument("csr_spmm: a WorkspaceAllocator needs both allocate and release");
  }
  if (a.rows == 0 || f == 0) return;
  DeviceScope scope(device);
  if (a.nnz == 0) {  // cuSPARSE rejects empty matrices; the product is zero
    GRAFT_CUDA_CHECK(cudaMemsetAsync(y, 0, static_cast<size_t>(a.rows * f) * value_bytes(a.value_type), stream));
    return;
  }
  if (a.value_type == ValueType::kFloat32) {
    spmm_typed<float>(a, x, y, f, device, stream, allocator);
  } else {
    spmm_typed<double>(a, x, y, f, device, stream, allocator);
  }
}

void csr_sddmm(const CsrView& a, const void* dy, const void* x, void* g, int64_t f, int device,
               cudaStream_t stream) {
  if (a.rows == 0 || a.nnz == 0) return;
  DeviceScope scope(device);
  const bool narrow = a.index_type == IndexType::kInt32;
  if (a.value_type == ValueType::kFloat32) {
    narrow ? sddmm_typed<int32_t, float>(a, dy, x, g, f, stream) : sddmm_typed<int64_t, float>(a, dy, x, g, f, stream);
  } else {
    narrow ? sddmm_typed<int32_t, double>(a, dy, x, g, f, stream)
           : sddmm_typed<int64_t, double>(a, dy, x, g, f, stream);
  }
}

}  // namespace graft::gnn::cuda
