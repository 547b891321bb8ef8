// SparseGraph: a (normalised) sparse adjacency in CSR form, with its transpose kept for the
// backward pass of spmm. Index tensors are int32 or int64, values float32 or float64, all on
// one device.
//
// Domain graphs use one node space per domain:
//   [0, U)              users (the dataset's global user ids, so shared users line up across domains)
//   [U, U + I)          the domain's items
//   [U + I, U + I + C)  the domain's categories (only when GraphOptions::include_categories)
#pragma once

#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::gnn {

enum class Normalization {
  kSymmetric,   // D^-1/2 A D^-1/2 (LightGCN, GCN)
  kRandomWalk,  // D^-1 A (row-normalised: mean aggregation)
  kNone,
};
Normalization parse_normalization(const std::string& name);  // "symmetric" | "random_walk" | "none"

// CSR arrays of one matrix: row_ptr [rows + 1], col [nnz], value [nnz].
struct Csr {
  torch::Tensor row_ptr, col, value;
};

class SparseGraph {
 public:
  SparseGraph() = default;

  // Builds from COO triplets of a rows × cols matrix (duplicates are summed). Rows are sorted,
  // and within a row columns ascend, so the result does not depend on the input edge order.
  static SparseGraph from_coo(int64_t rows, int64_t cols, const torch::Tensor& row,
                              const torch::Tensor& col, const torch::Tensor& value);

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t nnz() const;
  const Csr& csr() const { return csr_; }
  const Csr& csr_transpose() const { return csrt_; }
  // transpose_permutation()[k] is the position in csr() of the k-th entry of csr_transpose(),
  // so per-edge values in CSR order map to transpose order as values.index_select(0, perm).
  const torch::Tensor& transpose_permutation() const { return perm_; }
  // COO row index of each CSR entry (for per-edge computations such as attention).
  torch::Tensor row_indices() const;

  torch::Device device() const { return csr_.row_ptr.device(); }
  torch::Dtype index_dtype() const { return csr_.row_ptr.scalar_type(); }
  SparseGraph to(torch::Device device) const;
  SparseGraph with_index_dtype(torch::Dtype dtype) const;
  SparseGraph with_value_dtype(torch::Dtype dtype) const;
  // The same pattern with new per-edge values (CSR order).
  SparseGraph with_values(const torch::Tensor& value) const;
  torch::Tensor to_dense() const;  // for tests and small references

 private:
  int64_t rows_ = 0, cols_ = 0;
  Csr csr_, csrt_;
  torch::Tensor perm_;
};

// Normalises a square adjacency (optionally adding self-loops first).
SparseGraph normalize(const SparseGraph& adjacency, Normalization normalization, bool self_loops);

struct GraphOptions {
  Normalization normalization = Normalization::kSymmetric;
  bool self_loops = false;
  bool include_categories = false;             // add item–category edges
  bool weight_by_behavior = false;              // user–item edge weight from behaviour type
  std::array<float, 4> behavior_weights = {1.0f, 2.0f, 2.0f, 4.0f};  // pv, cart, fav, buy
  torch::Dtype index_dtype = torch::kInt64;
};

struct NodeLayout {
  int64_t users = 0, items = 0, categories = 0;
  int64_t item_offset() const { return users; }
  int64_t category_offset() const { return users + items; }
  int64_t total() const { return users + items + categories; }
};

// The symmetric user–item(–category) graph of a domain built from the given interactions only
// (a split's train indices), so held-out interactions never reach the graph or its
// normalisation. Duplicate user–item pairs count once.
SparseGraph build_domain_graph(const io::Dataset& dataset, const std::string& domain,
                               const std::vector<int64_t>& interactions, const GraphOptions& options,
                               NodeLayout* layout = nullptr);

}  // namespace graft::gnn
