// The registry of transfer methods: one line per method. The fine-tuning modes of
// finetune_modes.h are methods too (`--method last_k` is `--method finetune` with
// finetune.mode=last_k, and both report as last_k).
#include "graph_io/errors.h"
#include "transfer/cross_domain_model.h"
#include "transfer/methods.h"
#include "transfer/transfer.h"

#include <functional>

namespace graft::transfer {
namespace {

using Factory = std::function<std::unique_ptr<TransferMethod>()>;

struct Entry {
  std::string name;
  Factory make;
  std::string mode;  // the finetune.mode the method fixes; empty: none
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> methods = {
      {"popularity", make_popularity, ""},
      {"target_only", make_target_only, ""},
      {"source_only", make_source_only, ""},
      {"joint", make_joint, ""},
      {"finetune", [] { return make_finetune("finetune"); }, "full"},
      {"frozen_encoder", [] { return make_finetune("frozen_encoder"); }, "frozen_encoder"},
      {"last_k", [] { return make_finetune("last_k"); }, "last_k"},
      {"discriminative_lr", [] { return make_finetune("discriminative_lr"); }, "discriminative"},
      {"l2sp", [] { return make_finetune("l2sp"); }, "l2sp"},
      {"adapter", [] { return make_finetune("adapter"); }, "adapter"},
      {"lora", [] { return make_finetune("lora"); }, "lora"},
      {"adversarial", [] { return make_aligned_finetune("adversarial"); }, ""},
      {"mmd", [] { return make_aligned_finetune("mmd"); }, ""},
      {"coral", [] { return make_aligned_finetune("coral"); }, ""},
      {"mapping", make_mapping, ""},
      {"meta", make_meta, ""},
      {"instance_weighting", make_instance_weighting, ""},
      {"vib", make_vib, ""},
      {"cdrib", make_cdrib, ""},
      {"shared_neighbours", make_shared_neighbours, ""},
      {"cooccurrence", make_cooccurrence, ""},
      {"source_popularity", make_source_popularity, ""},
      {"forec", make_forec, ""},
      {"multi_source", make_multi_source, ""},
      {"itemknn", [] { return make_item_similarity("itemknn"); }, ""},
      {"ease", [] { return make_item_similarity("ease"); }, ""},
      {"gfcf", [] { return make_item_similarity("gfcf"); }, ""},
  };
  return methods;
}

const Entry* find(const std::string& name) {
  for (const Entry& entry : registry()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.name);
  return names;
}

std::unique_ptr<TransferMethod> make_method(const std::string& name) {
  if (const Entry* entry = find(name)) return entry->make();
  std::string valid;
  for (const auto& n : method_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw io::UsageError("unknown transfer method '" + name + "'; valid methods: " + valid);
}

void canonicalise_method(TransferOptions& options) {
  const Entry* entry = find(options.method);
  if (entry == nullptr || entry->mode.empty()) return;
  if (options.method == "finetune") {
    for (const Entry& e : registry()) {
      if (e.mode == options.finetune.mode && e.name != "finetune") options.method = e.name;
    }
    return;
  }
  if (options.finetune.mode != "full" && options.finetune.mode != entry->mode) {
    throw io::UsageError("method " + entry->name + " is fine-tuning with finetune.mode " + entry->mode +
                         ", but finetune.mode is set to " + options.finetune.mode +
                         "; use --method finetune with finetune.mode, or leave finetune.mode unset");
  }
  options.finetune.mode = entry->mode;
}

std::shared_ptr<gnn::Recommender> TransferMethod::target_scorer() {
  return std::make_shared<FixedRecommender>(target_representations());
}

torch::Tensor TransferMethod::score(const torch::Tensor& users, const torch::Tensor& items) {
  const std::shared_ptr<gnn::Recommender> scorer = target_scorer();
  return scorer->score_pairs(scorer->represent(), users, items);
}

}  // namespace graft::transfer
