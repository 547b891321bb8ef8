// movielens on hand-built 100k and 1M folders: ratings as weights, timestamps as times, genres
// as categories, --min-rating, and the malformed-input errors.
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

// A u.item line with the given genre flags set (of `genres` flags in all).
std::string item_line(int id, std::initializer_list<int> set, int genres = 19) {
  std::string line = std::to_string(id) + "|Film " + std::to_string(id) + " (1995)|01-Jan-1995||http://x/" +
                     std::to_string(id);
  for (int g = 0; g < genres; ++g) {
    line += std::find(set.begin(), set.end(), g) != set.end() ? "|1" : "|0";
  }
  return line + "\n";
}

struct Ml100k {
  TempDir dir;
  std::string folder;
  Ml100k() {
    folder = (dir.path() / "ml-100k").string();
    dir.write("ml-100k/u.data", "1\t10\t5\t881250949\n2\t10\t3\t891717742\n1\t20\t4\t878887116\n1\t10\t2\t1\n");
    dir.write("ml-100k/u.item", item_line(10, {1}) + item_line(20, {5, 8}) + item_line(30, {}));
  }
};

TEST(ImportMovielens, Reads100kWithStandardGenres) {
  Ml100k f;
  ImportReport report;
  const Dataset ds = import_dataset(import_options("movielens", {f.folder}), &report);
  EXPECT_EQ(ds.user_ids, (Names{"1", "2"}));
  const Domain& d = ds.domain("main");
  EXPECT_EQ(d.item_ids, (Names{"10", "20", "30"}));
  ASSERT_EQ(d.category_names.size(), 19u);
  EXPECT_EQ(d.category_names[0], "unknown");
  EXPECT_EQ(d.category_names[5], "Comedy");
  EXPECT_EQ(d.category_names[18], "Western");
  EXPECT_EQ(d.item_category_offsets, (Ids{0, 1, 3, 3}));
  EXPECT_EQ(d.item_category, (std::vector<int32_t>{1, 5, 8}));
  EXPECT_EQ(d.interactions.user, (Ids{0, 1, 0}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 0, 1}));
  EXPECT_EQ(d.interactions.weight, (std::vector<float>{5, 3, 4}));
  EXPECT_EQ(d.interactions.time, (Ids{881250949, 891717742, 878887116}));
  EXPECT_EQ(report.duplicates_merged, 1);
  EXPECT_EQ(report.lines_read, 7);
  EXPECT_TRUE(ds.splits.empty());
}

TEST(ImportMovielens, AcceptsTheRatingsFileAndGenreNamesFromUGenre) {
  Ml100k f;
  f.dir.write("ml-100k/u.genre", "first|0\nsecond|1\n\n");
  f.dir.write("ml-100k/u.item", item_line(10, {1}, 2) + item_line(20, {0, 1}, 2));
  const Dataset ds = import_dataset(import_options("movielens", {f.folder + "/u.data"}));
  const Domain& d = ds.domain("main");
  EXPECT_EQ(d.category_names, (Names{"first", "second"}));
  EXPECT_EQ(d.item_category_offsets, (Ids{0, 1, 3}));
  EXPECT_EQ(d.item_category, (std::vector<int32_t>{1, 0, 1}));
  ASSERT_EQ(ds.provenance.sources.size(), 3u);
  EXPECT_EQ(ds.provenance.sources[0].path, f.folder + "/u.genre");
}

TEST(ImportMovielens, MinRatingDropsLowRatings) {
  Ml100k f;
  ImportOptions options = import_options("movielens", {f.folder});
  options.min_rating = 4;
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);
  EXPECT_EQ(ds.user_ids, (Names{"1"}));
  EXPECT_EQ(ds.domain("main").interactions.item, (Ids{0, 1}));
  EXPECT_EQ(report.dropped, (std::map<std::string, int64_t>{{"rated below 4", 2}}));
  EXPECT_EQ(report.duplicates_merged, 0);
  EXPECT_EQ(report.summary(), "read 7 lines; kept 2 interactions; merged 0 duplicates; dropped 2 (2 rated below 4).");
}

