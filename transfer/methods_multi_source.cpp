// multi_source: a mixture of source experts, weighted on the target's validation cases.
//
// One expert per source market — pretrained on that market alone, its linked items starting the
// target's, then fine-tuned on the target — and one expert trained on the target alone. The
// mixture scores
//     s(u, i) = Σ_e w_e · s_e(u, i) / σ_e,      w_e ≥ 0, Σ_e w_e = 1,
// σ_e the spread of expert e's scores, so that no expert weighs more for the scale of its logits.
// With weights "validation" the w_e come from greedy ensemble selection with replacement
// (Caruana et al., ICML 2004): `rounds` times, the expert whose addition validates best is added;
// w_e is its share of the picks. A source whose expert is never picked gets weight 0. The
// leave-one-source-out effect is the selection run again without that source's expert, on
// validation. "equal": every expert 1/(n+1).
//
// Why experts rather than one model pretrained on the merged sources: a harmful market cannot
// spoil what the others teach, each weight says directly how much a market is worth to the
// target, and the mixture can always fall back to the target alone. `experts: seeds` is the
// control that separates transfer from ensembling: as many experts, all trained on the target
// alone with different seeds. `seed_experts: k` adds k target-alone experts to either, so the
// sources compete with an ensemble rather than with one model (transfer on top of ensembling).
#include "graph_io/seeded_random.h"
#include "transfer/methods.h"
#include "transfer/model_method.h"

#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>

namespace graft::transfer {
namespace {

struct Expert {
  std::string name;
  gnn::Representations reps;  // users [U, d_e], target items [I_t, d_e]
  double spread = 1.0;        // σ_e
};

class MultiSource : public ModelMethod {
 public:
  std::string name() const override { return "multi_source"; }
  std::vector<BridgeKind> needs() const override { return {BridgeKind::kSharedItems, BridgeKind::kSharedUsers}; }

  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    const MultiSourceOptions& o = task->options.multi_source;
    const std::vector<Expert> experts = train_experts(task, log);
    std::vector<size_t> everyone(experts.size());
    std::iota(everyone.begin(), everyone.end(), size_t{0});
    const bool select = o.weights == "validation" && task->valid;
    const std::vector<double> weights = select ? selection(*task, experts, everyone) : equal(experts.size());
    mixture_ = mix(experts, weights);
    log.best_valid = validate_target(*task, mixture_);
    const size_t sources = o.experts == "sources" ? task->source_names.size() : 0;
    for (size_t e = 1; e <= sources; ++e) log.source_weights[experts[e].name] = weights[e];
    const std::string further = o.seed_experts > 0 ? " + " + std::to_string(o.seed_experts) + " seeds" : "";
    log.notes.push_back("mixture weights (" + o.weights + ", experts " + o.experts + further +
                        "): " + listing(experts, weights, 3));
    if (select && sources > 1) log.notes.push_back(leave_each_out(*task, experts, weights, sources));
  }

  gnn::Representations target_representations() override { return mixture_; }
  std::optional<gnn::Representations> all_item_representations() override { return std::nullopt; }
  std::optional<std::pair<torch::Tensor, torch::Tensor>> domain_user_representations() override {
    return std::nullopt;
  }

 private:
  // The target alone first, then one expert per source (or, as the control, per derived seed).
  std::vector<Expert> train_experts(const std::shared_ptr<const TransferTask>& task, FitLog& log) {
    std::vector<Expert> experts{train_expert(task, "target", "target_alone", false, log)};
    const bool control = task->options.multi_source.experts == "seeds";
    for (const std::string& source : task->source_names) {
      const uint64_t seed = control ? io::derive_seed(task->options.seed, "multi_source/" + source) : task->options.seed;
      const std::string label = control ? "seed_" + std::to_string(experts.size()) : source;
      experts.push_back(
          train_expert(task_with(*task, source, seed), label, (control ? "alone_" : "from_") + source, !control, log));
    }
    for (int64_t k = 0; k < task->options.multi_source.seed_experts; ++k) {
      const uint64_t seed = io::derive_seed(task->options.seed, "multi_source/seed_expert_" + std::to_string(k));
      const std::string label = "seed_" + std::to_string(experts.size());
      // Trains on the target alone: any one source makes the task.
      experts.push_back(train_expert(task_with(*task, task->source_names.front(), seed), label, "alone_" + label,
                                     false, log));
    }
    return experts;
  }

  // `task` with one source market and another seed.
  static std::shared_ptr<const TransferTask> task_with(const TransferTask& task, const std::string& source,
                                                       uint64_t seed) {
    TransferOptions options = task.options;
    options.source = source;
    options.seed = seed;
    return std::make_shared<const TransferTask>(make_task(*task.given, options));
  }

