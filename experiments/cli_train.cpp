// `graft train`: trains one recommender on one domain of a dataset split and reports its test
// metrics under the full-ranking or the sampled protocol. With a validation set the model is
// selected (and stopped early) on the validation metric and tested at its best epoch; without
// one, test metrics are reported on the evaluation schedule and the final model is tested.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "experiments/cli.h"
#include "experiments/parallel_run.h"
#include "gnn/device.h"
#include "gnn/evaluator.h"
#include "gnn/memory_model.h"
#include "gnn/models.h"
#include "gnn/negative_sampler.h"
#include "gnn/spmm.h"
#include "gnn/trainer.h"
#include "graph_io/behavior_names.h"
#include "graph_io/behavior_split.h"
#include "graph_io/errors.h"
#include "graph_io/files.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/seeded_random.h"

namespace graft::cli {

namespace {

using nlohmann::ordered_json;

struct TrainArgs {
  std::string data, domain, split, protocol = "full", json;
  // Multi-behaviour: the behaviour trained on and evaluated (empty: every interaction), and
  // whether the model's graph reads every behaviour or the target's alone.
  std::string target_behavior, graph_behaviors = "all";
  // Two-phase training: first this many epochs on another behaviour's training pairs (views,
  // say), then the target. Empty behaviour and 0 epochs: no first phase.
  std::string pretrain_behavior;
  int64_t pretrain_epochs = 0;
  // Multi-task: other behaviours trained beside the target, "code=weight" or "code" (weight 1).
  std::vector<std::string> auxiliary;
  std::vector<int64_t> ks;
  gnn::ModelOptions model;
  gnn::TrainOptions train;
  ParallelArgs parallel;
  std::string device = "cpu";
};

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

const io::DomainSplit& split_part(const io::Split& split, const std::string& domain) {
  if (const io::DomainSplit* part = split.part(domain)) return *part;
  std::vector<std::string> covered;
  for (const auto& p : split.parts) covered.push_back(p.domain);
  throw io::UsageError("split '" + split.name + "' has no part for domain '" + domain + "'; it covers: " +
                       join(covered));
}

std::string format_metrics(const gnn::Metrics& metrics) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4);
  for (const auto& [name, value] : metrics) out << (out.tellp() > 0 ? " " : "") << name << "=" << value;
  return out.str();
}

ordered_json history_json(const std::vector<gnn::EpochRecord>& history) {
  ordered_json out = ordered_json::array();
  for (const auto& r : history) {
    ordered_json epoch = {{"epoch", r.epoch},
                          {"loss", r.loss},
                          {"lr", r.lr},
                          {"seconds", r.seconds},
                          {"sampling_seconds", r.sampling_seconds},
                          {"model_seconds", r.model_seconds},
                          {"optimizer_seconds", r.optimizer_seconds},
                          {"communication_seconds", r.communication_seconds},
                          {"eval_seconds", r.eval_seconds},
                          {"nodes_per_step", r.nodes_per_step}};
    if (!r.metrics.empty()) epoch["metrics"] = r.metrics;
    out.push_back(epoch);
  }
  return out;
}

ordered_json model_json(const gnn::ModelOptions& model) {
  ordered_json out = {{"name", model.name}, {"dim", model.dim}, {"layers", model.layers},
                      {"init_std", model.init_std}, {"seed", model.seed}};
  if (model.name == "lightgcn") out["behaviour_weights"] = model.behavior_weights;
  if (model.name == "cascading") out["cascade"] = model.cascade;
  if (model.name == "itemknn") out["itemknn"] = {{"neighbours", model.similarity.neighbours}, {"shrink", model.similarity.shrink}};
  if (model.name == "ease") out["ease"] = {{"lambda", model.similarity.lambda}};
  if (model.name == "gfcf") out["gfcf"] = {{"rank", model.similarity.rank}, {"alpha", model.similarity.alpha}};
  if (model.name == "encoder") {
    const gnn::EncoderOptions& e = model.encoder;
    out["encoder"] = {{"layer", e.layer}, {"combine", e.combine}, {"activation", e.activation},
                      {"head", e.head}, {"decay_weights", e.decay_weights}, {"dropout", e.dropout},
                      {"heads", e.heads}, {"relations", e.relations},
                      {"relation_weights", e.relation_weights}, {"relation_combine", e.relation_combine}};
    out["items"] = {{"input", model.item_input}, {"blocks", model.item_blocks}, {"combine", model.item_combine},
                    {"id_dropout", model.id_dropout}};
  }
  return out;
}

