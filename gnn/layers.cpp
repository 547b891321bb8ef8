#include "gnn/layers.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/StringUtil.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <utility>

#include "gnn/spmm.h"

namespace graft::gnn {
namespace functional {
namespace {

torch::Tensor rows_of(const SparseGraph& graph) { return graph.row_indices().to(torch::kInt64); }

void check_input(const char* layer, const SparseGraph& graph, const torch::Tensor& x, int64_t in_channels) {
  TORCH_CHECK(graph.rows() == graph.cols(), layer, ": the graph must be square, got ", graph.rows(), " x ",
              graph.cols());
  TORCH_CHECK(x.dim() == 2 && x.size(0) == graph.cols() && x.size(1) == in_channels, layer,
              ": x must be [", graph.cols(), ", ", in_channels, "], got ", x.sizes());
}

torch::Tensor add_bias(torch::Tensor y, const torch::Tensor& bias) { return bias.defined() ? y + bias : y; }

// Â x W, transforming first when that narrows the features the sparse product carries.
torch::Tensor propagate(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& weight) {
  return weight.size(1) <= weight.size(0) ? spmm(graph, x.mm(weight)) : spmm(graph, x).mm(weight);
}

}  // namespace

torch::Tensor lightgcn_conv(const SparseGraph& graph, const torch::Tensor& x) { return spmm(graph, x); }

torch::Tensor gcn_conv(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& weight,
                       const torch::Tensor& bias) {
  check_input("GCNConv", graph, x, weight.size(0));
  return add_bias(propagate(graph, x, weight), bias);
}

torch::Tensor neighbour_mean(const SparseGraph& graph, const torch::Tensor& x) {
  const torch::Tensor row_ptr = graph.csr().row_ptr.to(torch::kInt64);
  const torch::Tensor degree = (row_ptr.slice(0, 1) - row_ptr.slice(0, 0, graph.rows())).to(x.scalar_type());
  const torch::Tensor inverse = torch::where(degree > 0, degree.clamp_min(1).reciprocal(), torch::zeros_like(degree));
  return spmm(graph, x, inverse.index_select(0, rows_of(graph)));
}

torch::Tensor sage_conv(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& weight_self,
                        const torch::Tensor& weight_neigh, const torch::Tensor& bias) {
  check_input("SAGEConv", graph, x, weight_self.size(0));
  return add_bias(x.mm(weight_self) + neighbour_mean(graph, x).mm(weight_neigh), bias);
}

torch::Tensor edge_softmax(const SparseGraph& graph, const torch::Tensor& scores) {
  TORCH_CHECK(scores.dim() == 2 && scores.size(0) == graph.nnz(), "edge_softmax: scores must be [nnz = ",
              graph.nnz(), ", heads], got ", scores.sizes());
  const torch::Tensor row = rows_of(graph);
  const torch::Tensor index = row.unsqueeze(1).expand_as(scores);
  const int64_t heads = scores.size(1);
  // The shift cancels in the softmax, so the row maximum needs no gradient.
  const torch::Tensor row_max =
      torch::full({graph.rows(), heads}, -std::numeric_limits<double>::infinity(), scores.options())
          .scatter_reduce(0, index, scores.detach(), "amax");
  const torch::Tensor e = (scores - row_max.index_select(0, row)).exp();
  const torch::Tensor row_sum = torch::zeros({graph.rows(), heads}, scores.options()).index_add(0, row, e);
  return e / row_sum.index_select(0, row);
}

torch::Tensor gat_conv(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& weight,
                       const torch::Tensor& att_src, const torch::Tensor& att_dst, const torch::Tensor& bias,
                       bool concat, double negative_slope) {
  check_input("GATConv", graph, x, weight.size(0));
  const int64_t heads = att_src.size(0), out = att_src.size(1);
  TORCH_CHECK(weight.size(1) == heads * out && att_dst.sizes() == att_src.sizes(),
              "GATConv: weight [in, heads·out] and att_src, att_dst [heads, out] disagree: ", weight.sizes(), ", ",
              att_src.sizes(), ", ", att_dst.sizes());
  const torch::Tensor h = x.mm(weight).view({x.size(0), heads, out});
  const torch::Tensor score_src = (h * att_src).sum(2);  // [N, heads], node as neighbour j
  const torch::Tensor score_dst = (h * att_dst).sum(2);  // [N, heads], node as receiver i
  const torch::Tensor scores = torch::leaky_relu(
      score_src.index_select(0, graph.csr().col.to(torch::kInt64)) + score_dst.index_select(0, rows_of(graph)),
      negative_slope);
  const torch::Tensor alpha = edge_softmax(graph, scores);
  std::vector<torch::Tensor> per_head;
  for (int64_t k = 0; k < heads; ++k) per_head.push_back(spmm(graph, h.select(1, k), alpha.select(1, k)));
  const torch::Tensor y = concat ? torch::cat(per_head, 1) : torch::stack(per_head).mean(0);
  return add_bias(y, bias);
}

torch::Tensor adapter(const torch::Tensor& y, const torch::Tensor& down_weight, const torch::Tensor& down_bias,
                      const torch::Tensor& up_weight, const torch::Tensor& up_bias) {
  TORCH_CHECK(y.dim() == 2 && y.size(1) == down_weight.size(0) && up_weight.size(1) == y.size(1),
              "Adapter: y must be [N, ", down_weight.size(0), "], got ", y.sizes());
  return y + torch::addmm(up_bias, torch::relu(torch::addmm(down_bias, y, down_weight)), up_weight);
}

}  // namespace functional

namespace {

// Glorot-uniform in place, drawn from `generator`.
void glorot_(torch::Tensor& t, int64_t fan_in, int64_t fan_out, at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const double bound = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  t.uniform_(-bound, bound, generator);
}

void zero_if_defined(torch::Tensor& t) {
  torch::NoGradGuard no_grad;
  if (t.defined()) t.zero_();
}

void check_channels(const char* layer, int64_t in_channels, int64_t out_channels) {
  TORCH_CHECK(in_channels > 0, layer, ": in_channels must be positive, got ", in_channels);
  TORCH_CHECK(out_channels > 0, layer, ": out_channels must be positive, got ", out_channels);
}

void check_matrices(const char* layer, const std::vector<torch::Tensor>& matrices, size_t expected) {
  TORCH_CHECK(matrices.size() == expected, layer, ": expected ", expected, " weight matrices, got ", matrices.size());
}

}  // namespace

void LightGCNConvImpl::pretty_print(std::ostream& stream) const { stream << "graft::gnn::LightGCNConv()"; }

torch::Tensor LightGCNConvImpl::forward(const SparseGraph& graph, const torch::Tensor& x) {
  return functional::lightgcn_conv(graph, x);
}

torch::Tensor LightGCNConvImpl::forward_with(const SparseGraph& graph, const torch::Tensor& x,
                                             const std::vector<torch::Tensor>& matrices) {
  check_matrices("LightGCNConv", matrices, 0);
  return functional::lightgcn_conv(graph, x);
}

GCNConvImpl::GCNConvImpl(const GCNConvOptions& options_) : options(options_) { reset(); }

void GCNConvImpl::reset() {
  check_channels("GCNConv", options.in_channels(), options.out_channels());
  weight = register_parameter("weight", torch::empty({options.in_channels(), options.out_channels()}));
  if (options.bias()) bias = register_parameter("bias", torch::empty({options.out_channels()}));
  reset_parameters();
}

void GCNConvImpl::reset_parameters() {
  at::Generator generator = at::detail::createCPUGenerator(options.seed());
  glorot_(weight, options.in_channels(), options.out_channels(), generator);
  zero_if_defined(bias);
}

void GCNConvImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::GCNConv(in=" << options.in_channels() << ", out=" << options.out_channels()
         << ", bias=" << std::boolalpha << options.bias() << ")";
}

torch::Tensor GCNConvImpl::forward(const SparseGraph& graph, const torch::Tensor& x) {
  return forward_with(graph, x, weight_matrices());
}

std::vector<torch::Tensor> GCNConvImpl::weight_matrices() const { return {weight}; }

torch::Tensor GCNConvImpl::forward_with(const SparseGraph& graph, const torch::Tensor& x,
                                        const std::vector<torch::Tensor>& matrices) {
  check_matrices("GCNConv", matrices, 1);
  return functional::gcn_conv(graph, x, matrices[0], bias);
}

SAGEConvImpl::SAGEConvImpl(const SAGEConvOptions& options_) : options(options_) { reset(); }

void SAGEConvImpl::reset() {
  check_channels("SAGEConv", options.in_channels(), options.out_channels());
  weight_self = register_parameter("weight_self", torch::empty({options.in_channels(), options.out_channels()}));
  weight_neigh = register_parameter("weight_neigh", torch::empty({options.in_channels(), options.out_channels()}));
  if (options.bias()) bias = register_parameter("bias", torch::empty({options.out_channels()}));
  reset_parameters();
}

void SAGEConvImpl::reset_parameters() {
  at::Generator generator = at::detail::createCPUGenerator(options.seed());
  glorot_(weight_self, options.in_channels(), options.out_channels(), generator);
  glorot_(weight_neigh, options.in_channels(), options.out_channels(), generator);
  zero_if_defined(bias);
}

void SAGEConvImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::SAGEConv(in=" << options.in_channels() << ", out=" << options.out_channels()
         << ", aggregation=mean, bias=" << std::boolalpha << options.bias() << ")";
}

torch::Tensor SAGEConvImpl::forward(const SparseGraph& graph, const torch::Tensor& x) {
  return forward_with(graph, x, weight_matrices());
}

std::vector<torch::Tensor> SAGEConvImpl::weight_matrices() const { return {weight_self, weight_neigh}; }

torch::Tensor SAGEConvImpl::forward_with(const SparseGraph& graph, const torch::Tensor& x,
                                         const std::vector<torch::Tensor>& matrices) {
  check_matrices("SAGEConv", matrices, 2);
  return functional::sage_conv(graph, x, matrices[0], matrices[1], bias);
}

GATConvImpl::GATConvImpl(const GATConvOptions& options_) : options(options_) { reset(); }

void GATConvImpl::reset() {
  check_channels("GATConv", options.in_channels(), options.out_channels());
  TORCH_CHECK(options.heads() > 0, "GATConv: heads must be positive, got ", options.heads());
  const int64_t heads = options.heads(), out = options.out_channels();
  weight = register_parameter("weight", torch::empty({options.in_channels(), heads * out}));
  att_src = register_parameter("att_src", torch::empty({heads, out}));
  att_dst = register_parameter("att_dst", torch::empty({heads, out}));
  if (options.bias()) bias = register_parameter("bias", torch::empty({options.concat() ? heads * out : out}));
  reset_parameters();
}

void GATConvImpl::reset_parameters() {
  at::Generator generator = at::detail::createCPUGenerator(options.seed());
  glorot_(weight, options.in_channels(), options.heads() * options.out_channels(), generator);
  glorot_(att_src, options.heads(), options.out_channels(), generator);
  glorot_(att_dst, options.heads(), options.out_channels(), generator);
  zero_if_defined(bias);
}

void GATConvImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::GATConv(in=" << options.in_channels() << ", out=" << options.out_channels()
         << ", heads=" << options.heads() << ", concat=" << std::boolalpha << options.concat()
         << ", negative_slope=" << options.negative_slope() << ", bias=" << options.bias() << ")";
}

torch::Tensor GATConvImpl::forward(const SparseGraph& graph, const torch::Tensor& x) {
  return forward_with(graph, x, weight_matrices());
}

std::vector<torch::Tensor> GATConvImpl::weight_matrices() const { return {weight}; }

torch::Tensor GATConvImpl::forward_with(const SparseGraph& graph, const torch::Tensor& x,
                                        const std::vector<torch::Tensor>& matrices) {
  check_matrices("GATConv", matrices, 1);
  return functional::gat_conv(graph, x, matrices[0], att_src, att_dst, bias, options.concat(),
                              options.negative_slope());
}

std::vector<std::string> relational_weight_names() { return {"separate", "shared", "none"}; }
std::vector<std::string> relational_combine_names() { return {"sum", "learned", "attention"}; }

RelationalConvImpl::RelationalConvImpl(const RelationalConvOptions& options_) : options(options_) { reset(); }

void RelationalConvImpl::reset() {
  check_channels("RelationalConv", options.in_channels(), options.out_channels());
  const std::vector<std::string>& names = options.relations();
  TORCH_CHECK(!names.empty(), "RelationalConv: relations must not be empty");
  for (size_t r = 0; r < names.size(); ++r) {
    TORCH_CHECK(std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(r), names[r]) ==
                    names.begin() + static_cast<std::ptrdiff_t>(r),
                "RelationalConv: relation '", names[r], "' is named twice");
  }
  const std::vector<std::string> weight_modes = relational_weight_names(), combines = relational_combine_names();
  TORCH_CHECK(std::find(weight_modes.begin(), weight_modes.end(), options.weights()) != weight_modes.end(),
              "RelationalConv: unknown weights '", options.weights(), "' (valid: ", c10::Join(", ", weight_modes), ")");
  TORCH_CHECK(std::find(combines.begin(), combines.end(), options.combine()) != combines.end(),
              "RelationalConv: unknown combine '", options.combine(), "' (valid: ", c10::Join(", ", combines), ")");
  const int64_t in = options.in_channels(), out = options.out_channels(), R = static_cast<int64_t>(names.size());
  const bool none = options.weights() == "none";
  TORCH_CHECK(!none || in == out, "RelationalConv: weights 'none' keeps the width, so in_channels (", in,
              ") must equal out_channels (", out, ")");
  weights.clear();
  weight_self = bias = relation_logits = attention = torch::Tensor();  // a clone re-registers from scratch
  if (!none) weight_self = register_parameter("weight_self", torch::empty({in, out}));
  if (options.weights() == "separate") {
    for (int64_t r = 0; r < R; ++r) {
      weights.push_back(register_parameter("weight_" + std::to_string(r), torch::empty({in, out})));
    }
  }
  if (options.weights() == "shared") weights.push_back(register_parameter("weight_shared", torch::empty({in, out})));
  if (options.bias() && !none) bias = register_parameter("bias", torch::empty({out}));
  if (options.combine() == "learned") relation_logits = register_parameter("relation_logits", torch::empty({R}));
  // Attention scores the messages, which carry the transformed width only with separate weights.
  const int64_t message_width = options.weights() == "separate" ? out : in;
  if (options.combine() == "attention") attention = register_parameter("attention", torch::empty({R, message_width}));
  reset_parameters();
}

