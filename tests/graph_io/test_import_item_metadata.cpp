// --format item-metadata: feature blocks and category paths joined into an existing dataset,
// every bad-input rule with its file:line, and Amazon Beauty's items.tsv.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/import_formats.h"
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
using Columns = std::vector<std::pair<std::string, std::string>>;

// dataset.h5 of one domain "shop" with items i1..i4 (in that order), written into `dir`.
std::string write_shop(const TempDir& dir) {
  const Dataset ds = import_dataset(
      import_options("sequences", {dir.write("seq.txt", "u1 i1 i2\nu2 i3 i4 i1\n")}));
  const std::string path = dir.file("shop.h5");
  write_dataset(ds, path);
  return path;
}

const char* const kHeader = "item_id:token\ttitle:token\tcategories:token_seq\tprice:float\tbrand:token\ttags\n";

ImportOptions metadata_options(const TempDir& dir, const std::string& table, Columns columns) {
  ImportOptions options = import_options("item-metadata", {dir.write("items.tsv", table)});
  options.into = write_shop(dir);
  options.delimiter = '\t';
  options.header = true;
  options.feature_columns = std::move(columns);
  options.text.weighting = "binary";
  options.text.min_n = options.text.max_n = 1;
  options.text.project = 0;
  return options;
}

const Columns kAllRoles = {{"id", "item_id"},      {"text", "title"},  {"category_path", "categories"},
                           {"float", "price:float"}, {"token", "brand"}, {"token_list", "5"}};

std::vector<int32_t> row_indices(const FeatureBlock& b, size_t r) {
  return {b.indices.begin() + b.offsets[r], b.indices.begin() + b.offsets[r + 1]};
}

