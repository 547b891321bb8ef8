// Import and store throughput on a generated 10-million-interaction CSV ("user,item,rating",
// 1M users, 200k items with power-law popularity, ratings 1-5), generated once per run.
//   PlainRead       the baseline: read every byte and count the lines
//   ImportCsv       import_dataset --format csv; counter of_plain_read = its bytes/s over the
//                   baseline's, measured in the same run
//   WriteDataset    write_dataset of the imported dataset (dataset.h5)
//   ReadDataset     read_dataset of that file
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph_io/hdf5_store.h"
#include "graph_io/importers.h"

namespace {

namespace fs = std::filesystem;
using graft::io::Dataset;

constexpr int64_t kInteractions = 10'000'000;
constexpr uint64_t kUsers = 1'000'000;
constexpr uint64_t kItems = 200'000;

// The generated files, made on first use and removed at exit.
struct BenchFiles {
  fs::path dir;
  std::string csv;
  uint64_t csv_bytes = 0;
  std::string h5;
  double plain_read_bytes_per_second = 0;  // set by PlainRead, read by ImportCsv

  BenchFiles() {
    dir = fs::temp_directory_path() / ("graft-bench-" + std::to_string(::getpid()));
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
      append(rng() % kUsers, ',');
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

BenchFiles& files() {
  static BenchFiles f;
  return f;
}

graft::io::ImportOptions csv_options() {
  graft::io::ImportOptions options;
  options.format = "csv";
  options.inputs = {files().csv};
  options.columns = {{"user", "0"}, {"item", "1"}, {"rating", "2"}};
  return options;
}

const Dataset& imported() {
  static const Dataset dataset = graft::io::import_dataset(csv_options());
  return dataset;
}

int64_t interactions(const Dataset& ds) {
  int64_t n = 0;
  for (const auto& d : ds.domains) n += static_cast<int64_t>(d.interactions.size());
  return n;
}

// Runs `body` once per benchmark iteration and returns the csv bytes per wall-clock second, so
// ImportCsv can relate its throughput to PlainRead's.
template <typename Body>
double csv_bytes_per_second(benchmark::State& state, Body&& body) {
  std::chrono::duration<double> elapsed{0};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    body();
    elapsed += std::chrono::steady_clock::now() - start;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(files().csv_bytes));
  return static_cast<double>(state.iterations()) * static_cast<double>(files().csv_bytes) / elapsed.count();
}

void PlainRead(benchmark::State& state) {
  std::vector<char> buffer(1 << 18);
  files().plain_read_bytes_per_second = csv_bytes_per_second(state, [&] {
    const int fd = ::open(files().csv.c_str(), O_RDONLY);
    int64_t lines = 0;
    for (ssize_t got; (got = ::read(fd, buffer.data(), buffer.size())) > 0;) {
      lines += std::count(buffer.data(), buffer.data() + got, '\n');
    }
    ::close(fd);
    if (lines != kInteractions) state.SkipWithError("unexpected line count");
  });
}

void ImportCsv(benchmark::State& state) {
  const graft::io::ImportOptions options = csv_options();
  const double bytes_per_second = csv_bytes_per_second(state, [&] {
    const Dataset ds = graft::io::import_dataset(options);
    if (interactions(ds) == 0) state.SkipWithError("nothing imported");
  });
  state.SetItemsProcessed(state.iterations() * kInteractions);
  if (files().plain_read_bytes_per_second > 0) {
    state.counters["of_plain_read"] = bytes_per_second / files().plain_read_bytes_per_second;
  }
}

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

}  // namespace

BENCHMARK(PlainRead)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(ImportCsv)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(WriteDataset)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(ReadDataset)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
