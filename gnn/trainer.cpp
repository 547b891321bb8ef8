#include "gnn/trainer.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <memory>
#include <stdexcept>

#include "gnn/checkpoint.h"
#include "gnn/device.h"
#include "gnn/gather_rows.h"
#include "gnn/losses.h"
#include "gnn/row_adam.h"
#include "gnn/spmm.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::gnn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string format_duration(double seconds) {
  char text[32];
  const long long s = std::llround(seconds);
  if (s < 60) {
    std::snprintf(text, sizeof text, "%lld s", s);
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lld min %02lld s", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
  }
  return text;
}

std::string metric_list(const Metrics& metrics) {
  std::string out;
  for (const auto& [name, value] : metrics) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::vector<torch::Tensor> snapshot(const Recommender& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.detach().clone());
  return out;
}

void restore(Recommender& model, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  auto parameters = model.parameters();
  for (size_t k = 0; k < parameters.size(); ++k) parameters[k].copy_(state[k]);
}

void check_auxiliary(const std::vector<AuxiliaryTask>& tasks) {
  for (size_t k = 0; k < tasks.size(); ++k) {
    const AuxiliaryTask& task = tasks[k];
    if (task.sampler == nullptr) throw io::UsageError("auxiliary task '" + task.name + "' has no sampler");
    if (!(task.weight > 0.0) || !std::isfinite(task.weight)) {
      throw io::UsageError("auxiliary task '" + task.name + "': weight must be positive, got " +
                           std::to_string(task.weight));
    }
    for (size_t j = 0; j < k; ++j) {
      if (tasks[j].name == task.name) throw io::UsageError("auxiliary task '" + task.name + "' is given twice");
    }
  }
}

// This rank's rows [first, first + count) of a batch of `batch` rows (all of them in one process).
struct BatchShard {
  int64_t first = 0, count = 0, batch = 0;
};

// This rank's rows of batch `b` of an epoch of `triples` rows.
BatchShard batch_shard(int64_t b, int64_t triples, const TrainOptions& options, const Communicator* communicator) {
  const int64_t first = b * options.batch_size, batch = std::min(options.batch_size, triples - first);
  if (communicator == nullptr) return {first, batch, batch};
  const auto [begin, end] = shard_range(batch, communicator->rank(), communicator->world_size());
  return {first + begin, end - begin, batch};
}

// A shard's mean loss as its part of the batch's mean: summed over the ranks, the batch's mean.
torch::Tensor part_of_batch_mean(const torch::Tensor& shard_mean, const BatchShard& shard) {
  if (shard.count == shard.batch) return shard_mean;
  return shard_mean * (static_cast<double>(shard.count) / static_cast<double>(shard.batch));
}

// loss(score(u, i⁺), score(u, i⁻)) + the L2 term over the shard's triples, as its part of the
// batch's loss.
torch::Tensor triples_loss(Recommender& model, const Representations& reps, const Triples& triples,
                           const BatchShard& shard, const TrainOptions& options) {
  const torch::Tensor users = triples.users.narrow(0, shard.first, shard.count);
  const torch::Tensor positives = triples.positives.narrow(0, shard.first, shard.count);
  const torch::Tensor negatives = triples.negatives.narrow(0, shard.first, shard.count);
  return part_of_batch_mean(pairwise_loss(options.loss, model.score_pairs(reps, users, positives),
                                          model.score_pairs(reps, users, negatives)),
                            shard) +
         l2_regularizer(model.batch_l2(users, positives, negatives), shard.batch, options.weight_decay);
}

// One epoch's triples of an auxiliary task, and the rows each of the main task's batches takes.
struct AuxiliaryEpoch {
  const AuxiliaryTask* task;
  Triples triples;
  int64_t per_batch;
};

std::vector<AuxiliaryEpoch> sample_auxiliary(const std::vector<AuxiliaryTask>& tasks, uint64_t seed, int64_t epoch,
                                             int64_t batches) {
  std::vector<AuxiliaryEpoch> out;
  for (const AuxiliaryTask& task : tasks) {
    Triples triples = task.sampler->sample_epoch(
        io::derive_seed(seed, "epoch/" + std::to_string(epoch) + "/" + task.name));
    const int64_t per_batch = (triples.size() + batches - 1) / std::max<int64_t>(batches, 1);
    out.push_back({&task, std::move(triples), per_batch});
  }
  return out;
}

