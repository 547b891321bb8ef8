// The cuSPARSE backend (gnn/cuda/cusparse_spmm.h) on its own: no LibTorch, device buffers through
// the CUDA runtime, results against a double-accumulating reference on the same CSR matrices.
// Every case runs for int32 and int64 indices, float and double, on awkward shapes (1, 7, 33,
// 1000 and 4097 rows, rectangular, every third row empty, a few hub columns) and feature widths
// 1, 3, 64 and 65: the forward product A·x, the backward's transpose product Aᵀ·dy (csr_spmm on
// the explicitly built transpose, as spmm's backward does), and SDDMM. Skips without a GPU.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "gnn/cuda/cusparse_spmm.h"

namespace graft::gnn::cuda {
namespace {

const std::vector<int64_t> kRows = {1, 7, 33, 1000, 4097};
const std::vector<int64_t> kWidths = {1, 3, 64, 65};

void check(cudaError_t error, const char* what) {
  if (error != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(error));
}

// A device copy of a host vector, freed on destruction.
template <typename T>
class DeviceArray {
 public:
  explicit DeviceArray(const std::vector<T>& host) : size_(host.size()) {
    if (size_ == 0) return;
    check(cudaMalloc(&data_, bytes()), "cudaMalloc");
    check(cudaMemcpy(data_, host.data(), bytes(), cudaMemcpyHostToDevice), "cudaMemcpy to device");
  }
  ~DeviceArray() {
    if (data_ != nullptr) cudaFree(data_);
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  T* data() const { return static_cast<T*>(data_); }
  std::vector<T> download() const {
    check(cudaDeviceSynchronize(), "the backend's work");
    std::vector<T> host(size_);
    if (size_ > 0) check(cudaMemcpy(host.data(), data_, bytes(), cudaMemcpyDeviceToHost), "cudaMemcpy to host");
    return host;
  }

 private:
  size_t bytes() const { return size_ * sizeof(T); }
  void* data_ = nullptr;
  size_t size_ = 0;
};

// A CSR matrix on the host; columns ascend within a row, without repeats, as in a SparseGraph.
template <typename index_t, typename scalar_t>
struct HostCsr {
  int64_t rows = 0, cols = 0;
  std::vector<index_t> row_ptr, col;
  std::vector<scalar_t> value;
  int64_t nnz() const { return static_cast<int64_t>(col.size()); }
};

// rows × cols with cols ≠ rows (so a swapped shape shows), every third row empty, up to 12 entries
// per other row, and columns drawn with a skew (col = cols·u³) so the transpose has hub rows.
template <typename index_t, typename scalar_t>
HostCsr<index_t, scalar_t> random_csr(int64_t rows, int64_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0), weight(-1.0, 1.0);
  HostCsr<index_t, scalar_t> a;
  a.rows = rows;
  a.cols = cols;
  a.row_ptr.push_back(0);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<index_t> row_cols;
    const int64_t degree = r % 3 == 2 ? 0 : 1 + static_cast<int64_t>(rng() % 12);
    for (int64_t k = 0; k < degree; ++k) {
      const double u = unit(rng);
      row_cols.push_back(static_cast<index_t>(std::min<int64_t>(cols - 1, static_cast<int64_t>(u * u * u * cols))));
    }
    std::sort(row_cols.begin(), row_cols.end());
    row_cols.erase(std::unique(row_cols.begin(), row_cols.end()), row_cols.end());
    for (index_t c : row_cols) {
      a.col.push_back(c);
      a.value.push_back(static_cast<scalar_t>(weight(rng)));
    }
    a.row_ptr.push_back(static_cast<index_t>(a.col.size()));
  }
  return a;
}

// The transpose by a counting sort over columns; rows are visited in order, so the columns of
// the transpose ascend as well.
template <typename index_t, typename scalar_t>
HostCsr<index_t, scalar_t> transpose(const HostCsr<index_t, scalar_t>& a) {
  HostCsr<index_t, scalar_t> t;
  t.rows = a.cols;
  t.cols = a.rows;
  std::vector<int64_t> next(static_cast<size_t>(a.cols) + 1, 0);
  for (index_t c : a.col) ++next[static_cast<size_t>(c) + 1];
  for (int64_t c = 0; c < a.cols; ++c) next[c + 1] += next[c];
  for (int64_t p : next) t.row_ptr.push_back(static_cast<index_t>(p));
  t.col.resize(a.col.size());
  t.value.resize(a.value.size());
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int64_t k = a.row_ptr[r]; k < static_cast<int64_t>(a.row_ptr[r + 1]); ++k) {
      const int64_t p = next[static_cast<size_t>(a.col[k])]++;
      t.col[p] = static_cast<index_t>(r);
      t.value[p] = a.value[k];
    }
  }
  return t;
}

