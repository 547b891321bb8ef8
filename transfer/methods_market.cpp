// Methods of cross-market transfer, where the domains share items (the same product sold in
// several markets) rather than users:
//   source_popularity  each target item scored by its training interactions across the source
//                      markets (what a shop would rank on launch day); items sold in no source
//                      market score 0
//   forec              after FOREC (Bonab et al., CIKM 2021): train one model on the union graph of
//                      every market (linked items one node), then fork market-specific layers —
//                      residual adapters on the encoder's layers, starting as the identity — and
//                      train them with the target's own items on the target's interactions only
//   multi_source       fine-tuning from several source markets, each with a weight chosen on the
//                      target's validation cases: pretrained on every source, then on all but each
//                      in turn; a source whose removal validates better gets weight 0, and the
//                      model without those is kept if it validates better than with all
//                      (MultiSourceOptions). The report gives each source's weight and its
//                      leave-one-source-out effect on validation. (Fine-tuning, not joint
//                      training: on XMarket's jp, joint training on the union falls below the
//                      target alone, fine-tuning does not.)
#include "transfer/methods.h"
#include "transfer/model_method.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace graft::transfer {
namespace {

class SourcePopularity : public TransferMethod {
 public:
  std::string name() const override { return "source_popularity"; }
  std::vector<BridgeKind> needs() const override { return {BridgeKind::kSharedItems}; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    std::vector<float> counts(static_cast<size_t>(task->target_items), 0.0f);
    for (const auto& [source, target] : task->bridges.shared_items) {
      counts[target] = static_cast<float>(task->source_popularity[source]);
    }
    users_ = torch::ones({task->num_users, 1});
    items_ = torch::tensor(counts).log1p().unsqueeze(1);
    log.notes.push_back("source_popularity: target items by their training interactions in " +
                        std::to_string(task->source_names.size()) + " source domain(s); " +
                        std::to_string(task->bridges.shared_items.size()) + " of " +
                        std::to_string(task->target_items) + " target items are sold there; no training");
  }
  gnn::Representations target_representations() override { return {users_, items_}; }

 private:
  torch::Tensor users_, items_;
};

class Forked : public ModelMethod {
 public:
  std::string name() const override { return "forec"; }
  std::vector<BridgeKind> needs() const override { return {BridgeKind::kSharedItems}; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    adapt(joint_recipe(), log);

    Recipe fork = recipe();
    fork.phase = "fork";
    fork.graph = GraphKind::kUnion;
    fork.mode = "adapter";
    fork.scoring = union_scoring;
    adapt(std::move(fork), log);
  }
};

class MultiSource : public ModelMethod {
 public:
  std::string name() const override { return "multi_source"; }
  std::vector<BridgeKind> needs() const override { return {BridgeKind::kSharedItems, BridgeKind::kSharedUsers}; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    const std::vector<std::string>& names = task->source_names;
    std::vector<double> weights(names.size(), 1.0);
    const double with_all = train(task, "all_sources", log);
    if (task->options.multi_source.weights == "validation" && names.size() > 1 && task->valid) {
      weights = leave_each_out(task, with_all, log);
      if (std::find(weights.begin(), weights.end(), 0.0) != weights.end()) keep_better(task, weights, with_all, log);
    }
    for (size_t s = 0; s < names.size(); ++s) log.source_weights[names[s]] = weights[s];
    log.notes.push_back("source weights (" + task->options.multi_source.weights + "): " + listing(names, weights, 0));
  }

 private:
  // Fine-tuning of a fresh model (same seed): pretraining on the task's sources, linked items
  // started from theirs, then the target in finetune.mode. Returns the best validation score and
  // keeps the model as the method's.
  // With `pretrained` false, the target alone (every source dropped).
  double train(const std::shared_ptr<const TransferTask>& task, const std::string& phase, FitLog& log,
               bool pretrained = true) {
    build(task);
    if (pretrained) pretrain(log);
    Recipe r = recipe();
    r.phase = phase;
    adapt(std::move(r), log);
    const auto it = log.best_valid.find(task->options.selection_metric);
    return it == log.best_valid.end() ? 0.0 : it->second;
  }

  // The task over the sources whose weight is 1.
  static std::shared_ptr<const TransferTask> with_sources(const TransferTask& task,
                                                          const std::vector<double>& weights) {
    TransferOptions options = task.options;
    options.source.clear();
    for (size_t s = 0; s < weights.size(); ++s) {
      if (weights[s] > 0) options.source += (options.source.empty() ? "" : ",") + task.source_names[s];
    }
    return std::make_shared<const TransferTask>(make_task(*task.given, options));
  }

  // Leave-one-source-out on validation: weight 0 for each source whose removal helps.
  std::vector<double> leave_each_out(const std::shared_ptr<const TransferTask>& task, double with_all, FitLog& log) {
    const std::vector<std::string>& names = task->source_names;
    const Kept all = keep(log);
    std::vector<double> weights(names.size(), 1.0), effect(names.size());
    for (size_t s = 0; s < names.size(); ++s) {
      std::vector<double> without(names.size(), 1.0);
      without[s] = 0.0;
      const double score = train(with_sources(*task, without), "without_" + names[s], log);
      effect[s] = with_all - score;
      if (score > with_all + task->options.multi_source.tolerance) weights[s] = 0.0;
    }
    restore(all, log);
    log.notes.push_back("leave-one-source-out, validation " + task->options.selection_metric +
                        " with every source minus without each: " + listing(names, effect, 4));
    return weights;
  }

  // Trains without the dropped sources (on the target alone when all are) and keeps that model
  // if it validates better than with all.
  void keep_better(const std::shared_ptr<const TransferTask>& task, std::vector<double>& weights, double with_all,
                   FitLog& log) {
    const Kept all = keep(log);
    const bool none = std::count(weights.begin(), weights.end(), 0.0) == static_cast<std::ptrdiff_t>(weights.size());
    if (train(none ? task : with_sources(*task, weights), "chosen", log, !none) > with_all) return;
    restore(all, log);
    log.notes.push_back("training without the dropped sources validated no better; every source kept");
    weights.assign(weights.size(), 1.0);
  }

  struct Kept {
    std::shared_ptr<const TransferTask> task;
    std::shared_ptr<CrossDomainModel> model;
    Metrics valid;
  };
  Kept keep(const FitLog& log) const { return {task_, model_, log.best_valid}; }
  void restore(const Kept& kept, FitLog& log) {
    task_ = kept.task;
    model_ = kept.model;
    log.best_valid = kept.valid;
  }

  static std::string listing(const std::vector<std::string>& names, const std::vector<double>& values, int digits) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(digits);
    for (size_t s = 0; s < names.size(); ++s) out << (s ? ", " : "") << names[s] << " " << values[s];
    return out.str();
  }
};

}  // namespace

std::unique_ptr<TransferMethod> make_source_popularity() { return std::make_unique<SourcePopularity>(); }
std::unique_ptr<TransferMethod> make_forec() { return std::make_unique<Forked>(); }
std::unique_ptr<TransferMethod> make_multi_source() { return std::make_unique<MultiSource>(); }

}  // namespace graft::transfer
