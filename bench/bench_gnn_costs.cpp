// What a graph of 1M, 10M or 50M interactions costs end to end, for the README's cost table: the
// scale preset written as a `user,item,timestamp` CSV, imported (against a plain read of the
// same file in the same run, from the page cache and from the disk), stored and read back as
// HDF5, split by ratio (0.8 / 0.1 / 0.1), one epoch of LightGCN (dim 64, 3 layers, batch 2048,
// sampled fan-outs 10,10,10, row-wise Adam) and the full-ranking evaluation of the test users.
// GRAFT_COST_FANOUTS sets other fan-outs, GRAFT_COST_BUDGET a node budget per layer
// (gnn/neighbor_sampler.h). Each phase is one benchmark run once, in order, with its process
// peak resident memory (VmHWM, reset before the phase) and, for the epoch, the memory model's
// prediction (gnn/memory_model.h).
//
// An epoch of more than kWholeEpoch batches is timed over its first kMeasuredBatches and
// projected: the epoch's triple sampling + seconds per batch × batches. A full evaluation of
// more than kWholeEvaluation users is timed on the first kMeasuredUsers and projected: one
// propagation + seconds per user × users. Counters say which ("measured_batches",
// "measured_users"); at 1M both are measured whole.
//
//   GRAFT_COST_SIZES=1M,10M,50M [GRAFT_COST_FANOUTS=2,2,2] [GRAFT_COST_BUDGET=20000] build/bench/bench_gnn_costs --benchmark_counters_tabular=true
// (default sizes: 1M; files go to $TMPDIR and are removed).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/plain_read.h"
#include "gnn/evaluator.h"
#include "gnn/memory_model.h"
#include "gnn/models.h"
#include "gnn/neighbor_sampler.h"
#include "gnn/negative_sampler.h"
#include "gnn/trainer.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/importers.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic_scale.h"

namespace {

using namespace graft;
using Clock = std::chrono::steady_clock;

constexpr int64_t kWholeEpoch = 1000, kMeasuredBatches = 100;
constexpr int64_t kWholeEvaluation = 65536, kMeasuredUsers = 8192;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A field of /proc/self/status in GiB: VmHWM, the peak resident memory since the last
// reset_peak(), or VmRSS, the resident memory now.
double status_gib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / (1024.0 * 1024.0);  // kB
  }
  return 0.0;
}
double peak_gib() { return status_gib("VmHWM"); }
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

// A phase's seconds from a timed part: `fixed` (paid once) plus `part` seconds for `measured` of
// `total` units, projected to all of them; exactly fixed + part when every unit was measured.
struct Projection {
  double seconds, per_unit;
};
Projection project(double fixed, double part, int64_t measured, int64_t total) {
  const double per_unit = std::max(0.0, part) / static_cast<double>(measured);
  return {measured == total ? fixed + part : fixed + per_unit * static_cast<double>(total), per_unit};
}

// What one size's phases hand on to the next.
struct SizeState {
  int64_t interactions = 0;
  std::string csv, h5;
  std::unique_ptr<io::Dataset> dataset;
  std::shared_ptr<gnn::Recommender> model;
};

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return (std::filesystem::path(dir ? dir : "/tmp") / ("graft_costs_" + std::to_string(getpid()) + "_" + name)).string();
}

void write_csv(const io::Dataset& ds, const std::string& path) {
  const io::Domain& d = ds.domains.at(0);
  std::ofstream out(path, std::ios::binary);
  std::string buffer;
  for (size_t k = 0; k < d.interactions.size(); ++k) {
    buffer += ds.user_ids[d.interactions.user[k]];
    buffer += ',';
    buffer += d.item_ids[d.interactions.item[k]];
    buffer += ',';
    buffer += std::to_string(d.interactions.time[k]);
    buffer += '\n';
    if (buffer.size() > (1 << 20)) out << buffer, buffer.clear();
  }
  out << buffer;
}

double plain_read_seconds(const std::string& path) {
  const auto start = Clock::now();
  benchmark::DoNotOptimize(bench::count_lines(path));
  return seconds_since(start);
}

io::ImportOptions csv_import(const std::string& csv) {
  io::ImportOptions import;
  import.format = "csv";
  import.inputs = {csv};
  import.domain = "main";
  import.columns = {{"user", "0"}, {"item", "1"}, {"time", "2"}};
  return import;
}

