// Mini-batch training of a recommender with sampled negatives, Adam, periodic evaluation, early
// stopping on a validation metric and best-checkpoint restore.
//
// One epoch: NegativeSampler::sample_epoch draws one triple per training interaction; the
// triples are cut into batches of batch_size in drawing order (they are i.i.d., so this is
// already a random order); per batch the model runs represent() once and minimises
//   loss(score(u, i⁺), score(u, i⁻)) + weight_decay · ½ · batch_l2(u, i⁺, i⁻) / batch
// (the reference LightGCN objective) with Adam.
//
// Auxiliary tasks (multi-task, e.g. views and carts beside purchases): each has its own sampler
// over its training pairs and a weight. Its epoch triples are cut into as many batches as the
// main task has, so one epoch passes over every task once, and batch b adds
//   weight · (loss(aux b) + weight_decay · ½ · batch_l2(aux b) / |aux b|)
// computed on the same represent() as the main batch: the propagation is shared, only the scoring
// is extra.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gnn/communicator.h"
#include "gnn/evaluator.h"
#include "gnn/negative_sampler.h"
#include "gnn/recommender.h"

namespace graft::gnn {

struct TrainOptions {
  int64_t epochs = 100;         // ≥ 0
  int64_t batch_size = 2048;    // ≥ 1
  double lr = 1e-3;             // > 0
  // "constant", or "cosine": epoch e (1-based) of E trains at lr_min + ½(lr − lr_min)(1 + cos(π(e−1)/E)),
  // which lets a larger lr converge in fewer epochs without changing the model.
  std::string lr_schedule = "constant";
  double lr_min = 0.0;          // cosine: the floor, in [0, lr)
  double weight_decay = 1e-4;   // ≥ 0, the L2 term above (not Adam's decoupled decay)
  std::string loss = "bpr";     // "bpr" | "bce"
  uint64_t seed = 0;            // triples of epoch e: io::derive_seed(seed, "epoch/<e>")
  int threads = 0;              // intra-op threads; 0: all cores
  int64_t eval_every = 10;      // evaluate after every eval_every-th epoch and after the last; ≥ 1
  int64_t patience = 0;         // stop after this many evaluations without improvement; 0: never
  std::string metric = "recall@20";  // the validation metric to maximise
  std::string checkpoint;       // where to save the best (or, without selection, the final) model
  // "full": every step propagates over the whole graph (exact; a step costs the whole graph).
  // "sampled": over the batch's sampled neighbourhood (gnn/neighbor_sampler.h), built on a second
  // thread while the previous step trains, so a step costs its neighbourhood: for graphs too
  // large for full steps. Models with a propagation_graph() only (lightgcn); no auxiliary tasks.
  std::string graph = "full";
  std::vector<int64_t> fanouts;  // sampled: one per layer, input layer first; empty or ≤ 0: all
  // sampled: the most new nodes a layer of a step's subgraph adds (layer-wise priority sampling,
  // gnn/neighbor_sampler.h), so a step's cost is bounded whatever the graph's size; 0: no bound.
  int64_t node_budget = 0;
  // "adam": every parameter every step (exact). "lazy_adam" (sampled only, lightgcn): Adam on the
  // rows of the node table a step read (gnn/row_adam.h), so a step costs its subgraph, not the
  // table; rows outside a step keep their moments, which changes the trajectory (not exact).
  std::string optimizer = "adam";
  // 0: an epoch trains every batch. N > 0: it stops after N batches (the loss is their mean), for
  // timing a step on a graph whose epochs take hours, or a quick look at a large run.
  int64_t batch_limit = 0;
  // Data parallel (gnn/communicator.h): this process is one rank of a group. Every rank draws a
  // share of the epoch's triples (summed, the same triples as one process), takes its shard of
  // every batch, and the gradients are summed before the step, so the ranks step alike and the
  // run equals one process's up to float summation order (sampled with finite fan-outs: each
  // rank samples its shard's neighbourhood; lazy_adam sums the ranks' row gradients, sending the
  // rows a step read, not the table). Rank 0 alone writes the checkpoint. null: alone.
  std::shared_ptr<Communicator> communicator;
};

// UsageError naming the option and value of the first bad field.
void validate(const TrainOptions& options);

// The learning rate of epoch `epoch` (1-based) under options.lr_schedule.
double scheduled_lr(const TrainOptions& options, int64_t epoch);

// Sets every parameter group of `optimizer` to learning rate `lr`.
void set_learning_rate(torch::optim::Adam& optimizer, double lr);

struct EpochRecord {
  int64_t epoch = 0;            // 1-based
  double loss = 0.0;            // mean over the epoch's batches, regulariser included
  double lr = 0.0;              // the learning rate the epoch trained at
  Metrics metrics;              // empty unless evaluated after this epoch
  double seconds = 0.0;         // the whole epoch, evaluation included
  double sampling_seconds = 0.0;
  double model_seconds = 0.0;   // propagation, loss and backward
  double optimizer_seconds = 0.0;
  double communication_seconds = 0.0;  // data parallel: summing gradients over the ranks
  double eval_seconds = 0.0;
  // Sampled steps: the mean number of nodes a step's subgraph read (its input layer), to see
  // how much of the graph a step costs and whether a node budget binds; 0 for full-graph steps.
  double nodes_per_step = 0.0;
};

struct TrainResult {
  std::vector<EpochRecord> history;
  int64_t best_epoch = 0;       // the epoch whose parameters the model holds at the end
  Metrics best_metrics;         // its metrics (empty when never evaluated)
  bool stopped_early = false;
  double seconds = 0.0;
};

// How training is monitored. `evaluate` runs after every eval_every-th epoch and after the last.
// With select_best, options.metric drives early stopping and the best parameters are restored
// at the end; without (e.g. test metrics when a split has no validation set) the metrics are
// only recorded and the final parameters are kept.
struct Monitor {
  std::function<Metrics(Recommender&)> evaluate;
  bool select_best = true;
  // After every training batch: (epoch, batches done in it, its batches, seconds since it began),
  // for progress inside long epochs.
  std::function<void(int64_t epoch, int64_t done, int64_t batches, double seconds)> on_batch;
};

// One auxiliary task of train(): the triples of another behaviour, weighted (> 0).
struct AuxiliaryTask {
  std::string name;                           // for messages, e.g. "pv"
  const NegativeSampler* sampler = nullptr;   // not owned; outlives train()
  double weight = 1.0;
};

// Called after every epoch with its record and the estimated seconds left.
using ProgressCallback = std::function<void(const EpochRecord& record, double eta_seconds)>;

// "epoch 10/100  loss 0.41230  recall@20 0.1850  1.20 s  eta 1 min 48 s", with those of `shown`
// among the record's metrics.
std::string format_progress(const EpochRecord& record, int64_t epochs, double eta_seconds,
                            const std::vector<std::string>& shown);

// "batch 400/1290  85.2 batches/s  eta 10 s" for Monitor::on_batch.
std::string format_batch_progress(int64_t done, int64_t batches, double seconds);

// Makes glibc keep freed heap memory for reuse instead of returning it to the kernel (process-
// wide). Training allocates and frees the same [nodes, dim] buffers every batch; by default glibc
// hands buffers above its mmap threshold back and the next batch gets fresh pages, and those
// page faults cost about a third of a LightGCN batch. Keeps at most 256 MiB of freed memory.
void reuse_freed_memory();

// Trains in place and returns the history. Sets the intra-op thread count, calls
// reuse_freed_memory() and seeds torch's global generator (for stochastic layers). Throws UsageError for bad options
// or a metric the monitor does not report, std::runtime_error when the loss becomes non-finite.
// Auxiliary task triples of epoch e use io::derive_seed(seed, "epoch/<e>/<name>"). UsageError
// for a task without a sampler, a weight that is not positive, or two tasks with one name.
TrainResult train(Recommender& model, const NegativeSampler& sampler, const TrainOptions& options,
                  const Monitor& monitor = {}, const ProgressCallback& progress = {},
                  const std::vector<AuxiliaryTask>& auxiliary = {});

}  // namespace graft::gnn
