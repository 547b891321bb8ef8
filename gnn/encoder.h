// Encoder: the representation graft carries across domains,
//
//   z = combine(x, L₁(x), L₂(L₁(x)), …)        K message-passing layers over a domain graph
//   h = σ(θ·z + b)                             the head; σ ∈ {sigmoid, tanh, relu, identity}
//
// x are the layer-0 node representations in the graph's node order (users, items, categories;
// see build_domain_graph). The encoder does not own them: a recommender owns its ID embeddings,
// and transfer/ feeds one shared user table with each domain's item table through the same
// encoder. θ starts as the identity and b at zero, so an identity-σ encoder starts as its GNN.
// Layer k (gnn/layers.h, dim → dim; gat: heads × dim/heads, concatenated) draws its weights from
// io::derive_seed(options.seed, "encoder/layer/<k>"). Dropout, in training mode only, applies to
// each layer's output (torch's global generator, which gnn::train seeds).
//
// Graphs: the untyped layers (lightgcn, gcn, sage, gat) run on a SparseGraph, or on a
// TypedGraph's `full` graph with the same result; the relational layer needs a TypedGraph and
// reads its relations by name (options.relations; see RelationalConv).
//
// Parameters are addressable in groups for freezing and per-group learning rates:
// layer_parameters(k) for k in [0, K) and head_parameters().
//
// Shapes: graph N × N, x [N, dim] → h [N, out_dim()], out_dim() = dim, or dim·(K+1) for concat.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <variant>
#include <vector>

#include "gnn/encoder_options.h"
#include "gnn/layers.h"
#include "gnn/sparse_graph.h"
#include "gnn/typed_graph.h"

namespace graft::gnn {

// One message-passing layer of the Encoder (options.layer).
using EncoderLayer = std::variant<LightGCNConv, GCNConv, SAGEConv, GATConv, RelationalConv>;

class EncoderImpl : public torch::nn::Cloneable<EncoderImpl> {
 public:
  explicit EncoderImpl(const EncoderOptions& options);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;

  // An error for the relational layer, which needs a typed graph.
  torch::Tensor forward(const SparseGraph& graph, const torch::Tensor& x);
  // Untyped layers over graph.full; relational layers over the relations by name.
  torch::Tensor forward(const TypedGraph& graph, const torch::Tensor& x);

  int64_t out_dim() const;
  int64_t num_layers() const { return options_.layers; }
  const EncoderOptions& options() const { return options_; }
  std::vector<torch::Tensor> layer_parameters(int64_t k) const;
  std::vector<torch::Tensor> head_parameters() const;

 private:
  torch::Tensor run(const SparseGraph& full, const TypedGraph* typed, const torch::Tensor& x);
  torch::Tensor run_layer(size_t k, const SparseGraph& full, const TypedGraph* typed, const torch::Tensor& x);
  std::shared_ptr<torch::nn::Module> layer_module(size_t k) const;

  EncoderOptions options_;
  std::vector<EncoderLayer> layers_;
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(Encoder);

}  // namespace graft::gnn
