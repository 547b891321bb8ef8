// Message-passing layers over a SparseGraph, as LibTorch modules. Each fuses message and
// aggregation into one spmm; the maths live in graft::gnn::functional so they can be tested and
// reused without a module. The caller normalises the graph; each layer says what it expects.
//
//   LightGCNConv   y = Â x                                   (no parameters)
//   GCNConv        y = Â x W + b                              Â = D^-½ (A + I) D^-½ (Kipf & Welling):
//                                                             pass a symmetric graph with self-loops
//   SAGEConv       y = x W_self + mean_{j ∈ N(i)} x_j W_neigh + b
//                  (GraphSAGE-mean; the mean is taken over the graph's pattern, its values are
//                  ignored, so any normalisation works; an empty row has a zero mean)
//   GATConv        α_ij = softmax_{j ∈ N(i)} LeakyReLU(a_dstʰ·Wʰx_i + a_srcʰ·Wʰx_j) per head h,
//                  yʰ_i = Σ_j α_ij Wʰ x_j, heads concatenated (or averaged), + b
//                  (Veličković et al.; pattern only, values ignored; add self-loops for a node
//                  to attend to itself; an empty row gives b)
//   RelationalConv y = Σ_r layer_r(graph_r, x), one inner layer per relation graph
//
// Shapes: graph N × N (CSR rows are the receiving nodes), x [N, in] → y [N, out]; weights are
// [in, out]. Parameters are initialised Glorot-uniform (biases and attention vectors too, biases
// at zero) from a generator seeded by the options' seed, so a layer is a function of its options.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "gnn/sparse_graph.h"

namespace graft::gnn {

namespace functional {

torch::Tensor lightgcn_conv(const SparseGraph& graph, const torch::Tensor& x);

// weight [in, out], bias [out] or undefined.
torch::Tensor gcn_conv(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& weight,
                       const torch::Tensor& bias);

// Row means of x over each row's neighbours: [N, in]; rows without edges are zero.
torch::Tensor neighbour_mean(const SparseGraph& graph, const torch::Tensor& x);

// weight_self, weight_neigh [in, out], bias [out] or undefined.
torch::Tensor sage_conv(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& weight_self,
                        const torch::Tensor& weight_neigh, const torch::Tensor& bias);

// Softmax of per-edge scores [nnz, H] over the edges of each CSR row (stable: the row maximum is
// subtracted first). Rows without edges contribute nothing.
torch::Tensor edge_softmax(const SparseGraph& graph, const torch::Tensor& scores);

// weight [in, heads·out], att_src and att_dst [heads, out], bias [heads·out] (concat) or [out]
// (mean) or undefined → y [N, heads·out] or [N, out].
torch::Tensor gat_conv(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& weight,
                       const torch::Tensor& att_src, const torch::Tensor& att_dst, const torch::Tensor& bias,
                       bool concat, double negative_slope);

}  // namespace functional

class LightGCNConvImpl : public torch::nn::Cloneable<LightGCNConvImpl> {
 public:
  void reset() override {}
  void reset_parameters() {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const SparseGraph& graph, const torch::Tensor& x);
};
TORCH_MODULE(LightGCNConv);

struct GCNConvOptions {
  GCNConvOptions(int64_t in_channels, int64_t out_channels) : in_channels_(in_channels), out_channels_(out_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(uint64_t, seed) = 0;
};

class GCNConvImpl : public torch::nn::Cloneable<GCNConvImpl> {
 public:
  explicit GCNConvImpl(const GCNConvOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const SparseGraph& graph, const torch::Tensor& x);

  GCNConvOptions options;
  torch::Tensor weight, bias;
};
TORCH_MODULE(GCNConv);

struct SAGEConvOptions {
  SAGEConvOptions(int64_t in_channels, int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(uint64_t, seed) = 0;
};

class SAGEConvImpl : public torch::nn::Cloneable<SAGEConvImpl> {
 public:
  explicit SAGEConvImpl(const SAGEConvOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const SparseGraph& graph, const torch::Tensor& x);

  SAGEConvOptions options;
  torch::Tensor weight_self, weight_neigh, bias;
};
TORCH_MODULE(SAGEConv);

struct GATConvOptions {
  // out_channels per head.
  GATConvOptions(int64_t in_channels, int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, heads) = 1;
  TORCH_ARG(bool, concat) = true;  // false: average the heads
  TORCH_ARG(double, negative_slope) = 0.2;
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(uint64_t, seed) = 0;
};

class GATConvImpl : public torch::nn::Cloneable<GATConvImpl> {
 public:
  explicit GATConvImpl(const GATConvOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const SparseGraph& graph, const torch::Tensor& x);

  GATConvOptions options;
  torch::Tensor weight, att_src, att_dst, bias;
};
TORCH_MODULE(GATConv);

// One inner layer per relation; the factory builds the layer of relation r (its forward must
// take (const SparseGraph&, const torch::Tensor&)). Inner layers are submodules "relation_<r>".
class RelationalConvImpl : public torch::nn::Cloneable<RelationalConvImpl> {
 public:
  using Factory = std::function<torch::nn::AnyModule(int64_t relation)>;
  RelationalConvImpl(int64_t relations, Factory factory);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  // relation_graphs.size() must equal the number of relations.
  torch::Tensor forward(const std::vector<SparseGraph>& relation_graphs, const torch::Tensor& x);

 private:
  int64_t relations_;
  Factory factory_;
  std::vector<torch::nn::AnyModule> layers_;
};
TORCH_MODULE(RelationalConv);

// The relation graphs of a domain graph built without self-loops (build_domain_graph's node
// layout), keeping its values: [0] user–item edges (both directions), [1] item–category edges
// (both directions; empty without categories). Each is N × N. Any other edge is an error.
std::vector<SparseGraph> split_relations(const SparseGraph& graph, const NodeLayout& layout);

}  // namespace graft::gnn
