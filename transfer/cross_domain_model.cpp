#include "transfer/cross_domain_model.h"

#include "gnn/gather_rows.h"
#include "graph_io/seeded_random.h"

#include <ATen/CPUGeneratorImpl.h>

namespace graft::transfer {
namespace {

torch::Tensor normal_table(int64_t rows, int64_t dim, double std, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::normal(0.0, std, {rows, dim}, generator);
}

}  // namespace

CrossDomainModel::CrossDomainModel(std::shared_ptr<const TransferTask> task) : task_(std::move(task)) {
  const TransferOptions& options = task_->options;
  const int64_t dim = options.encoder.dim;
  const auto table = [&](const char* name, int64_t rows) {
    return register_parameter(name, normal_table(rows, dim, options.init_std, io::derive_seed(options.seed, name)));
  };
  users_ = table("users", task_->num_users);
  source_items_ = table("source_items", task_->source_items);
  target_items_ = table("target_items", task_->target_items);
  source_bias_ = register_parameter("source_item_bias", torch::zeros({task_->source_items}));
  target_bias_ = register_parameter("target_item_bias", torch::zeros({task_->target_items}));
  gnn::EncoderOptions encoder = options.encoder;
  encoder.seed = io::derive_seed(options.seed, "encoder");
  for (const gnn::Relation& relation : task_->union_graph.relations) encoder.relations.push_back(relation.name);
  encoder_ = register_module("encoder", gnn::Encoder(encoder));
  categories_ = task_->num_categories > 0 ? table("categories", task_->num_categories) : torch::zeros({0, dim});
  const auto input = [&](const std::string& source, const char* name) {
    gnn::NodeInputOptions o;
    o.source = source;
    o.combine = options.features.combine;
    o.id_dropout = options.features.id_dropout;
    o.dim = dim;
    o.init_std = options.init_std;
    o.seed = io::derive_seed(options.seed, name);
    return o;
  };
  user_input_ = register_module("user_input", gnn::NodeInput(input(options.features.users, "user_input"),
                                                             task_->user_features));
  item_input_ = register_module("item_input", gnn::NodeInput(input(options.features.items, "item_input"),
                                                             task_->source_item_features));
}

torch::Tensor CrossDomainModel::item_inputs(GraphKind kind) {
  std::vector<torch::Tensor> ids;
  if (kind != GraphKind::kTarget) ids.push_back(table(source_items_, source_items_lora_));
  if (kind != GraphKind::kSource) ids.push_back(target_items_);
  const torch::Tensor id_rows = ids.size() == 1 ? ids[0] : torch::cat(ids);
  const torch::Tensor x = item_input_->forward(id_rows, task_->item_features(kind), task_->item_trained(kind));
  return merges_linked_items(kind) ? gnn::gather_rows(x, task_->union_node_item) : x;
}

bool CrossDomainModel::merges_linked_items(GraphKind kind) const {
  return kind == GraphKind::kUnion && task_->union_item_node.defined();
}

std::vector<gnn::NodeInput*> CrossDomainModel::node_inputs() { return {&user_input_, &item_input_}; }

torch::Tensor CrossDomainModel::table(const torch::Tensor& base, const gnn::LowRankUpdate& update) const {
  return update ? update->apply(base) : base;
}

gnn::Representations CrossDomainModel::represent(GraphKind kind) {
  const torch::Tensor users = user_input_->forward(table(users_, users_lora_), task_->user_features, {});
  std::vector<torch::Tensor> x = {users, item_inputs(kind)};
  if (categories_.size(0) > 0) x.push_back(table(categories_, categories_lora_));
  const gnn::TypedGraph& graph = task_->graph(kind);
  const torch::Tensor h = encoder_->forward(graph, torch::cat(x));
  const torch::Tensor items = h.narrow(0, graph.layout.item_offset(), graph.layout.items);
  return {h.narrow(0, 0, graph.layout.users),
          merges_linked_items(kind) ? gnn::gather_rows(items, task_->union_item_node) : items};
}

gnn::Representations CrossDomainModel::with_item_bias(const gnn::Representations& reps, GraphKind kind) const {
  const torch::Tensor& bias = kind == GraphKind::kSource ? source_bias_ : target_bias_;
  const torch::Tensor ones = torch::ones({reps.users.size(0), 1}, reps.users.options());
  return {torch::cat({reps.users, ones}, 1), torch::cat({reps.items, bias.unsqueeze(1).to(reps.items.dtype())}, 1)};
}

torch::Tensor CrossDomainModel::batch_l2(GraphKind kind, const torch::Tensor& users, const torch::Tensor& positives,
                                         const torch::Tensor& negatives) const {
  const torch::Tensor& items = kind == GraphKind::kSource ? source_items_ : target_items_;
  return gnn::squared_norms(users_, items, users, positives, negatives) + encoder_->batch_l2_share(users.size(0));
}

void CrossDomainModel::start_linked_items_from_source() {
  std::vector<int64_t> targets, sources;
  for (int64_t k = 0; k < task_->target_items; ++k) {
    if (task_->linked_source_item.empty() || task_->linked_source_item[k] < 0) continue;
    targets.push_back(k);
    sources.push_back(task_->linked_source_item[k]);
  }
  if (targets.empty()) return;
  torch::NoGradGuard no_grad;
  const torch::Tensor t = as_index(targets), s = as_index(sources);
  target_items_.index_copy_(0, t, table(source_items_, source_items_lora_).index_select(0, s));
  target_bias_.index_copy_(0, t, source_bias_.index_select(0, s));
}

std::vector<torch::Tensor> CrossDomainModel::pretrained_tables() const {
  std::vector<torch::Tensor> tables = {users_, source_items_, source_bias_};
  if (categories_.size(0) > 0) tables.push_back(categories_);
  return tables;
}

void CrossDomainModel::add_lora(int64_t rank) {
  TORCH_CHECK(!users_lora_, "CrossDomainModel::add_lora: LoRA is already on");
  const uint64_t seed = task_->options.seed;
  const auto update = [&](const char* name, const torch::Tensor& base) {
    return register_module(name, gnn::LowRankUpdate(base.size(0), base.size(1), rank,
                                                    io::derive_seed(seed, std::string(name))));
  };
  encoder_->add_lora(rank);
  users_lora_ = update("users_lora", users_);
  source_items_lora_ = update("source_items_lora", source_items_);
  if (categories_.size(0) > 0) categories_lora_ = update("categories_lora", categories_);
  for (gnn::NodeInput* input : node_inputs()) {
    if ((*input)->reads_features()) (*input)->projection()->add_lora(rank, io::derive_seed(seed, "features_lora"));
  }
}

std::vector<torch::Tensor> CrossDomainModel::feature_parameters() const {
  std::vector<torch::Tensor> params;
  for (const auto* input : {&user_input_, &item_input_}) {
    for (const auto& p : (*input)->feature_parameters()) params.push_back(p);
  }
  return params;
}

void CrossDomainModel::add_feature_adapters(int64_t bottleneck) {
  for (gnn::NodeInput* input : node_inputs()) {
    if ((*input)->reads_features()) {
      (*input)->projection()->add_adapter(bottleneck, io::derive_seed(task_->options.seed, "features_adapter"));
    }
  }
}

std::vector<torch::Tensor> CrossDomainModel::feature_adapter_parameters() const {
  std::vector<torch::Tensor> params;
  for (const auto* input : {&user_input_, &item_input_}) {
    if (!(*input)->reads_features()) continue;
    for (const auto& p : (*input)->projection()->adapter_parameters()) params.push_back(p);
  }
  return params;
}

std::vector<torch::Tensor> CrossDomainModel::lora_parameters() const {
  std::vector<torch::Tensor> params = encoder_->lora_parameters();
  for (const auto* update : {&users_lora_, &source_items_lora_, &categories_lora_}) {
    if (*update) {
      for (const auto& p : (*update)->parameters()) params.push_back(p);
    }
  }
  for (const auto* input : {&user_input_, &item_input_}) {
    if (!(*input)->reads_features()) continue;
    for (const auto& p : (*input)->projection()->lora_parameters()) params.push_back(p);
  }
  return params;
}

std::vector<torch::Tensor> CrossDomainModel::snapshot() const {
  std::vector<torch::Tensor> state;
  for (const auto& p : parameters()) state.push_back(p.detach().clone());
  return state;
}

void CrossDomainModel::restore(const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  const auto params = parameters();
  for (size_t k = 0; k < params.size(); ++k) params[k].copy_(state[k]);
}

DomainView::DomainView(std::shared_ptr<CrossDomainModel> model, GraphKind kind)
    : model_(register_module("model", std::move(model))), kind_(kind) {}

gnn::Representations DomainView::represent() {
  gnn::Representations reps = model_->represent(kind_);
  if (kind_ == GraphKind::kUnion) {  // score the target's items
    const int64_t source_items = model_->task().source_items;
    reps.items = reps.items.narrow(0, source_items, reps.items.size(0) - source_items);
  }
  return model_->with_item_bias(reps, kind_);
}

torch::Tensor DomainView::batch_l2(const torch::Tensor& users, const torch::Tensor& positives,
                                   const torch::Tensor& negatives) {
  return model_->batch_l2(kind_, users, positives, negatives);
}

torch::Tensor FixedRecommender::batch_l2(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
  throw std::logic_error("FixedRecommender holds finished representations and is not trained");
}

}  // namespace graft::transfer
