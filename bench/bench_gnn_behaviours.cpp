// The cost of multi-behaviour models on a Tmall-sized graph, 2 threads, as ratios in one run:
//   BehaviourEpoch  one training epoch (3 layers, dim 64, batch 2048, BPR on purchases, Adam) of a
//                   multi-behaviour model against one of the baseline, a LightGCN encoder on the
//                   union of every behaviour's pairs (the same message-passing work, untyped);
//                   models: the relational encoder in each weight / combine variant, the
//                   cascading model (view → cart → buy), and relational none/learned with views
//                   and carts as auxiliary tasks (their triples scored on the same propagation);
//   BehaviourFullRanking  one full-ranking evaluation of every test user over every item.
// Size: Tmall's (../shared/data/tmall-behaviour): 15,449 users × 11,953 items, 858,505 view,
// 180,027 cart and 92,180 buy training pairs, one test purchase per user. Interactions are random
// with skewed item popularity (skewed_interactions.h): the shape of the data, not its content.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/skewed_interactions.h"
#include "gnn/evaluator.h"
#include "gnn/models.h"
#include "gnn/negative_sampler.h"
#include "gnn/spmm.h"
#include "gnn/trainer.h"
#include "graph_io/behavior_split.h"

namespace {

using namespace graft;

constexpr int kThreads = 2;
constexpr int64_t kUsers = 15449, kItems = 11953, kViews = 858505, kCarts = 180027, kBuys = 92180;

// Training interactions are views, then carts, then buys; the test ones are one purchase per user.
const io::Dataset& tmall_sized() {
  static const io::Dataset dataset = [] {
    constexpr int64_t train = kViews + kCarts + kBuys;
    io::Dataset ds = bench::skewed_interactions("shop", kUsers, kItems, train, kUsers);
    io::Interactions& x = ds.domains[0].interactions;
    for (int64_t u = 0; u < kUsers; ++u) x.user[static_cast<size_t>(train + u)] = u;
    std::vector<int8_t>& behavior = x.behavior;
    behavior.assign(x.size(), static_cast<int8_t>(io::Behavior::kBuy));
    std::fill(behavior.begin(), behavior.begin() + kViews, static_cast<int8_t>(io::Behavior::kView));
    std::fill(behavior.begin() + kViews, behavior.begin() + kViews + kCarts, static_cast<int8_t>(io::Behavior::kCart));
    return ds;
  }();
  return dataset;
}

struct Variant {
  const char* label;
  const char* model;  // "encoder" or "cascading"
  const char* layer;
  const char* weights;
  const char* combine;
  bool auxiliary = false;  // views and carts trained beside the purchases, weight 0.5 each
};
const Variant kBaseline = {"lightgcn encoder, union graph", "encoder", "lightgcn", "", ""};
const Variant kVariants[] = {
    {"relational separate/sum", "encoder", "relational", "separate", "sum"},
    {"relational shared/sum", "encoder", "relational", "shared", "sum"},
    {"relational none/learned", "encoder", "relational", "none", "learned"},
    {"relational separate/attention", "encoder", "relational", "separate", "attention"},
    {"cascading pv > cart > buy", "cascading", "", "", ""},
    {"relational none/learned, auxiliary pv + cart", "encoder", "relational", "none", "learned", true},
};

gnn::ModelOptions model_options(const Variant& v) {
  gnn::ModelOptions o;
  o.name = v.model;
  o.dim = 64;
  o.layers = 3;
  o.encoder.layer = v.layer;
  if (std::string(v.layer) == "relational") {
    o.encoder.relations = {"user-item/view", "user-item/cart", "user-item/buy"};
    o.encoder.relation_weights = v.weights;
    o.encoder.relation_combine = v.combine;
  }
  o.cascade = {"pv", "cart", "buy"};
  return o;
}

// Seconds of one training epoch: positives are purchases, the graph every behaviour.
double epoch_seconds(const Variant& v) {
  const io::Dataset& ds = tmall_sized();
  const io::DomainSplit& all = ds.splits[0].parts[0];
  const io::DomainSplit buys = io::target_behavior_part(ds.domains[0], all, io::Behavior::kBuy);
  const auto model = gnn::make_recommender(model_options(v), ds, "shop", all);
  gnn::TrainOptions options;
  options.epochs = 1;
  options.threads = kThreads;
  io::DomainSplit views = all, carts = all;
  views.train = io::of_behavior(ds.domains[0], all.train, io::Behavior::kView);
  carts.train = io::of_behavior(ds.domains[0], all.train, io::Behavior::kCart);
  const gnn::NegativeSampler view_sampler = gnn::NegativeSampler::for_split(ds, "shop", views);
  const gnn::NegativeSampler cart_sampler = gnn::NegativeSampler::for_split(ds, "shop", carts);
  std::vector<gnn::AuxiliaryTask> auxiliary;
  if (v.auxiliary) auxiliary = {{"pv", &view_sampler, 0.5}, {"cart", &cart_sampler, 0.5}};
  return gnn::train(*model, gnn::NegativeSampler::for_split(ds, "shop", buys), options, {}, {}, auxiliary)
      .history.at(0)
      .seconds;
}

void BehaviourEpoch(benchmark::State& state) {
  const Variant& v = kVariants[state.range(0)];
  double baseline = 0, model = 0;
  for (auto _ : state) {
    baseline += epoch_seconds(kBaseline);
    model += epoch_seconds(v);
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["baseline_epoch_s"] = baseline / n;
  state.counters["model_epoch_s"] = model / n;
  state.counters["ratio"] = model / baseline;
  state.SetLabel(v.label);
}

void BehaviourFullRanking(benchmark::State& state) {
  gnn::set_num_threads(kThreads);
  const io::Dataset& ds = tmall_sized();
  const io::DomainSplit& all = ds.splits[0].parts[0];
  const io::DomainSplit buys = io::target_behavior_part(ds.domains[0], all, io::Behavior::kBuy);
  const auto model = gnn::make_recommender(model_options(kBaseline), ds, "shop", all);
  const auto evaluator = gnn::make_evaluator("full", ds, "shop", buys, gnn::EvalSet::kTest, {{10, 20}, 0});
  for (auto _ : state) benchmark::DoNotOptimize(evaluator->evaluate(*model));
  state.counters["users"] = static_cast<double>(evaluator->size());
}

BENCHMARK(BehaviourEpoch)->DenseRange(0, 5)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
BENCHMARK(BehaviourFullRanking)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
