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
  if (o.layer == "relational") {
    return RelationalConv(RelationalConvOptions(o.dim, o.dim, o.relations)
                              .weights(o.relation_weights)
                              .combine(o.relation_combine)
                              .seed(seed));
  }
  return LightGCNConv();
}

// Moves a newly built module to the device and dtype of the encoder's parameters (if any).
void move_like(torch::nn::Module& module, const std::vector<torch::Tensor>& reference) {
  if (!reference.empty()) module.to(reference.front().device(), reference.front().scalar_type());
}

// Appends the parameters of `module` (nothing for an empty holder) to `out`.
template <typename Holder>
void append_parameters(const Holder& module, std::vector<torch::Tensor>& out) {
  if (!module) return;
  const std::vector<torch::Tensor> p = module->parameters();
  out.insert(out.end(), p.begin(), p.end());
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
  check_name("relation_weights", "relation weights", options.relation_weights, relational_weight_names());
  check_name("relation_combine", "relation combination", options.relation_combine, relational_combine_names());
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
  build_adapters();
  build_lora();
}

void EncoderImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::Encoder(layer=" << options_.layer << ", layers=" << options_.layers
         << ", dim=" << options_.dim << ", combine=" << options_.combine << ", activation=" << options_.activation
         << ", head=" << std::boolalpha << options_.head << ", dropout=" << options_.dropout
         << ", heads=" << options_.heads;
  if (adapter_bottleneck_ > 0) stream << ", adapters=" << adapter_bottleneck_;
  if (lora_rank_ > 0) stream << ", lora_rank=" << lora_rank_;
  stream << ")";
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
    if (!adapters_.empty()) h = adapters_[k]->forward(h);
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
  const torch::Tensor h = run_head(z);
  if (options_.activation == "sigmoid") return torch::sigmoid(h);
  if (options_.activation == "tanh") return torch::tanh(h);
  if (options_.activation == "relu") return torch::relu(h);
  return h;
}

// Layer k with its weight matrices, each plus its low-rank update when LoRA is on.
torch::Tensor EncoderImpl::run_layer(size_t k, const SparseGraph& full, const TypedGraph* typed,
                                     const torch::Tensor& x) {
  return std::visit(
      [&](auto& layer) -> torch::Tensor {
        std::vector<torch::Tensor> matrices = layer->weight_matrices();
        if (!lora_.empty()) {
          for (size_t i = 0; i < matrices.size(); ++i) matrices[i] = lora_[k][i]->apply(matrices[i]);
        }
        if constexpr (std::is_same_v<std::decay_t<decltype(layer)>, RelationalConv>) {
          return layer->forward_with(*typed, x, matrices);
        } else {
          return layer->forward_with(full, x, matrices);
        }
      },
      layers_[k]);
}

// θ·z + b (θ + A·B with LoRA), then the head adapter.
torch::Tensor EncoderImpl::run_head(const torch::Tensor& z) {
  torch::Tensor h = head_lora_ ? torch::nn::functional::linear(z, head_lora_->apply(head_->weight), head_->bias)
                               : head_->forward(z);
  return head_adapter_ ? head_adapter_->forward(h) : h;
}

std::shared_ptr<torch::nn::Module> EncoderImpl::layer_module(size_t k) const {
  return std::visit([](const auto& layer) -> std::shared_ptr<torch::nn::Module> { return layer.ptr(); },
                    layers_[k]);
}

void EncoderImpl::add_adapters(int64_t bottleneck) {
  TORCH_CHECK(bottleneck >= 1, "Encoder::add_adapters: bottleneck must be at least 1, got ", bottleneck);
  TORCH_CHECK(adapter_bottleneck_ == 0, "Encoder::add_adapters: the encoder already has adapters (bottleneck ",
              adapter_bottleneck_, ")");
  const std::vector<torch::Tensor> reference = parameters();
  adapter_bottleneck_ = bottleneck;
  build_adapters();
  for (Adapter& adapter : adapters_) move_like(*adapter, reference);
  if (head_adapter_) move_like(*head_adapter_, reference);
}