// The weighted auxiliary terms of main batch `batch` (see trainer.h).
torch::Tensor auxiliary_loss(Recommender& model, const Representations& reps,
                             const std::vector<AuxiliaryEpoch>& epochs, int64_t batch, const TrainOptions& options) {
  torch::Tensor total = torch::zeros({});
  for (const AuxiliaryEpoch& aux : epochs) {
    const int64_t first = batch * aux.per_batch;
    const int64_t count = std::min(aux.per_batch, aux.triples.size() - first);
    if (count <= 0) continue;
    total = total + aux.task->weight * triples_loss(model, reps, aux.triples, {first, count, count}, options);
  }
  return total;
}

using BatchHook = std::function<void(int64_t done, int64_t batches)>;

// The batches an epoch of `triples` rows trains: all of them, or options.batch_limit.
int64_t epoch_batches(int64_t triples, const TrainOptions& options) {
  const int64_t all = (triples + options.batch_size - 1) / options.batch_size;
  return options.batch_limit > 0 ? std::min(all, options.batch_limit) : all;
}

// Data parallel: the trainable parameters' gradients (undefined ones as zeros: an empty shard
// touched nothing) and the loss summed over the ranks in one collective, so every rank steps on
// the whole batch's gradient. Returns the batch's loss.
double sum_over_ranks(Communicator& communicator, Recommender& model, const torch::Tensor& loss) {
  std::vector<torch::Tensor> tensors;
  for (torch::Tensor& p : model.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    tensors.push_back(p.grad());
  }
  const torch::Tensor value = loss.detach().reshape({1}).to(tensors.empty() ? loss.dtype() : tensors[0].dtype()).clone();
  tensors.push_back(value);
  all_reduce_sum(communicator, tensors);
  return value.item<double>();
}

// Data parallel with row-wise Adam: the ranks' row gradients summed into `merged` (the rows
// alone travel, never the table), and the loss. Returns the batch's loss.
double sum_rows_over_ranks(Communicator& communicator, const torch::Tensor& rows, const torch::Tensor& grad,
                           const torch::Tensor& loss, RowGradient& merged) {
  merged = all_reduce_rows(communicator, {rows, grad});
  torch::Tensor value = loss.detach().reshape({1}).clone();
  communicator.all_reduce_sum(value);
  return value.item<double>();
}

// Backward through `loss`; data parallel, `sum_over_ranks` (which returns the batch's loss);
// then `update` (the optimiser's step); each timed into `record` (the model's time from
// `model_start`). Returns the batch's loss.
double step(const torch::Tensor& loss, EpochRecord& record, Clock::time_point model_start,
            const std::function<double()>& sum_over_ranks, const std::function<void()>& update) {
  loss.backward();
  record.model_seconds += seconds_since(model_start);
  double value = 0.0;
  if (sum_over_ranks) {
    const auto communication_start = Clock::now();
    value = sum_over_ranks();
    record.communication_seconds += seconds_since(communication_start);
  } else {
    value = loss.item<double>();
  }
  const auto optimizer_start = Clock::now();
  update();
  record.optimizer_seconds += seconds_since(optimizer_start);
  return value;
}

// The loss of a rank whose shard of a batch is empty: zero, with a (zero) gradient path to `x`.
torch::Tensor empty_shard_loss(const torch::Tensor& x) { return x.sum() * 0.0; }

// The dense data-parallel sum of step(), or none for one process.
std::function<double()> dense_sum(Communicator* communicator, Recommender& model, const torch::Tensor& loss) {
  if (communicator == nullptr) return {};
  return [communicator, &model, loss] { return sum_over_ranks(*communicator, model, loss); };
}

// An epoch of full-graph steps: one represent() over the whole graph per batch. The summed loss.
double full_graph_epoch(Recommender& model, torch::optim::Adam& optimizer, const Triples& triples,
                        const std::vector<AuxiliaryEpoch>& aux, Communicator* communicator, const TrainOptions& options,
                        EpochRecord& record, const BatchHook& on_batch) {
  const int64_t batches = epoch_batches(triples.size(), options);
  double loss_sum = 0.0;
  for (int64_t b = 0; b < batches; ++b) {
    const BatchShard shard = batch_shard(b, triples.size(), options, communicator);
    const auto model_start = Clock::now();
    optimizer.zero_grad();
    const Representations reps = model.represent();
    torch::Tensor loss = shard.count > 0 ? triples_loss(model, reps, triples, shard, options) : empty_shard_loss(reps.users);
    if (!aux.empty()) loss = loss + auxiliary_loss(model, reps, aux, b, options);
    loss_sum += step(loss, record, model_start, dense_sum(communicator, model, loss), [&] { optimizer.step(); });
    on_batch(b + 1, batches);
  }
  return loss_sum;
}

