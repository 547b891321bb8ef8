// --format unisrec: sequences rebuilt from overlapping history rows, split "given", the text
// block, every bad-input rule; and Amazon Scientific against its SOURCE.md.
#include <gtest/gtest.h>

#include <filesystem>

#include "graph_io/errors.h"
#include "graph_io/importers.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;
using graft::testing::import_options;
using graft::testing::TempDir;
using Ids = std::vector<int64_t>;
using Names = std::vector<std::string>;

const char* const kInterHeader = "user_id:token\titem_id_list:token_seq\titem_id:token\n";

struct Files {
  std::string users = "U1\t0\nU2\t1\nU3\t2\n";  // U3 has no interaction
  std::string items = "I0\t0\nI1\t1\nI2\t2\nI3\t3\nI4\t4\n";  // I4 neither
  // User 0: 0 1 | 2 3 | 1 (rows out of order); user 1: 3 3 | 0 | 2 (a repeat in the history).
  std::string train = "0\t0 1\t2\n0\t0\t1\n1\t3\t3\n";
  std::string valid = "0\t0 1 2\t3\n1\t3 3\t0\n";
  std::string test = "0\t0 1 2 3\t1\n1\t3 3 0\t2\n";
  std::string text = "item_id:token\ttext:token_seq\nI0\tRose toner\nI2\tnail\tpolish\nI9\tunknown\n";
};

// Writes <dir>/Tiny.* (the .text file only when `with_text`) and returns the folder.
std::string write_tiny(const TempDir& dir, const Files& f, bool with_text = true) {
  dir.write("Tiny.user2index", f.users);
  dir.write("Tiny.item2index", f.items);
  dir.write("Tiny.train.inter", kInterHeader + f.train);
  dir.write("Tiny.valid.inter", kInterHeader + f.valid);
  dir.write("Tiny.test.inter", kInterHeader + f.test);
  if (with_text) dir.write("Tiny.text", f.text);
  return dir.path().string();
}

ImportOptions unisrec(const std::string& input) {
  ImportOptions options = import_options("unisrec", {input});
  options.text.weighting = "binary";
  options.text.min_n = options.text.max_n = 1;
  options.text.project = 0;
  return options;
}

TEST(ImportUnisrec, RebuildsSequencesWithPositionsAsTimesAndAGivenSplit) {
  TempDir dir;
  ImportReport report;
  const Dataset ds = import_dataset(unisrec(write_tiny(dir, Files())), &report);
  EXPECT_EQ(ds.user_ids, (Names{"U1", "U2", "U3"}));
  const Domain& d = ds.domain("tiny");
  EXPECT_EQ(d.item_ids, (Names{"I0", "I1", "I2", "I3", "I4"}));
  // User 0's sequence 0 1 2 3 1 (the test target repeats item 1: merged); user 1's 3 3 0 2.
  EXPECT_EQ(d.interactions.user, (Ids{0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 1, 2, 3, 3, 0, 2}));
  EXPECT_EQ(d.interactions.time, (Ids{0, 1, 2, 3, 0, 2, 3}));
  const Split& given = ds.split("given");
  EXPECT_EQ(given.kind, "given");
  EXPECT_EQ(given.params.at("test"), dir.file("Tiny.test.inter"));
  const DomainSplit& part = *given.part("tiny");
  EXPECT_EQ(part.train, (Ids{0, 1, 2, 4}));
  EXPECT_EQ(part.valid, (Ids{3, 5}));
  EXPECT_EQ(part.test, (Ids{6}));

  const FeatureBlock& text = *d.find_item_features("text");
  EXPECT_EQ(text.rows, 5);
  EXPECT_EQ(text.missing, (std::vector<uint8_t>{0, 1, 0, 1, 1}));
  EXPECT_EQ(text.offsets, (Ids{0, 2, 2, 4, 4, 4}));  // "nail\tpolish": the fields after the id, joined
  EXPECT_EQ(report.lines_read, 3 + 5 + 3 + 2 + 2 + 3);
  EXPECT_EQ(report.summary(),
            "read 18 lines; kept 7 interactions; merged 2 duplicates; dropped 1 (1 texts of items not in "
            "item2index); 1 items without interactions; 3 items without text; 1 users without interactions; "
            "feature blocks text (sparse 5x262144, 3 missing).");
  EXPECT_EQ(ds.provenance.sources.size(), 6u);
}

TEST(ImportUnisrec, TakesThePrefixOneBasedIndicesAndNoTextFile) {
  TempDir dir;
  Files f;
  f.users = "U1\t1\nU2\t2\n";
  f.items = "I3\t3\nI1\t1\nI2\t2\n";
  f.train = "1\t1\t2\n2\t3\t1\n";
  f.valid = "1\t1 2\t3\n";
  f.test = "2\t3 1\t2\n";
  write_tiny(dir, f, false);
  ImportOptions options = unisrec(dir.file("Tiny"));
  options.domain = "lab";
  const Dataset ds = import_dataset(options);
  const Domain& d = ds.domain("lab");
  EXPECT_EQ(d.item_ids, (Names{"I1", "I2", "I3"}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 1, 2, 2, 0, 1}));
  EXPECT_TRUE(d.item_features.empty());
  graft::testing::expect_store_round_trip(ds);
}