TEST(ImportItemMetadata, JoinsEveryRoleByExternalId) {
  TempDir dir;
  const std::string table = std::string(kHeader) +
                            "i1\tRose Water Toner\t'Beauty', 'Skin Care', 'Face'\t5.5\tAcme\t'a', 'b'\n"
                            "i2\t\"Nail \"\"Gel\"\"\tPolish\"\t'Beauty', 'Makeup', 'Nails'\t\tBeta\t\n"
                            "x9\tUnknown\t'Beauty'\t1\tZed\t'z'\n"
                            "i3\t\t['Beauty', 'Skin Care']\t3\tAcme\t\"'c, d'\"\n";
  const ImportOptions options = metadata_options(dir, table, kAllRoles);
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);
  const Domain& d = ds.domain("main");
  ASSERT_EQ(d.item_ids, (Names{"i1", "i2", "i3", "i4"}));
  EXPECT_EQ(d.interactions.size(), 5u);  // the dataset is otherwise unchanged

  // Every level of each path, named by the path; i4 has no row and no category.
  EXPECT_EQ(d.category_names, (Names{"Beauty", "Beauty > Makeup", "Beauty > Makeup > Nails", "Beauty > Skin Care",
                                     "Beauty > Skin Care > Face"}));
  EXPECT_EQ(d.item_category_offsets, (Ids{0, 3, 6, 8, 8}));
  EXPECT_EQ(d.item_category, (std::vector<int32_t>{0, 3, 4, 0, 1, 2, 0, 3}));

  ASSERT_EQ(d.item_features.size(), 4u);
  const FeatureBlock& text = d.item_features[0];
  EXPECT_EQ(text.name, "text");
  EXPECT_EQ(text.rows, 4);
  EXPECT_EQ(text.missing, (std::vector<uint8_t>{0, 0, 1, 1}));  // i3: empty title; i4: no row
  auto columns_of = [](std::vector<std::string> words) {
    std::vector<int32_t> out;
    for (const auto& w : words) out.push_back(static_cast<int32_t>(text_ngram_column(w, 18)));
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(row_indices(text, 0), columns_of({"rose", "water", "toner"}));
  EXPECT_EQ(row_indices(text, 1), columns_of({"nail", "gel", "polish"}));  // quoted, with a tab inside

  const FeatureBlock& price = d.item_features[1];
  EXPECT_EQ(price.name, "price");
  EXPECT_EQ(price.kind, FeatureKind::kScalar);
  EXPECT_EQ(price.values, (std::vector<float>{5.5f, 0.0f, 3.0f, 0.0f}));
  EXPECT_EQ(price.missing, (std::vector<uint8_t>{0, 1, 0, 1}));

  const FeatureBlock& brand = d.item_features[2];
  EXPECT_EQ(brand.name, "brand");
  EXPECT_EQ(brand.vocabulary, (Names{"Acme", "Beta"}));  // Zed belongs to an item not in the dataset
  EXPECT_EQ(brand.offsets, (Ids{0, 1, 2, 3, 3}));
  EXPECT_EQ(brand.indices, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(brand.values, (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(brand.missing, (std::vector<uint8_t>{0, 0, 0, 1}));

  const FeatureBlock& tags = d.item_features[3];
  EXPECT_EQ(tags.name, "tags");
  EXPECT_EQ(tags.vocabulary, (Names{"a", "b", "c, d"}));
  EXPECT_EQ(tags.offsets, (Ids{0, 2, 2, 3, 3}));
  EXPECT_EQ(tags.indices, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(tags.missing, (std::vector<uint8_t>{0, 1, 0, 1}));

  EXPECT_EQ(report.lines_read, 4);
  EXPECT_EQ(report.summary(),
            "read 4 lines; dropped 1 (1 ids not in the dataset); 5 categories (every level of "
            "'categories:token_seq'); 1 empty text; 1 items without metadata; feature blocks text (sparse "
            "4x262144, 2 missing), price (scalar 4x1, 2 missing), brand (sparse 4x2, 1 missing), tags (sparse "
            "4x3, 2 missing).");
  // The dataset's sources are kept; the table is added.
  ASSERT_EQ(ds.provenance.sources.size(), 2u);
  EXPECT_EQ(ds.provenance.sources[1].path, options.inputs[0]);
  EXPECT_FALSE(ds.provenance.sources[1].crc32.empty());
}

TEST(ImportItemMetadata, JoinsTextColumnsIntoOneBlockAndReplacesABlockOfTheSameName) {
  TempDir dir;
  ImportOptions options = metadata_options(dir, "i3\tAcme\tgel\ni1\t\tRose\n", {{"id", "0"}, {"text", "2"}, {"text", "1"}});
  options.header = false;
  options.block = "words";
  Dataset first = import_dataset(options);
  const FeatureBlock& words = first.domain("main").item_features.at(0);
  EXPECT_EQ(words.name, "words");
  std::vector<int32_t> gel_acme = {static_cast<int32_t>(text_ngram_column("gel", 18)),
                                   static_cast<int32_t>(text_ngram_column("acme", 18))};
  std::sort(gel_acme.begin(), gel_acme.end());
  EXPECT_EQ(row_indices(words, 2), gel_acme);
  EXPECT_EQ(row_indices(words, 0), (std::vector<int32_t>{static_cast<int32_t>(text_ngram_column("rose", 18))}));

  // A block of the same name as an existing one replaces it.
  Domain domain = first.domain("main");
  FeatureBlock other;
  other.name = "words";
  other.kind = FeatureKind::kScalar;
  other.rows = 4;
  other.width = 1;
  other.values = {1, 2, 3, 4};
  ImportReport report;
  add_item_block(domain, other, report);
  ASSERT_EQ(domain.item_features.size(), 1u);
  EXPECT_EQ(domain.item_features[0].values, other.values);
  EXPECT_EQ(report.blocks, (Names{"words (scalar 4x1), replacing the earlier one"}));
}

TEST(ImportItemMetadata, ChoosesTheDomainAmongSeveral) {
  TempDir dir;
  ImportOptions csv = import_options("csv", {dir.write("x.csv", "u1,a,books\nu1,b,films\n")});
  csv.columns = {{"user", "0"}, {"item", "1"}, {"domain", "2"}};
  write_dataset(import_dataset(csv), dir.file("two.h5"));
  ImportOptions options = import_options("item-metadata", {dir.write("m.csv", "b,Blade Runner\n")});
  options.into = dir.file("two.h5");
  options.feature_columns = {{"id", "0"}, {"text", "1"}};
  expect_error<UsageError>([&] { import_dataset(options); }, {"two.h5 has 2 domains (books, films): choose one with --domain"});
  options.domain = "films";
  const Dataset ds = import_dataset(options);
  EXPECT_EQ(ds.domain("films").item_features.size(), 1u);
  EXPECT_TRUE(ds.domain("books").item_features.empty());
  options.domain = "music";
  expect_error<UsageError>([&] { import_dataset(options); }, {"music", "books, films"});
}

TEST(ImportItemMetadataErrors, Usage) {
  TempDir dir;
  const std::string table = std::string(kHeader) + "i1\tRose\t'Beauty'\t1\tAcme\t\n";
  auto expect_usage = [&](Columns columns, std::initializer_list<std::string> parts) {
    const ImportOptions options = metadata_options(dir, table, std::move(columns));
    expect_error<UsageError>([&] { import_dataset(options); }, parts);
  };
  expect_usage({{"id", "item_id"}, {"text", "name"}},
               {"--feature-column text=name: no column named 'name'; the header has: item_id:token, title:token, "
                "categories:token_seq, price:float, brand:token, tags"});
  expect_usage({{"id", "item_id"}, {"text", "9"}}, {"text=9", "the header has only 6 columns"});
  expect_usage({{"id", "item_id"}, {"colour", "brand"}},
               {"unknown role 'colour'; valid roles: id, text, token, token_list, float, category_path"});
  expect_usage({{"text", "title"}}, {"exactly one --feature-column id=<column>, got 0"});
  expect_usage({{"id", "item_id"}, {"id", "title"}, {"text", "title"}}, {"exactly one", "got 2"});
  expect_usage({{"id", "item_id"}}, {"nothing to import besides the id"});
  expect_usage({{"id", "item_id"}, {"category_path", "categories"}, {"category_path", "tags"}},
               {"at most one category_path column"});
  expect_usage({{"id", "item_id"}, {"token", "brand"}, {"token_list", "brand"}}, {"two blocks would be named 'brand'"});

  ImportOptions no_header = metadata_options(dir, "i1\tRose\n", {{"id", "0"}, {"text", "title"}});
  no_header.header = false;
  expect_error<UsageError>([&] { import_dataset(no_header); }, {"text=title names a column: add --header"});
  ImportOptions no_into = metadata_options(dir, table, {{"id", "0"}, {"text", "1"}});
  no_into.into.clear();
  expect_error<UsageError>([&] { import_dataset(no_into); }, {"--into is required"});
}

TEST(ImportItemMetadataErrors, BadTables) {
  TempDir dir;
  auto expect_data = [&](const std::string& rows, std::initializer_list<std::string> parts) {
    const ImportOptions options = metadata_options(dir, kHeader + rows, kAllRoles);
    std::vector<std::string> located;
    for (const std::string& p : parts) located.push_back(p[0] == ':' ? options.inputs[0] + p : p);
    try {
      import_dataset(options);
      ADD_FAILURE() << "expected a DataError for " << rows;
    } catch (const DataError& e) {
      for (const std::string& p : located) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  expect_data("i1\tA\t\t1\t\t\ni2\tB\t\t2\t\t\ni1\tC\t\t3\t\t\n", {":4: item 'i1' listed twice (first on line 2)"});
  expect_data("x\tA\t\t1\t\t\nx\tB\t\t2\t\t\n", {":3: item 'x' listed twice"});
  expect_data("i1\tA\t\t1\t\t\ni2\tB\t\tcheap\t\t\n",
              {":3: column 'price:float' must be a finite number, got 'cheap'"});
  expect_data("i1\tA\t\t1\t\t\ni2\tB\t\t2\n", {":3: expected 6 fields separated by '\\t', got 4"});
  expect_data("i1\t\t\t1\t\t\ni2\t\t\t2\t\t\n", {"text column 'title:token' is empty on every line"});
  expect_data("i1\tA\t\t1\t\t\ni2\t\"B\t\t2\t\t\n", {":3: a quoted field (\") is not closed"});
  expect_data("q1\tA\t\t1\t\t\nq2\tB\t\t2\t\t\n", {"none of its 2 ids is an item of domain 'main'", "wrong id column?"});
  expect_data("\tA\t\t1\t\t\n", {":2: missing item id"});
}

TEST(ImportItemMetadataRealData, AmazonBeautyItemsWithTextFeaturesUnderTwoSeconds) {
  GRAFT_REQUIRE_SHARED_DATA(root, "amazon-beauty");
  TempDir dir;
  ImportOptions sequences = import_options("sequences", {root + "/sequences.txt"});
  sequences.domain = "beauty";
  write_dataset(import_dataset(sequences), dir.file("beauty.h5"));

  ImportOptions options = import_options("item-metadata", {root + "/items.tsv"});
  options.into = dir.file("beauty.h5");
  options.delimiter = '\t';
  options.header = true;
  options.feature_columns = {{"id", "item_id"},   {"text", "title"},         {"token", "brand"},
                             {"float", "price"}, {"float", "sales_rank"}, {"category_path", "categories"}};
  ImportReport report;
  const auto start = std::chrono::steady_clock::now();
  const Dataset ds = import_dataset(options, &report);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2.0);
  const Domain& d = ds.domain("beauty");
  // 12,101 rows for the 12,101 items; 7 empty titles; six second-level categories.
  EXPECT_EQ(report.lines_read, 12101);
  EXPECT_TRUE(report.dropped.empty());
  EXPECT_EQ(report.noted.count("items without metadata"), 0u);
  EXPECT_EQ(report.noted.at("empty text"), 7);
  const FeatureBlock& text = *d.find_item_features("text");
  EXPECT_EQ(text.kind, FeatureKind::kDense);
  EXPECT_EQ(text.width, 256);
  EXPECT_EQ(text.num_missing(), 7);
  EXPECT_EQ(d.find_item_features("price")->num_missing(), 585);
  EXPECT_EQ(d.find_item_features("sales_rank")->num_missing(), 286);
  EXPECT_EQ(d.find_item_features("brand")->num_missing(), 2098);
  EXPECT_EQ(d.num_categories(), 261);
  int64_t second_level = 0;
  for (const std::string& name : d.category_names) {
    second_level += name.rfind("Beauty > ", 0) == 0 && name.find(" > ", 9) == std::string::npos;
  }
  EXPECT_EQ(second_level, 6);
  const auto makeup = std::find(d.category_names.begin(), d.category_names.end(),
                                "Beauty > Makeup > Face > Concealers & Neutralizers");
  EXPECT_NE(makeup, d.category_names.end());
  const auto fragrance = std::find(d.category_names.begin(), d.category_names.end(),
                                   "Beauty > Fragrance > Women's > Eau de Parfum");
  EXPECT_NE(fragrance, d.category_names.end());
}

}  // namespace
}  // namespace graft::io
