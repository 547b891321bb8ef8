// `graft data import` of sequences, item metadata and the UniSRec layout through the built
// binary: the feature flags, --output equal to --into, the printed report, and that an error
// exits with its code and leaves no output file behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "graph_io/hdf5_store.h"
#include "tests/support/test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;
using testing::run_graft;

const char* const kTable =
    "item_id:token\ttitle:token\tcategories:token_seq\tprice:float\tbrand:token\n"
    "i1\tRose Water Toner\t'Beauty', 'Skin Care'\t5.5\tAcme\n"
    "i2\tGel Nail Polish\t'Beauty', 'Makeup', 'Nails'\t\tBeta\n";

const std::string kMetadataFlags =
    " --delimiter tab --header --feature-column id=item_id --feature-column text=title "
    "--feature-column category_path=categories --feature-column float=price --feature-column token=brand "
    "--text-weighting bm25 --text-ngrams 1-1 --text-hash-bits 12 --text-project 16 --text-seed 3";

// Every file in `dir`, to check that a failed command wrote nothing (not even a temporary file).
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(CliDataImport, SequencesThenItemMetadataIntoTheSameFile) {
  testing::TempDir dir;
  const std::string data = dir.file("shop.h5");
  std::string output;
  ASSERT_EQ(run_graft("data import --format sequences --domain shop " + dir.write("seq.txt", "u1 i1 i2 i3\nu2 i2\n") +
                          " -o " + data,
                      &output),
            0)
      << output;
  EXPECT_NE(output.find("read 2 lines; kept 4 interactions"), std::string::npos) << output;
  ASSERT_EQ(run_graft("data import --format item-metadata " + dir.write("items.tsv", kTable) + " --into " + data +
                          " -o " + data + kMetadataFlags,
                      &output),
            0)
      << output;
  EXPECT_NE(output.find("read 2 lines; 4 categories (every level of 'categories:token_seq'); 1 items without "
                        "metadata; feature blocks text (dense 3x16, 1 missing), price (scalar 3x1, 2 missing), "
                        "brand (sparse 3x2, 1 missing)."),
            std::string::npos)
      << output;
  const io::Dataset ds = io::read_dataset(data);
  const io::Domain& shop = ds.domain("shop");
  EXPECT_EQ(shop.category_names,
            (std::vector<std::string>{"Beauty", "Beauty > Makeup", "Beauty > Makeup > Nails", "Beauty > Skin Care"}));
  EXPECT_EQ(shop.interactions.time, (std::vector<int64_t>{0, 1, 2, 0}));
  EXPECT_NE(ds.provenance.command.find("--format sequences"), std::string::npos);
  EXPECT_NE(ds.provenance.command.find("\n"), std::string::npos);  // the metadata import appended
  EXPECT_NE(ds.provenance.command.find("--format item-metadata"), std::string::npos);
}

TEST(CliDataImport, ErrorsExitWithTheirCodeAndLeaveNoOutput) {
  testing::TempDir dir;
  const std::string data = dir.file("shop.h5");
  ASSERT_EQ(run_graft("data import --format sequences " + dir.write("seq.txt", "u1 i1 i2\n") + " -o " + data), 0);
  const std::string table = dir.write("items.tsv", kTable);
  const std::string duplicate = dir.write("dup.tsv", std::string(kTable) + "i1\tAgain\t\t\t\n");
  const std::string out = dir.file("out.h5");
  const std::vector<std::string> before = files_in(dir.path());
  struct Case {
    std::string args;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--format item-metadata " + table + " --into " + data + kMetadataFlags + " --feature-column colour=brand", 2,
       "--feature-column: unknown role 'colour'; valid roles: id, text, token, token_list, float, category_path"},
      {"--format item-metadata " + table + " --into " + data +
           " --delimiter tab --header --feature-column id=item_id --feature-column text=title --text-ngrams 1-x",
       2,
       "--text-ngrams expects MIN-MAX"},
      {"--format item-metadata " + table + kMetadataFlags, 2, "--into is required"},
      {"--format item-metadata " + table + " --into " + data + kMetadataFlags + " --text-hash-bits 30", 2,
       "--text-hash-bits"},
      {"--format item-metadata " + table + " --into " + data + kMetadataFlags + " --feature-column text=name", 2,
       "no column named 'name'; the header has: item_id:token, title:token"},
      {"--format item-metadata " + duplicate + " --into " + data + kMetadataFlags, 3,
       duplicate + ":4: item 'i1' listed twice (first on line 2)"},
      {"--format item-metadata " + table + " --into " + dir.file("none.h5") + kMetadataFlags, 3, "none.h5"},
      {"--format sequences " + dir.write("blank.txt", "\n") + " --domain x", 3, "blank.txt:1: no records"},
      {"--format unisrec " + dir.file("nowhere"), 3, "nowhere: neither a UniSRec folder nor the prefix"},
  };
  for (const Case& c : cases) {
    std::string output;
    EXPECT_EQ(run_graft("data import " + c.args + " -o " + out, &output), c.code) << c.args << "\n" << output;
    EXPECT_NE(output.find(c.message), std::string::npos) << c.args << "\n" << output;
    EXPECT_FALSE(fs::exists(out)) << c.args;
  }
  std::vector<std::string> after = files_in(dir.path());
  after.erase(std::remove(after.begin(), after.end(), "blank.txt"), after.end());
  EXPECT_EQ(after, before);
}

TEST(CliDataImport, RealAmazonBeautyAndScientific) {
  GRAFT_REQUIRE_SHARED_DATA(beauty, "amazon-beauty");
  GRAFT_REQUIRE_SHARED_DATA(scientific, "amazon-scientific");
  testing::TempDir dir;
  std::string output;
  const std::string data = dir.file("beauty.h5");
  ASSERT_EQ(run_graft("data import --format sequences --domain beauty " + beauty + "/sequences.txt -o " + data, &output),
            0)
      << output;
  EXPECT_NE(output.find("read 22363 lines; kept 198502 interactions; merged 0 duplicates."), std::string::npos)
      << output;
  ASSERT_EQ(run_graft("data import --format item-metadata " + beauty + "/items.tsv --into " + data + " -o " + data +
                          " --delimiter tab --header --feature-column id=item_id --feature-column text=title "
                          "--feature-column category_path=categories --feature-column token=brand "
                          "--feature-column float=price --feature-column float=sales_rank",
                      &output),
            0)
      << output;
  EXPECT_NE(output.find("read 12101 lines; 261 categories"), std::string::npos) << output;
  ASSERT_EQ(run_graft("data import --format unisrec " + scientific + " -o " + dir.file("sci.h5"), &output), 0) << output;
  EXPECT_NE(output.find("kept 19568 interactions; merged 144 duplicates"), std::string::npos) << output;
}

}  // namespace
}  // namespace graft
