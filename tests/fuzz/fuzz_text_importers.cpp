// libFuzzer target: every text importer on arbitrary bytes. The input is cut at NUL bytes into
// up to four parts that become the files a format reads (train/valid/test, ratings/catalog/genres,
// or the cdr-pairs folder files). DataError and UsageError are the expected answers to bad input;
// any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "graph_io/errors.h"
#include "graph_io/importers.h"
#include "tests/fuzz/fuzz_files.h"

namespace {

using graft::io::ImportOptions;

void import_expecting_only_graft_errors(const ImportOptions& options) {
  try {
    graft::io::import_dataset(options);
  } catch (const graft::io::DataError&) {
  } catch (const graft::io::UsageError&) {
  }
}

ImportOptions options_for(const std::string& format, std::vector<std::string> inputs) {
  ImportOptions options;
  options.format = format;
  options.inputs = std::move(inputs);
  return options;
}

// The delimited formats, each on the first one, two or three parts as train [valid] test.
void fuzz_delimited(const std::vector<std::string>& inputs) {
  ImportOptions pairs = options_for("csv", inputs);
  pairs.columns = {{"user", "0"}, {"item", "1"}};
  import_expecting_only_graft_errors(pairs);

  ImportOptions named = options_for("csv", inputs);
  named.delimiter = '\t';
  named.header = true;
  named.columns = {{"user", "user"},  {"item", "item"},         {"rating", "rating"},   {"time", "time"},
                   {"domain", "domain"}, {"category", "category"}, {"behavior", "behavior"}};
  import_expecting_only_graft_errors(named);

  ImportOptions indexed = options_for("csv", inputs);
  indexed.delimiter = ';';
  indexed.min_rating = 3;
  indexed.columns = {{"domain", "0"}, {"user", "1"}, {"item", "2"}, {"category", "3"},
                     {"behavior", "4"}, {"time", "5"}, {"rating", "6"}};
  import_expecting_only_graft_errors(indexed);

  import_expecting_only_graft_errors(options_for("behavior-log", inputs));
  import_expecting_only_graft_errors(
      options_for("lightgcn", std::vector<std::string>(inputs.begin(), inputs.begin() + std::min<size_t>(2, inputs.size()))));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = graft::fuzz;
  const auto& dir = fz::scratch_dir();
  const std::vector<std::string_view> parts = fz::split_parts(data, size, 4);

  std::vector<std::string> inputs;
  for (size_t i = 0; i < parts.size() && i < 3; ++i) {
    inputs.push_back((dir / ("part" + std::to_string(i) + ".txt")).string());
    fz::write_file(inputs.back(), parts[i]);
  }
  fuzz_delimited(inputs);

  fz::write_part(dir / "ml-100k/u.data", parts, 0);
  fz::write_part(dir / "ml-100k/u.item", parts, 1);
  fz::write_part(dir / "ml-100k/u.genre", parts, 2);
  import_expecting_only_graft_errors(options_for("movielens", {(dir / "ml-100k").string()}));
  fz::write_part(dir / "ml-1m/ratings.dat", parts, 0);
  fz::write_part(dir / "ml-1m/movies.dat", parts, 1);
  import_expecting_only_graft_errors(options_for("movielens", {(dir / "ml-1m").string()}));

  for (const char* folder : {"a_b", "b_a"}) {
    fz::write_part(dir / folder / "train.txt", parts, 0);
    fz::write_part(dir / folder / "valid.txt", parts, 1);
    fz::write_part(dir / folder / "test.txt", parts, 2);
    fz::write_part(dir / folder / "common_new_reindex.txt", parts, 3);
  }
  import_expecting_only_graft_errors(options_for("cdr-pairs", {(dir / "a_b").string(), (dir / "b_a").string()}));
  return 0;
}
