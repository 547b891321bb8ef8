// import_dataset itself: format dispatch, provenance and the report. Each format has its own
// test_import_<format>.cpp; test_importers_real_data.cpp checks the shared real datasets.
#include "graph_io/importers.h"

#include <gtest/gtest.h>

#include "graph_io/errors.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;
using graft::testing::import_options;
using graft::testing::TempDir;

TEST(Importers, ListsTheFormats) {
  EXPECT_EQ(import_formats(), (std::vector<std::string>{"cdr-pairs", "lightgcn", "movielens", "csv", "behavior-log",
                                                        "embeddings", "sequences", "item-metadata", "unisrec",
                                                        "behaviour-lists", "xmarket"}));
}

TEST(Importers, UnknownFormatNamesTheValidOnes) {
  expect_error<UsageError>([] { import_dataset(import_options("tsv", {"x.tsv"})); },
                           {"unknown import format 'tsv'; valid formats: cdr-pairs, lightgcn, movielens, csv, "
                            "behavior-log"});
}

TEST(Importers, NeedsInputs) {
  expect_error<UsageError>([] { import_dataset(import_options("lightgcn", {})); }, {"lightgcn: no input"});
}

TEST(Importers, FillsTheProvenanceWithSizesAndChecksums) {
  TempDir dir;
  const std::string path = dir.write("a.csv", "u1,i1\n");
  ImportOptions options = import_options("csv", {path});
  options.columns = {{"user", "0"}, {"item", "1"}};
  const Dataset ds = import_dataset(options);
  ASSERT_EQ(ds.provenance.sources.size(), 1u);
  EXPECT_EQ(ds.provenance.sources[0].path, path);
  EXPECT_EQ(ds.provenance.sources[0].size, 6u);
  EXPECT_EQ(ds.provenance.sources[0].crc32, "fd06a262");
  EXPECT_EQ(ds.provenance.graft_version, GRAFT_VERSION);
  EXPECT_TRUE(ds.provenance.command.empty());
}

TEST(Importers, ReportSummarySaysWhatWasReadKeptMergedAndDropped) {
  ImportReport report;
  report.lines_read = 10;
  report.interactions_kept = 6;
  report.duplicates_merged = 1;
  report.dropped = {{"rated below 3", 2}, {"other", 1}};
  EXPECT_EQ(report.summary(),
            "read 10 lines; kept 6 interactions; merged 1 duplicate; dropped 3 (1 other, 2 rated below 3).");
}

}  // namespace
}  // namespace graft::io
