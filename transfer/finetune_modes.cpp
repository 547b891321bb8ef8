#include "transfer/finetune_modes.h"

#include "graph_io/errors.h"

#include <cmath>

namespace graft::transfer {
namespace {

std::vector<ParameterGroup> own_and_head(CrossDomainModel& model, double lr) {
  return {{"target", {model.target_items(), model.target_item_bias()}, lr},
          {"head", model.encoder()->head_parameters(), lr}};
}

void add_last_layers(CrossDomainModel& model, int64_t last_k, double lr, std::vector<ParameterGroup>& groups) {
  const int64_t layers = model.encoder()->num_layers();
  size_t weights = 0;
  for (int64_t k = std::max<int64_t>(0, layers - last_k); k < layers; ++k) {
    groups.push_back({"layer_" + std::to_string(k), model.encoder()->layer_parameters(k), lr});
    weights += groups.back().params.size();
  }
  if (weights == 0) {
    throw io::UsageError("finetune.mode last_k trains the last " + std::to_string(last_k) +
                         " message-passing layers, but encoder.layer " + model.encoder()->options().layer + " with " +
                         std::to_string(layers) + " layers has no layer weights, so last_k would train exactly what "
                         "frozen_encoder trains; use a layer with weights (gcn, sage, gat, relational) or frozen_encoder");
  }
}

void add_everything(CrossDomainModel& model, double lr, double decay, std::vector<ParameterGroup>& groups) {
  const int64_t layers = model.encoder()->num_layers();
  for (int64_t k = 0; k < layers; ++k) {
    groups.push_back({"layer_" + std::to_string(k), model.encoder()->layer_parameters(k),
                      lr * std::pow(decay, static_cast<double>(layers - k))});
  }
  const double input_lr = lr * std::pow(decay, static_cast<double>(layers + 1));
  groups.push_back({"embeddings", model.pretrained_tables(), input_lr});
  if (!model.feature_parameters().empty()) groups.push_back({"feature_projection", model.feature_parameters(), input_lr});
}

}  // namespace

std::vector<std::string> finetune_modes() {
  return {"full", "frozen_encoder", "last_k", "discriminative", "l2sp", "adapter", "lora"};
}

std::vector<ParameterGroup> trainable_groups(CrossDomainModel& model, const std::string& mode,
                                             const FinetuneOptions& options, double lr) {
  if (mode == "adapter") {
    model.encoder()->add_adapters(options.adapter_bottleneck);
    model.add_feature_adapters(options.adapter_bottleneck);
    std::vector<torch::Tensor> adapters = model.encoder()->adapter_parameters();
    for (const torch::Tensor& p : model.feature_adapter_parameters()) adapters.push_back(p);
    return {{"target", {model.target_items(), model.target_item_bias()}, lr}, {"adapters", adapters, lr}};
  }
  if (mode == "lora") {
    model.add_lora(options.lora_rank);
    return {{"target", {model.target_items(), model.target_item_bias()}, lr}, {"lora", model.lora_parameters(), lr}};
  }
  std::vector<ParameterGroup> groups = own_and_head(model, lr);
  if (mode == "frozen_encoder") return groups;
  if (mode == "last_k") {
    add_last_layers(model, options.last_k, lr, groups);
    return groups;
  }
  if (mode == "full" || mode == "l2sp" || mode == "discriminative") {
    add_everything(model, lr, mode == "discriminative" ? options.lr_decay : 1.0, groups);
    return groups;
  }
  throw io::UsageError("unknown finetune.mode '" + mode + "'");
}

}  // namespace graft::transfer