// The import from the page cache against a plain read from it, then both again from the disk
// (the file evicted before each): a large file is usually imported once, straight from the disk.
void Import(benchmark::State& state, SizeState* s) {
  for (auto _ : state) {
    io::ScaleOptions options;
    options.interactions = s->interactions;
    s->csv = temp_path("interactions.csv");
    write_csv(io::generate_scale(options), s->csv);
    const bool cold = bench::evict_from_page_cache(s->csv);
    const double cold_plain = plain_read_seconds(s->csv);
    bench::evict_from_page_cache(s->csv);
    auto start = Clock::now();
    benchmark::DoNotOptimize(io::import_dataset(csv_import(s->csv)).domains.size());
    const double cold_seconds = seconds_since(start);
    const double plain = plain_read_seconds(s->csv);  // cached by the import
    reset_peak();
    start = Clock::now();
    io::Dataset ds = io::import_dataset(csv_import(s->csv));
    const double seconds = seconds_since(start);
    state.SetIterationTime(seconds);
    state.counters["seconds"] = seconds;
    state.counters["plain_read_s"] = plain;
    state.counters["of_plain_read"] = plain / seconds;
    state.counters["cold_s"] = cold ? cold_seconds : 0.0;
    state.counters["cold_plain_read_s"] = cold ? cold_plain : 0.0;
    state.counters["of_cold_plain_read"] = cold ? cold_plain / cold_seconds : 0.0;
    state.counters["peak_GiB"] = peak_gib();
    state.counters["csv_MB"] = static_cast<double>(std::filesystem::file_size(s->csv)) / 1e6;
    s->h5 = temp_path("dataset.h5");
    io::write_dataset(ds, s->h5);
    std::filesystem::remove(s->csv);
  }
}

void ReadHdf5(benchmark::State& state, SizeState* s) {
  for (auto _ : state) {
    reset_peak();
    const auto start = Clock::now();
    s->dataset = std::make_unique<io::Dataset>(io::read_dataset(s->h5));
    const double seconds = seconds_since(start);
    state.SetIterationTime(seconds);
    state.counters["seconds"] = seconds;
    state.counters["h5_MB"] = static_cast<double>(std::filesystem::file_size(s->h5)) / 1e6;
    state.counters["peak_GiB"] = peak_gib();
    std::filesystem::remove(s->h5);
    io::SplitOptions split;
    split.kind = "ratio";
    split.negatives = 0;
    io::add_split(*s->dataset, split);
  }
}

// The comma-separated values of environment variable `name` (`fallback` when unset), each read by `parse`.
template <typename Parse>
std::vector<int64_t> environment_list(const char* name, const char* fallback, Parse&& parse) {
  const char* text = std::getenv(name);
  std::stringstream list(text ? text : fallback);
  std::vector<int64_t> out;
  for (std::string item; std::getline(list, item, ',');) out.push_back(parse(item));
  return out;
}

// GRAFT_COST_FANOUTS, e.g. "2,2,2" (default 10,10,10).
std::vector<int64_t> fanouts() {
  return environment_list("GRAFT_COST_FANOUTS", "10,10,10", [](const std::string& f) { return std::stoll(f); });
}

// GRAFT_COST_BUDGET, the most new nodes per layer of a step's subgraph (default 0: no bound).
int64_t node_budget() {
  return environment_list("GRAFT_COST_BUDGET", "0", [](const std::string& b) { return std::stoll(b); }).at(0);
}

gnn::TrainOptions epoch_options() {
  gnn::TrainOptions o;
  o.epochs = 1;
  o.batch_size = 2048;
  o.graph = "sampled";
  o.fanouts = fanouts();
  o.node_budget = node_budget();
  o.optimizer = "lazy_adam";
  return o;
}

gnn::MemoryEstimate predicted(const io::Dataset& ds, const io::DomainSplit& part, const gnn::TrainOptions& o) {
  return gnn::estimate_training_memory(gnn::training_size(ds, ds.domains[0], part, o));  // dim 64, 3 layers
}

void Epoch(benchmark::State& state, SizeState* s) {
  for (auto _ : state) {
    const io::Dataset& ds = *s->dataset;
    const io::DomainSplit& part = ds.splits.back().parts.at(0);
    reset_peak();
    const double resident_before = status_gib("VmRSS");  // the dataset and what earlier phases left
    gnn::ModelOptions model;
    model.dim = 64;
    model.layers = 3;
    s->model = gnn::make_recommender(model, ds, "main", part);
    const double built_peak = peak_gib();  // building the graph: its COO, sort order and CSR at once
    const gnn::NegativeSampler sampler = gnn::NegativeSampler::for_split(ds, "main", part);
    gnn::TrainOptions options = epoch_options();
    const int64_t batches = (sampler.num_interactions() + options.batch_size - 1) / options.batch_size;
    const auto sampling_start = Clock::now();
    benchmark::DoNotOptimize(sampler.sample_epoch(1).users.data_ptr());
    const double triples_seconds = seconds_since(sampling_start);
    if (batches > kWholeEpoch) options.batch_limit = kMeasuredBatches;
    const gnn::TrainResult result = gnn::train(*s->model, sampler, options);
    const gnn::EpochRecord& epoch = result.history.at(0);
    const int64_t measured = options.batch_limit > 0 ? options.batch_limit : batches;
    const Projection cost = project(triples_seconds, epoch.seconds - triples_seconds, measured, batches);
    state.SetIterationTime(cost.seconds);
    state.counters["epoch_s"] = cost.seconds;
    state.counters["s_per_batch"] = cost.per_unit;
    state.counters["batches"] = static_cast<double>(batches);
    state.counters["measured_batches"] = static_cast<double>(measured);
    state.counters["peak_GiB"] = peak_gib();
    state.counters["rss_before_GiB"] = resident_before;
    state.counters["built_peak_GiB"] = built_peak;
    state.counters["model_GiB"] = static_cast<double>(predicted(ds, part, options).total()) / (1 << 30);
    state.counters["train_M"] = static_cast<double>(part.train.size()) / 1e6;
  }
}

