// xmarket on hand-written market files: one domain per market, users shared and items linked by
// external id, ratings and dates kept exactly, folders and files as inputs, and the errors.
#include <gtest/gtest.h>

#include "graph_io/errors.h"
#include "graph_io/importers.h"
#include "graph_io/stats.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;
using graft::testing::import_options;
using graft::testing::TempDir;
using Ids = std::vector<int64_t>;
using Names = std::vector<std::string>;
using Weights = std::vector<float>;

const std::string kHeader = "userId itemId rate date\n";

// ca and uk share item B and user u1; the folder also holds files that are not markets.
struct Markets {
  TempDir dir;
  Markets() {
    dir.write("uk_5core.txt", kHeader + "u3 B 2.0 1969-12-31\nu1 C 1.0 2000-03-01\n");
    dir.write("ca_5core.txt", kHeader + "u1 A 5.0 1970-01-02\nu2 B 4.0 2019-02-28\nu1 B 3.0 2020-02-29\n");
    dir.write("README.md", "not a market\n");
    dir.write("notes.txt", "no underscore, not a market\n");
  }
};

TEST(ImportXmarket, AFolderGivesOneDomainPerMarketInNameOrder) {
  Markets m;
  ImportReport report;
  const Dataset ds = import_dataset(import_options("xmarket", {m.dir.path().string()}), &report);
  EXPECT_EQ(ds.user_ids, (Names{"u1", "u2", "u3"}));
  ASSERT_EQ(ds.domains.size(), 2u);
  const Domain& ca = ds.domains[0];
  EXPECT_EQ(ca.name, "ca");
  EXPECT_EQ(ca.item_ids, (Names{"A", "B"}));
  EXPECT_EQ(ca.interactions.user, (Ids{0, 1, 0}));
  EXPECT_EQ(ca.interactions.item, (Ids{0, 1, 1}));
  EXPECT_EQ(ca.interactions.weight, (Weights{5, 4, 3}));
  EXPECT_EQ(ca.interactions.time, (Ids{1, 17955, 18321}));  // days since 1970-01-01
  EXPECT_FALSE(ca.interactions.has_behavior());
  EXPECT_FALSE(ca.has_categories());
  const Domain& uk = ds.domains[1];
  EXPECT_EQ(uk.name, "uk");
  EXPECT_EQ(uk.item_ids, (Names{"B", "C"}));
  EXPECT_EQ(uk.interactions.user, (Ids{2, 0}));
  EXPECT_EQ(uk.interactions.weight, (Weights{2, 1}));
  EXPECT_EQ(uk.interactions.time, (Ids{-1, 11017}));
  EXPECT_TRUE(ds.splits.empty());
  EXPECT_EQ(report.lines_read, 5);
  EXPECT_EQ(report.interactions_kept, 5);
  ASSERT_EQ(ds.provenance.sources.size(), 2u);
  EXPECT_EQ(ds.provenance.sources[0].path, m.dir.file("ca_5core.txt"));
  graft::testing::expect_store_round_trip(ds);

  // Item B is the link: one shared item, on which 2 of ca's 3 and 1 of uk's 2 interactions fall.
  const DatasetStats stats = compute_stats(ds);
  EXPECT_EQ(stats.domains[0].shared_items, (std::map<std::string, int64_t>{{"uk", 1}}));
  EXPECT_DOUBLE_EQ(stats.domains[0].interactions_on_shared_items.at("uk"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(stats.domains[1].interactions_on_shared_items.at("ca"), 0.5);
  EXPECT_EQ(stats.domains[0].shared_users, (std::map<std::string, int64_t>{{"uk", 1}}));
}

TEST(ImportXmarket, FilesKeepTheGivenOrderAndNameTheirMarket) {
  TempDir dir;
  const std::string jp = dir.write("jp.txt", kHeader + "a x 4 2020-01-01\n");  // no '_': the stem
  const std::string mx = dir.write("mx_ratings.txt", kHeader + "b x 4 2020-01-01\n");
  const Dataset ds = import_dataset(import_options("xmarket", {mx, jp}));
  ASSERT_EQ(ds.domains.size(), 2u);
  EXPECT_EQ(ds.domains[0].name, "mx");
  EXPECT_EQ(ds.domains[1].name, "jp");
}

TEST(ImportXmarket, MergesDuplicatesKeepingTheFirstAndHonoursMinRating) {
  TempDir dir;
  const std::string ca = dir.write("ca_5core.txt", kHeader +
                                                       "u1 A 5.0 2020-01-03\n"
                                                       "u1 A 4.0 2020-01-09\n"  // a duplicate pair
                                                       "u2 A 1.0 2020-01-04\n"  // below --min-rating
                                                       "u2 B 3.0 2020-01-05\n");
  ImportOptions options = import_options("xmarket", {ca});
  options.min_rating = 3;
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);
  const Domain& d = ds.domain("ca");
  EXPECT_EQ(d.interactions.user, (Ids{0, 1}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 1}));
  EXPECT_EQ(d.interactions.weight, (Weights{5, 3}));
  EXPECT_EQ(d.interactions.time, (Ids{18264, 18266}));
  EXPECT_EQ(report.lines_read, 4);
  EXPECT_EQ(report.duplicates_merged, 1);
  EXPECT_EQ(report.dropped, (std::map<std::string, int64_t>{{"rated below 3", 1}}));
}