TEST(ImportUnisrecErrors, BadLayouts) {
  auto expect_data = [](auto change, std::initializer_list<std::string> parts) {
    TempDir dir;
    Files f;
    change(f);
    const std::string folder = write_tiny(dir, f);
    std::vector<std::string> located;
    for (const std::string& p : parts) located.push_back(p[0] == '.' ? dir.file("Tiny") + p : p);
    try {
      import_dataset(unisrec(folder));
      ADD_FAILURE() << "expected a DataError";
    } catch (const DataError& e) {
      for (const std::string& p : located) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  expect_data([](Files& f) { f.items = "I0\t0\nI1\t1\nI2\t2\nI3\t3\nI4\t5\n"; },
              {".item2index:5: index 5 leaves a gap: 5 ids need indices 0..4"});
  expect_data([](Files& f) { f.items = "I0\t0\nI1\t1\nI2\t1\nI3\t3\nI4\t4\n"; },
              {".item2index:3: index 1 already given on line 2"});
  expect_data([](Files& f) { f.users = "U1\t2\nU2\t3\nU3\t4\n"; }, {".user2index: indices start at 2, expected 0 or 1"});
  expect_data([](Files& f) { f.users = "U1\t0\nU1\t1\n"; }, {".user2index:2: id 'U1' listed twice"});
  expect_data([](Files& f) { f.train = "0\t0 9\t2\n"; }, {".train.inter:2: history item index 9 is not in the index file (0..4)"});
  expect_data([](Files& f) { f.valid = "0\t0 1 2\t3\n7\t1\t2\n"; }, {".valid.inter:3: user index 7 is not in the index file"});
  expect_data([](Files& f) { f.train = "0\t0 x\t2\n"; }, {".train.inter:2: history item must be a non-negative integer, got 'x'"});
  expect_data([](Files& f) { f.test = "0\t0 2 1 3\t1\n1\t3 3 0\t2\n"; },
              {".test.inter:2: user 0's rows are not prefixes of one sequence: item 1 of this row is index 2, of "
               "another row 1"});
  expect_data([](Files& f) { f.valid = "0\t0 1\t2\n1\t3 3\t0\n"; },
              {".valid.inter:2: this row's target is also the target of a row of another file"});
  expect_data([](Files& f) { f.text = "item_id\ttext\nI0\ta\nI0\tb\n"; }, {".text:3: item 'I0' listed twice (first on line 2)"});
  expect_data([](Files& f) { f.test = "0\t0 1 2 3\n"; }, {".test.inter:2: expected 3 fields"});

  TempDir empty;
  expect_error<DataError>([&] { import_dataset(unisrec(empty.path().string())); },
                          {"expected one <Name>.item2index in this folder, found none"});
  expect_error<DataError>([&] { import_dataset(unisrec(empty.file("Nope"))); },
                          {"Nope: neither a UniSRec folder nor the prefix"});
  TempDir partial;
  Files f;
  write_tiny(partial, f);
  std::filesystem::remove(partial.file("Tiny.valid.inter"));
  expect_error<DataError>([&] { import_dataset(unisrec(partial.path().string())); }, {"Tiny.valid.inter"});
}

TEST(ImportUnisrecRealData, AmazonScientific) {
  GRAFT_REQUIRE_SHARED_DATA(root, "amazon-scientific");
  ImportReport report;
  ImportOptions options = import_options("unisrec", {root});
  const Dataset ds = import_dataset(options, &report);
  // SOURCE.md: 2,928 users, 1,585 items; valid and test hold one case per user, except where the
  // held-out item repeats an earlier one (26 valid, 25 test cases: merged into the earlier).
  EXPECT_EQ(ds.num_users(), 2928);
  const Domain& d = ds.domain("scientific");
  EXPECT_EQ(d.num_items(), 1585);
  EXPECT_EQ(d.item_ids.front(), "B00O47ILVA");  // index 0 of Scientific.item2index
  const DomainSplit& part = *ds.split("given").part("scientific");
  EXPECT_EQ(part.train.size(), 13763u);
  EXPECT_EQ(part.valid.size(), 2902u);
  EXPECT_EQ(part.test.size(), 2903u);
  EXPECT_EQ(report.duplicates_merged, 144);
  EXPECT_EQ(report.lines_read, 2928 + 1585 + 10928 + 2928 + 2928 + 1585);
  const FeatureBlock& text = *d.find_item_features("text");
  EXPECT_EQ(text.rows, 1585);
  EXPECT_EQ(text.width, 256);
  EXPECT_EQ(text.num_missing(), 0);
  graft::testing::expect_store_round_trip(ds);
}

}  // namespace
}  // namespace graft::io
