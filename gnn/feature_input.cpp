#include "gnn/feature_input.h"

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

namespace graft::gnn {
namespace {

torch::Tensor project_block(const FeatureTensor& block, const torch::Tensor& weight) {
  return block.kind == io::FeatureKind::kSparse ? torch::mm(block.x, weight) : block.x.mm(weight);
}

}  // namespace

FeatureProjectionImpl::FeatureProjectionImpl(const NodeFeatures& schema, int64_t dim, double init_std, uint64_t seed)
    : dim_(dim), init_std_(init_std), seed_(seed) {
  for (const FeatureTensor& b : schema.blocks) {
    names_.push_back(b.name);
    widths_.push_back(b.width);
    sparse_.push_back(b.kind == io::FeatureKind::kSparse);
  }
  reset();
}

void FeatureProjectionImpl::reset() {
  TORCH_CHECK(!names_.empty(), "FeatureProjection: no feature blocks");
  TORCH_CHECK(dim_ > 0, "FeatureProjection: dim must be positive, got ", dim_);
  weights_.clear();
  const double blocks = static_cast<double>(names_.size());
  for (size_t b = 0; b < names_.size(); ++b) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(io::derive_seed(seed_, "features/" + names_[b]));
    const double fan_in = sparse_[b] ? 1.0 : static_cast<double>(widths_[b]);  // sparse rows have unit norm
    const double std = init_std_ / std::sqrt(blocks * fan_in);
    weights_.push_back(register_parameter("weight_" + std::to_string(b), at::normal(0.0, std, {widths_[b], dim_}, generator)));
  }
}

void FeatureProjectionImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::FeatureProjection(blocks=" << names_.size() << ", dim=" << dim_ << ")";
}

torch::Tensor FeatureProjectionImpl::forward(const NodeFeatures& features) {
  TORCH_CHECK(features.blocks.size() == names_.size(), "FeatureProjection: expected ", names_.size(),
              " feature blocks, got ", features.blocks.size());
  torch::Tensor out;
  for (size_t b = 0; b < names_.size(); ++b) {
    const FeatureTensor& block = features.blocks[b];
    TORCH_CHECK(block.name == names_[b] && block.width == widths_[b], "FeatureProjection: block ", b, " is '",
                block.name, "' of width ", block.width, ", expected '", names_[b], "' of width ", widths_[b]);
    const torch::Tensor weight = lora_.empty() ? weights_[b] : lora_[b]->apply(weights_[b]);
    const torch::Tensor y = project_block(block, weight);
    out = out.defined() ? out + y : y;
  }
  return adapter_ ? adapter_->forward(out) : out;
}

void FeatureProjectionImpl::add_adapter(int64_t bottleneck, uint64_t seed) {
  TORCH_CHECK(!adapter_, "FeatureProjection: the adapter is already on");
  adapter_ = register_module("adapter", Adapter(AdapterOptions(dim_, bottleneck).seed(seed)));
}

void FeatureProjectionImpl::add_lora(int64_t rank, uint64_t seed) {
  TORCH_CHECK(lora_.empty(), "FeatureProjection: LoRA is already on");
  for (size_t b = 0; b < weights_.size(); ++b) {
    lora_.push_back(register_module("lora_" + std::to_string(b),
                                    LowRankUpdate(widths_[b], dim_, rank, io::derive_seed(seed, names_[b]))));
  }
}

std::vector<torch::Tensor> FeatureProjectionImpl::projection_parameters() const { return weights_; }

std::vector<torch::Tensor> FeatureProjectionImpl::adapter_parameters() const {
  return adapter_ ? adapter_->parameters() : std::vector<torch::Tensor>{};
}

std::vector<torch::Tensor> FeatureProjectionImpl::lora_parameters() const {
  std::vector<torch::Tensor> params;
  for (const LowRankUpdate& update : lora_) {
    for (const torch::Tensor& p : update->parameters()) params.push_back(p);
  }
  return params;
}

std::vector<std::string> node_input_sources() { return {"id", "features", "both"}; }
std::vector<std::string> node_input_combines() { return {"sum", "concat"}; }

NodeInputImpl::NodeInputImpl(const NodeInputOptions& options, const NodeFeatures& schema)
    : options_(options), schema_(schema) {
  reset();
}

void NodeInputImpl::reset() {
  const auto sources = node_input_sources();
  TORCH_CHECK(std::find(sources.begin(), sources.end(), options_.source) != sources.end(),
              "NodeInput: unknown source '", options_.source, "'");
  TORCH_CHECK(options_.id_dropout >= 0.0 && options_.id_dropout <= 1.0, "NodeInput: id_dropout must be in [0, 1], got ",
              options_.id_dropout);
  if (!reads_features()) return;
  TORCH_CHECK(!schema_.empty(), "NodeInput: source '", options_.source, "' needs feature blocks");
  projection_ = register_module("projection", FeatureProjection(schema_, options_.dim, options_.init_std, options_.seed));
  if (options_.source == "both" && options_.combine == "concat") {
    mix_ = register_parameter("mix", torch::cat({torch::eye(options_.dim), torch::eye(options_.dim)}));
  }
}

void NodeInputImpl::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::NodeInput(source=" << options_.source << ", combine=" << options_.combine
         << ", id_dropout=" << options_.id_dropout << ")";
}

torch::Tensor NodeInputImpl::forward(const torch::Tensor& ids, const NodeFeatures& features, const torch::Tensor& has_id) {
  if (!reads_features()) return ids;
  const torch::Tensor projected = projection_->forward(features);
  if (!reads_ids()) return projected;
  torch::Tensor keep = has_id.defined() ? has_id.to(ids.dtype()) : torch::ones({ids.size(0)}, ids.options());
  if (is_training() && options_.id_dropout > 0.0) {
    keep = keep * torch::bernoulli(torch::full_like(keep, 1.0 - options_.id_dropout));
  }
  const torch::Tensor kept = ids * keep.unsqueeze(1);
  return mix_.defined() ? torch::cat({kept, projected}, 1).mm(mix_) : kept + projected;
}

std::vector<torch::Tensor> NodeInputImpl::feature_parameters() const {
  if (!projection_) return {};
  std::vector<torch::Tensor> params = projection_->projection_parameters();
  if (mix_.defined()) params.push_back(mix_);
  return params;
}

}  // namespace graft::gnn