TEST(ImportMovielens, Reads1mWithGenreLists) {
  TempDir dir;
  dir.write("ml-1m/ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
  dir.write("ml-1m/movies.dat", "1193::One Flew (1975)::Drama\n661::James (1996)::Animation|Children's|Drama\n"
                                "5::Untitled::\n");
  const Dataset ds = import_dataset(import_options("movielens", {(dir.path() / "ml-1m").string()}));
  const Domain& d = ds.domain("main");
  EXPECT_EQ(d.item_ids, (Names{"1193", "661", "5"}));
  EXPECT_EQ(d.category_names, (Names{"Drama", "Animation", "Children's"}));
  EXPECT_EQ(d.item_category_offsets, (Ids{0, 1, 4, 4}));
  EXPECT_EQ(d.item_category, (std::vector<int32_t>{0, 0, 1, 2}));
  EXPECT_EQ(d.interactions.user, (Ids{0, 0, 1}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 1, 0}));
  EXPECT_EQ(d.interactions.weight, (std::vector<float>{5, 3, 4}));
}

TEST(ImportMovielens, WorksWithoutACatalog) {
  TempDir dir;
  const std::string ratings = dir.write("u.data", "3\t7\t4\t100\n");
  const Dataset ds = import_dataset(import_options("movielens", {ratings}));
  EXPECT_EQ(ds.domain("main").item_ids, (Names{"7"}));
  EXPECT_FALSE(ds.domain("main").has_categories());
}

TEST(ImportMovielens, SurvivesTheStore) {
  Ml100k f;
  graft::testing::expect_store_round_trip(import_dataset(import_options("movielens", {f.folder})));
}

TEST(ImportMovielensErrors, RatingOfAMovieMissingFromTheCatalog) {
  Ml100k f;
  f.dir.write("ml-100k/u.data", "1\t10\t5\t881250949\n1\t99\t4\t881250949\n");
  expect_error<DataError>([&] { import_dataset(import_options("movielens", {f.folder})); },
                          {f.folder + "/u.data:2: movie 99 is not in u.item"});
}

TEST(ImportMovielensErrors, BadGenreFlagAndFieldCount) {
  Ml100k f;
  f.dir.write("ml-100k/u.item", item_line(10, {1}) + "20|x|y||z|0|1\n");
  expect_error<DataError>([&] { import_dataset(import_options("movielens", {f.folder})); },
                          {f.folder + "/u.item:2: expected 24 fields separated by '|', got 7"});
  std::string bad_flag = item_line(20, {});
  bad_flag.replace(bad_flag.find("|0|0|0"), 6, "|0|0|7");
  f.dir.write("ml-100k/u.item", item_line(10, {1}) + bad_flag);
  expect_error<DataError>([&] { import_dataset(import_options("movielens", {f.folder})); },
                          {f.folder + "/u.item:2: genre flag 3 must be 0 or 1, got '7'"});
}

TEST(ImportMovielensErrors, BadRatingAndUnknownLayout) {
  Ml100k f;
  f.dir.write("ml-100k/u.data", "1\t10\tfive\t881250949\n");
  expect_error<DataError>([&] { import_dataset(import_options("movielens", {f.folder})); },
                          {f.folder + "/u.data:1: rating must be a finite number, got 'five'"});
  const std::string other = f.dir.write("ratings.csv", "1,2,3,4\n");
  expect_error<DataError>([&] { import_dataset(import_options("movielens", {other})); },
                          {other + ": expected MovieLens u.data (100k) or ratings.dat (1M)"});
  expect_error<DataError>([&] { import_dataset(import_options("movielens", {f.dir.path().string()})); },
                          {"neither u.data (100k) nor ratings.dat (1M)"});
}

}  // namespace
}  // namespace graft::io