void EncoderImpl::add_lora(int64_t rank) {
  TORCH_CHECK(rank >= 1, "Encoder::add_lora: rank must be at least 1, got ", rank);
  TORCH_CHECK(lora_rank_ == 0, "Encoder::add_lora: the encoder already has LoRA updates (rank ", lora_rank_, ")");
  const std::vector<torch::Tensor> reference = parameters();
  lora_rank_ = rank;
  build_lora();
  for (auto& per_layer : lora_) {
    for (LowRankUpdate& update : per_layer) move_like(*update, reference);
  }
  if (head_lora_) move_like(*head_lora_, reference);
}

// Adapters at every layer output (width dim) and at the head (width out_dim()), when on.
void EncoderImpl::build_adapters() {
  adapters_.clear();
  head_adapter_ = nullptr;
  if (adapter_bottleneck_ == 0) return;
  for (size_t k = 0; k < layers_.size(); ++k) {
    const std::string site = std::to_string(k);
    const AdapterOptions o = AdapterOptions(options_.dim, adapter_bottleneck_)
                                 .seed(io::derive_seed(options_.seed, "encoder/adapter/" + site));
    adapters_.push_back(register_module("adapter_" + site, Adapter(o)));
  }
  if (!head_) return;
  const AdapterOptions o =
      AdapterOptions(out_dim(), adapter_bottleneck_).seed(io::derive_seed(options_.seed, "encoder/adapter/head"));
  head_adapter_ = register_module("adapter_head", Adapter(o));
}

// One low-rank update per weight matrix of every layer and of the head, when on.
void EncoderImpl::build_lora() {
  lora_.clear();
  head_lora_ = nullptr;
  if (lora_rank_ == 0) return;
  for (size_t k = 0; k < layers_.size(); ++k) {
    const std::vector<torch::Tensor> matrices = layer_weight_matrices(k);
    std::vector<LowRankUpdate>& per_layer = lora_.emplace_back();
    for (size_t i = 0; i < matrices.size(); ++i) {
      const std::string site = std::to_string(k) + "/" + std::to_string(i);
      const uint64_t seed = io::derive_seed(options_.seed, "encoder/lora/layer/" + site);
      per_layer.push_back(register_module("lora_layer_" + std::to_string(k) + "_" + std::to_string(i),
                                          LowRankUpdate(matrices[i].size(0), matrices[i].size(1), lora_rank_, seed)));
    }
  }
  if (!head_) return;
  head_lora_ = register_module("lora_head", LowRankUpdate(out_dim(), out_dim(), lora_rank_,
                                                          io::derive_seed(options_.seed, "encoder/lora/head")));
}

std::vector<torch::Tensor> EncoderImpl::layer_weight_matrices(size_t k) const {
  return std::visit([](const auto& layer) { return layer->weight_matrices(); }, layers_[k]);
}

torch::Tensor EncoderImpl::weight_penalty() const {
  torch::Tensor total = torch::zeros({});
  for (size_t k = 0; k < layers_.size(); ++k) {
    for (const torch::Tensor& w : layer_weight_matrices(k)) total = total + w.pow(2).sum();
  }
  if (head_) {
    const torch::Tensor eye = torch::eye(out_dim(), head_->weight.options());
    total = total + (head_->weight - eye).pow(2).sum() + head_->bias.pow(2).sum();
  }
  return total;
}

torch::Tensor EncoderImpl::batch_l2_share(int64_t batch) const {
  if (!options_.decay_weights) return torch::zeros({});
  return static_cast<double>(batch) * weight_penalty();
}

std::vector<torch::Tensor> EncoderImpl::layer_parameters(int64_t k) const {
  TORCH_CHECK(k >= 0 && k < options_.layers, "Encoder::layer_parameters: layer ", k, " out of range [0, ",
              options_.layers, ")");
  return layer_module(static_cast<size_t>(k))->parameters();
}

std::vector<torch::Tensor> EncoderImpl::head_parameters() const {
  return head_ ? head_->parameters() : std::vector<torch::Tensor>{};
}

std::vector<torch::Tensor> EncoderImpl::adapter_parameters() const {
  std::vector<torch::Tensor> out;
  for (const Adapter& adapter : adapters_) append_parameters(adapter, out);
  append_parameters(head_adapter_, out);
  return out;
}

std::vector<torch::Tensor> EncoderImpl::lora_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& per_layer : lora_) {
    for (const LowRankUpdate& update : per_layer) append_parameters(update, out);
  }
  append_parameters(head_lora_, out);
  return out;
}

}  // namespace graft::gnn
