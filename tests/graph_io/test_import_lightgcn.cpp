#include <gtest/gtest.h>

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

TEST(ImportLightgcn, ReadsAdjacencyListsWithAGivenSplit) {
  TempDir dir;
  const std::string train = dir.write("train.txt", "0 1 2\n1 2 \n2\n");
  const std::string test = dir.write("test.txt", "0 3\n1 1\n");
  ImportOptions options = import_options("lightgcn", {train, test});
  options.domain = "gowalla";
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);

  EXPECT_EQ(ds.user_ids, (Names{"0", "1", "2"}));
  ASSERT_EQ(ds.domains.size(), 1u);
  const Domain& d = ds.domains[0];
  EXPECT_EQ(d.name, "gowalla");
  EXPECT_EQ(d.item_ids, (Names{"1", "2", "3"}));
  EXPECT_EQ(d.interactions.user, (Ids{0, 0, 1, 0, 1}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 1, 1, 2, 0}));

  const DomainSplit* part = ds.split("given").part("gowalla");
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(ds.split("given").kind, "given");
  EXPECT_EQ(part->train, (Ids{0, 1, 2}));
  EXPECT_TRUE(part->valid.empty());
  EXPECT_EQ(part->test, (Ids{3, 4}));
  EXPECT_TRUE(part->cold_start_users.empty());
  EXPECT_EQ(report.lines_read, 5);
}

TEST(ImportLightgcn, OneFileHasNoSplitAndMergesRepeatedItems) {
  TempDir dir;
  const std::string train = dir.write("train.txt", "5 9 9 8\n");
  ImportReport report;
  const Dataset ds = import_dataset(import_options("lightgcn", {train}), &report);
  EXPECT_EQ(ds.domains[0].name, "main");
  EXPECT_TRUE(ds.splits.empty());
  EXPECT_EQ(ds.domains[0].interactions.item, (Ids{0, 1}));
  EXPECT_EQ(ds.domains[0].item_ids, (Names{"9", "8"}));
  EXPECT_EQ(report.duplicates_merged, 1);
  EXPECT_EQ(report.summary(), "read 1 lines; kept 2 interactions; merged 1 duplicate.");
}

TEST(ImportLightgcn, SurvivesTheStore) {
  TempDir dir;
  const std::string train = dir.write("train.txt", "0 1 2\n1 2\n");
  const std::string test = dir.write("test.txt", "0 3\n");
  graft::testing::expect_store_round_trip(import_dataset(import_options("lightgcn", {train, test})));
}

TEST(ImportLightgcnErrors, BadItemAndTooManyInputs) {
  TempDir dir;
  const std::string train = dir.write("train.txt", "0 1\n1 x7\n");
  expect_error<DataError>([&] { import_dataset(import_options("lightgcn", {train})); },
                          {train + ":2: item id must be a non-negative integer, got 'x7'"});
  expect_error<UsageError>([&] { import_dataset(import_options("lightgcn", {train, train, train})); },
                           {"lightgcn expects a train file and optionally a test file, got 3 inputs"});
}

}  // namespace
}  // namespace graft::io
