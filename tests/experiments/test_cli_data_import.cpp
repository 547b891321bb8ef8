// `graft data import` of sequences, item metadata, the UniSRec layout and XMarket through the
// built binary: the feature flags, --output equal to --into, the printed report, that an error
// exits with its code and leaves no output file behind, and XMarket's import → leave-one-out
// split with 99 negatives → stats, and candidate lists read into a cdr-pairs split.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "graph_io/hdf5_store.h"
#include "tests/graph_io/cdr_folders.h"
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

// Two markets: ca sells A0..A119, each rated once by one of users c0..c29 (4 items each, the last
// two on the same day), and user "lonely" rates A0 and A1; uk sells A0..A49 and B0..B59, each
// rated once by one of c0..c21 (5 items each). 50 items are sold in both.
std::string write_markets(const testing::TempDir& dir) {
  std::string ca = "userId itemId rate date\n", uk = ca;
  for (int u = 0; u < 30; ++u) {
    for (int k = 0; k < 4; ++k) {
      ca += "c" + std::to_string(u) + " A" + std::to_string(4 * u + k) + " 5.0 2020-01-0" +
            std::to_string(std::min(k, 2) + 1) + "\n";
    }
  }
  ca += "lonely A0 3.0 2020-02-01\nlonely A1 4.0 2020-02-02\n";
  for (int u = 0; u < 22; ++u) {
    for (int k = 0; k < 5; ++k) {
      const int i = 5 * u + k;
      uk += "c" + std::to_string(u) + (i < 50 ? " A" + std::to_string(i) : " B" + std::to_string(i - 50)) +
            " 4.0 2019-12-1" + std::to_string(k) + "\n";
    }
  }
  dir.write("xmarket/ca_5core.txt", ca);
  dir.write("xmarket/uk_5core.txt", uk);
  dir.write("xmarket/SOURCE.md", "not a market\n");
  return dir.file("xmarket");
}

