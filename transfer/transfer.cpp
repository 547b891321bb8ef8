#include "transfer/transfer.h"

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "transfer/discrepancy.h"
#include "transfer/method.h"
#include "transfer/scoring.h"

#include <chrono>
#include <iomanip>
#include <sstream>

namespace graft::transfer {
namespace {

// Target-only with the same options and seed, for the negative-transfer verdict.
Verdict verdict_against_target_only(const io::Dataset& dataset, const TransferOptions& options,
                                    const TransferReport& report) {
  TransferOptions baseline = options;
  baseline.method = "target_only";
  baseline.compare_to_target_only = false;
  baseline.verbose = false;
  const TransferReport reference = run_transfer(dataset, baseline);
  const bool cold = !report.cold_start.empty();
  std::string metric = report.protocol == "sampled" ? "mrr" : "recall@20";
  const Metrics& mine = cold ? report.cold_start : report.overall;
  const Metrics& theirs = cold ? reference.cold_start : reference.overall;
  if (mine.count(metric) == 0) metric = mine.begin()->first;
  Verdict v;
  v.metric = metric + (cold ? " (cold-start users)" : " (all test users)");
  v.method = mine.at(metric);
  v.target_only = theirs.at(metric);
  v.difference = v.method - v.target_only;
  std::ostringstream text;
  text << std::fixed << std::setprecision(4);
  if (v.difference > 0) {
    text << "positive transfer: " << report.method << " is " << v.difference << " above target_only on " << v.metric;
  } else if (v.difference < 0) {
    text << "NEGATIVE TRANSFER: " << report.method << " is " << -v.difference << " below target_only on " << v.metric;
  } else {
    text << "no difference from target_only on " << v.metric;
  }
  text << " (" << v.method << " vs " << v.target_only << ")";
  v.text = text.str();
  return v;
}

// A target without any training interaction (a new category at budget 0): no method can learn
// anything about its items without item features, so every item scores the same and the
// metrics are the floor of the protocol (ties count against the model, or break by item index).
// The test metrics of `scorer`: all cases, and cold-start and warm users' where the split has them.
void evaluate_test(const TransferTask& task, gnn::Recommender& scorer, TransferReport& report) {
  gnn::Communicator* group = task.options.communicator.get();
  report.overall = task.test->evaluate(scorer, group);
  if (task.test_cold) {
    report.cold_start = task.test_cold->evaluate(scorer, group);
    report.cold_start_cases = task.test_cold->size();
  }
  if (task.test_warm) {
    report.warm = task.test_warm->evaluate(scorer, group);
    report.warm_cases = task.test_warm->size();
  }
}

// The target's test items ranked among every item, when the options ask for it; `reps` are the
// scores over [source items | target items], nullopt when the method does not score source items.
void evaluate_all_items(const TransferTask& task, const std::optional<gnn::Representations>& reps,
                        TransferReport& report) {
  if (!task.test_all_items) return;
  if (!reps) {
    report.notes.push_back("rank_all_items: " + task.options.method + " does not score source items; no all_items metrics");
    return;
  }
  FixedRecommender scorer(*reps);
  report.all_items = task.test_all_items->evaluate(scorer, task.options.communicator.get());
  report.all_items_users = task.test_all_items->size();
}

// The report's header fields: what ran, on what, under which protocol.
TransferReport report_header(const TransferTask& task) {
  const TransferOptions& options = task.options;
  TransferReport report;
  report.method = options.method;
  report.source = options.source;
  report.target = options.target;
  report.split = options.split;
  report.protocol = options.protocol;
  report.seed = options.seed;
  report.bridges = task.bridges.describe();
  report.valid_cases = task.valid ? task.valid->size() : 0;
  return report;
}

TransferReport zero_shot_report(const TransferTask& task) {
  const TransferOptions& options = task.options;
  TransferReport report = report_header(task);
  report.notes.push_back("the target '" + options.target + "' has no training interactions: without item features "
                         "or category nodes shared with the source no method can rank its items, so every item scores the same (the protocol's floor)");
  FixedRecommender constant({torch::zeros({task.num_users, 1}), torch::zeros({task.target_items, 1})});
  evaluate_test(task, constant, report);
  if (task.test_all_items) {
    const int64_t all = task.source_items + task.target_items;
    evaluate_all_items(task, gnn::Representations{torch::zeros({task.num_users, 1}), torch::zeros({all, 1})}, report);
  }
  return report;
}

void print_metrics(std::ostream& out, const std::string& label, const Metrics& metrics, int64_t cases) {
  if (metrics.empty()) return;
  out << "  " << std::left << std::setw(12) << label << std::right;
  for (const auto& [name, value] : metrics) out << "  " << name << " " << std::fixed << std::setprecision(4) << value;
  out << "  (" << cases << " cases)\n";
}

// UsageError naming the bridges the method can carry knowledge through when the task has none.
void check_bridges(const TransferMethod& method, const TransferTask& task) {
  const std::vector<BridgeKind> needs = method.needs();
  std::string names;
  for (const BridgeKind kind : needs) {
    if (task.bridges.has(kind)) return;
    names += (names.empty() ? "" : " or ") + std::string(bridge_name(kind));
  }
  if (needs.empty()) return;
  throw io::UsageError("transfer: method '" + task.options.method + "' carries knowledge through " + names + " of '" +
                       task.options.source + "' and '" + task.options.target + "', but the task has none (" +
                       task.bridges.describe() + ")");
}

}  // namespace

TransferReport run_transfer(const io::Dataset& dataset, const TransferOptions& options) {
  const auto task = std::make_shared<const TransferTask>(make_task(dataset, options));
  std::unique_ptr<TransferMethod> method = make_method(task->options.method);
  // Nothing reaches a target without training interactions unless its items have features or
  // share category nodes with the source.
  if (task->target_sampler->num_interactions() == 0 && task->target_item_features.empty() &&
      !(task->options.graph.categories && task->bridges.has(BridgeKind::kSharedCategories))) {
    return zero_shot_report(*task);
  }
  check_bridges(*method, *task);
  TransferReport report = report_header(*task);

  FitLog log;
  log.notes.push_back(std::to_string(task->num_cold_users()) + " cold-start users in '" + options.target + "' (" +
                      std::to_string(task->cold_with_source_history) + " with source training interactions), " +
                      std::to_string(task->shared_users.size()) + " users with training interactions in both domains");
  log.notes.push_back(task->bridges.describe());
  method->fit(task, log);
  report.history = std::move(log.history);
  report.phase_seconds = std::move(log.phase_seconds);
  report.notes = std::move(log.notes);
  report.best_valid = std::move(log.best_valid);
  report.before = log.before;
  report.sample_before = std::move(log.sample_before);
  report.parameters = log.parameters;
  report.source_weights = log.source_weights;

  const auto start = Clock::now();
  evaluate_test(*task, *method->target_scorer(), report);
  if (task->test_all_items) evaluate_all_items(*task, method->all_item_representations(), report);
  const auto reps = method->domain_user_representations();
  if (reps && has_both_sides(*task)) {
    const uint64_t seed = io::derive_seed(options.seed, "discrepancy/after");
    report.after = measure_discrepancy(sample_rows(reps->first, task->source_sampler->active_users(), 2000, seed),
                                       sample_rows(reps->second, task->target_sampler->active_users(), 2000, seed + 1),
                                       seed + 2);
    if (options.keep_representations) {
      report.sample_after = sample_representations(*task, reps->first, reps->second, 1000, seed + 3);
    }
  }
  report.phase_seconds["evaluate"] = std::chrono::duration<double>(Clock::now() - start).count();
  if (options.compare_to_target_only && report.method != "target_only") {
    const auto verdict_start = Clock::now();
    TransferOptions resolved = task->options;
    resolved.source = options.source;  // the domains as given, not their merged name
    report.verdict = verdict_against_target_only(dataset, resolved, report);
    report.phase_seconds["target_only_reference"] =
        std::chrono::duration<double>(Clock::now() - verdict_start).count();
  }
  return report;
}

std::string format_report(const TransferReport& r) {
  std::ostringstream out;
  out << "transfer " << r.source << " -> " << r.target << "  method " << r.method << "  split " << r.split
      << "  protocol " << r.protocol << "  seed " << r.seed << "\n";
  for (const auto& note : r.notes) out << "note: " << note << "\n";
  out << "test metrics:\n";
  print_metrics(out, "cold-start", r.cold_start, r.cold_start_cases);
  print_metrics(out, "warm", r.warm, r.warm_cases);
  print_metrics(out, "all", r.overall, r.cold_start_cases + r.warm_cases);
  print_metrics(out, "all items", r.all_items, r.all_items_users);
  if (!r.best_valid.empty()) print_metrics(out, "best valid", r.best_valid, r.valid_cases);
  if (r.parameters.total > 0) {
    out << "parameters: adaptation trains " << r.parameters.trainable << " of " << r.parameters.total << "\n";
  }
  out << std::fixed << std::setprecision(4);
  if (r.before || r.after) {
    out << "user representation discrepancy (source graph vs target graph):\n";
    if (r.before) out << "  before adaptation  linear MMD " << r.before->linear_mmd << "  proxy A-distance " << r.before->proxy_a_distance << "\n";
    if (r.after) out << "  after adaptation   linear MMD " << r.after->linear_mmd << "  proxy A-distance " << r.after->proxy_a_distance << "\n";
  }
  if (!r.source_weights.empty()) {
    out << "source weights:";
    for (const auto& [name, weight] : r.source_weights) out << "  " << name << " " << weight;
    out << "\n";
  }
  if (r.verdict) out << "verdict: " << r.verdict->text << "\n";
  out << "wall-clock:";
  out << std::setprecision(2);
  for (const auto& [phase, seconds] : r.phase_seconds) out << "  " << phase << " " << seconds << " s";
  out << "\n";
  return out.str();
}

}  // namespace graft::transfer
