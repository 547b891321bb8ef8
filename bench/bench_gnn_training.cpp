// LightGCN training and evaluation cost on interaction graphs of real-benchmark sizes, 2 threads:
//   TrainingEpoch   one epoch (3 layers, dim 64, batch 2048, BPR, Adam) with the seconds spent
//                   sampling, in propagation + loss + backward, and in the optimiser as counters;
//   Propagation     the 3-layer forward + backward alone, graft's spmm against LibTorch's own
//                   sparse product (what the reference Python implementation runs);
//   FullRanking     one full-ranking evaluation of every test user over all items.
// Sizes: "lastfm" 1,892 users × 4,489 items × 42,135 training interactions (the LightGCN LastFM
// set) and "gowalla" 29,858 × 40,981 × 810,128 (LightGCN's Gowalla). Interactions are random
// with skewed item popularity, so the graphs have the shape but not the content of the real ones.
#include <benchmark/benchmark.h>

#include <map>

#include "bench/skewed_interactions.h"
#include "gnn/evaluator.h"
#include "gnn/models.h"
#include "gnn/negative_sampler.h"
#include "gnn/spmm.h"
#include "gnn/trainer.h"

namespace {

using namespace graft;

constexpr int kThreads = 2;

struct Size {
  int64_t users, items, train;
};
const Size kSizes[] = {{1892, 4489, 42135}, {29858, 40981, 810128}};
const char* const kSizeNames[] = {"lastfm", "gowalla"};

// One domain with `train` training and about a quarter as many test interactions.
io::Dataset synthetic(const Size& size) {
  return bench::skewed_interactions("bench", size.users, size.items, size.train, size.train / 4);
}

// Datasets are built once per size and shared by the benchmarks.
const io::Dataset& dataset(int64_t size_index) {
  static std::map<int64_t, io::Dataset> cache;
  auto it = cache.find(size_index);
  if (it == cache.end()) it = cache.emplace(size_index, synthetic(kSizes[size_index])).first;
  return it->second;
}

std::shared_ptr<gnn::Recommender> lightgcn(const io::Dataset& ds) {
  gnn::ModelOptions options;
  options.name = "lightgcn";
  options.dim = 64;
  options.layers = 3;
  return gnn::make_recommender(options, ds, "bench", ds.splits[0].parts[0]);
}

void TrainingEpoch(benchmark::State& state) {
  const io::Dataset& ds = dataset(state.range(0));
  const auto model = lightgcn(ds);
  const gnn::NegativeSampler sampler = gnn::NegativeSampler::for_split(ds, "bench", ds.splits[0].parts[0]);
  gnn::TrainOptions options;
  options.epochs = 1;
  options.threads = kThreads;
  double sampling = 0, propagation = 0, optimizer = 0, total = 0;
  for (auto _ : state) {
    const gnn::EpochRecord epoch = gnn::train(*model, sampler, options).history.at(0);
    sampling += epoch.sampling_seconds;
    propagation += epoch.model_seconds;
    optimizer += epoch.optimizer_seconds;
    total += epoch.seconds;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["epoch_s"] = total / n;
  state.counters["sampling_s"] = sampling / n;
  state.counters["propagation_s"] = propagation / n;
  state.counters["optimizer_s"] = optimizer / n;
  state.counters["sampling_share"] = sampling / total;
  state.counters["propagation_share"] = propagation / total;
  state.counters["optimizer_share"] = optimizer / total;
  state.SetLabel(kSizeNames[state.range(0)]);
}

// Three LightGCN layers forward and backward through `product`.
template <typename Product>
void propagate_and_backward(const torch::Tensor& x, const Product& product) {
  torch::Tensor h = x, sum = x;
  for (int k = 0; k < 3; ++k) {
    h = product(h);
    sum = sum + h;
  }
  (sum / 4).sum().backward();
}

void Propagation(benchmark::State& state) {
  gnn::set_num_threads(kThreads);
  const io::Dataset& ds = dataset(state.range(0));
  const gnn::SparseGraph graph = gnn::build_domain_graph(ds, "bench", ds.splits[0].parts[0].train, {});
  const torch::Tensor x = torch::randn({graph.rows(), 64}).requires_grad_();
  const bool libtorch = state.range(1) == 1;
  const torch::Tensor coo =
      torch::sparse_coo_tensor(torch::stack({graph.row_indices(), graph.csr().col}), graph.csr().value,
                               {graph.rows(), graph.cols()})
          .coalesce();
  for (auto _ : state) {
    if (libtorch) {
      propagate_and_backward(x, [&](const torch::Tensor& h) { return torch::mm(coo, h); });
    } else {
      propagate_and_backward(x, [&](const torch::Tensor& h) { return gnn::spmm(graph, h); });
    }
    x.mutable_grad().reset();
  }
  state.SetLabel(std::string(kSizeNames[state.range(0)]) + (libtorch ? " torch::mm(sparse COO)" : " graft spmm"));
}

void FullRanking(benchmark::State& state) {
  gnn::set_num_threads(kThreads);
  const io::Dataset& ds = dataset(state.range(0));
  const auto model = lightgcn(ds);
  const auto evaluator =
      gnn::make_evaluator("full", ds, "bench", ds.splits[0].parts[0], gnn::EvalSet::kTest, {{20}, 0});
  for (auto _ : state) benchmark::DoNotOptimize(evaluator->evaluate(*model));
  state.counters["users"] = static_cast<double>(evaluator->size());
  state.SetLabel(kSizeNames[state.range(0)]);
}

BENCHMARK(TrainingEpoch)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Propagation)->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(FullRanking)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