// `graft data negatives` on a hand-built cdr pair: the lists land in the split, the report
// counts a list that holds its own positive, a line that names another case exits 3 naming the
// file and line and leaves the dataset as it was, a request without files exits 2.
TEST(CliDataImport, CdrPairsThenCandidateListsFromFiles) {
  const testing::CdrFolders folders;  // books: user 1 cold, valid item 6, test item 7
  const testing::TempDir& dir = folders.dir;
  const std::string data = dir.file("cdr.h5");
  std::string output;
  ASSERT_EQ(run_graft("data import --format cdr-pairs --negatives 0 " + folders.books + " " + folders.movies + " -o " +
                          data, &output), 0) << output;

  const std::string valid = dir.write("valid_lists.txt", "1 books:6 books:5 books:6\n");
  const std::string test = dir.write("test_lists.txt", "1 books:7 books:5 books:6\n");
  ASSERT_EQ(run_graft("data negatives " + data + " --split cold_start --domain books --valid " + valid + " --test " + test,
                      &output), 0) << output;
  EXPECT_NE(output.find("books valid: 1 cases x 2 negatives from " + valid), std::string::npos) << output;
  EXPECT_NE(output.find("note: 1 cases list their own positive among the negatives, 0 another of the user's items, "
                        "0 a negative twice"), std::string::npos) << output;
  EXPECT_NE(output.find("note: 0 cases list their own positive among the negatives, 1 another of the user's items"),
            std::string::npos) << output;  // books:6, the user's valid item, among the test case's negatives
  const auto stored = [&] { return io::read_dataset(data).split("cold_start").part("books")->test_negatives; };
  EXPECT_EQ(stored(), (std::vector<int64_t>{0, 1}));

  const std::string wrong = dir.write("wrong.txt", "0 books:7 books:5 books:6\n");
  EXPECT_EQ(run_graft("data negatives " + data + " --split cold_start --domain books --test " + wrong, &output), 3);
  EXPECT_NE(output.find("wrong.txt:1: case 1 is user '1' with item 'books:7'"), std::string::npos) << output;
  EXPECT_EQ(stored(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(run_graft("data negatives " + data + " --split cold_start --domain books", &output), 2);
  EXPECT_NE(output.find("valid cases, the test cases or both"), std::string::npos) << output;
  EXPECT_EQ(run_graft("data negatives " + data + " --split cold_start --domain music --test " + test, &output), 2);
  EXPECT_NE(output.find("music"), std::string::npos) << output;
}

TEST(CliDataImport, XmarketThenLeaveOneOutWith99NegativesThenStats) {
  testing::TempDir dir;
  const std::string data = dir.file("x.h5");
  std::string output;
  ASSERT_EQ(run_graft("data import --format xmarket " + write_markets(dir) + " -o " + data, &output), 0) << output;
  EXPECT_NE(output.find("read 232 lines; kept 232 interactions; merged 0 duplicates."), std::string::npos) << output;

  ASSERT_EQ(run_graft("data split " + data + " --kind leave_one_out --negatives 99 --seed 7 --name loo", &output), 0)
      << output;
  EXPECT_NE(output.find("added split 'loo'\nnote: split 'loo', domain 'ca': 1 user has fewer than 3 interactions "
                        "(kept in training, not evaluated)\nwrote "),
            std::string::npos)
      << output;
  const io::Dataset ds = io::read_dataset(data);
  const io::Split& loo = ds.split("loo");
  EXPECT_EQ(loo.params.at("users_too_few_interactions.ca"), "1 (kept in training, not evaluated)");
  EXPECT_EQ(loo.params.at("users_too_few_interactions.uk"), "0 (kept in training, not evaluated)");
  for (const io::DomainSplit& part : loo.parts) {
    SCOPED_TRACE(part.domain);
    const io::Interactions& x = ds.domain(part.domain).interactions;
    ASSERT_EQ(part.test.size(), part.domain == "ca" ? 30u : 22u);
    ASSERT_EQ(part.negatives_per_case, 99);
    ASSERT_EQ(part.test_negatives.size(), part.test.size() * 99);
    for (size_t c = 0; c < part.test.size(); ++c) {
      const int64_t user = x.user[part.test[c]];
      std::set<int64_t> rated;
      int64_t latest = 0;
      for (size_t r = 0; r < x.size(); ++r) {
        if (x.user[r] != user) continue;
        rated.insert(x.item[r]);
        latest = std::max(latest, x.time[r]);
      }
      EXPECT_EQ(x.time[part.test[c]], latest) << "user " << user;  // the latest by date is the test case
      const auto first = part.test_negatives.begin() + static_cast<std::ptrdiff_t>(c * 99);
      const std::set<int64_t> negatives(first, first + 99);
      EXPECT_EQ(negatives.size(), 99u);
      for (const int64_t item : negatives) EXPECT_EQ(rated.count(item), 0u) << "user " << user << " rated " << item;
    }
  }

  ASSERT_EQ(run_graft("data stats " + data + " --json", &output), 0) << output;
  const auto stats = nlohmann::json::parse(output);
  const auto& ca = stats.at("domains")[0];
  EXPECT_EQ(ca.at("name"), "ca");
  EXPECT_EQ(ca.at("shared_items").dump(), R"({"uk":50})");
  EXPECT_DOUBLE_EQ(ca.at("interactions_on_shared_items").at("uk").get<double>(), 52.0 / 122.0);
  EXPECT_DOUBLE_EQ(stats.at("domains")[1].at("interactions_on_shared_items").at("ca").get<double>(), 50.0 / 110.0);
  EXPECT_EQ(ca.at("shared_users").dump(), R"({"uk":22})");
  ASSERT_EQ(run_graft("data stats " + data, &output), 0) << output;
  EXPECT_NE(output.find("shared items  ca  uk\nca             -  50\nuk            50   -\n"), std::string::npos)
      << output;
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

namespace graft {
namespace {

// The scale preset through the binary: a small graph written and described, and a size over the
// memory budget refused with the estimate before anything is generated or written.
TEST(CliDataGenerate, ScalePresetAndItsMemoryBudget) {
  testing::TempDir dir;
  const std::string out = dir.file("scale.h5");
  std::string output;
  ASSERT_EQ(testing::run_graft("data generate --preset scale --interactions 50K -o " + out, &output), 0) << output;
  EXPECT_NE(output.find("2941 users, 1 domains, 50000 interactions"), std::string::npos) << output;
  ASSERT_EQ(testing::run_graft("data stats " + out, &output), 0);
  EXPECT_NE(output.find("main     2941   1428           0         50000"), std::string::npos) << output;

  const std::string big = dir.file("big.h5");
  EXPECT_EQ(testing::run_graft("data generate --preset scale --interactions 50M --memory-budget 1G -o " + big, &output), 2);
  EXPECT_NE(output.find("50000000 interactions need about 2.17 GiB"), std::string::npos) << output;
  EXPECT_NE(output.find("more than the budget of 1.00 GiB (--memory-budget); nothing was generated"), std::string::npos) << output;
  EXPECT_FALSE(std::filesystem::exists(big));
  EXPECT_EQ(testing::run_graft("data generate --preset scale --interactions 10X -o " + big, &output), 2);
  EXPECT_NE(output.find("--interactions: '10X' is not a size"), std::string::npos) << output;
  EXPECT_EQ(testing::run_graft("data generate --preset two-platform --interactions 1M -o " + big, &output), 2);
  EXPECT_NE(output.find("--interactions is for --preset scale"), std::string::npos) << output;
}

}  // namespace
}  // namespace graft