// The split's training pairs of one behaviour, as the train part of a split (valid and test empty).
// UsageError naming `option` for an unknown code, a domain without behaviours, or no such pairs.
io::DomainSplit behaviour_pairs(const io::Domain& domain, const io::DomainSplit& split, const std::string& code,
                                const std::string& option) {
  const io::Behavior behavior = io::parse_behavior_code(code, option);
  if (!domain.interactions.has_behavior()) {
    throw io::UsageError(option + ": domain '" + domain.name + "' has no behaviour column");
  }
  io::DomainSplit part;
  part.domain = split.domain;
  part.train = io::of_behavior(domain, split.train, behavior);
  if (part.train.empty()) {
    throw io::UsageError(option + " " + code + ": domain '" + domain.name +
                         "' has no training interactions of that behaviour");
  }
  return part;
}

// --auxiliary-behaviours "pv=0.5", "cart": one sampler per behaviour and its weight.
struct AuxiliaryBehaviours {
  std::vector<std::unique_ptr<gnn::NegativeSampler>> samplers;
  std::vector<gnn::AuxiliaryTask> tasks;
};

AuxiliaryBehaviours auxiliary_behaviours(const TrainArgs& args, const io::Dataset& dataset, const io::Domain& domain,
                                         const io::DomainSplit& split) {
  AuxiliaryBehaviours out;
  if (!args.auxiliary.empty() && args.target_behavior.empty()) {
    throw io::UsageError("--auxiliary-behaviours needs --target-behaviour (the behaviour they train beside)");
  }
  for (const std::string& entry : args.auxiliary) {
    const size_t eq = entry.find('=');
    const std::string code = entry.substr(0, eq);
    double weight = 1.0;
    if (eq != std::string::npos) {
      const std::string text = entry.substr(eq + 1);
      size_t used = 0;
      try {
        weight = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || text.empty() || !(weight > 0.0) || !std::isfinite(weight)) {
        throw io::UsageError("--auxiliary-behaviours '" + entry + "': the weight must be a positive number");
      }
    }
    if (code == args.target_behavior) {
      throw io::UsageError("--auxiliary-behaviours '" + entry + "': " + code + " is the target behaviour");
    }
    const io::DomainSplit part = behaviour_pairs(domain, split, code, "--auxiliary-behaviours");
    out.samplers.push_back(std::make_unique<gnn::NegativeSampler>(
        gnn::NegativeSampler::for_split(dataset, args.domain, part)));
    out.tasks.push_back({code, out.samplers.back().get(), weight});
  }
  return out;
}

// The first phase of --pretrain-behaviour: the model trained on that behaviour's training pairs
// (negatives: items the user has no such interaction with), without evaluation, on a sampling
// seed of its own. MB-CGCN's reference starts its cascade from embeddings learned on views.
std::vector<gnn::EpochRecord> pretrain_on_behavior(gnn::Recommender& model, const TrainArgs& args,
                                                   const io::Dataset& dataset, const io::Domain& domain,
                                                   const io::DomainSplit& split) {
  if (args.pretrain_epochs == 0) return {};
  const io::DomainSplit part = behaviour_pairs(domain, split, args.pretrain_behavior, "--pretrain-behaviour");
  const gnn::NegativeSampler sampler = gnn::NegativeSampler::for_split(dataset, args.domain, part);
  gnn::TrainOptions options = args.train;
  options.epochs = args.pretrain_epochs;
  options.seed = io::derive_seed(args.train.seed, "pretrain");
  options.patience = 0;
  options.checkpoint.clear();
  std::cerr << "pretrain on " << args.pretrain_behavior << ": " << part.train.size() << " training interactions\n";
  const auto progress = [&](const gnn::EpochRecord& record, double eta) {
    std::cerr << "pretrain " << gnn::format_progress(record, options.epochs, eta, {}) << "\n";
  };
  return gnn::train(model, sampler, options, gnn::Monitor{}, progress).history;
}

