#include "gnn/encoder.h"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <string>

#include "gnn/layers.h"
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
torch::nn::AnyModule make_layer(const EncoderOptions& o, int64_t k) {
  const uint64_t seed = io::derive_seed(o.seed, "encoder/layer/" + std::to_string(k));
  if (o.layer == "gcn") return torch::nn::AnyModule(GCNConv(GCNConvOptions(o.dim, o.dim).seed(seed)));
  if (o.layer == "sage") return torch::nn::AnyModule(SAGEConv(SAGEConvOptions(o.dim, o.dim).seed(seed)));
  if (o.layer == "gat") {
    return torch::nn::AnyModule(GATConv(GATConvOptions(o.dim, o.dim / o.heads).heads(o.heads).seed(seed)));
  }
  return torch::nn::AnyModule(LightGCNConv());
}

}  // namespace

std::vector<std::string> layer_names() { return {"lightgcn", "gcn", "sage", "gat"}; }
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
}

EncoderImpl::EncoderImpl(const EncoderOptions& options) : options_(options) { reset(); }

void EncoderImpl::reset() {
  validate(options_);
  layers_.clear();
  for (int64_t k = 0; k < options_.layers; ++k) {
    layers_.push_back(make_layer(options_, k));
    register_module("layer_" + std::to_string(k), layers_.back().ptr());
  }
  head_ = nullptr;
  if (!options_.head) return;
  head_ = register_module("head", torch::nn::Linear(out_dim(), out_dim()));
  torch::NoGradGuard no_grad;
  head_->weight.copy_(torch::eye(out_dim()));
  head_->bias.zero_();
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
  TORCH_CHECK(graph.rows() == graph.cols(), "Encoder: the graph must be square, got ", graph.rows(), " x ",
              graph.cols());
  TORCH_CHECK(x.dim() == 2 && x.size(0) == graph.rows() && x.size(1) == options_.dim, "Encoder: x must be [",
              graph.rows(), ", ", options_.dim, "], got ", x.sizes());
  std::vector<torch::Tensor> outputs = {x};
  for (auto& layer : layers_) {
    torch::Tensor h = layer.forward(graph, outputs.back());
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

std::vector<torch::Tensor> EncoderImpl::layer_parameters(int64_t k) const {
  TORCH_CHECK(k >= 0 && k < options_.layers, "Encoder::layer_parameters: layer ", k, " out of range [0, ",
              options_.layers, ")");
  return layers_[static_cast<size_t>(k)].ptr()->parameters();
}

std::vector<torch::Tensor> EncoderImpl::head_parameters() const {
  return head_ ? head_->parameters() : std::vector<torch::Tensor>{};
}

}  // namespace graft::gnn