template <typename scalar_t>
std::vector<scalar_t> random_dense(int64_t rows, int64_t f, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<scalar_t> x(static_cast<size_t>(rows * f));
  for (scalar_t& v : x) v = static_cast<scalar_t>(normal(rng));
  return x;
}

// A reference result with, per element, the sum of the magnitudes of its terms: rounding error
// is relative to that, not to the result, which may cancel to near zero.
struct Reference {
  std::vector<double> value, magnitude;
};

// y = A·x, or with `transposed` y = Aᵀ·x, computed straight from A's entries (no transpose built).
template <typename index_t, typename scalar_t>
Reference reference_spmm(const HostCsr<index_t, scalar_t>& a, const std::vector<scalar_t>& x, int64_t f,
                         bool transposed) {
  const int64_t out_rows = transposed ? a.cols : a.rows;
  Reference ref{std::vector<double>(static_cast<size_t>(out_rows * f), 0.0),
                std::vector<double>(static_cast<size_t>(out_rows * f), 0.0)};
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int64_t k = a.row_ptr[r]; k < static_cast<int64_t>(a.row_ptr[r + 1]); ++k) {
      const int64_t c = a.col[k];
      const int64_t out = transposed ? c : r, in = transposed ? r : c;
      for (int64_t j = 0; j < f; ++j) {
        const double term = static_cast<double>(a.value[k]) * static_cast<double>(x[in * f + j]);
        ref.value[out * f + j] += term;
        ref.magnitude[out * f + j] += std::abs(term);
      }
    }
  }
  return ref;
}

// g_k = <dy[row_k], x[col_k]>.
template <typename index_t, typename scalar_t>
Reference reference_sddmm(const HostCsr<index_t, scalar_t>& a, const std::vector<scalar_t>& dy,
                          const std::vector<scalar_t>& x, int64_t f) {
  Reference ref{std::vector<double>(a.col.size(), 0.0), std::vector<double>(a.col.size(), 0.0)};
  for (int64_t r = 0; r < a.rows; ++r) {
    for (int64_t k = a.row_ptr[r]; k < static_cast<int64_t>(a.row_ptr[r + 1]); ++k) {
      for (int64_t j = 0; j < f; ++j) {
        const double term = static_cast<double>(dy[r * f + j]) * static_cast<double>(x[a.col[k] * f + j]);
        ref.value[k] += term;
        ref.magnitude[k] += std::abs(term);
      }
    }
  }
  return ref;
}

// Inputs are exact in scalar_t, so only the backend's own rounding is measured: a few hundred
// float roundings at most on these degrees, against 1e-4 relative; a wrong index or a missing
// entry is off by the order of the magnitude itself.
template <typename scalar_t>
::testing::AssertionResult matches(const std::vector<scalar_t>& got, const Reference& want) {
  const double rtol = std::is_same_v<scalar_t, float> ? 1e-4 : 1e-12;
  if (got.size() != want.value.size()) {
    return ::testing::AssertionFailure() << got.size() << " values, expected " << want.value.size();
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const double error = std::abs(static_cast<double>(got[i]) - want.value[i]);
    if (!(error <= rtol * want.magnitude[i] + 1e-300)) {  // also catches NaN
      return ::testing::AssertionFailure() << "element " << i << ": got " << got[i] << ", expected " << want.value[i]
                                           << " (magnitude " << want.magnitude[i] << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

// The matrix uploaded, with the view the backend takes.
template <typename index_t, typename scalar_t>
class DeviceCsr {
 public:
  explicit DeviceCsr(const HostCsr<index_t, scalar_t>& a) : row_ptr_(a.row_ptr), col_(a.col), value_(a.value) {
    view_.rows = a.rows;
    view_.cols = a.cols;
    view_.nnz = a.nnz();
    view_.row_ptr = row_ptr_.data();
    view_.col = col_.data();
    view_.value = value_.data();
    view_.index_type = std::is_same_v<index_t, int32_t> ? IndexType::kInt32 : IndexType::kInt64;
    view_.value_type = std::is_same_v<scalar_t, float> ? ValueType::kFloat32 : ValueType::kFloat64;
  }
  const CsrView& view() const { return view_; }

 private:
  DeviceArray<index_t> row_ptr_, col_;
  DeviceArray<scalar_t> value_;
  CsrView view_;
};

// A stream-ordered allocator (cudaMallocAsync) that counts its calls, standing in for LibTorch's.
struct CountingAllocator {
  static inline int allocations = 0, releases = 0;
  static void* allocate(size_t bytes, cudaStream_t stream) {
    void* ptr = nullptr;
    if (cudaMallocAsync(&ptr, bytes, stream) != cudaSuccess) return nullptr;
    ++allocations;
    return ptr;
  }
  static void release(void* ptr, cudaStream_t stream) {
    cudaFreeAsync(ptr, stream);
    ++releases;
  }
};

template <typename Index, typename Scalar>
struct Types {
  using index_t = Index;
  using scalar_t = Scalar;
};

template <typename T>
class CusparseBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    int devices = 0;
    const cudaError_t error = cudaGetDeviceCount(&devices);
    if (error != cudaSuccess || devices == 0) {
      GTEST_SKIP() << "no CUDA device (" << (error != cudaSuccess ? cudaGetErrorString(error) : "0 devices") << ")";
    }
    check(cudaSetDevice(0), "cudaSetDevice");
  }
};

using AllTypes = ::testing::Types<Types<int32_t, float>, Types<int32_t, double>, Types<int64_t, float>,
                                  Types<int64_t, double>>;
class TypeNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::string(std::is_same_v<typename T::index_t, int32_t> ? "int32" : "int64") + "_" +
           (std::is_same_v<typename T::scalar_t, float> ? "float" : "double");
  }
};
TYPED_TEST_SUITE(CusparseBackend, AllTypes, TypeNames);

