// cdr-pairs on a hand-built pair of folders: shared and private users, items per domain, the
// cold_start split, and every malformed-input error.
#include <gtest/gtest.h>

#include "graph_io/errors.h"
#include "graph_io/importers.h"
#include "tests/graph_io/cdr_folders.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using graft::testing::CdrFolders;
using graft::testing::expect_error;
using graft::testing::import_options;
using graft::testing::TempDir;
using Ids = std::vector<int64_t>;
using Names = std::vector<std::string>;

TEST(ImportCdr, MapsSharedAndPrivateUsersToOneIdSpace) {
  CdrFolders f;
  ImportReport report;
  const Dataset ds = f.import(&report);
  EXPECT_EQ(ds.user_ids, (Names{"0", "1", "books:2", "books:3", "movies:2"}));
  ASSERT_EQ(ds.domains.size(), 2u);

  const Domain& books = ds.domain("books");
  EXPECT_EQ(books.item_ids, (Names{"books:5", "books:6", "books:7"}));  // not linked to the movies
  EXPECT_EQ(books.interactions.user, (Ids{0, 2, 3, 1, 1}));
  EXPECT_EQ(books.interactions.item, (Ids{0, 1, 0, 1, 2}));
  EXPECT_FALSE(books.interactions.has_time());
  EXPECT_FALSE(books.has_categories());

  const Domain& movies = ds.domain("movies");
  EXPECT_EQ(movies.item_ids, (Names{"movies:100", "movies:101"}));
  EXPECT_EQ(movies.interactions.user, (Ids{1, 4, 0, 0}));
  EXPECT_EQ(movies.interactions.item, (Ids{0, 1, 1, 0}));

  EXPECT_EQ(report.lines_read, 14);
  EXPECT_EQ(report.interactions_kept, 9);
  EXPECT_EQ(report.duplicates_merged, 0);
}

TEST(ImportCdr, ValidAndTestBecomeTheColdStartSplit) {
  CdrFolders f;
  const Dataset ds = f.import();
  const Split& split = ds.split("cold_start");
  EXPECT_EQ(split.kind, "given");
  EXPECT_EQ(split.params.at("shared_users"), "2");
  const DomainSplit* books = split.part("books");
  ASSERT_NE(books, nullptr);
  EXPECT_EQ(books->train, (Ids{0, 1, 2}));
  EXPECT_EQ(books->valid, (Ids{3}));
  EXPECT_EQ(books->test, (Ids{4}));
  EXPECT_EQ(books->cold_start_users, (Ids{1}));
  const DomainSplit* movies = split.part("movies");
  ASSERT_NE(movies, nullptr);
  EXPECT_EQ(movies->train, (Ids{0, 1}));
  EXPECT_EQ(movies->valid, (Ids{2}));
  EXPECT_EQ(movies->test, (Ids{3}));
  EXPECT_EQ(movies->cold_start_users, (Ids{0}));
}

TEST(ImportCdr, RecordsEveryFileReadInTheProvenance) {
  CdrFolders f;
  const Dataset ds = f.import();
  ASSERT_EQ(ds.provenance.sources.size(), 8u);
  EXPECT_EQ(ds.provenance.sources[0].path, f.books + "/common_new_reindex.txt");
  EXPECT_EQ(ds.provenance.sources[0].size, 21u);
  EXPECT_EQ(ds.provenance.sources[2].path, f.books + "/train.txt");
  EXPECT_EQ(ds.provenance.sources[7].path, f.movies + "/test.txt");
  EXPECT_EQ(ds.provenance.graft_version, GRAFT_VERSION);
}

TEST(ImportCdr, SurvivesTheStore) { graft::testing::expect_store_round_trip(CdrFolders().import()); }

TEST(ImportCdr, MergesDuplicateLines) {
  CdrFolders f;
  f.dir.write("books_movies/train.txt", "0\t5\n2\t6\n3\t5\n2\t6\n");
  ImportReport report;
  const Dataset ds = f.import(&report);
  EXPECT_EQ(report.duplicates_merged, 1);
  EXPECT_EQ(ds.domain("books").interactions.user, (Ids{0, 2, 3, 1, 1}));
}

TEST(ImportCdrErrors, ColdStartUserWithTrainingInteractions) {
  CdrFolders f;
  f.dir.write("books_movies/test.txt", "1\t7\n0\t6\n");
  expect_error<DataError>([&] { f.import(); },
                          {f.books + "/test.txt:2:", "user 0 has training interactions in train.txt"});
}

TEST(ImportCdrErrors, FoldersDisagreeOnTheSharedUsers) {
  CdrFolders f;
  f.dir.write("movies_books/common_new_reindex.txt", "20\t1\t1\n21\t1\t1\n22\t1\t1\n");
  expect_error<DataError>([&] { f.import(); },
                          {f.movies + "/common_new_reindex.txt", "3 shared users, but 2"});
}

TEST(ImportCdrErrors, WrongDelimiter) {
  CdrFolders f;
  f.dir.write("movies_books/train.txt", "1\t100\n2 101\n");
  expect_error<DataError>([&] { f.import(); }, {f.movies + "/train.txt:2: expected 2 fields separated by '\\t', got 1",
                                                "contains a space"});
}

TEST(ImportCdrErrors, NonNumericId) {
  CdrFolders f;
  f.dir.write("books_movies/valid.txt", "1\tB00X\n");
  expect_error<DataError>([&] { f.import(); },
                          {f.books + "/valid.txt:1: item id must be a non-negative integer, got 'B00X'"});
}

TEST(ImportCdrErrors, TruncatedLastLine) {
  CdrFolders f;
  f.dir.write("books_movies/train.txt", "0\t5\n2\t6\n3");
  expect_error<DataError>([&] { f.import(); }, {f.books + "/train.txt:3:", "got 1", "truncated"});
}

TEST(ImportCdrErrors, EmptyAndMissingFiles) {
  CdrFolders f;
  f.dir.write("books_movies/valid.txt", "");
  expect_error<DataError>([&] { f.import(); }, {f.books + "/valid.txt:1: the file is empty"});
  std::filesystem::remove(f.dir.path() / "books_movies/valid.txt");
  expect_error<DataError>([&] { f.import(); }, {f.books + "/valid.txt: no such file"});
}

TEST(ImportCdrErrors, FileInsteadOfFolder) {
  CdrFolders f;
  const std::string file = f.books + "/train.txt";
  expect_error<DataError>([&] { import_dataset(import_options("cdr-pairs", {file, f.movies})); },
                          {file + ": expected a folder"});
}

TEST(ImportCdrErrors, NeedsTwoFoldersWithDifferentDomains) {
  CdrFolders f;
  expect_error<UsageError>([&] { import_dataset(import_options("cdr-pairs", {f.books})); },
                           {"cdr-pairs expects two folders", "got 1 input"});
  expect_error<DataError>([&] { import_dataset(import_options("cdr-pairs", {f.books, f.books + "/"})); },
                          {"both folders name domain 'books'"});
}

}  // namespace
}  // namespace graft::io
