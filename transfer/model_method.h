// ModelMethod: the base of methods whose state is one CrossDomainModel and a way of scoring the
// target with it; the helpers their recipes share.
#pragma once

#include "transfer/adaptation.h"

namespace graft::transfer {

class ModelMethod : public TransferMethod {
 public:
  // Shared users, shared items (linked items start from the source), or item features of one
  // space (the model's item projection carries those).
  std::vector<BridgeKind> needs() const override {
    return {BridgeKind::kSharedUsers, BridgeKind::kSharedItems, BridgeKind::kSharedFeatures};
  }
  gnn::Representations target_representations() override;
  // Source items from the encoder over the graph the method trained them on, with their bias;
  // nullopt when the scoring adds columns of its own (target_only's popularity fallback).
  std::optional<gnn::Representations> all_item_representations() override;
  std::optional<std::pair<torch::Tensor, torch::Tensor>> domain_user_representations() override;

 protected:
  void build(std::shared_ptr<const TransferTask> task);
  // Pretrains on the source and records the discrepancy before adaptation.
  void pretrain(FitLog& log);
  // A recipe in the task's fine-tuning mode with the target ranking loss, and the method's scoring.
  Recipe recipe() const;
  // Joint training on the union graph: the target and source ranking losses, every parameter
  // trained, scored through the union graph (which then also represents the source items).
  Recipe joint_recipe();
  // Trains the recipe; the recipe's scoring becomes the method's.
  void adapt(Recipe recipe, FitLog& log);

  std::shared_ptr<const TransferTask> task_;
  std::shared_ptr<CrossDomainModel> model_;
  ScoringFunction scoring_ = cold_from_source_graph;
  GraphKind source_items_graph_ = GraphKind::kSource;  // kUnion for joint training
};

// Appends the bridge part (options.bridge_weight) when it is on and the task has shared users.
void add_bridge(const TransferTask& task, Objective& objective);

// Discrepancy between the source-graph representations of source-active users and the
// target-graph representations of target-active users (up to 2,000 of each); with
// keep_representations, also keeps a sample in the log. Needs has_both_sides(task).
Discrepancy user_discrepancy(CrossDomainModel& model, const TransferTask& task, const std::string& tag, FitLog& log);

}  // namespace graft::transfer
