// Import and store throughput on a generated 10-million-interaction CSV ("user,item,rating",
// 1M users, 200k items with power-law popularity, ratings 1-5), generated once per run.
//   PlainRead       the baseline: read every byte and count the lines
//   ImportCsv       import_dataset --format csv; counter of_plain_read = its bytes/s over the
//                   baseline's, measured in the same run
//   ImportCsvTextIds  the same on the same interactions with text ids ("u4711,i42,3"), which
//                   take IdMap's hashed path instead of its direct table for numbers
//   WriteDataset    write_dataset of the imported dataset (dataset.h5)
//   ReadDataset     read_dataset of that file
// and reading dense features back, on a dataset with one 100,000 x 768 float32 item block
// (307 MB) written once per run:
//   FreadDense      the baseline: fread of the block's bytes from a raw file of that size into a
//                   new, uninitialised buffer (read_dataset must hand back new memory too, so
//                   both pay for fresh pages)
//   ReadDenseDataset  read_dataset of the dataset; counter of_fread = FreadDense's time per
//                   read over this one's (the bar is >= 0.5)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bench/plain_read.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/importers.h"

namespace {

namespace fs = std::filesystem;
using graft::io::Dataset;

constexpr int64_t kInteractions = 10'000'000;
constexpr uint64_t kUsers = 1'000'000;
constexpr uint64_t kItems = 200'000;

// The generated files, made on first use and removed at exit. Ids are numbers, or with
// `text_ids` the same numbers behind "u" (users) and "i" (items).
struct BenchFiles {
  fs::path dir;
  bool text_ids = false;
  std::string csv;
  uint64_t csv_bytes = 0;
  std::string h5;

  explicit BenchFiles(bool with_text_ids) : text_ids(with_text_ids) {
    dir = fs::temp_directory_path() / ("graft-bench-" + std::string(text_ids ? "text-" : "") + std::to_string(::getpid()));
    fs::create_directories(dir);
    csv = (dir / "ratings.csv").string();
    h5 = (dir / "dataset.h5").string();
    write_csv();
    csv_bytes = fs::file_size(csv);
  }
  ~BenchFiles() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  void write_csv() const {
    std::mt19937_64 rng(42);
    std::ofstream out(csv, std::ios::binary);
    std::string block;
    char number[24];
    auto append = [&](uint64_t v, char end) {
      const auto [p, ec] = std::to_chars(number, number + sizeof number, v);
      block.append(number, p);
      block.push_back(end);
    };
    for (int64_t k = 0; k < kInteractions; ++k) {
      const double u = std::ldexp(static_cast<double>(rng() >> 11), -53);  // uniform [0, 1)
      if (text_ids) block.push_back('u');
      append(rng() % kUsers, ',');
      if (text_ids) block.push_back('i');
      append(static_cast<uint64_t>(static_cast<double>(kItems) * u * u * u), ',');  // popular items first
      append(1 + rng() % 5, '\n');
      if (block.size() > (1 << 20)) {
        out.write(block.data(), static_cast<std::streamsize>(block.size()));
        block.clear();
      }
    }
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
    if (!out) throw std::runtime_error("cannot write " + csv);
  }
};

double plain_read_bytes_per_second = 0;  // set by PlainRead, read by the imports

BenchFiles& files() {
  static BenchFiles f(false);
  return f;
}

BenchFiles& text_id_files() {
  static BenchFiles f(true);
  return f;
}

graft::io::ImportOptions csv_options(const BenchFiles& csv = files()) {
  graft::io::ImportOptions options;
  options.format = "csv";
  options.inputs = {csv.csv};
  options.columns = {{"user", "0"}, {"item", "1"}, {"rating", "2"}};
  return options;
}

constexpr int64_t kDenseItems = 100'000;
constexpr int64_t kDenseWidth = 768;

// The dense-feature files, made on first use and removed at exit: the dataset and a raw file of
// the block's bytes.
struct DenseFiles {
  fs::path dir;
  std::string h5, raw;
  double fread_seconds = 0;  // per read, set by FreadDense, read by ReadDenseDataset

