// The training cost of item features as the encoder's input, as a ratio in one run: one epoch of
// the encoder recommender (2 LightGCN layers, dim 64, batch 2048, BPR, Adam, 2 threads) with ID
// embeddings alone, then one with IDs + a dense F-wide item block (the projection F → 64 runs
// over every item at each step, its gradient too). Counters: id_epoch_s, features_epoch_s and
// overhead = features / ids (issue 11 asks ≤ 2 at F = 512).
// Size: Amazon Beauty's, 22,363 users × 12,101 items × 153,776 training interactions (its
// leave-one-out training part); interactions are random with skewed item popularity and the
// features Gaussian, so the graph and the block have the shape but not the content of the real ones.
#include <benchmark/benchmark.h>

#include <map>
#include <random>

#include "bench/skewed_interactions.h"
#include "gnn/models.h"
#include "gnn/negative_sampler.h"
#include "gnn/trainer.h"

namespace {

using namespace graft;

constexpr int kThreads = 2;
constexpr int64_t kUsers = 22363, kItems = 12101, kTrain = 153776;

// The skewed Beauty-sized log with a dense `width`-wide item block "lm" of Gaussian values.
io::Dataset beauty_shaped(int64_t width) {
  io::Dataset ds = bench::skewed_interactions("beauty", kUsers, kItems, kTrain, 0);
  io::FeatureBlock block;
  block.name = "lm";
  block.rows = kItems;
  block.width = width;
  std::mt19937_64 rng(2);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  block.values.resize(static_cast<size_t>(kItems * width));
  for (float& v : block.values) v = normal(rng);
  ds.domains[0].item_features.push_back(std::move(block));
  return ds;
}

const io::Dataset& dataset(int64_t width) {
  static std::map<int64_t, io::Dataset> cache;
  auto it = cache.find(width);
  if (it == cache.end()) it = cache.emplace(width, beauty_shaped(width)).first;
  return it->second;
}

// Seconds of one training epoch of the encoder recommender with `item_input`.
double epoch_seconds(const io::Dataset& ds, const std::string& item_input) {
  gnn::ModelOptions model;
  model.name = "encoder";
  model.dim = 64;
  model.layers = 2;
  model.item_input = item_input;
  const io::DomainSplit& part = ds.splits[0].parts[0];
  const auto recommender = gnn::make_recommender(model, ds, "beauty", part);
  const gnn::NegativeSampler sampler = gnn::NegativeSampler::for_split(ds, "beauty", part);
  gnn::TrainOptions options;
  options.epochs = 1;
  options.threads = kThreads;
  return gnn::train(*recommender, sampler, options).history.at(0).seconds;
}

void FeatureInputEpoch(benchmark::State& state) {
  const io::Dataset& ds = dataset(state.range(0));
  double ids = 0, features = 0;
  for (auto _ : state) {
    ids += epoch_seconds(ds, "id");
    features += epoch_seconds(ds, "both");
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["id_epoch_s"] = ids / n;
  state.counters["features_epoch_s"] = features / n;
  state.counters["overhead"] = features / ids;
  state.SetLabel("beauty-sized, F = " + std::to_string(state.range(0)));
}

BENCHMARK(FeatureInputEpoch)->Arg(64)->Arg(512)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