// A batch's seeds and sampled blocks.
struct SampledStep {
  SeedBatch seeds;
  SampledBlocks blocks;
};

// The pairwise loss of a batch from its seeds' representations h (users first, then items).
torch::Tensor seeds_loss(Recommender& model, const torch::Tensor& h, const SeedBatch& seeds, const TrainOptions& options) {
  const Representations reps{h.narrow(0, 0, seeds.users), h.narrow(0, seeds.users, h.size(0) - seeds.users)};
  return pairwise_loss(options.loss, model.score_pairs(reps, seeds.user_at, seeds.positive_at),
                       model.score_pairs(reps, seeds.user_at, seeds.negative_at));
}

// An epoch of sampled steps: batch b + 1's subgraph is sampled on another thread while batch b
// trains; with `lazy`, Adam updates only the rows each step read. The summed loss.
double sampled_epoch(Recommender& model, torch::optim::Adam& optimizer, RowAdam* lazy, const Triples& triples,
                     const NeighborSampler& neighbors, int64_t user_count, uint64_t epoch_seed,
                     Communicator* communicator, const TrainOptions& options, EpochRecord& record,
                     const BatchHook& on_batch) {
  const int64_t batches = epoch_batches(triples.size(), options);
  const auto shard_of = [&](int64_t b) { return batch_shard(b, triples.size(), options, communicator); };
  const auto rows = [&](const torch::Tensor& t, int64_t b) {
    const BatchShard shard = shard_of(b);
    return t.narrow(0, shard.first, shard.count);
  };
  // Each rank samples its shard's neighbourhood from a seed of its own.
  const auto blocks_seed = [&](int64_t b) {
    const std::string batch = "batch/" + std::to_string(b);
    return io::derive_seed(epoch_seed, communicator ? batch + "/rank/" + std::to_string(communicator->rank()) : batch);
  };
  const auto prepare = [&](int64_t b) {
    if (shard_of(b).count == 0) return SampledStep{};
    SeedBatch seeds = seed_batch(rows(triples.users, b), rows(triples.positives, b), rows(triples.negatives, b), user_count);
    SampledBlocks blocks = neighbors.sample(seeds.seeds, blocks_seed(b));
    return SampledStep{std::move(seeds), std::move(blocks)};
  };
  std::future<SampledStep> next;
  if (batches > 0) next = std::async(std::launch::async, prepare, 0);
  double loss_sum = 0.0;
  for (int64_t b = 0; b < batches; ++b) {
    const auto wait_start = Clock::now();
    const SampledStep current = next.get();
    if (b + 1 < batches) next = std::async(std::launch::async, prepare, b + 1);
    record.sampling_seconds += seconds_since(wait_start);
    const int64_t step_nodes = current.blocks.sizes.empty() ? 0 : current.blocks.sizes.front();  // 0: an empty shard
    record.nodes_per_step += static_cast<double>(step_nodes) / static_cast<double>(batches);
    const auto model_start = Clock::now();
    const BatchShard shard = shard_of(b);
    const torch::Tensor u = rows(triples.users, b), p = rows(triples.positives, b), n = rows(triples.negatives, b);
    if (lazy == nullptr) {
      optimizer.zero_grad();
      torch::Tensor loss = empty_shard_loss(model.node_table());
      if (shard.count > 0) {
        const torch::Tensor h = model.represent_seeds(current.blocks);
        loss = part_of_batch_mean(seeds_loss(model, h, current.seeds, options), shard) +
               l2_regularizer(model.batch_l2(u, p, n), shard.batch, options.weight_decay);
      }
      loss_sum += step(loss, record, model_start, dense_sum(communicator, model, loss), [&] { optimizer.step(); });
    } else {
      // A detached copy of the input layer's rows is the leaf: its gradient has their rows only.
      const torch::Tensor nodes = shard.count > 0 ? current.blocks.nodes : torch::empty({0}, torch::kInt64);
      const torch::Tensor x = model.node_table().index_select(0, nodes).detach().requires_grad_();
      torch::Tensor loss = empty_shard_loss(x);
      if (shard.count > 0) {
        const torch::Tensor h = model.propagate_seeds(current.blocks, x);
        const int64_t users = current.seeds.users, seeds = current.blocks.seeds();
        const torch::Tensor l2 = squared_norms(x.narrow(0, 0, users), x.narrow(0, users, seeds - users),
                                               current.seeds.user_at, current.seeds.positive_at, current.seeds.negative_at);
        loss = part_of_batch_mean(seeds_loss(model, h, current.seeds, options), shard) +
               l2_regularizer(l2, shard.batch, options.weight_decay);
      }
      RowGradient merged;
      std::function<double()> sum_rows;
      if (communicator != nullptr) sum_rows = [&] { return sum_rows_over_ranks(*communicator, nodes, x.grad(), loss, merged); };
      loss_sum += step(loss, record, model_start, sum_rows, [&] {
        communicator != nullptr ? lazy->step(merged.rows, merged.grad) : lazy->step(nodes, x.grad());
      });
    }
    on_batch(b + 1, batches);
  }
  return loss_sum;
}