TYPED_TEST(CusparseBackend, ForwardMatchesReference) {
  using index_t = typename TypeParam::index_t;
  using scalar_t = typename TypeParam::scalar_t;
  for (int64_t rows : kRows) {
    const auto a = random_csr<index_t, scalar_t>(rows, rows * 3 / 2 + 1, 10 + static_cast<uint64_t>(rows));
    const DeviceCsr<index_t, scalar_t> a_d(a);
    for (int64_t f : kWidths) {
      const auto x = random_dense<scalar_t>(a.cols, f, 20 + static_cast<uint64_t>(rows * f));
      const DeviceArray<scalar_t> x_d(x);
      const DeviceArray<scalar_t> y_d(std::vector<scalar_t>(static_cast<size_t>(rows * f), scalar_t(7)));
      csr_spmm(a_d.view(), x_d.data(), y_d.data(), f, 0, nullptr);
      const std::vector<scalar_t> y = y_d.download();
      EXPECT_TRUE(matches(y, reference_spmm(a, x, f, false))) << "rows " << rows << ", f " << f;
      csr_spmm(a_d.view(), x_d.data(), y_d.data(), f, 0, nullptr);  // CSR_ALG2 is bitwise deterministic
      const std::vector<scalar_t> again = y_d.download();
      EXPECT_EQ(std::memcmp(y.data(), again.data(), y.size() * sizeof(scalar_t)), 0)
          << "rows " << rows << ", f " << f << ": a second run differs";
    }
  }
}

TYPED_TEST(CusparseBackend, TransposeProductMatchesReference) {
  using index_t = typename TypeParam::index_t;
  using scalar_t = typename TypeParam::scalar_t;
  for (int64_t rows : kRows) {
    const auto a = random_csr<index_t, scalar_t>(rows, rows * 3 / 2 + 1, 30 + static_cast<uint64_t>(rows));
    const DeviceCsr<index_t, scalar_t> at_d(transpose(a));
    for (int64_t f : kWidths) {
      const auto dy = random_dense<scalar_t>(a.rows, f, 40 + static_cast<uint64_t>(rows * f));
      const DeviceArray<scalar_t> dy_d(dy);
      const DeviceArray<scalar_t> dx_d(std::vector<scalar_t>(static_cast<size_t>(a.cols * f), scalar_t(7)));
      csr_spmm(at_d.view(), dy_d.data(), dx_d.data(), f, 0, nullptr);
      EXPECT_TRUE(matches(dx_d.download(), reference_spmm(a, dy, f, true))) << "rows " << rows << ", f " << f;
    }
  }
}

TYPED_TEST(CusparseBackend, SddmmMatchesReference) {
  using index_t = typename TypeParam::index_t;
  using scalar_t = typename TypeParam::scalar_t;
  for (int64_t rows : kRows) {
    const auto a = random_csr<index_t, scalar_t>(rows, rows * 3 / 2 + 1, 50 + static_cast<uint64_t>(rows));
    const DeviceCsr<index_t, scalar_t> a_d(a);
    for (int64_t f : kWidths) {
      const auto dy = random_dense<scalar_t>(a.rows, f, 60 + static_cast<uint64_t>(rows * f));
      const auto x = random_dense<scalar_t>(a.cols, f, 70 + static_cast<uint64_t>(rows * f));
      const DeviceArray<scalar_t> dy_d(dy), x_d(x);
      const DeviceArray<scalar_t> g_d(std::vector<scalar_t>(a.col.size(), scalar_t(7)));
      csr_sddmm(a_d.view(), dy_d.data(), x_d.data(), g_d.data(), f, 0, nullptr);
      EXPECT_TRUE(matches(g_d.download(), reference_sddmm(a, dy, x, f))) << "rows " << rows << ", f " << f;
    }
  }
}

