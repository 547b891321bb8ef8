// The relations of a typed graph as one sparse matrix, so that a relational layer does one
// sparse product per layer instead of one per relation.
//
// With R relations in the order a layer names them, the stack S is N × N·R with
//   S[v, u·R + r] = Â_r[v, u],
// and multiplied by a node-major stack of per-relation inputs, X'[u·R + r] = x_u W_r (that is
// (x · [W_1 | … | W_R]).view(N·R, out), no copy), it gives Σ_r Â_r x W_r. Its CSR entry k belongs
// to relation col[k] mod R, which is how per-relation weights scale the entries.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "gnn/sparse_graph.h"

namespace graft::gnn {

struct RelationStack {
  SparseGraph graph;         // N × N·R
  int64_t relations = 0;     // R
};

// relation_graphs[r] is N × N, or nullptr for a relation the graph lacks (no entries). Index
// dtype of the present graphs (int64 when none is present); their values.
RelationStack stack_relations(int64_t nodes, const std::vector<const SparseGraph*>& relation_graphs);

}  // namespace graft::gnn