// A model without parameters (itemknn, ease, gfcf) was fitted when built: no epochs, its
// validation metrics (when the split has validation cases) as the selected ones.
gnn::TrainResult fitted_in_closed_form(gnn::Recommender& model, const gnn::Monitor& monitor, double fit_seconds) {
  gnn::TrainResult result;
  if (monitor.select_best) result.best_metrics = monitor.evaluate(model);
  result.seconds = fit_seconds;
  return result;
}

// What `graft train --json` writes: the command, data, model, training options, sizes, the
// selected epoch, timings and every epoch's record.
ordered_json train_json(const TrainArgs& args, const std::string& command_line, const io::Dataset& dataset,
                        const io::Domain& domain, const io::DomainSplit& part, const io::DomainSplit& graph_part,
                        int64_t evaluated, const std::vector<gnn::EpochRecord>& pretraining,
                        const gnn::TrainResult& result, const gnn::Metrics& test_metrics, double seconds_per_epoch) {
  const bool has_valid = !part.valid.empty();
  return {
      {"command", command_line},
      {"data", args.data},
      {"domain", args.domain},
      {"split", args.split},
      {"protocol", args.protocol},
      {"target_behaviour", args.target_behavior},
      {"graph_behaviours", args.graph_behaviors},
      {"model", model_json(args.model)},
      {"device", args.device},
      {"training", {{"epochs", args.train.epochs}, {"batch_size", args.train.batch_size}, {"lr", args.train.lr},
                    {"lr_schedule", args.train.lr_schedule}, {"lr_min", args.train.lr_min},
                    {"weight_decay", args.train.weight_decay}, {"loss", args.train.loss},
                    {"seed", args.train.seed}, {"threads", args.train.threads},
                    {"eval_every", args.train.eval_every}, {"patience", args.train.patience},
                    {"metric", args.train.metric}, {"checkpoint", args.train.checkpoint},
                    {"graph", args.train.graph}, {"fanouts", gnn::describe_fanouts(args.train.fanouts)},
                    {"node_budget", args.train.node_budget},
                    {"optimizer", args.train.optimizer}, {"batch_limit", args.train.batch_limit},
                    {"processes", args.train.communicator ? args.train.communicator->world_size() : 1}}},
      {"auxiliary_behaviours", args.auxiliary},
      {"pretraining", {{"behaviour", args.pretrain_behavior}, {"epochs", args.pretrain_epochs},
                       {"history", history_json(pretraining)}}},
      {"sizes", {{"users", dataset.num_users()}, {"items", domain.num_items()}, {"train", part.train.size()},
                 {"graph_train", graph_part.train.size()},
                 {"valid", part.valid.size()}, {"test", part.test.size()}, {"evaluated", evaluated}}},
      {"selection", has_valid ? "best_valid" : "final"},
      {"best_epoch", result.best_epoch},
      {"stopped_early", result.stopped_early},
      {"seconds", result.seconds},
      {"seconds_per_training_epoch", seconds_per_epoch},
      {"peak_memory_mb", static_cast<double>(io::peak_resident_bytes()) / (1024.0 * 1024.0)},
      {"valid", has_valid ? ordered_json(result.best_metrics) : ordered_json(nullptr)},
      {"test", test_metrics},
      {"history", history_json(result.history)}};
}

// LightGCN's memory at its peak (gnn/memory_model.h), said before anything large is allocated; a
// run that cannot fit in the available memory is refused.
void check_memory(const TrainArgs& args, const io::Dataset& dataset, const io::Domain& domain, const io::DomainSplit& part) {
  gnn::TrainingSize size = gnn::training_size(dataset, domain, part, args.train);
  size.dim = args.model.dim;
  size.layers = args.model.layers;
  size.full_ranking = args.protocol == "full";
  const gnn::MemoryEstimate estimate = gnn::estimate_training_memory(size);
  const int64_t available = io::available_memory_bytes();
  std::cerr << "memory: " << estimate.describe() << " (available " << std::fixed << std::setprecision(2)
            << static_cast<double>(available) / (1 << 30) << " GiB)\n" << std::defaultfloat;
  if (estimate.total() > available) {
    throw io::UsageError("this run needs " + estimate.describe() + ", more than the available memory; use --graph sampled "
                         "--optimizer lazy_adam, a smaller --dim, or a larger machine");
  }
}

