// --format sequences: "user item item ..." lines, times = positions; and Amazon Beauty against
// the counts of its SOURCE.md.
#include <gtest/gtest.h>

#include <set>

#include "graph_io/errors.h"
#include "graph_io/importers.h"
#include "graph_io/splits.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;
using graft::testing::import_options;
using graft::testing::TempDir;
using Ids = std::vector<int64_t>;
using Names = std::vector<std::string>;

TEST(ImportSequences, PositionsAreTimesAndRepeatsMergeIntoTheFirst) {
  TempDir dir;
  const std::string path = dir.write("seq.txt",
                                     "A1 B07 B02 B07 B03\n"  // B07 again at position 2: merged
                                     "A2\tB02  B09\n"
                                     "A3\n"                  // no items: dropped
                                     "A1 B09\n");            // A1 continues at position 4
  ImportOptions options = import_options("sequences", {path});
  options.domain = "beauty";
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);

  EXPECT_EQ(ds.user_ids, (Names{"A1", "A2"}));
  const Domain& d = ds.domain("beauty");
  EXPECT_EQ(d.item_ids, (Names{"B07", "B02", "B03", "B09"}));
  EXPECT_EQ(d.interactions.user, (Ids{0, 0, 0, 1, 1, 0}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 1, 2, 1, 3, 3}));
  EXPECT_EQ(d.interactions.time, (Ids{0, 1, 3, 0, 1, 4}));
  EXPECT_TRUE(ds.splits.empty());
  EXPECT_EQ(report.summary(),
            "read 4 lines; kept 6 interactions; merged 1 duplicate; dropped 1 (1 user without items).");
  graft::testing::expect_store_round_trip(ds);
}

TEST(ImportSequences, LeaveOneOutHoldsOutTheLastItems) {
  TempDir dir;
  const Dataset imported = import_dataset(import_options("sequences", {dir.write("s.txt", "u a b c d\nv c a b\n")}));
  Dataset ds = imported;
  SplitOptions split;
  split.kind = "leave_one_out";
  split.negatives = 0;
  add_split(ds, split);
  const DomainSplit& part = *ds.split("leave_one_out").part("main");
  const Interactions& x = ds.domain("main").interactions;
  std::set<std::pair<int64_t, std::string>> test;
  for (const int64_t k : part.test) test.emplace(x.user[k], ds.domain("main").item_ids[x.item[k]]);
  EXPECT_EQ(test, (std::set<std::pair<int64_t, std::string>>{{0, "d"}, {1, "b"}}));
}

TEST(ImportSequencesErrors, TooManyInputsAndBadDomain) {
  TempDir dir;
  const std::string path = dir.write("s.txt", "u a\n");
  expect_error<UsageError>([&] { import_dataset(import_options("sequences", {path, path})); },
                           {"sequences expects one sequence file, got 2 inputs"});
  ImportOptions options = import_options("sequences", {path});
  options.domain = "a/b";
  expect_error<UsageError>([&] { import_dataset(options); }, {"--domain must not contain '/'"});
  const std::string blank = dir.write("blank.txt", "\n \n");
  expect_error<DataError>([&] { import_dataset(import_options("sequences", {blank})); }, {blank + ":2:", "no records"});
}

TEST(ImportSequencesRealData, AmazonBeauty) {
  GRAFT_REQUIRE_SHARED_DATA(root, "amazon-beauty");
  ImportOptions options = import_options("sequences", {root + "/sequences.txt"});
  options.domain = "beauty";
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);
  // SOURCE.md: 22,363 users, 12,101 items, 198,502 interactions.
  EXPECT_EQ(ds.num_users(), 22363);
  EXPECT_EQ(ds.domain("beauty").num_items(), 12101);
  EXPECT_EQ(report.interactions_kept, 198502);
  EXPECT_EQ(report.duplicates_merged, 0);
  EXPECT_EQ(report.lines_read, 22363);
  EXPECT_TRUE(report.dropped.empty());
  EXPECT_EQ(ds.user_ids.front(), "A1YJEY40YUW4SE");
  EXPECT_EQ(ds.domain("beauty").interactions.time[4], 4);  // the first user's fifth item
}

}  // namespace
}  // namespace graft::io