// The sampler of a sampled run, checked against the model; nullptr for full-graph training.
std::unique_ptr<NeighborSampler> neighbor_sampler(const Recommender& model, const TrainOptions& options,
                                                  const std::vector<AuxiliaryTask>& auxiliary) {
  if (options.graph == "full") return nullptr;
  if (!device_of(model).is_cpu()) {
    throw io::UsageError("training option graph sampled: builds its blocks on the CPU and trains there; on " +
                         device_of(model).str() + " use graph full");
  }
  const SparseGraph* graph = model.propagation_graph();
  if (graph == nullptr || model.propagation_layers() == 0) {
    throw io::UsageError("training option graph sampled: model " + model.model_name() +
                         " has no graph propagation to sample (sampled training supports lightgcn with layers ≥ 1); "
                         "use graph full");
  }
  if (!auxiliary.empty()) throw io::UsageError("training option graph sampled: auxiliary tasks train on full-graph steps only");
  const int64_t layers = model.propagation_layers();
  std::vector<int64_t> fanouts = options.fanouts.empty() ? std::vector<int64_t>(static_cast<size_t>(layers), 0) : options.fanouts;
  if (static_cast<int64_t>(fanouts.size()) != layers) {
    throw io::UsageError("training option fanouts: " + std::to_string(fanouts.size()) + " fan-outs (" +
                         describe_fanouts(fanouts) + ") for a model of " + std::to_string(layers) + " layers");
  }
  return std::make_unique<NeighborSampler>(*graph, std::move(fanouts), options.node_budget);
}

// The row-wise Adam of optimizer lazy_adam, over the model's node table; nullptr for adam.
std::unique_ptr<RowAdam> row_optimizer(Recommender& model, const TrainOptions& options) {
  if (options.optimizer == "adam") return nullptr;
  const torch::Tensor table = model.node_table();
  if (options.graph != "sampled" || !table.defined() || model.parameters().size() != 1) {
    throw io::UsageError("training option optimizer lazy_adam: needs graph sampled and a model whose only parameter is "
                         "its node table (lightgcn); model " + model.model_name() + ", graph " + options.graph);
  }
  return std::make_unique<RowAdam>(table, options.lr);
}

// The group of a data-parallel run; nullptr for one process (or a group of one). UsageError for
// what cannot be sharded.
Communicator* data_parallel(const TrainOptions& options, const std::vector<AuxiliaryTask>& auxiliary) {
  Communicator* communicator = options.communicator.get();
  if (communicator == nullptr || communicator->world_size() == 1) return nullptr;
  if (!auxiliary.empty()) throw io::UsageError("auxiliary tasks train in one process only (got several processes)");
  return communicator;
}

// The epoch's triples on `device`: drawn whole in one process; in a group, each rank draws its
// share and the shares are summed, so every rank holds what one process would have drawn.
Triples epoch_triples(const NegativeSampler& sampler, uint64_t seed, Communicator* communicator, torch::Device device) {
  Triples triples;
  if (communicator == nullptr) {
    triples = sampler.sample_epoch(seed);
  } else {
    triples = sampler.sample_epoch_shard(seed, communicator->rank(), communicator->world_size());
    all_reduce_sum(*communicator, {triples.users, triples.positives, triples.negatives});
  }
  if (device.is_cpu()) return triples;
  return {triples.users.to(device), triples.positives.to(device), triples.negatives.to(device)};
}

}  // namespace

