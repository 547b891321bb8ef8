// spmm: the one sparse–dense product of graft, Y = A · X, differentiable in X and, when
// per-edge values are passed, in those values too (attention).
//
// Shapes: A rows × cols (SparseGraph), X [cols, F], edge_values [nnz] in CSR order → Y [rows, F].
// Backward: dX = Aᵀ · dY (through the stored transpose, no atomics), d value_e = <dY[row_e], X[col_e]>.
// Dispatch: CPU kernel (row-parallel, deterministic) or cuSPARSE on CUDA; any other device or
// dtype is an error naming it.
#pragma once

#include <torch/torch.h>

#include "gnn/sparse_graph.h"

namespace graft::gnn {

torch::Tensor spmm(const SparseGraph& graph, const torch::Tensor& x,
                   const torch::Tensor& edge_values = torch::Tensor());

// The number of intra-op threads graft uses (LibTorch here defaults to one): 0 means all cores.
// OpenBLAS, when it is the BLAS, is kept to one thread of its own (see spmm.cpp).
void set_num_threads(int threads);

}  // namespace graft::gnn
