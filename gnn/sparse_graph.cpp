// SparseGraph construction and normalisation. COO → CSR uses two stable counting sorts (by
// column, then by row), so building is O(nnz + rows + cols) and the result does not depend on
// the order of the edges (duplicates are summed in double precision, in input order, before
// rounding to the value dtype).
#include "gnn/sparse_graph.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <sstream>

#include "graph_io/errors.h"

namespace graft::gnn {
namespace {

bool is_index_dtype(torch::Dtype dtype) { return dtype == torch::kInt32 || dtype == torch::kInt64; }
bool is_value_dtype(torch::Dtype dtype) { return dtype == torch::kFloat32 || dtype == torch::kFloat64; }

// Stable counting sort of `order` by key[order[k]] ∈ [0, num_keys); returns the reordered
// positions and fills counts[key] with the number of entries per key.
std::vector<int64_t> stable_counting_sort(const std::vector<int64_t>& order, const int64_t* key,
                                          int64_t num_keys, std::vector<int64_t>* counts) {
  counts->assign(static_cast<size_t>(num_keys), 0);
  for (int64_t k : order) ++(*counts)[static_cast<size_t>(key[k])];
  std::vector<int64_t> next(static_cast<size_t>(num_keys));
  std::exclusive_scan(counts->begin(), counts->end(), next.begin(), int64_t{0});
  std::vector<int64_t> sorted(order.size());
  for (int64_t k : order) sorted[static_cast<size_t>(next[static_cast<size_t>(key[k])]++)] = k;
  return sorted;
}

torch::Tensor offsets_from_counts(const std::vector<int64_t>& counts) {
  torch::Tensor offsets = torch::zeros({static_cast<int64_t>(counts.size()) + 1}, torch::kInt64);
  int64_t* out = offsets.data_ptr<int64_t>();
  for (size_t r = 0; r < counts.size(); ++r) out[r + 1] = out[r] + counts[r];
  return offsets;
}

torch::Tensor to_int64_cpu(const torch::Tensor& t) {
  return t.to(torch::kCPU, torch::kInt64).contiguous();
}

void check_range(const torch::Tensor& index, int64_t bound, const char* what) {
  if (index.numel() == 0) return;
  const int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
  TORCH_CHECK(lo >= 0 && hi < bound, "SparseGraph::from_coo: ", what, " index out of range [0, ",
              bound, "): found ", lo < 0 ? lo : hi);
}

}  // namespace

Normalization parse_normalization(const std::string& name) {
  if (name == "symmetric") return Normalization::kSymmetric;
  if (name == "random_walk") return Normalization::kRandomWalk;
  if (name == "none") return Normalization::kNone;
  throw io::UsageError("unknown normalization '" + name + "' (valid: symmetric, random_walk, none)");
}

SparseGraph SparseGraph::from_coo(int64_t rows, int64_t cols, const torch::Tensor& row,
                                  const torch::Tensor& col, const torch::Tensor& value) {
  TORCH_CHECK(rows >= 0 && cols >= 0, "SparseGraph::from_coo: negative shape ", rows, " x ", cols);
  TORCH_CHECK(row.dim() == 1 && col.dim() == 1 && value.dim() == 1,
              "SparseGraph::from_coo: row, col and value must be 1-D, got ", row.dim(), "-D, ",
              col.dim(), "-D and ", value.dim(), "-D");
  TORCH_CHECK(row.numel() == col.numel() && row.numel() == value.numel(),
              "SparseGraph::from_coo: row, col and value lengths differ: ", row.numel(), ", ",
              col.numel(), ", ", value.numel());
  TORCH_CHECK(is_index_dtype(row.scalar_type()) && row.scalar_type() == col.scalar_type(),
              "SparseGraph::from_coo: row and col must both be int32 or both int64, got ",
              row.scalar_type(), " and ", col.scalar_type());
  TORCH_CHECK(is_value_dtype(value.scalar_type()),
              "SparseGraph::from_coo: values must be float32 or float64, got ", value.scalar_type());
  TORCH_CHECK(row.device() == col.device() && row.device() == value.device(),
              "SparseGraph::from_coo: row, col and value are on different devices");
  const torch::Dtype index_dtype = row.scalar_type();
  if (index_dtype == torch::kInt32) {
    TORCH_CHECK(rows <= std::numeric_limits<int32_t>::max() && cols <= std::numeric_limits<int32_t>::max(),
                "SparseGraph::from_coo: shape ", rows, " x ", cols, " does not fit int32 indices");
  }

  const torch::Tensor r64 = to_int64_cpu(row), c64 = to_int64_cpu(col);
  check_range(r64, rows, "row");
  check_range(c64, cols, "col");
  const torch::Tensor v64 = value.to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t* r = r64.data_ptr<int64_t>();
  const int64_t* c = c64.data_ptr<int64_t>();
  const double* v = v64.data_ptr<double>();

  std::vector<int64_t> order(static_cast<size_t>(r64.numel()));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int64_t> counts;
  order = stable_counting_sort(order, c, cols, &counts);
  order = stable_counting_sort(order, r, rows, &counts);

  // Merge runs of equal (row, col), summing their values in input order.
  std::vector<int64_t> out_row, out_col;
  std::vector<double> out_val;
  out_row.reserve(order.size());
  out_col.reserve(order.size());
  out_val.reserve(order.size());
  for (int64_t k : order) {
    if (!out_row.empty() && out_row.back() == r[k] && out_col.back() == c[k]) {
      out_val.back() += v[k];
    } else {
      out_row.push_back(r[k]);
      out_col.push_back(c[k]);
      out_val.push_back(v[k]);
    }
  }
  const int64_t nnz = static_cast<int64_t>(out_row.size());
  TORCH_CHECK(index_dtype == torch::kInt64 || nnz <= std::numeric_limits<int32_t>::max(),
              "SparseGraph::from_coo: ", nnz, " entries do not fit int32 indices");
  std::vector<int64_t> row_counts(static_cast<size_t>(rows), 0);
  for (int64_t rr : out_row) ++row_counts[static_cast<size_t>(rr)];

  // The transpose: CSR entries counting-sorted by column; rows stay ascending within a column.
  std::vector<int64_t> csr_order(static_cast<size_t>(nnz));
  std::iota(csr_order.begin(), csr_order.end(), 0);
  std::vector<int64_t> col_counts;
  std::vector<int64_t> perm = stable_counting_sort(csr_order, out_col.data(), cols, &col_counts);

  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor perm_t = torch::from_blob(perm.data(), {nnz}, i64).clone();
  torch::Tensor col_t = torch::from_blob(out_col.data(), {nnz}, i64).clone();
  torch::Tensor row_t = torch::from_blob(out_row.data(), {nnz}, i64).clone();
  torch::Tensor val_t = torch::from_blob(out_val.data(), {nnz}, f64).clone();

  const auto index_opts = torch::TensorOptions().dtype(index_dtype).device(value.device());
  const auto value_opts = torch::TensorOptions().dtype(value.scalar_type()).device(value.device());
  SparseGraph g;
  g.rows_ = rows;
  g.cols_ = cols;
  g.csr_ = {offsets_from_counts(row_counts).to(index_opts), col_t.to(index_opts), val_t.to(value_opts)};
  g.csrt_ = {offsets_from_counts(col_counts).to(index_opts), row_t.index_select(0, perm_t).to(index_opts),
             val_t.index_select(0, perm_t).to(value_opts)};
  g.perm_ = perm_t.to(value.device());
  return g;
}

int64_t SparseGraph::nnz() const { return csr_.col.defined() ? csr_.col.numel() : 0; }

torch::Tensor SparseGraph::row_indices() const {
  const torch::Tensor degree = csr_.row_ptr.slice(0, 1).to(torch::kInt64) -
                               csr_.row_ptr.slice(0, 0, rows_).to(torch::kInt64);
  const torch::Tensor rows = torch::arange(rows_, degree.options());
  return torch::repeat_interleave(rows, degree, /*dim=*/0, /*output_size=*/nnz()).to(index_dtype());
}

SparseGraph SparseGraph::to(torch::Device device) const {
  SparseGraph g = *this;
  for (Csr* m : {&g.csr_, &g.csrt_}) {
    m->row_ptr = m->row_ptr.to(device);
    m->col = m->col.to(device);
    m->value = m->value.to(device);
  }
  g.perm_ = perm_.to(device);
  return g;
}

SparseGraph SparseGraph::with_index_dtype(torch::Dtype dtype) const {
  TORCH_CHECK(is_index_dtype(dtype), "SparseGraph::with_index_dtype: indices must be int32 or int64, got ",
              dtype);
  if (dtype == torch::kInt32) {
    TORCH_CHECK(rows_ <= std::numeric_limits<int32_t>::max() && cols_ <= std::numeric_limits<int32_t>::max() &&
                    nnz() <= std::numeric_limits<int32_t>::max(),
                "SparseGraph::with_index_dtype: ", rows_, " x ", cols_, " with ", nnz(),
                " entries does not fit int32 indices");
  }
  SparseGraph g = *this;
  for (Csr* m : {&g.csr_, &g.csrt_}) {
    m->row_ptr = m->row_ptr.to(dtype);
    m->col = m->col.to(dtype);
  }
  return g;
}

SparseGraph SparseGraph::with_value_dtype(torch::Dtype dtype) const {
  TORCH_CHECK(is_value_dtype(dtype), "SparseGraph::with_value_dtype: values must be float32 or float64, got ",
              dtype);
  SparseGraph g = *this;
  g.csr_.value = csr_.value.to(dtype);
  g.csrt_.value = csrt_.value.to(dtype);
  return g;
}

SparseGraph SparseGraph::with_values(const torch::Tensor& value) const {
  TORCH_CHECK(value.dim() == 1 && value.numel() == nnz(), "SparseGraph::with_values: expected ", nnz(),
              " values (one per edge), got shape ", value.sizes());
  TORCH_CHECK(is_value_dtype(value.scalar_type()),
              "SparseGraph::with_values: values must be float32 or float64, got ", value.scalar_type());
  TORCH_CHECK(value.device() == device(), "SparseGraph::with_values: values are on ", value.device(),
              " but the graph is on ", device());
  SparseGraph g = *this;
  g.csr_.value = value;
  g.csrt_.value = value.index_select(0, perm_);
  return g;
}

torch::Tensor SparseGraph::to_dense() const {
  torch::Tensor dense = torch::zeros({rows_, cols_}, csr_.value.options());
  dense.index_put_({row_indices().to(torch::kInt64), csr_.col.to(torch::kInt64)}, csr_.value);
  return dense;
}

SparseGraph normalize(const SparseGraph& adjacency, Normalization normalization, bool self_loops) {
  TORCH_CHECK(adjacency.rows() == adjacency.cols(), "normalize: the adjacency must be square, got ",
              adjacency.rows(), " x ", adjacency.cols());
  SparseGraph a = adjacency;
  if (self_loops) {
    const torch::Tensor diag = torch::arange(a.rows(), a.csr().col.options());
    a = SparseGraph::from_coo(a.rows(), a.cols(), torch::cat({a.row_indices(), diag}),
                              torch::cat({a.csr().col, diag}),
                              torch::cat({a.csr().value, torch::ones({a.rows()}, a.csr().value.options())}));
  }
  if (normalization == Normalization::kNone) return a;

  const torch::Tensor value = a.csr().value;
  const torch::Tensor row = a.row_indices().to(torch::kInt64);
  const torch::Tensor degree = torch::zeros({a.rows()}, value.options()).index_add_(0, row, value);
  // Isolated nodes (degree 0) get a zero scale, so their rows stay zero instead of NaN or inf.
  const torch::Tensor positive = degree > 0;
  const torch::Tensor safe_degree = torch::where(positive, degree, torch::ones_like(degree));
  if (normalization == Normalization::kRandomWalk) {
    const torch::Tensor inv = torch::where(positive, safe_degree.reciprocal(), torch::zeros_like(degree));
    return a.with_values(value * inv.index_select(0, row));
  }
  const torch::Tensor inv_sqrt = torch::where(positive, safe_degree.rsqrt(), torch::zeros_like(degree));
  const torch::Tensor col = a.csr().col.to(torch::kInt64);
  return a.with_values(value * inv_sqrt.index_select(0, row) * inv_sqrt.index_select(0, col));
}

}  // namespace graft::gnn
