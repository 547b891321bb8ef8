// Item-metadata import on a generated Amazon-like table of 12,000 items (tab-separated, header;
// title of 6-20 words from a 5,000-word Zipf vocabulary, a 3-4 level category path, price,
// brand), joined into a dataset.h5 of the same items; generated once per run.
//   ReadTable           the baseline: TextReader over the table, touching every field
//   FeaturiseTitles     featurise_texts on the 12,000 titles (default options: TF-IDF, 1-2 grams,
//                       2^18 columns, projection to 256)
//   ImportItemMetadata  import_dataset --format item-metadata (read --into, table, text block,
//                       brand, price, category paths); counter of_read_table = its time over the
//                       baseline's, measured in the same run. Target: well under 2 s in all.
#include <benchmark/benchmark.h>
#include <unistd.h>

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
#include "graph_io/text_features.h"
#include "graph_io/text_reader.h"

namespace {

namespace fs = std::filesystem;

constexpr int kItems = 12000;
constexpr int kVocabulary = 5000;

struct BenchFiles {
  fs::path dir;
  std::string table, h5;
  std::vector<std::string> titles;
  double read_table_seconds = 0;  // per iteration, set by ReadTable

  BenchFiles() {
    dir = fs::temp_directory_path() / ("graft-bench-metadata-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    table = (dir / "items.tsv").string();
    h5 = (dir / "dataset.h5").string();
    write_files();
  }
  ~BenchFiles() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  void write_files() {
    std::mt19937_64 rng(42);
    auto uniform = [&] { return std::ldexp(static_cast<double>(rng() >> 11), -53); };
    auto word = [&] {  // Zipf-like: rank ~ vocabulary^u
      return "w" + std::to_string(static_cast<int>(std::pow(kVocabulary, uniform())));
    };
    std::ofstream out(table, std::ios::binary);
    std::ofstream sequences(dir / "seq.txt", std::ios::binary);
    out << "item_id:token\ttitle:token\tcategories:token_seq\tprice:float\tbrand:token\n";
    for (int i = 0; i < kItems; ++i) {
      std::string title;
      for (int w = 0, n = 6 + static_cast<int>(rng() % 15); w < n; ++w) title += (w ? " " : "") + word();
      titles.push_back(title);
      std::string path = "'Beauty', 'Level " + std::to_string(rng() % 6) + "', 'Leaf " + std::to_string(rng() % 40) + "'";
      out << "B" << i << "\t" << title << "\t" << path << "\t" << (rng() % 5000) / 100.0 << "\tbrand"
          << rng() % 2000 << "\n";
      sequences << "u" << i % 3000 << " B" << i << "\n";
    }
    out.close();
    sequences.close();
    if (!out || !sequences) throw std::runtime_error("cannot write the benchmark files in " + dir.string());
    graft::io::ImportOptions options;
    options.format = "sequences";
    options.inputs = {(dir / "seq.txt").string()};
    graft::io::write_dataset(graft::io::import_dataset(options), h5);
  }
};

BenchFiles& files() {
  static BenchFiles f;
  return f;
}

void ReadTable(benchmark::State& state) {
  std::chrono::duration<double> elapsed{0};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    graft::io::TextReader in(files().table, graft::io::Delimiter::character('\t'), 5);
    in.set_quote('"');
    in.read_header();
    size_t bytes = 0;
    while (in.next()) {
      for (size_t k = 0; k < in.size(); ++k) bytes += in.field(k).size();
    }
    benchmark::DoNotOptimize(bytes);
    elapsed += std::chrono::steady_clock::now() - start;
  }
  files().read_table_seconds = elapsed.count() / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * kItems);
}

void FeaturiseTitles(benchmark::State& state) {
  const std::vector<std::string>& titles = files().titles;
  for (auto _ : state) {
    const graft::io::FeatureBlock block = graft::io::featurise_texts(titles, graft::io::TextFeatureOptions{}, "text");
    benchmark::DoNotOptimize(block.values.data());
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}

void ImportItemMetadata(benchmark::State& state) {
  graft::io::ImportOptions options;
  options.format = "item-metadata";
  options.inputs = {files().table};
  options.into = files().h5;
  options.delimiter = '\t';
  options.header = true;
  options.feature_columns = {
      {"id", "item_id"}, {"text", "title"}, {"token", "brand"}, {"float", "price"}, {"category_path", "categories"}};
  std::chrono::duration<double> elapsed{0};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const graft::io::Dataset ds = graft::io::import_dataset(options);
    elapsed += std::chrono::steady_clock::now() - start;
    if (ds.domains.front().item_features.size() != 3) state.SkipWithError("blocks missing");
  }
  state.SetItemsProcessed(state.iterations() * kItems);
  if (files().read_table_seconds > 0) {
    state.counters["of_read_table"] =
        elapsed.count() / static_cast<double>(state.iterations()) / files().read_table_seconds;
  }
}

}  // namespace

BENCHMARK(ReadTable)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(FeaturiseTitles)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(ImportItemMetadata)->Unit(benchmark::kMillisecond)->Iterations(5);

BENCHMARK_MAIN();
