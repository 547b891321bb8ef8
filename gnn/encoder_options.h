// Options of the Encoder (gnn/encoder.h), plain so that configuration code can fill them without
// LibTorch. validate() names the first bad field and value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft::gnn {

struct EncoderOptions {
  int64_t dim = 64;                      // ID embedding and layer width, ≥ 1
  int64_t layers = 2;                    // K ≥ 0 message-passing layers
  std::string layer = "lightgcn";        // one of layer_names()
  std::string combine = "mean";          // "mean" (LightGCN) | "last" | "concat"
  std::string activation = "identity";   // σ of the head: "sigmoid" | "tanh" | "relu" | "identity"
  bool head = true;                      // false: h = z
  // The training L2 term also covers the encoder's weights (Encoder::weight_penalty), once a
  // step at the embeddings' weight_decay. Without it a head or a layer weight can grow while the
  // regularised embeddings shrink, and the model escapes the L2.
  bool decay_weights = false;
  double dropout = 0.0;                  // on each layer's output during training, in [0, 1)
  int64_t heads = 1;                     // attention heads (gat), dim divisible by heads
  std::vector<std::string> relations;    // relational: its relation names (distinct)
  std::string relation_weights = "separate";  // relational: relational_weight_names() (see gnn/layers.h)
  std::string relation_combine = "sum";       // relational: relational_combine_names()
  uint64_t seed = 0;                     // layer and head initialisation
};

std::vector<std::string> layer_names();       // "lightgcn", "gcn", "sage", "gat", "relational"
std::vector<std::string> combine_names();
std::vector<std::string> activation_names();
std::vector<std::string> relational_weight_names();   // "separate", "shared", "none"
std::vector<std::string> relational_combine_names();  // "sum", "learned", "attention"
// The layer-0 input of a node type (gnn/feature_input.h): its sources and how "both" combines.
std::vector<std::string> node_input_sources();   // "id", "features", "both"
std::vector<std::string> node_input_combines();  // "sum", "concat"

// UsageError naming the field and value of the first bad option (and the valid names).
void validate(const EncoderOptions& options);

}  // namespace graft::gnn
