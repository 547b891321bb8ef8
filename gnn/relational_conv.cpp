// functional::relational_conv (layers.h): per-relation messages, their combination per node, the
// self term. Sum and learned weights run as one sparse product over the relation stack; attention
// needs each node's messages per relation, so it multiplies relation by relation.
#include "gnn/layers.h"
#include "gnn/spmm.h"

namespace graft::gnn::functional {
namespace {

// Stands in for -∞ in a softmax: a node without edges in any relation gets uniform weights over
// zero messages instead of 0/0.
constexpr double kExcluded = -1e30;

bool separate_weights(const RelationalParameters& p, size_t relations) {
  return !p.weights.empty() && p.weights.size() == relations;
}

// [R] bool: the relations present in the graph.
torch::Tensor present_relations(const std::vector<const SparseGraph*>& relation_graphs) {
  std::vector<uint8_t> present;
  for (const SparseGraph* graph : relation_graphs) present.push_back(graph != nullptr ? 1 : 0);
  return torch::tensor(present, torch::kUInt8).to(torch::kBool);
}

// Σ_r α_r Â_r x_r over the stack: x_r = x W_r (separate) or x, α_r = 1 or softmax of the logits.
// α scales the stacked inputs rather than the entries: S[v, u·R + r] α_r x_r[u] is the same
// product, and a dense [N, R, width] product is far cheaper than per-entry gradients.
torch::Tensor stacked_messages(const RelationStack& stack, const std::vector<const SparseGraph*>& relation_graphs,
                               const torch::Tensor& x, const RelationalParameters& p) {
  const int64_t R = stack.relations, n = x.size(0);
  torch::Tensor inputs = separate_weights(p, relation_graphs.size())
                             ? x.mm(torch::cat(p.weights, 1)).view({n, R, -1})
                             : x.unsqueeze(1).expand({n, R, x.size(1)});
  if (p.relation_logits.defined()) {
    const torch::Tensor logits = torch::where(present_relations(relation_graphs).to(x.device()), p.relation_logits,
                                              torch::full_like(p.relation_logits, kExcluded));
    inputs = inputs * torch::softmax(logits, 0).view({1, R, 1});
  }
  return spmm(stack.graph, inputs.reshape({n * R, -1}));
}

// Σ_r α_vr m_vr with α_v· the softmax over v's relations of <a_r, m_vr>.
torch::Tensor attended_messages(const std::vector<const SparseGraph*>& relation_graphs, const torch::Tensor& x,
                                const RelationalParameters& p) {
  const bool separate = separate_weights(p, relation_graphs.size());
  const int64_t n = x.size(0);
  std::vector<torch::Tensor> messages, has_edges;
  for (size_t r = 0; r < relation_graphs.size(); ++r) {
    const SparseGraph* graph = relation_graphs[r];
    const int64_t width = separate ? p.weights[r].size(1) : x.size(1);
    if (graph == nullptr) {
      messages.push_back(torch::zeros({n, width}, x.options()));
      has_edges.push_back(torch::zeros({n}, torch::kBool));
      continue;
    }
    messages.push_back(spmm(*graph, separate ? x.mm(p.weights[r]) : x));
    const torch::Tensor row_ptr = graph->csr().row_ptr.to(torch::kInt64);
    has_edges.push_back(row_ptr.slice(0, 1) > row_ptr.slice(0, 0, n));
  }
  const torch::Tensor m = torch::stack(messages, 1);  // [N, R, width]
  TORCH_CHECK(p.attention.dim() == 2 && p.attention.size(0) == m.size(1) && p.attention.size(1) == m.size(2),
              "RelationalConv: attention must be [", m.size(1), ", ", m.size(2), "], got ", p.attention.sizes());
  const torch::Tensor scores = (m * p.attention.unsqueeze(0)).sum(2);
  const torch::Tensor masked = torch::where(torch::stack(has_edges, 1).to(x.device()), scores,
                                            torch::full_like(scores, kExcluded));
  return (torch::softmax(masked, 1).unsqueeze(2) * m).sum(1);
}

}  // namespace

torch::Tensor relational_conv(const std::vector<const SparseGraph*>& relation_graphs, const RelationStack& stack,
                              const torch::Tensor& x, const RelationalParameters& p) {
  const auto R = static_cast<int64_t>(relation_graphs.size());
  TORCH_CHECK(R > 0, "RelationalConv: no relations");
  TORCH_CHECK(stack.relations == R && stack.graph.rows() == x.size(0), "RelationalConv: the relation stack (",
              stack.relations, " relations, ", stack.graph.rows(), " nodes) does not match ", R, " relations and x ",
              x.sizes());
  TORCH_CHECK(x.dim() == 2, "RelationalConv: x must be 2-D, got ", x.sizes());
  const bool separate = separate_weights(p, relation_graphs.size());
  TORCH_CHECK(p.weights.size() <= 1 || separate, "RelationalConv: ", p.weights.size(), " weights for ", R,
              " relations (expected ", R, ", 1 or 0)");
  for (const torch::Tensor& w : p.weights) {
    TORCH_CHECK(w.dim() == 2 && w.size(0) == x.size(1), "RelationalConv: x must be [N, ", w.size(0), "], got ",
                x.sizes());
  }
  TORCH_CHECK(!(p.relation_logits.defined() && p.attention.defined()),
              "RelationalConv: relation logits and attention are two combinations; pass one");
  TORCH_CHECK(!p.relation_logits.defined() || p.relation_logits.sizes() == torch::IntArrayRef{R},
              "RelationalConv: relation_logits must be [", R, "], got ", p.relation_logits.sizes());
  torch::Tensor c = p.attention.defined() ? attended_messages(relation_graphs, x, p)
                                          : stacked_messages(stack, relation_graphs, x, p);
  if (!separate && !p.weights.empty()) c = c.mm(p.weights.front());
  torch::Tensor y = p.weight_self.defined() ? x.mm(p.weight_self) + c : c;
  return p.bias.defined() ? y + p.bias : y;
}

}  // namespace graft::gnn::functional
