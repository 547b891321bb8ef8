// The encoder's layer-0 input of one node type (items, users): its ID embedding, its projected
// features, or both.
//
//   FeatureProjection   p(f) = Σ_b f_b · W_b                  one W_b [width_b, dim] per block
//                                                              (gnn/node_features.h gives f_b)
//   NodeInput           "id"        x = e
//                       "features"  x = p(f)
//                       "both"      x = m ⊙ e + p(f)          (combine "sum")
//                                   x = [m ⊙ e, p(f)] · C      (combine "concat"; C [2·dim, dim]
//                                                              starts as [I; I], i.e. as the sum)
// m is 0 for nodes without a trained ID (an item with no training interaction: its embedding is
// still its random initialisation, so it is left out and the node stands on its features and its
// category neighbours) and, in training mode, for a share id_dropout of the others, drawn anew at
// every forward (DropoutNet: the feature path learns to stand alone, which is what a new item has).
// The draw uses torch's global generator, which every training phase seeds.
//
// Parameter-efficient fine-tuning, as for the encoder (both start as the identity):
//   add_adapter(b)  an Adapter on p(f);   add_lora(r)  W_b + A_b·B_b for every block.
//
// Shapes: ids [n, dim] (or undefined for "features"), features.rows == n, has_id [n] bool or
// undefined (all trained) → [n, dim].
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "gnn/encoder_options.h"
#include "gnn/layers.h"
#include "gnn/low_rank.h"
#include "gnn/node_features.h"

namespace graft::gnn {

class FeatureProjectionImpl : public torch::nn::Cloneable<FeatureProjectionImpl> {
 public:
  // One weight per block of `schema` (names and widths; rows unused). W_b ~ N(0, σ²/(blocks·width_b))
  // for dense and scalar blocks, N(0, σ²/blocks) for sparse ones (unit rows), so p(f) has about the
  // scale init_std of an ID embedding.
  FeatureProjectionImpl(const NodeFeatures& schema, int64_t dim, double init_std, uint64_t seed);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  // UsageError-style TORCH_CHECK when features do not have the schema's blocks.
  torch::Tensor forward(const NodeFeatures& features);

  void add_adapter(int64_t bottleneck, uint64_t seed);
  void add_lora(int64_t rank, uint64_t seed);
  std::vector<torch::Tensor> projection_parameters() const;  // the W_b
  std::vector<torch::Tensor> adapter_parameters() const;
  std::vector<torch::Tensor> lora_parameters() const;

 private:
  std::vector<std::string> names_;
  std::vector<int64_t> widths_;
  std::vector<bool> sparse_;
  int64_t dim_;
  double init_std_;
  uint64_t seed_;
  std::vector<torch::Tensor> weights_;
  Adapter adapter_{nullptr};
  std::vector<LowRankUpdate> lora_;
};
TORCH_MODULE(FeatureProjection);

struct NodeInputOptions {
  std::string source = "id";     // "id" | "features" | "both"
  std::string combine = "sum";   // both: "sum" | "concat"
  double id_dropout = 0.0;       // both: share of trained IDs dropped per training forward, in [0, 1]
  int64_t dim = 64;
  double init_std = 0.1;
  uint64_t seed = 0;
};

class NodeInputImpl : public torch::nn::Cloneable<NodeInputImpl> {
 public:
  // `schema` may be empty only for source "id".
  NodeInputImpl(const NodeInputOptions& options, const NodeFeatures& schema);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& ids, const NodeFeatures& features, const torch::Tensor& has_id);

  bool reads_ids() const { return options_.source != "features"; }
  bool reads_features() const { return options_.source != "id"; }
  const NodeInputOptions& options() const { return options_; }
  FeatureProjection& projection() { return projection_; }
  const FeatureProjection& projection() const { return projection_; }
  std::vector<torch::Tensor> feature_parameters() const;  // the projection's W_b and the concat mix C

 private:
  NodeInputOptions options_;
  NodeFeatures schema_;
  FeatureProjection projection_{nullptr};
  torch::Tensor mix_;  // concat only
};
TORCH_MODULE(NodeInput);

}  // namespace graft::gnn