void validate(const TrainOptions& o) {
  const auto bad = [](const std::string& option, const std::string& value, const std::string& rule) {
    throw io::UsageError("training option " + option + " " + rule + ", got " + value);
  };
  if (o.epochs < 0) bad("epochs", std::to_string(o.epochs), "must be at least 0");
  if (o.batch_size < 1) bad("batch_size", std::to_string(o.batch_size), "must be at least 1");
  if (!(o.lr > 0.0) || !std::isfinite(o.lr)) bad("lr", std::to_string(o.lr), "must be positive");
  if (!(o.weight_decay >= 0.0) || !std::isfinite(o.weight_decay)) {
    bad("weight_decay", std::to_string(o.weight_decay), "must be non-negative");
  }
  if (o.loss != "bpr" && o.loss != "bce") bad("loss", "'" + o.loss + "'", "must be bpr or bce");
  if (o.threads < 0) bad("threads", std::to_string(o.threads), "must be at least 0");
  if (o.eval_every < 1) bad("eval_every", std::to_string(o.eval_every), "must be at least 1");
  if (o.patience < 0) bad("patience", std::to_string(o.patience), "must be at least 0");
  if (o.batch_limit < 0) bad("batch_limit", std::to_string(o.batch_limit), "must be at least 0 (0: every batch)");
  if (o.lr_schedule != "constant" && o.lr_schedule != "cosine") {
    bad("lr_schedule", "'" + o.lr_schedule + "'", "must be constant or cosine");
  }
  if (!(o.lr_min >= 0.0 && o.lr_min < o.lr)) bad("lr_min", std::to_string(o.lr_min), "must be in [0, lr)");
  if (o.graph != "full" && o.graph != "sampled") bad("graph", "'" + o.graph + "'", "must be full or sampled");
  if (o.optimizer != "adam" && o.optimizer != "lazy_adam") bad("optimizer", "'" + o.optimizer + "'", "must be adam or lazy_adam");
  for (const int64_t f : o.fanouts) {
    if (f < 0) bad("fanouts", describe_fanouts(o.fanouts) + " (" + std::to_string(f) + ")", "must be at least 0 (0: all neighbours)");
  }
  if (!o.fanouts.empty() && o.graph != "sampled") bad("fanouts", describe_fanouts(o.fanouts), "needs graph sampled");
  if (o.node_budget < 0) bad("node_budget", std::to_string(o.node_budget), "must be at least 0 (0: no bound)");
  if (o.node_budget > 0 && o.graph != "sampled") bad("node_budget", std::to_string(o.node_budget), "needs graph sampled");
}

void set_learning_rate(torch::optim::Adam& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

double scheduled_lr(const TrainOptions& o, int64_t epoch) {
  if (o.lr_schedule == "constant" || o.epochs <= 0) return o.lr;
  const double progress = static_cast<double>(epoch - 1) / static_cast<double>(o.epochs);
  return o.lr_min + 0.5 * (o.lr - o.lr_min) * (1.0 + std::cos(M_PI * progress));
}

std::string format_progress(const EpochRecord& record, int64_t epochs, double eta_seconds,
                            const std::vector<std::string>& shown) {
  char text[96];
  std::snprintf(text, sizeof text, "epoch %lld/%lld  loss %.5f", static_cast<long long>(record.epoch),
                static_cast<long long>(epochs), record.loss);
  std::string out = text;
  for (const auto& name : shown) {
    const auto it = record.metrics.find(name);
    if (it == record.metrics.end()) continue;
    std::snprintf(text, sizeof text, "  %s %.4f", name.c_str(), it->second);
    out += text;
  }
  std::snprintf(text, sizeof text, "  %.2f s  eta ", record.seconds);
  return out + text + format_duration(eta_seconds);
}

std::string format_batch_progress(int64_t done, int64_t batches, double seconds) {
  const double rate = seconds > 0.0 ? static_cast<double>(done) / seconds : 0.0;
  char text[96];
  std::snprintf(text, sizeof text, "batch %lld/%lld  %.1f batches/s  eta ", static_cast<long long>(done),
                static_cast<long long>(batches), rate);
  return text + format_duration(rate > 0.0 ? static_cast<double>(batches - done) / rate : 0.0);
}

void reuse_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);   // glibc's maximum; larger blocks are rare and short-lived
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