// "full-graph steps" or "sampled subgraph steps (fan-outs 25,10,5, node budget none, adam)".
std::string describe_graph(const gnn::TrainOptions& o) {
  return o.graph == "full" ? "full-graph steps"
                           : "sampled subgraph steps (fan-outs " + gnn::describe_fanouts(o.fanouts) + ", node budget " +
                                 gnn::describe_node_budget(o.node_budget) + ", " + o.optimizer + ")";
}

// A line on stderr every 10 s inside an epoch (so only long epochs print one): batches done,
// rate and the epoch's ETA.
std::function<void(int64_t, int64_t, int64_t, double)> progress_inside_epochs(int64_t epochs) {
  auto last = std::make_shared<double>(0.0);
  return [epochs, last](int64_t epoch, int64_t done, int64_t batches, double seconds) {
    if (done == batches) {
      *last = 0.0;
    } else if (seconds - *last >= 10.0) {
      *last = seconds;
      std::cerr << "epoch " << epoch << "/" << epochs << "  " << gnn::format_batch_progress(done, batches, seconds) << "\n";
    }
  };
}

// `args.train` is validated and `device` resolved by the caller, before any worker starts.
void run_train(const TrainArgs& args, torch::Device device, const std::string& command_line) {
  gnn::Communicator* group = args.train.communicator.get();
  const QuietUnlessRankZero quiet(group);
  gnn::set_num_threads(args.train.threads);
  const io::Dataset dataset = io::read_dataset(args.data);
  const io::Domain& domain = dataset.domain(args.domain);
  const io::DomainSplit& split = split_part(dataset.split(args.split), args.domain);
  // Positives, masks and held-out cases come from `part`; the model's graph from `graph_part`.
  const io::DomainSplit part = args.target_behavior.empty()
                                   ? split
                                   : io::target_behavior_part(domain, split, io::parse_behavior_code(
                                                                                 args.target_behavior, "--target-behaviour"));
  const io::DomainSplit& graph_part = args.graph_behaviors == "all" ? split : part;
  const gnn::EvalOptions eval_options{args.ks, 0};
  const auto test = gnn::make_evaluator(args.protocol, dataset, args.domain, part, gnn::EvalSet::kTest, eval_options);
  const bool has_valid = !part.valid.empty();
  const auto valid = has_valid ? gnn::make_evaluator(args.protocol, dataset, args.domain, part, gnn::EvalSet::kValid,
                                                     eval_options)
                               : nullptr;
  const std::vector<std::string>& metrics = test->metric_names();
  if (std::find(metrics.begin(), metrics.end(), args.train.metric) == metrics.end()) {
    throw io::UsageError("--metric '" + args.train.metric + "' is not reported by the " + args.protocol +
                         " protocol with these cut-offs; available: " + join(metrics));
  }
  if (args.model.name == "lightgcn") check_memory(args, dataset, domain, graph_part);
  const auto building = std::chrono::steady_clock::now();
  const std::shared_ptr<gnn::Recommender> model = gnn::make_recommender(args.model, dataset, args.domain, graph_part);
  model->move_to(device);
  const double build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - building).count();
  const gnn::NegativeSampler sampler = gnn::NegativeSampler::for_split(dataset, args.domain, part);

  const AuxiliaryBehaviours auxiliary = auxiliary_behaviours(args, dataset, domain, split);
  const std::vector<gnn::EpochRecord> pretraining = pretrain_on_behavior(*model, args, dataset, domain, split);

  gnn::Monitor monitor;
  monitor.evaluate = [&](gnn::Recommender& m) { return (has_valid ? *valid : *test).evaluate(m, group); };
  monitor.select_best = has_valid;
  monitor.on_batch = progress_inside_epochs(args.train.epochs);
  std::cerr << "train " << args.model.name << " on " << args.domain << " / " << args.split << ": "
            << dataset.num_users() << " users, " << domain.num_items() << " items, " << part.train.size()
            << " training interactions"
            << (args.target_behavior.empty() ? ""
                                             : " of " + args.target_behavior + " (graph: " +
                                                   std::to_string(graph_part.train.size()) + ", " +
                                                   args.graph_behaviors + " behaviours)")
            << "; " << describe_graph(args.train) << "; "
            << (has_valid ? "selecting on valid " + args.train.metric
                          : std::string("no validation set: test metrics reported, final model kept"))
            << "\n";
  const gnn::TrainResult result =
      model->parameters().empty()
          ? fitted_in_closed_form(*model, monitor, build_seconds)
          : gnn::train(
                *model, sampler, args.train, monitor,
                [&](const gnn::EpochRecord& record, double eta) {
                  std::cerr << gnn::format_progress(record, args.train.epochs, eta, {args.train.metric})
                            << (record.metrics.empty() ? "" : has_valid ? "  (valid)" : "  (test)") << "\n";
                },
                auxiliary.tasks);
  const gnn::Metrics test_metrics = test->evaluate(*model, group);

  double train_seconds = 0.0;
  for (const auto& r : result.history) train_seconds += r.seconds - r.eval_seconds;
  const double epochs_run = static_cast<double>(result.history.size());
  std::cout << "epochs " << result.history.size() << (result.stopped_early ? " (stopped early)" : "")
            << ", " << std::fixed << std::setprecision(3)
            << (epochs_run > 0 ? train_seconds / epochs_run : 0.0) << " s per training epoch\n";
  if (has_valid) std::cout << "best epoch " << result.best_epoch << ": valid " << format_metrics(result.best_metrics) << "\n";
  std::cout << "test " << format_metrics(test_metrics) << "\n";

  if (!args.json.empty() && gnn::writes_outputs(group)) {
    const ordered_json out = train_json(args, command_line, dataset, domain, part, graph_part,
                                        static_cast<int64_t>(test->size()), pretraining, result, test_metrics,
                                        epochs_run > 0 ? train_seconds / epochs_run : 0.0);
    io::write_text_atomically(args.json, out.dump(2) + "\n");
    std::cerr << "wrote " << args.json << "\n";
  }
}

}  // namespace