  DenseFiles() {
    dir = fs::temp_directory_path() / ("graft-bench-dense-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    h5 = (dir / "dense.h5").string();
    raw = (dir / "dense.f32").string();
    const Dataset ds = dataset();
    graft::io::write_dataset(ds, h5);
    const std::vector<float>& values = ds.domains[0].item_features[0].values;
    std::FILE* out = std::fopen(raw.c_str(), "wb");
    if (!out || std::fwrite(values.data(), sizeof(float), values.size(), out) != values.size() || std::fclose(out)) {
      throw std::runtime_error("cannot write " + raw);
    }
  }
  ~DenseFiles() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  static Dataset dataset() {
    Dataset ds;
    ds.user_ids = {"u"};
    graft::io::Domain d;
    d.name = "items";
    for (int64_t i = 0; i < kDenseItems; ++i) d.item_ids.push_back("item" + std::to_string(i));
    graft::io::FeatureBlock b;
    b.name = "text";
    b.rows = kDenseItems;
    b.width = kDenseWidth;
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    b.values.resize(static_cast<size_t>(kDenseItems * kDenseWidth));
    for (float& x : b.values) x = normal(rng);
    d.item_features.push_back(std::move(b));
    ds.domains.push_back(std::move(d));
    return ds;
  }
};

DenseFiles& dense_files() {
  static DenseFiles f;
  return f;
}

constexpr int64_t kDenseBytes = kDenseItems * kDenseWidth * static_cast<int64_t>(sizeof(float));

const Dataset& imported() {
  static const Dataset dataset = graft::io::import_dataset(csv_options());
  return dataset;
}

int64_t interactions(const Dataset& ds) {
  int64_t n = 0;
  for (const auto& d : ds.domains) n += static_cast<int64_t>(d.interactions.size());
  return n;
}

// Runs `body` once per benchmark iteration, each processing `bytes`, and returns the wall-clock
// seconds per iteration, so that a benchmark can relate its time to its baseline's.
template <typename Body>
double seconds_per_iteration(benchmark::State& state, int64_t bytes, Body&& body) {
  std::chrono::duration<double> elapsed{0};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    body();
    elapsed += std::chrono::steady_clock::now() - start;
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  return elapsed.count() / static_cast<double>(state.iterations());
}

template <typename Body>
double csv_bytes_per_second(benchmark::State& state, const BenchFiles& csv, Body&& body) {
  const auto bytes = static_cast<int64_t>(csv.csv_bytes);
  return static_cast<double>(bytes) / seconds_per_iteration(state, bytes, std::forward<Body>(body));
}

void PlainRead(benchmark::State& state) {
  plain_read_bytes_per_second = csv_bytes_per_second(state, files(), [&] {
    if (graft::bench::count_lines(files().csv) != kInteractions) state.SkipWithError("unexpected line count");
  });
}

void import_csv(benchmark::State& state, const BenchFiles& csv) {
  const graft::io::ImportOptions options = csv_options(csv);
  const double bytes_per_second = csv_bytes_per_second(state, csv, [&] {
    const Dataset ds = graft::io::import_dataset(options);
    if (interactions(ds) == 0) state.SkipWithError("nothing imported");
  });
  state.SetItemsProcessed(state.iterations() * kInteractions);
  if (plain_read_bytes_per_second > 0) {
    state.counters["of_plain_read"] = bytes_per_second / plain_read_bytes_per_second;
  }
}

void ImportCsv(benchmark::State& state) { import_csv(state, files()); }

void ImportCsvTextIds(benchmark::State& state) { import_csv(state, text_id_files()); }

void WriteDataset(benchmark::State& state) {
  const Dataset& ds = imported();
  for (auto _ : state) graft::io::write_dataset(ds, files().h5);
  state.SetItemsProcessed(state.iterations() * interactions(ds));
  state.counters["file_MB"] = static_cast<double>(fs::file_size(files().h5)) / 1e6;
}

void ReadDataset(benchmark::State& state) {
  graft::io::write_dataset(imported(), files().h5);
  for (auto _ : state) {
    const Dataset ds = graft::io::read_dataset(files().h5);
    benchmark::DoNotOptimize(ds.user_ids.data());
  }
  state.SetItemsProcessed(state.iterations() * interactions(imported()));
}

void FreadDense(benchmark::State& state) {
  const std::string& raw = dense_files().raw;
  const auto n = static_cast<size_t>(kDenseItems * kDenseWidth);
  dense_files().fread_seconds = seconds_per_iteration(state, kDenseBytes, [&] {
    const std::unique_ptr<float[]> buffer(new float[n]);
    std::FILE* in = std::fopen(raw.c_str(), "rb");
    if (!in || std::fread(buffer.get(), sizeof(float), n, in) != n) state.SkipWithError("short read");
    if (in) std::fclose(in);
    benchmark::DoNotOptimize(buffer.get());
  });
}

void ReadDenseDataset(benchmark::State& state) {
  const std::string& h5 = dense_files().h5;
  const double seconds = seconds_per_iteration(state, kDenseBytes, [&] {
    const Dataset ds = graft::io::read_dataset(h5);
    benchmark::DoNotOptimize(ds.domains[0].item_features[0].values.data());
  });
  if (dense_files().fread_seconds > 0) state.counters["of_fread"] = dense_files().fread_seconds / seconds;
}

}  // namespace

BENCHMARK(FreadDense)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(ReadDenseDataset)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(PlainRead)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(ImportCsv)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(ImportCsvTextIds)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(WriteDataset)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(ReadDataset)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
