#include "gnn/relation_stack.h"

#include <numeric>
#include <string>

#include "gnn/typed_graph.h"

namespace graft::gnn {

RelationStack stack_relations(int64_t nodes, const std::vector<const SparseGraph*>& relation_graphs) {
  const auto R = static_cast<int64_t>(relation_graphs.size());
  TORCH_CHECK(R > 0, "stack_relations: no relations");
  std::vector<torch::Tensor> rows, cols, values;
  torch::Dtype index_dtype = torch::kInt64;
  for (int64_t r = R - 1; r >= 0; --r) {
    const SparseGraph* graph = relation_graphs[static_cast<size_t>(r)];
    if (graph == nullptr) continue;
    TORCH_CHECK(graph->rows() == nodes && graph->cols() == nodes, "stack_relations: relation ", r, " is ",
                graph->rows(), " x ", graph->cols(), ", expected ", nodes, " x ", nodes);
    index_dtype = graph->index_dtype();
    rows.push_back(graph->row_indices().to(torch::kInt64));
    cols.push_back(graph->csr().col.to(torch::kInt64) * R + r);
    values.push_back(graph->csr().value);
  }
  if (rows.empty()) {
    rows.push_back(torch::empty({0}, torch::kInt64));
    cols.push_back(torch::empty({0}, torch::kInt64));
    values.push_back(torch::empty({0}, torch::kFloat32));
  }
  RelationStack stack;
  stack.graph = SparseGraph::from_coo(nodes, nodes * R, torch::cat(rows).to(index_dtype),
                                      torch::cat(cols).to(index_dtype), torch::cat(values));
  stack.relations = R;
  return stack;
}

const RelationStack& RelationStackCache::get(const std::string& key,
                                             const std::function<RelationStack()>& build) const {
  if (!state_) state_ = std::make_unique<State>();  // moved from
  const std::lock_guard<std::mutex> lock(state_->mutex);
  const auto cached = state_->by_key.find(key);
  if (cached != state_->by_key.end()) return cached->second;
  return state_->by_key.emplace(key, build()).first->second;
}

const RelationStack& TypedGraph::stacked(const std::vector<std::string>& names) const {
  const std::string key = std::accumulate(names.begin(), names.end(), std::string(),
                                          [](std::string all, const std::string& name) { return all + name + '\n'; });
  return stacks.get(key, [&] {
    std::vector<const SparseGraph*> graphs;
    for (const std::string& name : names) graphs.push_back(graph_of(name));
    return stack_relations(num_nodes(), graphs);
  });
}

}  // namespace graft::gnn