  // A fresh model on `task`: pretrained on its source (linked items started from it) unless
  // `pretrained` is false, then trained on the target in the task's fine-tuning mode.
  Expert train_expert(const std::shared_ptr<const TransferTask>& task, const std::string& label,
                      const std::string& phase, bool pretrained, FitLog& log) {
    build(task);
    if (pretrained) pretrain(log);
    Recipe r = recipe();
    r.phase = phase;
    adapt(std::move(r), log);
    Expert expert{label, ModelMethod::target_representations()};
    expert.spread = score_spread(*task, expert.reps);
    model_.reset();  // only the representations are kept
    return expert;
  }

  // Standard deviation of the expert's scores of up to 1,000 target-active users × every target item.
  static double score_spread(const TransferTask& task, const gnn::Representations& reps) {
    const uint64_t seed = io::derive_seed(task.options.seed, "multi_source/spread");
    const torch::Tensor users = sample_rows(reps.users, task.target_sampler->active_users(), 1000, seed);
    const double spread = torch::matmul(users, reps.items.t()).to(torch::kDouble).std().item<double>();
    return spread > 0.0 ? spread : 1.0;
  }

  // Greedy selection with replacement among `allowed`; ties go to the earlier expert (the target
  // alone first). Returns weights over every expert (0 outside `allowed`).
  static std::vector<double> selection(const TransferTask& task, const std::vector<Expert>& experts,
                                       const std::vector<size_t>& allowed) {
    std::vector<double> picks(experts.size(), 0.0);
    for (int64_t round = 0; round < task.options.multi_source.rounds; ++round) {
      double best = -std::numeric_limits<double>::infinity();
      size_t chosen = allowed.front();
      for (size_t e : allowed) {
        picks[e] += 1.0;
        const double score = validation_score(task, mix(experts, picks));
        picks[e] -= 1.0;
        if (score > best) {
          best = score;
          chosen = e;
        }
      }
      picks[chosen] += 1.0;
    }
    for (double& w : picks) w /= static_cast<double>(task.options.multi_source.rounds);
    return picks;
  }

  static std::vector<double> equal(size_t n) { return std::vector<double>(n, 1.0 / static_cast<double>(n)); }

  // users = [w_e/σ_e · users_e]_e, items = [items_e]_e over the experts of non-zero weight.
  static gnn::Representations mix(const std::vector<Expert>& experts, const std::vector<double>& weights) {
    std::vector<torch::Tensor> users, items;
    for (size_t e = 0; e < experts.size(); ++e) {
      if (weights[e] <= 0.0) continue;
      users.push_back(experts[e].reps.users * (weights[e] / experts[e].spread));
      items.push_back(experts[e].reps.items);
    }
    return {torch::cat(users, 1), torch::cat(items, 1)};
  }

  static double validation_score(const TransferTask& task, const gnn::Representations& reps) {
    return validate_target(task, reps).at(task.options.selection_metric);
  }

  // Validation effect of each source (experts 1..sources): the mixture's score minus the score of
  // the selection rerun without that source's expert.
  static std::string leave_each_out(const TransferTask& task, const std::vector<Expert>& experts,
                                    const std::vector<double>& weights, size_t sources) {
    const double with_all = validation_score(task, mix(experts, weights));
    std::vector<double> effect(sources + 1, 0.0);
    for (size_t left_out = 1; left_out <= sources; ++left_out) {
      std::vector<size_t> allowed;
      for (size_t e = 0; e < experts.size(); ++e) {
        if (e != left_out) allowed.push_back(e);
      }
      effect[left_out] = with_all - validation_score(task, mix(experts, selection(task, experts, allowed)));
    }
    return "leave-one-source-out, validation " + task.options.selection_metric +
           " of the mixture minus without each: " + listing(experts, effect, 4, 1, sources + 1);
  }

  // Experts [from, to) with their values; to = 0: to the end.
  static std::string listing(const std::vector<Expert>& experts, const std::vector<double>& values, int digits,
                             size_t from = 0, size_t to = 0) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(digits);
    const size_t end = to == 0 ? experts.size() : to;
    for (size_t e = from; e < end; ++e) out << (e > from ? ", " : "") << experts[e].name << " " << values[e];
    return out.str();
  }

  gnn::Representations mixture_;
};

}  // namespace

std::unique_ptr<TransferMethod> make_multi_source() { return std::make_unique<MultiSource>(); }

}  // namespace graft::transfer
