// Methods of cross-market transfer, where the domains share items (the same product sold in
// several markets) rather than users:
//   source_popularity  each target item scored by its training interactions across the source
//                      markets (what a shop would rank on launch day); items sold in no source
//                      market score 0
//   forec              after FOREC (Bonab et al., CIKM 2021): train one model on the union graph of
//                      every market (linked items one node), then fork market-specific layers —
//                      residual adapters on the encoder's layers, starting as the identity — and
//                      train them with the target's own items on the target's interactions only
//   (multi_source, a mixture of per-source experts, is in methods_multi_source.cpp)
#include "transfer/methods.h"
#include "transfer/model_method.h"

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

}  // namespace

std::unique_ptr<TransferMethod> make_source_popularity() { return std::make_unique<SourcePopularity>(); }
std::unique_ptr<TransferMethod> make_forec() { return std::make_unique<Forked>(); }

}  // namespace graft::transfer
