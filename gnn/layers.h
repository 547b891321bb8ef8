// Message-passing layers over a SparseGraph (RelationalConv: a TypedGraph), as LibTorch modules.
// Each fuses message and aggregation into one spmm; the maths live in graft::gnn::functional so
// they can be tested and reused without a module. The caller normalises the graph; each layer
// says what it expects.
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
//   RelationalConv messages per named relation r, Â_r = TypedGraph's relation graph r (D^-½ A_r D^-½),
//                  combined per node, then the self term (R-GCN, Schlichtkrull et al., by default):
//                    weights  "separate"  m_r = Â_r x W_r    y = x W_self + c + b
//                             "shared"    m_r = Â_r x        y = x W_self + c W + b
//                             "none"      m_r = Â_r x        y = c  (LightGCN per relation, in = out)
//                    combine  "sum"        c = Σ_r m_r
//                             "learned"    c = Σ_r softmax(β)_r m_r, one logit β_r per relation
//                             "attention"  c_v = Σ_r α_vr m_vr, α_v· = softmax over the relations
//                                          with an edge at v of <a_r, m_vr> (a_r per relation)
//                  β and a start at zero, so "learned" and "attention" start as the mean over
//                  relations. A relation the graph lacks contributes nothing (and takes no share).
//                  Except under attention the relations run as one sparse product over their
//                  stack (relation_stack.h).
//
// Every layer gives its weight matrices (no biases, no attention vectors) by weight_matrices()
// and runs its maths with other matrices in their place by forward_with(graph, x, matrices),
// same order and shapes: forward(graph, x) is forward_with(graph, x, weight_matrices()). The
// Encoder passes W + A·B there for LoRA (gnn/low_rank.h).
//
// Adapter (not message passing; the Encoder's fine-tuning block, after Houlsby et al.):
//   y + relu(y D + d) U + u, D [width, bottleneck], U [bottleneck, width]; U and u start at zero,
//   so a new adapter is exactly the identity.
//
// Shapes: graph N × N (CSR rows are the receiving nodes), x [N, in] → y [N, out]; weights are
// [in, out]. Parameters are initialised Glorot-uniform (biases and attention vectors too, biases
// at zero) from a generator seeded by the options' seed, so a layer is a function of its options.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "gnn/encoder_options.h"
#include "gnn/sparse_graph.h"
#include "gnn/typed_graph.h"

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

// The parameters of relational_conv: which are defined picks the variant of RelationalConv.
struct RelationalParameters {
  torch::Tensor weight_self;           // [in, out], or undefined: no self term (weights "none")
  std::vector<torch::Tensor> weights;  // R × [in, out] ("separate"), one [in, out] ("shared") or none
  torch::Tensor bias;                  // [out] or undefined
  torch::Tensor relation_logits;       // [R]: combine "learned"
  torch::Tensor attention;             // [R, message width]: combine "attention"
};

// relation_graphs[r]: Â_r, or nullptr for a relation the graph lacks; stack: the same relations
// stacked (stack_relations), read unless combining by attention.
torch::Tensor relational_conv(const std::vector<const SparseGraph*>& relation_graphs, const RelationStack& stack,
                              const torch::Tensor& x, const RelationalParameters& parameters);

// y [N, width] + relu(y down_weight + down_bias) up_weight + up_bias; down_weight [width, b],
// down_bias [b], up_weight [b, width], up_bias [width].
torch::Tensor adapter(const torch::Tensor& y, const torch::Tensor& down_weight, const torch::Tensor& down_bias,
                      const torch::Tensor& up_weight, const torch::Tensor& up_bias);

}  // namespace functional

class LightGCNConvImpl : public torch::nn::Cloneable<LightGCNConvImpl> {
 public:
  void reset() override {}
  void reset_parameters() {}
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const SparseGraph& graph, const torch::Tensor& x);
  std::vector<torch::Tensor> weight_matrices() const { return {}; }
  torch::Tensor forward_with(const SparseGraph& graph, const torch::Tensor& x,
                             const std::vector<torch::Tensor>& matrices);
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
  std::vector<torch::Tensor> weight_matrices() const;
  torch::Tensor forward_with(const SparseGraph& graph, const torch::Tensor& x,
                             const std::vector<torch::Tensor>& matrices);

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
  std::vector<torch::Tensor> weight_matrices() const;
  torch::Tensor forward_with(const SparseGraph& graph, const torch::Tensor& x,
                             const std::vector<torch::Tensor>& matrices);

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
  std::vector<torch::Tensor> weight_matrices() const;
  torch::Tensor forward_with(const SparseGraph& graph, const torch::Tensor& x,
                             const std::vector<torch::Tensor>& matrices);

  GATConvOptions options;
  torch::Tensor weight, att_src, att_dst, bias;
};
TORCH_MODULE(GATConv);

struct RelationalConvOptions {
  RelationalConvOptions(int64_t in_channels, int64_t out_channels, std::vector<std::string> relations)
      : in_channels_(in_channels), out_channels_(out_channels), relations_(std::move(relations)) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(std::vector<std::string>, relations);  // distinct names, ≥ 1
  TORCH_ARG(std::string, weights) = "separate";     // relational_weight_names() (encoder_options.h)
  TORCH_ARG(std::string, combine) = "sum";          // relational_combine_names()
  TORCH_ARG(bool, bias) = true;                     // not with weights "none"
  TORCH_ARG(uint64_t, seed) = 0;
};

// Parameters: weight_self and bias (not with weights "none"); weight_<r> per relation in the order
// of options.relations ("separate") or weight_shared ("shared"); relation_logits [R] ("learned");
// attention [R, message width] ("attention": out with separate weights, in otherwise). Every
// relation of the graph must be one of options.relations
// (an error naming it otherwise).
class RelationalConvImpl : public torch::nn::Cloneable<RelationalConvImpl> {
 public:
  explicit RelationalConvImpl(const RelationalConvOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const TypedGraph& graph, const torch::Tensor& x);
  std::vector<torch::Tensor> weight_matrices() const;  // weight_self, then weights (none: empty)
  torch::Tensor forward_with(const TypedGraph& graph, const torch::Tensor& x,
                             const std::vector<torch::Tensor>& matrices);

  RelationalConvOptions options;
  torch::Tensor weight_self, bias, relation_logits, attention;
  std::vector<torch::Tensor> weights;
};
TORCH_MODULE(RelationalConv);

struct AdapterOptions {
  AdapterOptions(int64_t width, int64_t bottleneck) : width_(width), bottleneck_(bottleneck) {}
  TORCH_ARG(int64_t, width);
  TORCH_ARG(int64_t, bottleneck);
  TORCH_ARG(uint64_t, seed) = 0;  // draws down_weight
};

// Parameters down_weight, down_bias, up_weight, up_bias (see functional::adapter); a new adapter
// is the identity. Shapes: y [N, width] → [N, width].
class AdapterImpl : public torch::nn::Cloneable<AdapterImpl> {
 public:
  explicit AdapterImpl(const AdapterOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& y);

  AdapterOptions options;
  torch::Tensor down_weight, down_bias, up_weight, up_bias;
};
TORCH_MODULE(Adapter);

}  // namespace graft::gnn