TEST(ImportXmarketErrors, HeaderNamesFileAndLineOne) {
  TempDir dir;
  for (const std::string& contents : {std::string("u1 A 5.0 2020-01-01\n"),  // no header at all
                                      std::string("user item rating date\nu1 A 5.0 2020-01-01\n"),
                                      std::string("userId itemId rate\nu1 A 5.0\n")}) {
    const std::string path = dir.write("ca_5core.txt", contents);
    expect_error<DataError>([&] { import_dataset(import_options("xmarket", {path})); },
                            {path + ":1:", "expected the header 'userId itemId rate date'"});
  }
}

TEST(ImportXmarketErrors, BadDatesAndLinesNameFileAndLine) {
  TempDir dir;
  struct Case {
    std::string line, message;
  };
  const std::vector<Case> cases = {
      {"u2 B 4.0 2019-13-01", "date must be a date YYYY-MM-DD, got '2019-13-01'"},
      {"u2 B 4.0 2019-02-30", "got '2019-02-30'"},
      {"u2 B 4.0 yesterday", "got 'yesterday'"},
      {"u2 B 4.0 1546300800", "got '1546300800'"},
      {"u2 B five 2019-01-01", "rating must be a finite number, got 'five'"},
      {"u2 B 4.0", "expected 4 fields"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.write("de_5core.txt", kHeader + "u1 A 5.0 2019-01-01\n" + c.line + "\n");
    expect_error<DataError>([&] { import_dataset(import_options("xmarket", {path})); }, {path + ":3:", c.message});
  }
}

TEST(ImportXmarketErrors, FoldersWithoutMarketsAndMarketsReadTwice) {
  TempDir dir;
  dir.write("empty/notes.txt", "x\n");
  expect_error<DataError>([&] { import_dataset(import_options("xmarket", {dir.file("empty")})); },
                          {dir.file("empty"), "no market files <market>_*.txt"});
  const std::string a = dir.write("ca_5core.txt", kHeader + "u1 A 5.0 2019-01-01\n");
  const std::string b = dir.write("ca_other.txt", kHeader + "u1 A 5.0 2019-01-01\n");
  expect_error<DataError>([&] { import_dataset(import_options("xmarket", {a, b})); },
                          {b, "market 'ca' is already read from " + a});
  expect_error<DataError>([&] { import_dataset(import_options("xmarket", {dir.file("fr_5core.txt")})); },
                          {"fr_5core.txt"});
}

}  // namespace
}  // namespace graft::io