// The model and its architecture.
void add_model_options(CLI::App& cmd, TrainArgs& args) {
  cmd.add_option("--model", args.model.name, "Model: " + join(gnn::model_names()))->capture_default_str();
  cmd.add_option("--dim", args.model.dim, "Embedding dimension")->capture_default_str();
  cmd.add_option("--layers", args.model.layers, "Propagation layers (graph models)")->capture_default_str();
  cmd.add_option("--init-std", args.model.init_std, "Std of the N(0, std²) embedding init")->capture_default_str();
  cmd.add_option("--layer", args.model.encoder.layer, "Encoder layer (model encoder): " + join(gnn::layer_names()))
      ->capture_default_str();
  cmd.add_option("--combine", args.model.encoder.combine,
                  "Encoder combination of the layer outputs: " + join(gnn::combine_names()))
      ->capture_default_str();
  cmd.add_option("--activation", args.model.encoder.activation,
                  "Encoder head activation: " + join(gnn::activation_names()))
      ->capture_default_str();
  cmd.add_option("--heads", args.model.encoder.heads, "Attention heads (encoder with gat)")->capture_default_str();
  cmd.add_flag("!--no-head", args.model.encoder.head, "Encoder without the head θ: h = z");
  cmd.add_flag("--decay-weights", args.model.encoder.decay_weights,
                "Encoder: the L2 term also covers the head (‖θ − I‖² + ‖b‖²) and the layers' weight matrices");
  cmd.add_option("--dropout", args.model.encoder.dropout, "Dropout on encoder layer outputs")->capture_default_str();
  cmd.add_option("--item-input", args.model.item_input,
                  "Item layer-0 input (model encoder): id, features or both")->capture_default_str();
  cmd.add_option("--item-blocks", args.model.item_blocks, "Item feature blocks to read, comma-separated (default: all)");
  cmd.add_option("--item-combine", args.model.item_combine, "With --item-input both: sum or concat")->capture_default_str();
  cmd.add_option("--id-dropout", args.model.id_dropout, "With --item-input both: share of item IDs dropped per step")
      ->capture_default_str();
  cmd.add_option("--relations", args.model.encoder.relations,
                  "Relations of the relational encoder, comma-separated: user-item, user-item/view, "
                  "user-item/cart, user-item/fav, user-item/buy, item-category")
      ->delimiter(',');
  cmd.add_option("--relation-weights", args.model.encoder.relation_weights,
                  "Relational encoder weights: " + join(gnn::relational_weight_names()))
      ->capture_default_str();
  cmd.add_option("--relation-combine", args.model.encoder.relation_combine,
                  "Relational encoder combination of the relations: " + join(gnn::relational_combine_names()))
      ->capture_default_str();
  cmd.add_option("--cascade", args.model.cascade,
                  "Model cascading: its stages' behaviours in cascade order, comma-separated (pv, cart, fav, buy)")
      ->delimiter(',')
      ->capture_default_str();
  cmd.add_option("--neighbours", args.model.similarity.neighbours, "itemknn: neighbours kept per item")
      ->capture_default_str();
  cmd.add_option("--shrink", args.model.similarity.shrink, "itemknn: cosine shrinkage")->capture_default_str();
  cmd.add_option("--lambda", args.model.similarity.lambda, "ease: L2 weight λ")->capture_default_str();
  cmd.add_option("--rank", args.model.similarity.rank, "gfcf: singular vectors of the ideal low-pass filter")
      ->capture_default_str();
  cmd.add_option("--alpha", args.model.similarity.alpha, "gfcf: weight of the ideal low-pass filter")
      ->capture_default_str();
  cmd.add_option("--memory-budget-mb", args.model.similarity.memory_budget_mb,
                  "itemknn, ease, gfcf: refuse a fit needing more memory (MiB)")
      ->capture_default_str();
}