void RelationalConvImpl::reset_parameters() {
  at::Generator generator = at::detail::createCPUGenerator(options.seed());
  if (weight_self.defined()) glorot_(weight_self, options.in_channels(), options.out_channels(), generator);
  for (torch::Tensor& w : weights) glorot_(w, options.in_channels(), options.out_channels(), generator);
  zero_if_defined(bias);
  zero_if_defined(relation_logits);
  zero_if_defined(attention);
}

void RelationalConvImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::RelationalConv(in=" << options.in_channels() << ", out=" << options.out_channels()
         << ", relations=[" << c10::Join(", ", options.relations()) << "], weights=" << options.weights()
         << ", combine=" << options.combine() << ", bias=" << std::boolalpha << bias.defined() << ")";
}

torch::Tensor RelationalConvImpl::forward(const TypedGraph& graph, const torch::Tensor& x) {
  return forward_with(graph, x, weight_matrices());
}

std::vector<torch::Tensor> RelationalConvImpl::weight_matrices() const {
  if (!weight_self.defined()) return {};
  std::vector<torch::Tensor> out = {weight_self};
  out.insert(out.end(), weights.begin(), weights.end());
  return out;
}

torch::Tensor RelationalConvImpl::forward_with(const TypedGraph& graph, const torch::Tensor& x,
                                               const std::vector<torch::Tensor>& matrices) {
  const std::vector<std::string>& names = options.relations();
  check_matrices("RelationalConv", matrices, weight_self.defined() ? weights.size() + 1 : 0);
  for (const Relation& relation : graph.relations) {
    TORCH_CHECK(std::find(names.begin(), names.end(), relation.name) != names.end(),
                "RelationalConv: the graph's relation '", relation.name, "' has no weights (relations: ",
                c10::Join(", ", names), ")");
  }
  std::vector<const SparseGraph*> relation_graphs;
  for (const std::string& name : names) relation_graphs.push_back(graph.graph_of(name));
  functional::RelationalParameters p;
  if (!matrices.empty()) {
    p.weight_self = matrices[0];
    p.weights.assign(matrices.begin() + 1, matrices.end());
  }
  p.bias = bias;
  p.relation_logits = relation_logits;
  p.attention = attention;
  return functional::relational_conv(relation_graphs, graph.stacked(names), x, p);
}

