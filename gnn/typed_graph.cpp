// build_typed_graph and append_domain_edges (typed_graph.h), and the two edge-list steps that
// build_domain_graph shares: merging repeated pairs and symmetrising into an adjacency.
#include "gnn/typed_graph.h"

#include <algorithm>
#include <array>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "graph_io/errors.h"

namespace graft::gnn {
namespace {

// The edges of one relation with a < b (the same undirected pair is one pair), after checking
// lengths and node indices.
std::vector<WeightedEdge> oriented_edges(const RelationEdges& relation, int64_t nodes) {
  const size_t n = relation.a.size();
  TORCH_CHECK(relation.b.size() == n && (relation.weight.empty() || relation.weight.size() == n),
              "build_typed_graph: relation '", relation.name, "' has ", n, " a, ", relation.b.size(), " b and ",
              relation.weight.size(), " weight entries");
  std::vector<WeightedEdge> edges;
  edges.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    const int64_t a = relation.a[k], b = relation.b[k];
    for (const int64_t node : {a, b}) {
      TORCH_CHECK(node >= 0 && node < nodes, "build_typed_graph: relation '", relation.name, "' edge ", k, " has node ",
                  node, " outside [0, ", nodes, ")");
    }
    TORCH_CHECK(a != b, "build_typed_graph: relation '", relation.name, "' edge ", k, " joins node ", a, " to itself");
    edges.push_back({std::min(a, b), std::max(a, b), relation.weight.empty() ? 1.0f : relation.weight[k]});
  }
  return edges;
}

[[noreturn]] void bad_interaction(const io::Domain& domain, int64_t index, const std::string& what) {
  throw io::DataError("append_domain_edges: domain '" + domain.name + "' interaction " + std::to_string(index) +
                      " has " + what);
}

// Appends `edges` to the relation of the same name in `out`, or adds it.
void merge_into(std::vector<RelationEdges>& out, RelationEdges edges) {
  const auto same = std::find_if(out.begin(), out.end(), [&](const RelationEdges& r) { return r.name == edges.name; });
  if (same == out.end()) {
    out.push_back(std::move(edges));
    return;
  }
  same->a.insert(same->a.end(), edges.a.begin(), edges.a.end());
  same->b.insert(same->b.end(), edges.b.begin(), edges.b.end());
  if (!same->weight.empty()) same->weight.resize(same->a.size(), 1.0f);
}

// User–item edges of `interactions`, in slot 0 or, split by behaviour, in the behaviour's slot.
std::array<RelationEdges, io::kNumBehaviors> user_item_relations(const io::Dataset& dataset, const io::Domain& domain,
                                                                 const std::vector<int64_t>& interactions,
                                                                 int64_t item_offset, bool split_behaviours) {
  const io::Interactions& log = domain.interactions;
  const auto n = static_cast<int64_t>(log.size());
  std::array<RelationEdges, io::kNumBehaviors> slots;
  for (int64_t index : interactions) {
    TORCH_CHECK(index >= 0 && index < n, "append_domain_edges: interaction index ", index, " out of range for domain '",
                domain.name, "' with ", n, " interactions");
    const auto at = static_cast<size_t>(index);
    const int64_t user = log.user[at], item = log.item[at];
    if (user < 0 || user >= dataset.num_users() || item < 0 || item >= domain.num_items()) {
      bad_interaction(domain, index,
                      "user " + std::to_string(user) + " (of " + std::to_string(dataset.num_users()) + ") and item " +
                          std::to_string(item) + " (of " + std::to_string(domain.num_items()) + ")");
    }
    const int behavior = split_behaviours ? log.behavior[at] : 0;
    if (behavior < 0 || behavior >= io::kNumBehaviors) {
      bad_interaction(
          domain, index,
          "behaviour code " + std::to_string(behavior) + " (valid: 0.." + std::to_string(io::kNumBehaviors - 1) + ")");
    }
    slots[static_cast<size_t>(behavior)].a.push_back(user);
    slots[static_cast<size_t>(behavior)].b.push_back(item_offset + item);
  }
  return slots;
}

RelationEdges item_category_relation(const io::Domain& domain, int64_t item_offset, int64_t category_offset,
                                     const std::vector<int64_t>& category_map) {
  const int64_t categories = domain.num_categories();
  TORCH_CHECK(category_map.empty() || static_cast<int64_t>(category_map.size()) == categories,
              "append_domain_edges: category_map has ", category_map.size(), " entries but domain '", domain.name,
              "' has ", categories, " categories");
  RelationEdges edges{kItemCategoryRelation, {}, {}, {}};
  for (int64_t item = 0; item < domain.num_items(); ++item) {
    const auto begin = static_cast<size_t>(domain.item_category_offsets[static_cast<size_t>(item)]);
    const auto end = static_cast<size_t>(domain.item_category_offsets[static_cast<size_t>(item) + 1]);
    for (size_t k = begin; k < end; ++k) {
      const int64_t category = domain.item_category[k];
      if (category < 0 || category >= categories) {
        throw io::DataError("append_domain_edges: domain '" + domain.name + "' item " + std::to_string(item) +
                            " has category " + std::to_string(category) + " (of " + std::to_string(categories) + ")");
      }
      const int64_t node = category_map.empty() ? category : category_map[static_cast<size_t>(category)];
      TORCH_CHECK(node >= -1, "append_domain_edges: category_map[", category, "] is ", node, " (valid: -1 or more)");
      if (node < 0) continue;
      edges.a.push_back(item_offset + item);
      edges.b.push_back(category_offset + node);
    }
  }
  return edges;
}

}  // namespace