// Which behaviours train, build the graph and pretrain.
void add_behaviour_options(CLI::App& cmd, TrainArgs& args) {
  cmd.add_flag("--behaviour-weights,--behavior-weights", args.model.behavior_weights,
                "lightgcn: weight user-item edges by behaviour (view 1, cart 2, fav 2, buy 4)");
  cmd.add_option("--target-behaviour,--target-behavior", args.target_behavior,
                  "Train on and evaluate this behaviour (pv, cart, fav, buy); only its training items are "
                  "masked from a user's ranking");
  cmd.add_option("--graph-behaviours,--graph-behaviors", args.graph_behaviors,
                  "With --target-behaviour: the model's graph reads all behaviours or the target's alone")
      ->check(CLI::IsMember({"all", "target"}))
      ->capture_default_str();
  auto* pretrain_behavior = cmd.add_option("--pretrain-behaviour,--pretrain-behavior", args.pretrain_behavior,
                                            "Train first on this behaviour's pairs (pv, cart, fav, buy), then the target");
  auto* pretrain_epochs = cmd.add_option("--pretrain-epochs", args.pretrain_epochs,
                                          "Epochs of the --pretrain-behaviour phase")
                              ->check(CLI::PositiveNumber);
  pretrain_behavior->needs(pretrain_epochs);
  pretrain_epochs->needs(pretrain_behavior);
  cmd.add_option("--auxiliary-behaviours,--auxiliary-behaviors", args.auxiliary,
                  "With --target-behaviour: other behaviours trained beside it, code=weight, comma-separated "
                  "(pv=0.5,cart; weight 1 when omitted)")
      ->delimiter(',');
}

