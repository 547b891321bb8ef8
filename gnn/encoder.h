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
// Parameter-efficient fine-tuning (after pretraining; the pretrained weights stay as they are):
//   add_adapters(b)  an Adapter (gnn/layers.h) on each layer's output, before dropout, and on
//                    the head's output θ·z + b, before σ; seeds "encoder/adapter/<k>", ".../head".
//   add_lora(r)      every weight matrix W (head θ; gcn, sage, gat, relational weights; not
//                    biases or attention vectors) used as W + A·B (gnn/low_rank.h); seeds
//                    "encoder/lora/layer/<k>/<i>" (i: the layer's weight_matrices() order),
//                    "encoder/lora/head".
// Both start as the identity, so the encoder's output is unchanged, bit for bit, until they are
// trained. Their parameters take the device and dtype of the encoder's first parameter.
//
// Parameters are addressable in groups for freezing and per-group learning rates:
// layer_parameters(k) for k in [0, K) and head_parameters() (the pretrained weights only),
// adapter_parameters() and lora_parameters().
//
// Shapes: graph N × N, x [N, dim] → h [N, out_dim()], out_dim() = dim, or dim·(K+1) for concat.
// Adapters: 2·w·b + b + w parameters per site (w = dim per layer, out_dim() at the head); LoRA:
// r·(rows + cols) per weight matrix.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <variant>
#include <vector>

#include "gnn/encoder_options.h"
#include "gnn/layers.h"
#include "gnn/low_rank.h"
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

  // Errors: bottleneck or rank below 1, or called a second time.
  void add_adapters(int64_t bottleneck);
  void add_lora(int64_t rank);

  // ‖θ − I‖² + ‖b‖² of the head (the distance from "no head") plus ‖W‖² of every layer weight
  // matrix (layers' weight_matrices()); 0 for an encoder without weights. Adapters and LoRA
  // updates are not included.
  torch::Tensor weight_penalty() const;
  // What the encoder adds to a batch's L2 squares (Recommender::batch_l2): batch ×
  // weight_penalty() with options.decay_weights, so that l2_regularizer's division by the batch
  // leaves the weights once a step; 0 without.
  torch::Tensor batch_l2_share(int64_t batch) const;

  int64_t out_dim() const;
  int64_t num_layers() const { return options_.layers; }
  const EncoderOptions& options() const { return options_; }
  std::vector<torch::Tensor> layer_parameters(int64_t k) const;
  std::vector<torch::Tensor> head_parameters() const;
  std::vector<torch::Tensor> adapter_parameters() const;  // layer sites in order, then the head's
  std::vector<torch::Tensor> lora_parameters() const;     // layers in order (A, B per matrix), then the head's
  int64_t adapter_bottleneck() const { return adapter_bottleneck_; }  // 0: no adapters
  int64_t lora_rank() const { return lora_rank_; }                    // 0: no LoRA

 private:
  torch::Tensor run(const SparseGraph& full, const TypedGraph* typed, const torch::Tensor& x);
  torch::Tensor run_layer(size_t k, const SparseGraph& full, const TypedGraph* typed, const torch::Tensor& x);
  torch::Tensor run_head(const torch::Tensor& z);
  std::shared_ptr<torch::nn::Module> layer_module(size_t k) const;
  std::vector<torch::Tensor> layer_weight_matrices(size_t k) const;
  void build_adapters();
  void build_lora();

  EncoderOptions options_;
  std::vector<EncoderLayer> layers_;
  torch::nn::Linear head_{nullptr};
  int64_t adapter_bottleneck_ = 0, lora_rank_ = 0;
  std::vector<Adapter> adapters_;  // one per layer
  Adapter head_adapter_{nullptr};
  std::vector<std::vector<LowRankUpdate>> lora_;  // per layer, one per weight matrix
  LowRankUpdate head_lora_{nullptr};
};
TORCH_MODULE(Encoder);

}  // namespace graft::gnn