// nnz 0: the product is zero (written over whatever y held), SDDMM has nothing to write.
TYPED_TEST(CusparseBackend, EmptyMatrix) {
  using index_t = typename TypeParam::index_t;
  using scalar_t = typename TypeParam::scalar_t;
  HostCsr<index_t, scalar_t> a;
  a.rows = 5;
  a.cols = 9;
  a.row_ptr.assign(6, 0);
  const DeviceCsr<index_t, scalar_t> a_d(a);
  const int64_t f = 3;
  const DeviceArray<scalar_t> x_d(random_dense<scalar_t>(a.cols, f, 80));
  const DeviceArray<scalar_t> y_d(std::vector<scalar_t>(static_cast<size_t>(a.rows * f), scalar_t(7)));
  csr_spmm(a_d.view(), x_d.data(), y_d.data(), f, 0, nullptr);
  for (scalar_t v : y_d.download()) EXPECT_EQ(v, scalar_t(0));
  csr_sddmm(a_d.view(), y_d.data(), x_d.data(), nullptr, f, 0, nullptr);
  EXPECT_NO_THROW(y_d.download());
}

// A caller's stream-ordered allocator on a stream of its own: one allocation per call, each
// released, and the same bits as the built-in workspace cache on the default stream.
TYPED_TEST(CusparseBackend, WorkspaceAllocatorOnOwnStream) {
  using index_t = typename TypeParam::index_t;
  using scalar_t = typename TypeParam::scalar_t;
  const auto a = random_csr<index_t, scalar_t>(1000, 1501, 90);
  const DeviceCsr<index_t, scalar_t> a_d(a);
  const int64_t f = 65;
  const DeviceArray<scalar_t> x_d(random_dense<scalar_t>(a.cols, f, 91));
  const std::vector<scalar_t> sevens(static_cast<size_t>(a.rows * f), scalar_t(7));
  const DeviceArray<scalar_t> cached(sevens), borrowed(sevens);
  csr_spmm(a_d.view(), x_d.data(), cached.data(), f, 0, nullptr);

  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  const WorkspaceAllocator allocator{&CountingAllocator::allocate, &CountingAllocator::release};
  CountingAllocator::allocations = CountingAllocator::releases = 0;
  for (int i = 0; i < 3; ++i) csr_spmm(a_d.view(), x_d.data(), borrowed.data(), f, 0, stream, &allocator);
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  check(cudaStreamDestroy(stream), "cudaStreamDestroy");
  EXPECT_EQ(CountingAllocator::releases, CountingAllocator::allocations);
  EXPECT_LE(CountingAllocator::allocations, 3);

  const std::vector<scalar_t> want = cached.download(), got = borrowed.download();
  EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(scalar_t)), 0);
  const WorkspaceAllocator incomplete{&CountingAllocator::allocate, nullptr};
  EXPECT_THROW(csr_spmm(a_d.view(), x_d.data(), borrowed.data(), f, 0, nullptr, &incomplete), std::invalid_argument);
}

// More graphs than the workspace cache holds, visited round robin twice: every product still
// right as workspaces are evicted one at a time and made again.
TYPED_TEST(CusparseBackend, ManyGraphsThroughTheWorkspaceCache) {
  using index_t = typename TypeParam::index_t;
  using scalar_t = typename TypeParam::scalar_t;
  constexpr int kGraphs = 40;
  const int64_t f = 64;
  std::vector<HostCsr<index_t, scalar_t>> graphs;
  std::vector<std::unique_ptr<DeviceCsr<index_t, scalar_t>>> device_graphs;
  for (int g = 0; g < kGraphs; ++g) {
    graphs.push_back(random_csr<index_t, scalar_t>(33 + g, 50 + g, 100 + static_cast<uint64_t>(g)));
    device_graphs.push_back(std::make_unique<DeviceCsr<index_t, scalar_t>>(graphs.back()));
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (int g = 0; g < kGraphs; ++g) {
      const auto x = random_dense<scalar_t>(graphs[g].cols, f, 200 + static_cast<uint64_t>(g));
      const DeviceArray<scalar_t> x_d(x);
      const DeviceArray<scalar_t> y_d(std::vector<scalar_t>(static_cast<size_t>(graphs[g].rows * f), scalar_t(7)));
      csr_spmm(device_graphs[g]->view(), x_d.data(), y_d.data(), f, 0, nullptr);
      EXPECT_TRUE(matches(y_d.download(), reference_spmm(graphs[g], x, f, false)))
          << "pass " << pass << ", graph " << g;
    }
  }
}

}  // namespace
}  // namespace graft::gnn::cuda