// The optimiser, schedule and model selection.
void add_training_options(CLI::App& cmd, TrainArgs& args) {
  cmd.add_option("--epochs", args.train.epochs, "Training epochs")->capture_default_str();
  cmd.add_option("--batch-size", args.train.batch_size, "Triples per batch")->capture_default_str();
  cmd.add_option("--lr", args.train.lr, "Adam learning rate")->capture_default_str();
  cmd.add_option("--lr-schedule", args.train.lr_schedule,
                  "constant, or cosine: decay from --lr to --lr-min over the epochs")
      ->capture_default_str();
  cmd.add_option("--lr-min", args.train.lr_min, "cosine: the last epochs' learning rate floor")->capture_default_str();
  cmd.add_option("--weight-decay", args.train.weight_decay, "L2 on the batch's layer-0 embeddings")
      ->capture_default_str();
  cmd.add_option("--loss", args.train.loss, "Loss: bpr or bce")->capture_default_str();
  cmd.add_option("--seed", args.train.seed, "Seed of the initialisation and the sampling")->capture_default_str();
  cmd.add_option("--threads", args.train.threads, "Threads (0: all cores)")->capture_default_str();
  cmd.add_option("--eval-every", args.train.eval_every, "Evaluate every N epochs (and after the last)")
      ->capture_default_str();
  cmd.add_option("--patience", args.train.patience, "Stop after N evaluations without improvement (0: never)")
      ->capture_default_str();
  cmd.add_option("--metric", args.train.metric, "Validation metric to select on (default: recall@20 for "
                                                  "the full protocol, mrr for the sampled one)");
  cmd.add_option("--graph", args.train.graph,
                 "full: every step propagates over the whole graph; sampled: over the batch's sampled "
                 "neighbourhood (for large graphs; lightgcn)")
      ->capture_default_str();
  cmd.add_option("--fanouts", args.train.fanouts,
                 "--graph sampled: neighbours drawn per node, one per layer, input layer first, e.g. 25,10,5 "
                 "(0: all; default: all, exact)")
      ->delimiter(',');
  cmd.add_option("--node-budget", args.train.node_budget,
                 "--graph sampled: the most new nodes each layer of a step's subgraph adds, chosen by layer-wise "
                 "priority sampling and reweighted to stay unbiased, so a step costs the same on any graph size "
                 "(0: no bound)")
      ->capture_default_str();
  cmd.add_option("--batch-limit", args.train.batch_limit,
                 "Stop each epoch after this many batches (0: all): to time steps on a graph whose epochs take hours")
      ->capture_default_str();
  cmd.add_option("--optimizer", args.train.optimizer,
                 "adam, or lazy_adam (--graph sampled: Adam on the embedding rows a step read, so a step's cost "
                 "does not grow with the table)")
      ->capture_default_str();
}

void add_train_command(CLI::App& app, const std::string& command_line) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train a recommender on one domain of a split and report test metrics");
  cmd->add_option("--data", args->data, "dataset.h5 to read")->required();
  cmd->add_option("--domain", args->domain, "Domain to train and evaluate on")->required();
  cmd->add_option("--split", args->split, "Split whose train/valid/test interactions to use")->required();
  add_model_options(*cmd, *args);
  add_behaviour_options(*cmd, *args);
  add_training_options(*cmd, *args);
  cmd->add_option("--protocol", args->protocol, "Evaluation protocol: " + join(gnn::protocol_names()))
      ->capture_default_str();
  cmd->add_option("--ks", args->ks, "Cut-offs K (default: 10 20 50 full, 1 5 10 sampled)");
  cmd->add_option("--json", args->json, "Write options, history and metrics to this JSON file");
  cmd->add_option("--checkpoint", args->train.checkpoint, "Save the selected model's parameters here");
  cmd->add_option("--device", args->device, "Where the model trains: cpu, cuda or cuda:N (lightgcn, bprmf)")
      ->capture_default_str();
  add_parallel_options(*cmd, args->parallel);
  cmd->callback([args, cmd, command_line] {
    args->model.seed = args->train.seed;
    if (cmd->count("--metric") == 0) args->train.metric = args->protocol == "sampled" ? "mrr" : "recall@20";
    gnn::validate(args->train);
    const torch::Device device = gnn::resolve_device(args->device, "--device");
    args->train.communicator = start_or_join(args->parallel, device.is_cuda() ? "nccl" : "gloo");
    run_train(*args, device, command_line);
  });
}

}  // namespace graft::cli
