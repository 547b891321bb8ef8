// How a LightGCN training step's cost grows with the graph (scale preset, 3 layers, dim 64,
// batch 2048, 2 threads): full-graph steps against sampled-subgraph steps with row-wise Adam
// (fan-outs 10,10,10 and 5,5,5), measured in the same run on the same graph. Counters: seconds
// per step of each mode, and each sampled mode's step as a share of the full-graph step.
// A full-graph step costs the whole graph, so its time grows with the interactions; a sampled
// step costs its batch's neighbourhood, bounded by the fan-outs once the graph outgrows it.
// Steps: 20 batches of the first training interactions over the graph of all of them.
#include <benchmark/benchmark.h>

#include <map>

#include "gnn/models.h"
#include "gnn/negative_sampler.h"
#include "gnn/trainer.h"
#include "graph_io/dataset.h"
#include "graph_io/synthetic_scale.h"

namespace {

using namespace graft;

constexpr int kThreads = 2;
constexpr int64_t kBatch = 2048, kSteps = 20;

// The scale preset with every interaction in training ("graph") and the first kSteps batches of
// them as the training pairs of the timed steps ("steps").
const io::Dataset& dataset(int64_t interactions) {
  static std::map<int64_t, io::Dataset> cache;
  auto it = cache.find(interactions);
  if (it != cache.end()) return it->second;
  io::ScaleOptions options;
  options.interactions = interactions;
  io::Dataset ds = io::generate_scale(options);
  io::Split split;
  split.name = "bench";
  split.kind = "given";
  io::DomainSplit& graph = split.part_or_add("main");
  for (int64_t k = 0; k < interactions; ++k) graph.train.push_back(k);
  ds.splits.push_back(split);
  return cache.emplace(interactions, std::move(ds)).first->second;
}

double seconds_per_step(const io::Dataset& ds, const std::string& graph_mode, std::vector<int64_t> fanouts,
                        const std::string& optimizer) {
  const io::DomainSplit& graph = ds.splits[0].parts[0];
  io::DomainSplit steps = graph;
  steps.train.resize(static_cast<size_t>(std::min<int64_t>(kSteps * kBatch, static_cast<int64_t>(graph.train.size()))));
  gnn::ModelOptions model_options;
  model_options.name = "lightgcn";
  model_options.dim = 64;
  model_options.layers = 3;
  const auto model = gnn::make_recommender(model_options, ds, "main", graph);
  const gnn::NegativeSampler sampler = gnn::NegativeSampler::for_split(ds, "main", steps);
  gnn::TrainOptions options;
  options.epochs = 1;
  options.batch_size = kBatch;
  options.threads = kThreads;
  options.graph = graph_mode;
  options.fanouts = std::move(fanouts);
  options.optimizer = optimizer;
  const gnn::EpochRecord epoch = gnn::train(*model, sampler, options).history.at(0);
  return (epoch.seconds - epoch.eval_seconds) / static_cast<double>(kSteps);
}

void StepCost(benchmark::State& state) {
  const io::Dataset& ds = dataset(state.range(0));
  double full = 0, sampled10 = 0, sampled5 = 0;
  for (auto _ : state) {
    full += seconds_per_step(ds, "full", {}, "adam");
    sampled10 += seconds_per_step(ds, "sampled", {10, 10, 10}, "lazy_adam");
    sampled5 += seconds_per_step(ds, "sampled", {5, 5, 5}, "lazy_adam");
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["full_step_s"] = full / n;
  state.counters["sampled10_step_s"] = sampled10 / n;
  state.counters["sampled5_step_s"] = sampled5 / n;
  state.counters["sampled10_vs_full"] = sampled10 / full;
  state.counters["sampled5_vs_full"] = sampled5 / full;
}
BENCHMARK(StepCost)->Arg(250'000)->Arg(1'000'000)->Arg(4'000'000)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
