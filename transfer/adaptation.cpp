#include "transfer/adaptation.h"

#include "gnn/spmm.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace graft::transfer {
namespace {

// Freezes every model parameter outside `groups` for the lifetime of the guard.
class FreezeGuard {
 public:
  FreezeGuard(CrossDomainModel& model, const std::vector<ParameterGroup>& groups) {
    for (auto& p : model.parameters()) {
      bool trainable = false;
      for (const auto& group : groups) {
        for (const auto& t : group.params) trainable = trainable || t.is_same(p);
      }
      if (!trainable && p.requires_grad()) {
        p.set_requires_grad(false);
        frozen_.push_back(p);
      }
    }
  }
  ~FreezeGuard() {
    for (auto& p : frozen_) p.set_requires_grad(true);
  }

 private:
  std::vector<torch::Tensor> frozen_;
};

int64_t count_elements(const std::vector<torch::Tensor>& tensors) {
  int64_t n = 0;
  for (const auto& t : tensors) n += t.numel();
  return n;
}

std::string progress_line(const EpochLog& record, int64_t epochs) {
  std::ostringstream line;
  line << record.phase << " epoch " << record.epoch << "/" << epochs << "  loss " << std::fixed
       << std::setprecision(5) << record.loss;
  for (const auto& [name, value] : record.metrics) line << "  " << name << " " << std::setprecision(4) << value;
  line << "  " << std::setprecision(2) << record.seconds << " s";
  return line.str();
}

// Adam over the trainable groups (frozen tensors left out) and the parts' own parameters.
torch::optim::Adam make_optimizer(const std::vector<ParameterGroup>& groups, const Objective& objective, double lr) {
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  const auto add = [&](const std::vector<torch::Tensor>& params, double group_lr) {
    std::vector<torch::Tensor> trainable;
    for (const auto& p : params) {
      if (p.requires_grad()) trainable.push_back(p);
    }
    if (!trainable.empty()) param_groups.emplace_back(trainable, std::make_unique<torch::optim::AdamOptions>(group_lr));
  };
  for (const auto& group : groups) add(group.params, group.lr);
  for (const auto& part : objective) add(part->parameters(), lr);
  return torch::optim::Adam(param_groups, torch::optim::AdamOptions(lr));
}

// One epoch's triples and how they are cut into batches: an epoch is one pass over the target's
// triples with the source's spread evenly over its batches; joint training sweeps both.
struct EpochBatches {
  gnn::Triples target, source;
  int64_t batches = 0, target_batch = 0, source_batch = 0;

  gnn::Triples slice(const gnn::Triples& all, int64_t per_batch, int64_t b) const {
    const int64_t first = b * per_batch;
    if (per_batch <= 0 || first >= all.size()) return {};
    const int64_t count = std::min(per_batch, all.size() - first);
    return {all.users.narrow(0, first, count), all.positives.narrow(0, first, count),
            all.negatives.narrow(0, first, count)};
  }
};

EpochBatches epoch_batches(const TransferTask& task, const Recipe& recipe, bool source_triples, const std::string& tag) {
  const TransferOptions& options = task.options;
  EpochBatches e;
  e.target = task.target_sampler->sample_epoch(io::derive_seed(options.seed, tag + "/target"));
  if (source_triples) e.source = task.source_sampler->sample_epoch(io::derive_seed(options.seed, tag + "/source"));
  const int64_t source_size = source_triples ? e.source.size() : 0;
  const int64_t pass = recipe.graph == GraphKind::kUnion ? e.target.size() + source_size : e.target.size();
  e.batches = std::max<int64_t>(1, (pass + options.adapt.batch_size - 1) / options.adapt.batch_size);
  e.target_batch = (e.target.size() + e.batches - 1) / e.batches;
  e.source_batch = (source_size + e.batches - 1) / e.batches;
  return e;
}

// The step's representations: the recipe's graph, and the source graph's when a part reads it.
void represent(CrossDomainModel& model, const TransferTask& task, GraphKind graph, bool source_graph, Step& step) {
  const gnn::Representations main = model.represent(graph);
  step.target = main;
  if (graph == GraphKind::kUnion) {
    const int64_t si = task.source_items;
    step.target.items = main.items.narrow(0, si, task.target_items);
    step.source = {main.users, main.items.narrow(0, 0, si)};
  } else if (source_graph) {
    step.source = model.represent(GraphKind::kSource);
  }
}

// Validation with the recipe's scoring, in eval mode; keeps the best epoch's state.
class Selection {
 public:
  explicit Selection(std::string metric) : metric_(std::move(metric)) {}

  // Returns true when patience ran out.
  bool validate(CrossDomainModel& model, const TransferTask& task, Recipe& recipe, EpochLog& record, FitLog& log) {
    Metrics metrics;
    {
      torch::NoGradGuard no_grad;
      model.eval();
      metrics = validate_target(task, recipe.scoring(model));
      model.train();
    }
    const auto it = metrics.find(metric_);
    if (it == metrics.end()) {
      throw io::UsageError("selection metric '" + metric_ + "' is not reported by the " + task.options.protocol +
                           " protocol");
    }
    for (const auto& [name, value] : metrics) record.metrics["valid_" + name] = value;
    if (!best_state_.empty() && !(it->second > best_)) return task.options.adapt.patience > 0 && ++since_best_ >= task.options.adapt.patience;
    best_ = it->second;
    best_state_ = model.snapshot();
    log.best_valid = metrics;
    since_best_ = 0;
    return false;
  }