TrainResult train(Recommender& model, const NegativeSampler& sampler, const TrainOptions& options,
                  const Monitor& monitor, const ProgressCallback& progress,
                  const std::vector<AuxiliaryTask>& auxiliary) {
  validate(options);
  check_auxiliary(auxiliary);
  set_num_threads(options.threads);
  reuse_freed_memory();
  torch::manual_seed(options.seed);
  const std::unique_ptr<NeighborSampler> neighbors = neighbor_sampler(model, options, auxiliary);
  const std::unique_ptr<RowAdam> lazy = row_optimizer(model, options);
  Communicator* communicator = data_parallel(options, auxiliary);
  if (communicator != nullptr) broadcast_from_rank0(*communicator, model.parameters());
  const bool writes = writes_outputs(communicator);
  const bool selecting = monitor.evaluate && monitor.select_best;
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(options.lr));
  model.train();

  TrainResult result;
  std::vector<torch::Tensor> best_state;
  int64_t evaluations_since_best = 0;
  const auto start = Clock::now();
  for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    EpochRecord record;
    record.epoch = epoch;
    record.lr = scheduled_lr(options, epoch);
    set_learning_rate(optimizer, record.lr);
    const auto epoch_start = Clock::now();
    const Triples triples =
        epoch_triples(sampler, io::derive_seed(options.seed, "epoch/" + std::to_string(epoch)), communicator, device_of(model));
    const int64_t batches_per_epoch = epoch_batches(triples.size(), options);
    const std::vector<AuxiliaryEpoch> aux = sample_auxiliary(auxiliary, options.seed, epoch, batches_per_epoch);
    record.sampling_seconds = seconds_since(epoch_start);

    const auto on_batch = [&](int64_t done, int64_t batches) {
      if (monitor.on_batch) monitor.on_batch(epoch, done, batches, seconds_since(epoch_start));
    };
    if (lazy) lazy->set_lr(record.lr);
    const double loss_sum = neighbors ? sampled_epoch(model, optimizer, lazy.get(), triples, *neighbors, sampler.num_users(),
                                                      io::derive_seed(options.seed, "epoch/" + std::to_string(epoch) + "/blocks"),
                                                      communicator, options, record, on_batch)
                                      : full_graph_epoch(model, optimizer, triples, aux, communicator, options, record, on_batch);
    record.loss = batches_per_epoch > 0 ? loss_sum / static_cast<double>(batches_per_epoch) : 0.0;
    if (!std::isfinite(record.loss)) {
      throw std::runtime_error("training diverged: the loss of epoch " + std::to_string(epoch) + " is " +
                               std::to_string(record.loss) + "; try a lower learning rate");
    }

    bool stop = false;
    if (monitor.evaluate && (epoch % options.eval_every == 0 || epoch == options.epochs)) {
      const auto eval_start = Clock::now();
      record.metrics = monitor.evaluate(model);
      record.eval_seconds = seconds_since(eval_start);
      if (selecting) {
        const auto it = record.metrics.find(options.metric);
        if (it == record.metrics.end()) {
          throw io::UsageError("early-stopping metric '" + options.metric +
                               "' is not reported by the evaluation; available: " + metric_list(record.metrics));
        }
        if (result.best_epoch == 0 || it->second > result.best_metrics.at(options.metric)) {
          result.best_epoch = epoch;
          result.best_metrics = record.metrics;
          best_state = snapshot(model);
          evaluations_since_best = 0;
          if (writes && !options.checkpoint.empty()) save_checkpoint(model, options.checkpoint);
        } else {
          ++evaluations_since_best;
          stop = options.patience > 0 && evaluations_since_best >= options.patience;
        }
      } else {
        result.best_metrics = record.metrics;
      }
    }
    record.seconds = seconds_since(epoch_start);
    result.history.push_back(record);
    if (progress) {
      const double mean_epoch = seconds_since(start) / static_cast<double>(epoch);
      progress(record, stop ? 0.0 : mean_epoch * static_cast<double>(options.epochs - epoch));
    }
    if (stop) {
      result.stopped_early = true;
      break;
    }
  }

  if (selecting && result.best_epoch > 0) {
    restore(model, best_state);
  } else {
    result.best_epoch = static_cast<int64_t>(result.history.size());
    if (writes && !options.checkpoint.empty()) save_checkpoint(model, options.checkpoint);
  }
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace graft::gnn
