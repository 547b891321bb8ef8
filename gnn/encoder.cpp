#include "gnn/encoder.h"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::gnn {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

void check_name(const std::string& field, const std::string& what, const std::string& value,
                const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return;
  throw io::UsageError("encoder." + field + ": unknown " + what + " '" + value + "' (valid: " + join(valid) + ")");
}

template <typename T>
[[noreturn]] void bad_value(const std::string& field, const std::string& requirement, const T& value) {
  std::ostringstream message;
  message << "encoder." << field << ": must be " << requirement << ", got " << value;
  throw io::UsageError(message.str());
}

// Layer k maps dim → dim; its weights are drawn from a seed derived from the encoder's.
EncoderLayer make_layer(const EncoderOptions& o, int64_t k) {
  const uint64_t seed = io::derive_seed(o.seed, "encoder/layer/" + std::to_string(k));
  if (o.layer == "gcn") return GCNConv(GCNConvOptions(o.dim, o.dim).seed(seed));
  if (o.layer == "sage") return SAGEConv(SAGEConvOptions(o.dim, o.dim).seed(seed));
  if (o.layer == "gat") return GATConv(GATConvOptions(o.dim, o.dim / o.heads).heads(o.heads).seed(seed));
  if (o.layer == "relational") return RelationalConv(RelationalConvOptions(o.dim, o.dim, o.relations).seed(seed));
  return LightGCNConv();
}

}  // namespace

std::vector<std::string> layer_names() { return {"lightgcn", "gcn", "sage", "gat", "relational"}; }
std::vector<std::string> combine_names() { return {"mean", "last", "concat"}; }
std::vector<std::string> activation_names() { return {"sigmoid", "tanh", "relu", "identity"}; }

void validate(const EncoderOptions& options) {
  if (options.dim < 1) bad_value("dim", "at least 1", options.dim);
  if (options.layers < 0) bad_value("layers", "at least 0", options.layers);
  check_name("layer", "layer", options.layer, layer_names());
  check_name("combine", "combine mode", options.combine, combine_names());
  check_name("activation", "activation", options.activation, activation_names());
  if (!(options.dropout >= 0.0 && options.dropout < 1.0)) bad_value("dropout", "in [0, 1)", options.dropout);
  if (options.heads < 1 || options.dim % options.heads != 0) {
    bad_value("heads", "a positive divisor of encoder.dim = " + std::to_string(options.dim), options.heads);
  }
  if (options.layer == "relational" && options.relations.empty()) {
    throw io::UsageError("encoder.relations: layer 'relational' needs at least one relation name");
  }
  for (auto name = options.relations.begin(); name != options.relations.end(); ++name) {
    if (std::find(options.relations.begin(), name, *name) != name) {
      throw io::UsageError("encoder.relations: relation '" + *name + "' is named twice");
    }
  }
}

EncoderImpl::EncoderImpl(const EncoderOptions& options) : options_(options) { reset(); }

void EncoderImpl::reset() {
  validate(options_);
  layers_.clear();
  for (int64_t k = 0; k < options_.layers; ++k) {
    layers_.push_back(make_layer(options_, k));
    register_module("layer_" + std::to_string(k), layer_module(static_cast<size_t>(k)));
  }
  head_ = nullptr;
  if (options_.head) {
    head_ = register_module("head", torch::nn::Linear(out_dim(), out_dim()));
    torch::NoGradGuard no_grad;
    head_->weight.copy_(torch::eye(out_dim()));
    head_->bias.zero_();
  }
}

void EncoderImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::Encoder(layer=" << options_.layer << ", layers=" << options_.layers
         << ", dim=" << options_.dim << ", combine=" << options_.combine << ", activation=" << options_.activation
         << ", head=" << std::boolalpha << options_.head << ", dropout=" << options_.dropout
         << ", heads=" << options_.heads << ")";
}

int64_t EncoderImpl::out_dim() const {
  return options_.combine == "concat" ? options_.dim * (options_.layers + 1) : options_.dim;
}

torch::Tensor EncoderImpl::forward(const SparseGraph& graph, const torch::Tensor& x) {
  TORCH_CHECK(options_.layer != "relational",
              "Encoder: layer 'relational' needs a typed graph (forward(const TypedGraph&, x))");
  return run(graph, nullptr, x);
}

torch::Tensor EncoderImpl::forward(const TypedGraph& graph, const torch::Tensor& x) {
  return run(graph.full, &graph, x);
}

torch::Tensor EncoderImpl::run(const SparseGraph& full, const TypedGraph* typed, const torch::Tensor& x) {
  TORCH_CHECK(full.rows() == full.cols(), "Encoder: the graph must be square, got ", full.rows(), " x ", full.cols());
  TORCH_CHECK(x.dim() == 2 && x.size(0) == full.rows() && x.size(1) == options_.dim, "Encoder: x must be [",
              full.rows(), ", ", options_.dim, "], got ", x.sizes());
  std::vector<torch::Tensor> outputs = {x};
  for (size_t k = 0; k < layers_.size(); ++k) {
    torch::Tensor h = run_layer(k, full, typed, outputs.back());
    if (options_.dropout > 0.0) h = torch::dropout(h, options_.dropout, is_training());
    outputs.push_back(h);
  }
  torch::Tensor z;
  if (options_.combine == "concat") {
    z = torch::cat(outputs, 1);
  } else if (options_.combine == "last") {
    z = outputs.back();
  } else {
    z = torch::stack(outputs).mean(0);
  }
  if (!options_.head) return z;
  const torch::Tensor h = head_->forward(z);
  if (options_.activation == "sigmoid") return torch::sigmoid(h);
  if (options_.activation == "tanh") return torch::tanh(h);
  if (options_.activation == "relu") return torch::relu(h);
  return h;
}

// Layer k with its weight matrices.
torch::Tensor EncoderImpl::run_layer(size_t k, const SparseGraph& full, const TypedGraph* typed,
                                     const torch::Tensor& x) {
  return std::visit(
      [&](auto& layer) -> torch::Tensor {
        const std::vector<torch::Tensor> matrices = layer->weight_matrices();
        if constexpr (std::is_same_v<std::decay_t<decltype(layer)>, RelationalConv>) {
          return layer->forward_with(*typed, x, matrices);
        } else {
          return layer->forward_with(full, x, matrices);
        }
      },
      layers_[k]);
}

std::shared_ptr<torch::nn::Module> EncoderImpl::layer_module(size_t k) const {
  return std::visit([](const auto& layer) -> std::shared_ptr<torch::nn::Module> { return layer.ptr(); },
                    layers_[k]);
}

std::vector<torch::Tensor> EncoderImpl::layer_parameters(int64_t k) const {
  TORCH_CHECK(k >= 0 && k < options_.layers, "Encoder::layer_parameters: layer ", k, " out of range [0, ",
              options_.layers, ")");
  return layer_module(static_cast<size_t>(k))->parameters();
}

std::vector<torch::Tensor> EncoderImpl::head_parameters() const {
  return head_ ? head_->parameters() : std::vector<torch::Tensor>{};
}

}  // namespace graft::gnn