std::string relation_name(io::Behavior behavior) {
  static const std::array<const char*, io::kNumBehaviors> names = {"user-item/view", "user-item/cart", "user-item/fav",
                                                                   "user-item/buy"};
  const int code = static_cast<int>(behavior);
  TORCH_CHECK(code >= 0 && code < io::kNumBehaviors, "relation_name: unknown behaviour code ", code);
  return names[static_cast<size_t>(code)];
}

const Relation* TypedGraph::find(const std::string& name) const {
  const auto it = std::find_if(relations.begin(), relations.end(), [&](const Relation& r) { return r.name == name; });
  return it == relations.end() ? nullptr : &*it;
}

const SparseGraph* TypedGraph::graph_of(const std::string& name) const {
  const Relation* relation = find(name);
  return relation == nullptr || relation->edges == 0 ? nullptr : &relation->graph;
}

std::vector<WeightedEdge> distinct_edges(std::vector<WeightedEdge> edges) {
  std::sort(edges.begin(), edges.end(), [](const WeightedEdge& x, const WeightedEdge& y) {
    return std::tie(x.a, x.b, x.weight) < std::tie(y.a, y.b, y.weight);
  });
  // After sorting, the last of each run of equal pairs carries the largest weight.
  std::vector<WeightedEdge> distinct;
  distinct.reserve(edges.size());
  for (const WeightedEdge& e : edges) {
    if (!distinct.empty() && distinct.back().a == e.a && distinct.back().b == e.b) {
      distinct.back().weight = e.weight;
    } else {
      distinct.push_back(e);
    }
  }
  return distinct;
}

SparseGraph symmetric_adjacency(int64_t nodes, const std::vector<WeightedEdge>& edges, torch::Dtype index_dtype) {
  const auto n = static_cast<int64_t>(edges.size());
  torch::Tensor row = torch::empty({2 * n}, torch::kInt64);
  torch::Tensor col = torch::empty({2 * n}, torch::kInt64);
  torch::Tensor value = torch::empty({2 * n}, torch::kFloat32);
  int64_t* r = row.data_ptr<int64_t>();
  int64_t* c = col.data_ptr<int64_t>();
  float* v = value.data_ptr<float>();
  for (int64_t k = 0; k < n; ++k) {
    const WeightedEdge& e = edges[static_cast<size_t>(k)];
    r[2 * k] = e.a;
    c[2 * k] = e.b;
    r[2 * k + 1] = e.b;
    c[2 * k + 1] = e.a;
    v[2 * k] = v[2 * k + 1] = e.weight;
  }
  return SparseGraph::from_coo(nodes, nodes, row.to(index_dtype), col.to(index_dtype), value);
}

TypedGraph build_typed_graph(const NodeLayout& layout, const std::vector<RelationEdges>& relations,
                             const GraphOptions& options) {
  if (options.weight_by_behavior) {
    throw io::UsageError(
        "build_typed_graph: weight_by_behavior is not supported (behaviours are relations; "
        "weight edges through RelationEdges::weight)");
  }
  TypedGraph graph;
  graph.layout = layout;
  const int64_t nodes = layout.total();
  std::vector<WeightedEdge> all;
  for (const RelationEdges& relation : relations) {
    TORCH_CHECK(graph.find(relation.name) == nullptr, "build_typed_graph: relation '", relation.name,
                "' is given twice (merge its edges into one RelationEdges)");
    const std::vector<WeightedEdge> edges = distinct_edges(oriented_edges(relation, nodes));
    all.insert(all.end(), edges.begin(), edges.end());
    const SparseGraph adjacency = symmetric_adjacency(nodes, edges, options.index_dtype);
    graph.relations.push_back({relation.name, static_cast<int64_t>(edges.size()),
                               normalize(adjacency, Normalization::kSymmetric, /*self_loops=*/false)});
  }
  graph.full = normalize(symmetric_adjacency(nodes, distinct_edges(std::move(all)), options.index_dtype),
                         options.normalization, options.self_loops);
  return graph;
}

void append_domain_edges(const io::Dataset& dataset, const io::Domain& domain, const std::vector<int64_t>& interactions,
                         int64_t item_offset, int64_t category_offset, const std::vector<int64_t>& category_map,
                         bool split_behaviours, std::vector<RelationEdges>& out) {
  if (split_behaviours && !domain.interactions.has_behavior()) {
    throw io::UsageError("append_domain_edges: split_behaviours is set but domain '" + domain.name +
                         "' has no behaviour column");
  }
  std::array<RelationEdges, io::kNumBehaviors> slots =
      user_item_relations(dataset, domain, interactions, item_offset, split_behaviours);
  if (!split_behaviours) {
    slots[0].name = kUserItemRelation;
    merge_into(out, std::move(slots[0]));
  } else {
    for (int b = 0; b < io::kNumBehaviors; ++b) {
      RelationEdges& slot = slots[static_cast<size_t>(b)];
      if (slot.a.empty()) continue;
      slot.name = relation_name(static_cast<io::Behavior>(b));
      merge_into(out, std::move(slot));
    }
  }
  if (category_offset >= 0 && domain.has_categories()) {
    merge_into(out, item_category_relation(domain, item_offset, category_offset, category_map));
  }
}

}  // namespace graft::gnn
