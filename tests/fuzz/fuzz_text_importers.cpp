// libFuzzer target: every text importer on arbitrary bytes. The input is cut at NUL bytes into
// up to four parts that become the files a format reads (train/valid/test, ratings/catalog/genres,
// the cdr-pairs, unisrec or behaviour-lists folder files). item-metadata joins its table into a small dataset.h5
// written once at start. DataError and UsageError are the expected answers to bad input; any
// other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
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

// Small and fast text features, so that the fuzzer spends its time in the readers.
graft::io::TextFeatureOptions small_text_features() {
  graft::io::TextFeatureOptions text;
  text.hash_bits = 10;
  text.project = 16;
  return text;
}

// The dataset item-metadata joins into: items i1, i2, 1, 2, 10 (the ids of the seed tables).
const std::string& metadata_target() {
  static const std::string path = [] {
    const auto sequences = graft::fuzz::scratch_dir() / "target-sequences.txt";
    graft::fuzz::write_file(sequences, "u1 i1 i2 1\nu2 2 10\n");
    const std::string h5 = (graft::fuzz::scratch_dir() / "target.h5").string();
    graft::io::write_dataset(graft::io::import_dataset(options_for("sequences", {sequences.string()})), h5);
    return h5;
  }();
  return path;
}

// item-metadata on the first part: a tab-separated table with a header naming every role, and a
// comma-separated one addressed by column index.
void fuzz_item_metadata(const std::string& table) {
  ImportOptions named = options_for("item-metadata", {table});
  named.into = metadata_target();
  named.delimiter = '\t';
  named.header = true;
  named.text = small_text_features();
  named.feature_columns = {{"id", "item_id"},   {"text", "title"},           {"text", "description"},
                           {"token", "brand"}, {"token_list", "tags"},      {"float", "price"},
                           {"category_path", "categories"}};
  import_expecting_only_graft_errors(named);

  ImportOptions indexed = options_for("item-metadata", {table});
  indexed.into = metadata_target();
  indexed.text = small_text_features();
  indexed.text.weighting = "bm25";
  indexed.text.project = 0;
  indexed.feature_columns = {{"id", "0"}, {"text", "1"}, {"float", "2"}, {"category_path", "3"}};
  import_expecting_only_graft_errors(indexed);
}

// behaviour-lists: a folder with parts 0..3 as view/train.txt, cart/train.txt, buy/train.txt and
// buy/test.txt (a missing part leaves a behaviour folder without train.txt), and parts 0 and 1
// as the pair files view.txt and buy.txt.
void fuzz_behaviour_lists(const std::vector<std::string_view>& parts) {
  namespace fz = graft::fuzz;
  const auto folder = fz::scratch_dir() / "behaviours";
  fz::write_part(folder / "view/train.txt", parts, 0);
  fz::write_part(folder / "cart/train.txt", parts, 1);
  fz::write_part(folder / "buy/train.txt", parts, 2);
  fz::write_part(folder / "buy/test.txt", parts, 3);
  import_expecting_only_graft_errors(options_for("behaviour-lists", {folder.string()}));

  const auto view = fz::scratch_dir() / "behaviour-pairs/view.txt";
  const auto buy = fz::scratch_dir() / "behaviour-pairs/buy.txt";
  fz::write_part(view, parts, 0);
  fz::write_part(buy, parts, 1);
  import_expecting_only_graft_errors(options_for("behaviour-lists", {view.string(), buy.string()}));
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
  import_expecting_only_graft_errors(options_for("sequences", {inputs.front()}));
  fuzz_item_metadata(inputs.front());

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

  // unisrec: inter files from parts 0, 1 and 3, both index files from part 2, texts from part 3.
  const auto unisrec = dir / "unisrec";
  fz::write_part(unisrec / "T.train.inter", parts, 0);
  fz::write_part(unisrec / "T.valid.inter", parts, 1);
  fz::write_part(unisrec / "T.user2index", parts, 2);
  fz::write_part(unisrec / "T.item2index", parts, 2);
  fz::write_part(unisrec / "T.test.inter", parts, 3);
  fz::write_part(unisrec / "T.text", parts, 3);
  ImportOptions unisrec_options = options_for("unisrec", {(unisrec / "T").string()});
  unisrec_options.text = small_text_features();
  import_expecting_only_graft_errors(unisrec_options);
  fuzz_behaviour_lists(parts);

  // xmarket: parts 0 and 1 as two market files of one folder.
  fz::write_part(dir / "xmarket/ca_5core.txt", parts, 0);
  fz::write_part(dir / "xmarket/jp_5core.txt", parts, 1);
  import_expecting_only_graft_errors(options_for("xmarket", {(dir / "xmarket").string()}));
  return 0;
}
