// The per-device kernels behind spmm (internal to gnn). Each takes a CSR matrix with `rows`
// rows, contiguous dense operands of the CSR's value dtype on the CSR's device, and returns
// a new tensor; spmm() does the checking, the dispatch and the autograd.
//
//   csr_spmm_*:  Y [rows, F] = A · X,  X [cols, F]
//   csr_sddmm_*: G [nnz] with G_k = <DY[row_k], X[col_k]>,  DY [rows, F], X [cols, F]
//                (the gradient of sum(DY ∘ A·X) with respect to A's values)
#pragma once

#include <torch/torch.h>

#include "gnn/sparse_graph.h"

namespace graft::gnn::detail {

torch::Tensor csr_spmm_cpu(const Csr& a, int64_t rows, const torch::Tensor& x);
torch::Tensor csr_sddmm_cpu(const Csr& a, int64_t rows, const torch::Tensor& dy, const torch::Tensor& x);

// Throw "spmm: graft was built without CUDA" unless the cuSPARSE backend was compiled in.
torch::Tensor csr_spmm_cuda(const Csr& a, int64_t rows, const torch::Tensor& x);
torch::Tensor csr_sddmm_cuda(const Csr& a, int64_t rows, const torch::Tensor& dy, const torch::Tensor& x);

}  // namespace graft::gnn::detail
