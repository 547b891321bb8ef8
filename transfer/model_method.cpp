#include "transfer/model_method.h"

#include "graph_io/seeded_random.h"
#include "transfer/discrepancy.h"

namespace graft::transfer {

gnn::Representations ModelMethod::target_representations() {
  torch::NoGradGuard no_grad;
  model_->eval();
  gnn::Representations reps = scoring_(*model_);
  return {reps.users.detach(), reps.items.detach()};
}

std::optional<gnn::Representations> ModelMethod::all_item_representations() {
  torch::NoGradGuard no_grad;
  model_->eval();
  const gnn::Representations target = scoring_(*model_);
  // The union graph's items are [source items; target items], so the source's come first either way.
  const torch::Tensor source = model_->represent(source_items_graph_).items.narrow(0, 0, task_->source_items);
  const torch::Tensor bias = model_->source_item_bias().unsqueeze(1).to(source.dtype());
  const torch::Tensor items = torch::cat({source, bias}, 1);
  if (items.size(1) != target.items.size(1)) return std::nullopt;
  return gnn::Representations{target.users.detach(), torch::cat({items, target.items}).detach()};
}

std::optional<std::pair<torch::Tensor, torch::Tensor>> ModelMethod::domain_user_representations() {
  torch::NoGradGuard no_grad;
  model_->eval();
  return std::make_pair(model_->represent(GraphKind::kSource).users, model_->represent(GraphKind::kTarget).users);
}

void ModelMethod::build(std::shared_ptr<const TransferTask> task) {
  task_ = std::move(task);
  model_ = std::make_shared<CrossDomainModel>(task_);
}

void ModelMethod::pretrain(FitLog& log) {
  pretrain_source(model_, *task_, log);
  if (task_->num_linked_items() > 0) {
    model_->start_linked_items_from_source();
    log.notes.push_back(std::to_string(task_->num_linked_items()) + " target items start from their linked source "
                        "items (the same external id)");
  }
  if (has_both_sides(*task_)) log.before = user_discrepancy(*model_, *task_, "before", log);
}

Recipe ModelMethod::recipe() const {
  Recipe recipe;
  recipe.mode = task_->options.finetune.mode;
  recipe.objective.push_back(parts::target_ranking());
  recipe.scoring = scoring_;
  return recipe;
}

Recipe ModelMethod::joint_recipe() {
  Recipe r = recipe();
  r.phase = "joint";
  r.graph = GraphKind::kUnion;
  r.mode = "full";
  r.objective.push_back(parts::source_ranking(1.0));
  r.scoring = union_scoring;
  source_items_graph_ = GraphKind::kUnion;
  return r;
}

void ModelMethod::adapt(Recipe recipe, FitLog& log) {
  scoring_ = recipe.scoring;
  transfer::adapt(*model_, *task_, recipe, log);
}

void add_bridge(const TransferTask& task, Objective& objective) {
  if (task.options.bridge_weight > 0.0 && !task.shared_users.empty()) {
    objective.push_back(parts::bridge(task, task.options.bridge_weight));
  }
}

Discrepancy user_discrepancy(CrossDomainModel& model, const TransferTask& task, const std::string& tag, FitLog& log) {
  torch::NoGradGuard no_grad;
  const uint64_t seed = io::derive_seed(task.options.seed, "discrepancy/" + tag);
  const torch::Tensor s = model.represent(GraphKind::kSource).users;
  const torch::Tensor t = model.represent(GraphKind::kTarget).users;
  if (task.options.keep_representations) log.sample_before = sample_representations(task, s, t, 1000, seed + 3);
  return measure_discrepancy(sample_rows(s, task.source_sampler->active_users(), 2000, seed),
                             sample_rows(t, task.target_sampler->active_users(), 2000, seed + 1), seed + 2);
}

}  // namespace graft::transfer
