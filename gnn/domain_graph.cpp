// build_domain_graph: the normalised bipartite user–item(–category) adjacency of one domain,
// from a chosen subset of its interactions (see sparse_graph.h for the node layout).
#include <string>
#include <utility>
#include <vector>

#include "gnn/sparse_graph.h"
#include "gnn/typed_graph.h"
#include "graph_io/errors.h"

namespace graft::gnn {
namespace {

float interaction_weight(const io::Domain& domain, int64_t index, const GraphOptions& options) {
  if (!options.weight_by_behavior) return 1.0f;
  const int8_t behavior = domain.interactions.behavior[static_cast<size_t>(index)];
  if (behavior < 0 || behavior >= io::kNumBehaviors) {
    throw io::DataError("build_domain_graph: domain '" + domain.name + "' interaction " + std::to_string(index) +
                        " has behaviour code " + std::to_string(behavior) + " (valid: 0.." +
                        std::to_string(io::kNumBehaviors - 1) + ")");
  }
  return options.behavior_weights[static_cast<size_t>(behavior)];
}

// The distinct user–item pairs among `interactions`, sorted; a repeated pair keeps its largest
// weight (the strongest behaviour seen), so a view followed by a purchase counts as a purchase.
std::vector<WeightedEdge> user_item_edges(const io::Dataset& dataset, const io::Domain& domain,
                                          const std::vector<int64_t>& interactions, const GraphOptions& options) {
  const io::Interactions& log = domain.interactions;
  const int64_t n = static_cast<int64_t>(log.size());
  std::vector<WeightedEdge> edges;
  edges.reserve(interactions.size());
  for (int64_t index : interactions) {
    TORCH_CHECK(index >= 0 && index < n, "build_domain_graph: interaction index ", index,
                " out of range for domain '", domain.name, "' with ", n, " interactions");
    const int64_t user = log.user[static_cast<size_t>(index)];
    const int64_t item = log.item[static_cast<size_t>(index)];
    if (user < 0 || user >= dataset.num_users() || item < 0 || item >= domain.num_items()) {
      throw io::DataError("build_domain_graph: domain '" + domain.name + "' interaction " + std::to_string(index) +
                          " has user " + std::to_string(user) + " (of " + std::to_string(dataset.num_users()) +
                          ") and item " + std::to_string(item) + " (of " + std::to_string(domain.num_items()) +
                          ")");
    }
    edges.push_back({user, item, interaction_weight(domain, index, options)});
  }
  return distinct_edges(std::move(edges));
}

}  // namespace

SparseGraph build_domain_graph(const io::Dataset& dataset, const std::string& domain_name,
                               const std::vector<int64_t>& interactions, const GraphOptions& options,
                               NodeLayout* layout) {
  const io::Domain& domain = dataset.domain(domain_name);
  if (options.weight_by_behavior && !domain.interactions.has_behavior()) {
    throw io::UsageError("build_domain_graph: weight_by_behavior is set but domain '" + domain.name +
                         "' has no behaviour column");
  }
  NodeLayout nodes;
  nodes.users = dataset.num_users();
  nodes.items = domain.num_items();
  nodes.categories = options.include_categories && domain.has_categories() ? domain.num_categories() : 0;

  std::vector<WeightedEdge> edges = user_item_edges(dataset, domain, interactions, options);
  for (WeightedEdge& e : edges) e.b += nodes.item_offset();
  if (nodes.categories > 0) {
    for (int64_t item = 0; item < nodes.items; ++item) {
      const auto begin = static_cast<size_t>(domain.item_category_offsets[static_cast<size_t>(item)]);
      const auto end = static_cast<size_t>(domain.item_category_offsets[static_cast<size_t>(item) + 1]);
      for (size_t k = begin; k < end; ++k) {
        const int64_t category = domain.item_category[k];
        if (category < 0 || category >= nodes.categories) {
          throw io::DataError("build_domain_graph: domain '" + domain.name + "' item " + std::to_string(item) +
                              " has category " + std::to_string(category) + " (of " +
                              std::to_string(nodes.categories) + ")");
        }
        edges.push_back({nodes.item_offset() + item, nodes.category_offset() + category, 1.0f});
      }
    }
  }

  const SparseGraph adjacency = symmetric_adjacency(nodes.total(), edges, options.index_dtype);
  if (layout != nullptr) *layout = nodes;
  return normalize(adjacency, options.normalization, options.self_loops);
}

}  // namespace graft::gnn