  void restore_best(CrossDomainModel& model) const {
    if (!best_state_.empty()) model.restore(best_state_);
  }

 private:
  std::string metric_;
  double best_ = -std::numeric_limits<double>::infinity();
  int64_t since_best_ = 0;
  std::vector<torch::Tensor> best_state_;
};

}  // namespace

int64_t pretrain_epochs(const PhaseOptions& phase, int64_t interactions) {
  if (phase.steps <= 0) return phase.epochs;
  const int64_t batches = std::max<int64_t>(1, (interactions + phase.batch_size - 1) / phase.batch_size);
  return (phase.steps + batches - 1) / batches;
}

void pretrain_source(const std::shared_ptr<CrossDomainModel>& model, const TransferTask& task, FitLog& log) {
  const auto start = Clock::now();
  const TransferOptions& options = task.options;
  gnn::TrainOptions train;
  train.epochs = pretrain_epochs(options.pretrain, task.source_sampler->num_interactions());
  if (options.pretrain.steps > 0) {
    log.notes.push_back("pretraining: " + std::to_string(options.pretrain.steps) + " steps = " +
                        std::to_string(train.epochs) + " epochs of batch " + std::to_string(options.pretrain.batch_size) +
                        " over " + std::to_string(task.source_sampler->num_interactions()) + " interactions");
  }
  train.batch_size = options.pretrain.batch_size;
  train.lr = options.pretrain.lr;
  train.weight_decay = options.pretrain.weight_decay;
  train.loss = options.loss;
  train.seed = io::derive_seed(options.seed, "pretrain");
  train.threads = options.threads;
  train.communicator = options.communicator;
  DomainView view(model, GraphKind::kSource);
  gnn::train(view, *task.source_sampler, train, {}, [&](const gnn::EpochRecord& record, double) {
    EpochLog entry{"pretrain", record.epoch, record.loss, {}, record.seconds};
    if (options.verbose) std::cerr << progress_line(entry, train.epochs) << "\n";
    log.history.push_back(entry);
  });
  log.phase_seconds["pretrain"] += seconds_since(start);
}

void adapt(CrossDomainModel& model, const TransferTask& task, Recipe& recipe, FitLog& log) {
  const auto start = Clock::now();
  const TransferOptions& options = task.options;
  const PhaseOptions& phase = options.adapt;
  gnn::set_num_threads(options.threads);
  gnn::reuse_freed_memory();
  torch::manual_seed(io::derive_seed(options.seed, recipe.phase + "/torch"));

  const std::vector<ParameterGroup> groups = trainable_groups(model, recipe.mode, options.finetune, phase.lr);
  FreezeGuard freeze(model, groups);
  torch::optim::Adam optimizer = make_optimizer(groups, recipe.objective, phase.lr);
  bool source_graph = false, source_triples = false;
  for (const auto& part : recipe.objective) {
    source_graph = source_graph || part->reads_source_graph();
    source_triples = source_triples || part->reads_source_triples();
    log.parameters.trainable += count_elements(part->parameters());
    log.parameters.total += count_elements(part->parameters());
  }
  for (const auto& p : model.parameters()) log.parameters.trainable += p.requires_grad() ? p.numel() : 0;
  log.parameters.total += count_elements(model.parameters());

  Selection selection(options.selection_metric);
  model.train();
  for (int64_t epoch = 1; epoch <= phase.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const std::string tag = recipe.phase + "/epoch/" + std::to_string(epoch);
    const EpochBatches e = epoch_batches(task, recipe, source_triples, tag);
    std::mt19937_64 rng(io::derive_seed(options.seed, tag + "/align"));
    double loss_sum = 0.0;
    for (int64_t b = 0; b < e.batches; ++b) {
      Step step{task, model, {}, {}, {}, {}, e.slice(e.target, e.target_batch, b), e.slice(e.source, e.source_batch, b),
                (static_cast<double>(epoch - 1) + static_cast<double>(b) / static_cast<double>(e.batches)) /
                    static_cast<double>(phase.epochs),
                rng};
      if (!step.target_batch.users.defined()) continue;
      represent(model, task, recipe.graph, source_graph, step);
      for (const auto& part : recipe.objective) part->prepare(step);
      torch::Tensor loss;
      for (const auto& part : recipe.objective) {
        const torch::Tensor term = part->loss(step);
        if (term.defined()) loss = loss.defined() ? loss + term : term;
      }
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
    }

    EpochLog record{recipe.phase, epoch, loss_sum / static_cast<double>(e.batches), {}, 0.0};
    if (!std::isfinite(record.loss)) {
      throw std::runtime_error(recipe.phase + ": the loss of epoch " + std::to_string(epoch) + " is " +
                               std::to_string(record.loss) + "; try a lower learning rate");
    }
    {
      torch::NoGradGuard no_grad;
      model.eval();
      for (const auto& part : recipe.objective) {
        part->after_epoch(task, model, io::derive_seed(options.seed, tag + "/probe"), record);
      }
      model.train();
    }
    const bool stop = task.valid && (epoch % phase.eval_every == 0 || epoch == phase.epochs) &&
                      selection.validate(model, task, recipe, record, log);
    record.seconds = seconds_since(epoch_start);
    if (options.verbose) std::cerr << progress_line(record, phase.epochs) << "\n";
    log.history.push_back(record);
    if (stop) break;
  }
  selection.restore_best(model);
  log.phase_seconds[recipe.phase] += seconds_since(start);
}

}  // namespace graft::transfer