AdapterImpl::AdapterImpl(const AdapterOptions& options_) : options(options_) { reset(); }

void AdapterImpl::reset() {
  TORCH_CHECK(options.width() > 0, "Adapter: width must be positive, got ", options.width());
  TORCH_CHECK(options.bottleneck() > 0, "Adapter: bottleneck must be positive, got ", options.bottleneck());
  const int64_t width = options.width(), bottleneck = options.bottleneck();
  down_weight = register_parameter("down_weight", torch::empty({width, bottleneck}));
  down_bias = register_parameter("down_bias", torch::empty({bottleneck}));
  up_weight = register_parameter("up_weight", torch::empty({bottleneck, width}));
  up_bias = register_parameter("up_bias", torch::empty({width}));
  reset_parameters();
}

void AdapterImpl::reset_parameters() {
  at::Generator generator = at::detail::createCPUGenerator(options.seed());
  glorot_(down_weight, options.width(), options.bottleneck(), generator);
  torch::NoGradGuard no_grad;
  down_bias.zero_();
  up_weight.zero_();
  up_bias.zero_();
}

void AdapterImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::Adapter(width=" << options.width() << ", bottleneck=" << options.bottleneck() << ")";
}

torch::Tensor AdapterImpl::forward(const torch::Tensor& y) {
  return functional::adapter(y, down_weight, down_bias, up_weight, up_bias);
}

}  // namespace graft::gnn