// The mean number of nodes a batch's subgraph reads (its input layer) under a few fan-outs and
// under the epoch's fan-outs and node budget ("nodes_epoch"), over the first 10 batches of an
// epoch: where it nears the graph's nodes, a sampled step costs about a full-graph step and an
// epoch grows with the square of the graph.
void Neighbourhood(benchmark::State& state, SizeState* s) {
  for (auto _ : state) {
    const io::Dataset& ds = *s->dataset;
    const io::DomainSplit& part = ds.splits.back().parts.at(0);
    const gnn::NegativeSampler sampler = gnn::NegativeSampler::for_split(ds, "main", part);
    const gnn::Triples triples = sampler.sample_epoch(1);
    if (!s->model) s->model = gnn::make_recommender(gnn::ModelOptions{}, ds, "main", part);  // run alone
    const gnn::SparseGraph& graph = *s->model->propagation_graph();
    state.counters["graph_nodes"] = static_cast<double>(graph.rows());
    const auto mean_nodes = [&](const gnn::NeighborSampler& neighbors) {
      double nodes = 0.0;
      for (int64_t b = 0; b < 10; ++b) {
        const auto rows = [&](const torch::Tensor& t) { return t.narrow(0, b * 2048, 2048); };
        const gnn::SeedBatch seeds = gnn::seed_batch(rows(triples.users), rows(triples.positives), rows(triples.negatives),
                                                     sampler.num_users());
        nodes += static_cast<double>(neighbors.sample(seeds.seeds, static_cast<uint64_t>(b)).nodes.size(0)) / 10.0;
      }
      return nodes;
    };
    for (const int64_t f : {10, 5, 3, 2, 1}) state.counters["nodes_" + std::to_string(f)] = mean_nodes(gnn::NeighborSampler(graph, {f, f, f}));
    state.counters["nodes_epoch"] = mean_nodes(gnn::NeighborSampler(graph, fanouts(), node_budget()));
    state.SetIterationTime(0.0);
  }
}

void Evaluate(benchmark::State& state, SizeState* s) {
  for (auto _ : state) {
    const io::Dataset& ds = *s->dataset;
    const io::DomainSplit& part = ds.splits.back().parts.at(0);
    const auto test = gnn::make_evaluator("full", ds, "main", part, gnn::EvalSet::kTest);
    reset_peak();
    auto propagation_start = Clock::now();
    {
      torch::NoGradGuard no_grad;
      benchmark::DoNotOptimize(s->model->represent().users.data_ptr());
    }
    const double propagation = seconds_since(propagation_start);
    const int64_t users = test->size(), measured = users > kWholeEvaluation ? kMeasuredUsers : users;
    const auto start = Clock::now();
    benchmark::DoNotOptimize(test->metric_sums(*s->model, 0, measured));
    const double sample = seconds_since(start);
    const Projection cost = project(propagation, sample - propagation, measured, users);
    state.SetIterationTime(cost.seconds);
    state.counters["eval_s"] = cost.seconds;
    state.counters["propagation_s"] = propagation;
    state.counters["users"] = static_cast<double>(users);
    state.counters["measured_users"] = static_cast<double>(measured);
    state.counters["peak_GiB"] = peak_gib();
    s->model.reset();
    s->dataset.reset();
  }
}

std::vector<int64_t> sizes() {
  return environment_list("GRAFT_COST_SIZES", "1M", [](const std::string& n) { return io::parse_size(n, "GRAFT_COST_SIZES"); });
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::unique_ptr<SizeState>> states;
  for (const int64_t n : sizes()) {
    states.push_back(std::make_unique<SizeState>());
    SizeState* s = states.back().get();
    s->interactions = n;
    const std::string tag = "/" + std::to_string(n);
    for (const auto& [name, phase] : {std::pair{"Import", &Import}, std::pair{"ReadHdf5", &ReadHdf5},
                                      std::pair{"Epoch", &Epoch}, std::pair{"Neighbourhood", &Neighbourhood},
                                      std::pair{"Evaluate", &Evaluate}}) {
      benchmark::RegisterBenchmark((std::string(name) + tag).c_str(), phase, s)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kSecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
