// TypedGraph: a heterogeneous graph over user, item and category nodes with named relations, in
// the spirit of PyG's HeteroData. One node space (NodeLayout: [users | items | categories]); each
// relation keeps its own normalised adjacency for relation-typed layers (RelationalConv), and
// `full` holds every relation together for the untyped layers.
//
// Relation names used by graft (relation_name(), append_domain_edges):
//   "user-item"                  every user–item interaction of a domain, or, behaviours split,
//   "user-item/view" … "/buy"    one relation per behaviour type present;
//   "item-category"              item membership of categories.
//
// Shapes: every graph is N × N, N = layout.total(), index dtype GraphOptions::index_dtype,
// float32 values.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gnn/relation_stack.h"
#include "gnn/sparse_graph.h"
#include "graph_io/dataset.h"

namespace graft::gnn {

inline constexpr const char* kUserItemRelation = "user-item";
inline constexpr const char* kItemCategoryRelation = "item-category";

// "user-item/view", "user-item/cart", "user-item/fav", "user-item/buy".
std::string relation_name(io::Behavior behavior);

// Undirected edges of one relation, in global node indices of the layout.
struct RelationEdges {
  std::string name;           // e.g. "user-item", "user-item/buy", "item-category"
  std::vector<int64_t> a, b;  // a[k] -- b[k]
  std::vector<float> weight;  // empty: all 1
};

struct Relation {
  std::string name;
  int64_t edges = 0;  // distinct undirected edges
  SparseGraph graph;  // N × N, both directions, D^-1/2 A D^-1/2 over this relation alone, no self-loops
};

// The relation stacks a typed graph has built, by the names they stack. A copy starts empty, as
// the copy's relations may then be edited; a move keeps them.
class RelationStackCache {
 public:
  RelationStackCache() = default;
  RelationStackCache(const RelationStackCache&) {}
  RelationStackCache& operator=(const RelationStackCache&) {
    state_ = std::make_unique<State>();
    return *this;
  }
  RelationStackCache(RelationStackCache&&) noexcept = default;
  RelationStackCache& operator=(RelationStackCache&&) noexcept = default;
  // The stack cached under `key`, built by `build` the first time.
  const RelationStack& get(const std::string& key, const std::function<RelationStack()>& build) const;

 private:
  struct State {
    std::mutex mutex;
    std::map<std::string, RelationStack> by_key;
  };
  mutable std::unique_ptr<State> state_ = std::make_unique<State>();
};

struct TypedGraph {
  NodeLayout layout;
  // Every relation together: distinct node pairs (a pair present in several relations counts
  // once, with its largest weight), normalised by GraphOptions (normalization, self_loops).
  SparseGraph full;
  std::vector<Relation> relations;  // in the order given; relations without edges have an empty graph
  const Relation* find(const std::string& name) const;  // nullptr when absent
  const SparseGraph* graph_of(const std::string& name) const;  // nullptr when absent or without edges
  int64_t num_nodes() const { return layout.total(); }
  // The relations `names`, in that order, as one N × N·R stack (relation_stack.h; a name the
  // graph lacks stacks no entries). Built on first use and kept for every layer: once it is
  // built, the relations of this graph must not change (edit a copy instead).
  const RelationStack& stacked(const std::vector<std::string>& names) const;
  RelationStackCache stacks;
};

// Builds the typed graph. Within a relation an edge and its reverse are one pair, and repeated
// pairs count once with their largest weight. Reads options.normalization, self_loops and
// index_dtype; the layout decides whether there are categories (include_categories is for
// build_domain_graph) and behaviours are relations, so weight_by_behavior must be false.
// Errors (TORCH_CHECK, naming the relation): a repeated relation name (append_domain_edges
// merges them), edge arrays of different lengths, a node index outside the layout, an edge
// joining a node to itself; weight_by_behavior set is an io::UsageError.
TypedGraph build_typed_graph(const NodeLayout& layout, const std::vector<RelationEdges>& relations,
                             const GraphOptions& options);

// Appends to `out` the user–item edges of `interactions` (indices into domain.interactions): one
// relation "user-item", or with split_behaviours one per behaviour present, in behaviour-code
// order — with items shifted by item_offset; and, when category_offset >= 0 and the domain has
// categories, the "item-category" edges of every item of the domain, domain category c mapped
// to node category_offset + category_map[c] (category_map empty: identity; an entry -1: skip).
// Weights are left at 1. A relation already in `out` (an earlier domain of a union graph) is
// extended rather than repeated, so `out` holds each name once, in order of first appearance.
// Errors: an interaction index out of range, a category_map of the wrong size or with an entry
// below -1 (TORCH_CHECK); split_behaviours without a behaviour column (io::UsageError); a user,
// item, behaviour or category out of range (io::DataError naming the domain and the interaction
// or item).
void append_domain_edges(const io::Dataset& dataset, const io::Domain& domain, const std::vector<int64_t>& interactions,
                         int64_t item_offset, int64_t category_offset, const std::vector<int64_t>& category_map,
                         bool split_behaviours, std::vector<RelationEdges>& out);

// One undirected edge a -- b, for building symmetric adjacencies.
struct WeightedEdge {
  int64_t a, b;
  float weight;
};

// The distinct pairs of `edges`, sorted by (a, b); a repeated pair keeps its largest weight.
// (a, b) and (b, a) are different pairs here: orient them first where they are the same.
std::vector<WeightedEdge> distinct_edges(std::vector<WeightedEdge> edges);

// The unnormalised nodes × nodes adjacency holding both directions of every edge (a repeated
// entry is summed, as in SparseGraph::from_coo), with float32 values.
SparseGraph symmetric_adjacency(int64_t nodes, const std::vector<WeightedEdge>& edges, torch::Dtype index_dtype);

}  // namespace graft::gnn
