// Feature blocks (schema v2): validate() on in-memory blocks, store round trips, reading version 1
// files, and schema checks of damaged feature datasets.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using testing::expect_error;
using testing::slurp;
using testing::TempDir;

FeatureBlock dense_block(const std::string& name, int64_t rows, int64_t width) {
  FeatureBlock b;
  b.name = name;
  b.rows = rows;
  b.width = width;
  for (int64_t k = 0; k < rows * width; ++k) b.values.push_back(0.25f * static_cast<float>(k) - 1.0f);
  return b;
}

FeatureBlock sparse_block(const std::string& name, int64_t width, std::vector<int64_t> offsets,
                          std::vector<int32_t> indices, std::vector<std::string> vocabulary = {}) {
  FeatureBlock b;
  b.name = name;
  b.kind = FeatureKind::kSparse;
  b.rows = static_cast<int64_t>(offsets.size()) - 1;
  b.width = width;
  b.offsets = std::move(offsets);
  b.indices = std::move(indices);
  for (size_t k = 0; k < b.indices.size(); ++k) b.values.push_back(1.0f + static_cast<float>(k));
  b.vocabulary = std::move(vocabulary);
  return b;
}

// Two domains; shop has every kind of item block and a user block, video a block with holes.
Dataset featured_dataset() {
  Dataset ds;
  ds.user_ids = {"alice", "bob", "carol"};
  Domain shop;
  shop.name = "shop";
  shop.item_ids = {"i0", "i1", "i2", "i3"};
  shop.interactions.user = {0, 1, 2};
  shop.interactions.item = {0, 1, 3};
  FeatureBlock price;
  price.name = "price";
  price.kind = FeatureKind::kScalar;
  price.rows = 4;
  price.width = 1;
  price.values = {9.5f, 0.0f, 3.25f, 0.0f};
  price.missing = {0, 1, 0, 1};
  shop.item_features = {dense_block("text", 4, 3),
                        sparse_block("brand", 3, {0, 1, 1, 2, 3}, {2, 0, 1}, {"acme", "globex", "initech"}),
                        sparse_block("tags", 16, {0, 3, 3, 3, 5}, {1, 7, 15, 0, 9}), price};
  shop.user_features = {dense_block("profile", 3, 2)};
  Domain video;
  video.name = "video";
  video.item_ids = {"v0", "v1"};
  video.interactions.user = {1};
  video.interactions.item = {1};
  FeatureBlock emb = dense_block("emb", 2, 5);
  std::fill(emb.values.begin() + 5, emb.values.end(), 0.0f);
  emb.missing = {0, 1};
  video.item_features = {emb};
  ds.domains = {shop, video};
  ds.provenance.command = "graft data import --format embeddings";
  ds.provenance.graft_version = "0.1.0";
  return ds;
}

// --- validate ------------------------------------------------------------------------------

// validate() of featured_dataset() after `change` throws a DataError with every fragment.
template <typename Change>
void expect_invalid(Change change, std::initializer_list<std::string> fragments) {
  Dataset ds = featured_dataset();
  change(ds);
  expect_error<DataError>([&] { validate(ds, "d.h5"); }, fragments);
}

TEST(FeatureBlocks, ValidDatasetPasses) { EXPECT_NO_THROW(validate(featured_dataset(), "d.h5")); }

TEST(FeatureBlocks, RowsMustMatchTheItemsAndUsers) {
  expect_invalid(
      [](Dataset& ds) { ds.domains[0].item_ids.push_back("i4"); },
      {"d.h5: /domains/shop/features/items/text", "feature block 'text' has 4 rows but domain 'shop' has 5 items"});
  expect_invalid([](Dataset& ds) { ds.user_ids.push_back("dave"); },
                 {"/domains/shop/features/users/profile", "has 3 rows but the dataset has 4 users"});
}

TEST(FeatureBlocks, NamesMustBeValidAndUnique) {
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[0].name = "a/b"; },
                 {"must be non-empty and contain no '/'"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[0].name = ""; }, {"/domains/shop/features/items/:"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[0].name = "names"; }, {"'names' is reserved"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[1].name = "text"; },
                 {"/domains/shop/features/items/text", "duplicate feature block"});
  // The same name for an item and a user block, or in two domains, is fine.
  Dataset ds = featured_dataset();
  ds.domains[0].user_features[0].name = "text";
  ds.domains[1].item_features[0].name = "text";
  EXPECT_NO_THROW(validate(ds, "d.h5"));
}

TEST(FeatureBlocks, DenseAndScalarShapes) {
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[0].values.pop_back(); },
                 {"/domains/shop/features/items/text/values", "has 11 values, expected rows x width = 4 x 3"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[0].width = 0; }, {"width 0 (must be at least 1)"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[3].width = 2; },
                 {"/domains/shop/features/items/price", "scalar block with width 2"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[0].offsets = {0}; },
                 {"dense block with sparse offsets"});
}

TEST(FeatureBlocks, SparseMustBeValidCsr) {
  const std::string path = "/domains/shop/features/items/tags";
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[2].offsets.pop_back(); },
                 {path + "/offsets", "length 4 is not rows + 1 = 5"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[2].offsets[2] = 4; },
                 {path + "/offsets", "not a valid CSR"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[2].indices[4] = 16; },
                 {path + "/indices", "row 3: column 16 not in [0, 16)"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[2].indices[1] = 1; },
                 {path + "/indices", "row 0: columns not strictly ascending"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[2].values.pop_back(); },
                 {path + "/values", "has 4 values for 5 indices"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[1].vocabulary.pop_back(); },
                 {"/domains/shop/features/items/brand/vocabulary", "names 2 columns, width is 3"});
}

TEST(FeatureBlocks, MissingMaskIsOneZeroOrOneBytePerRow) {
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[3].missing.pop_back(); },
                 {"/domains/shop/features/items/price/missing", "length 3 is not rows = 4"});
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[3].missing[2] = 7; }, {"row 2 is neither 0 nor 1"});
}

TEST(FeatureBlocks, NonFiniteValuesNameTheRow) {
  expect_invalid([](Dataset& ds) { ds.domains[0].item_features[0].values[7] = std::nanf(""); },
                 {"/domains/shop/features/items/text/values", "NaN in row 2"});
  expect_invalid(
      [](Dataset& ds) { ds.domains[0].item_features[2].values[4] = -std::numeric_limits<float>::infinity(); },
      {"/domains/shop/features/items/tags/values", "Inf in row 3"});
  expect_invalid([](Dataset& ds) { ds.domains[0].user_features[0].values[5] = std::numeric_limits<float>::infinity(); },
                 {"/domains/shop/features/users/profile/values", "Inf in row 2"});
}

// --- the store -----------------------------------------------------------------------------

TEST(FeatureBlocks, NamedBlocksComeInTheOrderAskedAndAllWhenNoneAreNamed) {
  EXPECT_EQ(split_names(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_names(" , ").empty());
  const Dataset ds = featured_dataset();
  const Domain& shop = ds.domain("shop");
  const auto named = shop.item_blocks("price, text", "item blocks");
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0]->name, "price");
  EXPECT_EQ(named[1]->name, "text");
  EXPECT_EQ(shop.item_blocks("", "item blocks").size(), 4u);
  expect_error<UsageError>([&] { shop.item_blocks("text,title", "features.blocks"); },
                           {"features.blocks", "'shop'", "'title'", "it has: text, brand, tags, price"});
}

TEST(FeatureBlocks, StoreRoundTripKeepsEveryBlock) { testing::expect_store_round_trip(featured_dataset()); }

TEST(FeatureBlocks, StoreRoundTripOfEmptyBlocks) {
  Dataset ds;
  ds.user_ids = {"u"};
  Domain empty;
  empty.name = "empty";
  empty.item_features = {dense_block("emb", 0, 8), sparse_block("tags", 0, {0}, {})};
  ds.domains = {empty};
  testing::expect_store_round_trip(ds);
}

TEST(FeatureBlocks, SameDatasetGivesByteIdenticalFiles) {
  TempDir dir;
  write_dataset(featured_dataset(), dir.file("a.h5"));
  write_dataset(featured_dataset(), dir.file("b.h5"));
  EXPECT_EQ(slurp(dir.file("a.h5")), slurp(dir.file("b.h5")));
}

// Dense values are read at disk speed only when stored contiguous and unfiltered.
TEST(FeatureBlocks, DenseValuesAreContiguousAndUnfiltered) {
  TempDir dir;
  write_dataset(featured_dataset(), dir.file("d.h5"));
  H5::H5File f(dir.file("d.h5"), H5F_ACC_RDONLY);
  const H5::DSetCreatPropList dense = f.openDataSet("/domains/shop/features/items/text/values").getCreatePlist();
  EXPECT_EQ(dense.getLayout(), H5D_CONTIGUOUS);
  EXPECT_EQ(dense.getNfilters(), 0);
  const H5::DSetCreatPropList sparse = f.openDataSet("/domains/shop/features/items/tags/values").getCreatePlist();
  EXPECT_EQ(sparse.getLayout(), H5D_CHUNKED);
  EXPECT_EQ(sparse.getNfilters(), 3);  // shuffle, deflate, Fletcher-32 like the rest of the file
}

TEST(FeatureBlocks, WritingOverTheFileItWasReadFromWorks) {
  TempDir dir;
  Dataset ds = featured_dataset();
  ds.domains[1].item_features.clear();
  write_dataset(ds, dir.file("d.h5"));
  Dataset again = read_dataset(dir.file("d.h5"));
  again.domains[1].item_features = featured_dataset().domains[1].item_features;
  write_dataset(again, dir.file("d.h5"));
  expect_equal(featured_dataset(), read_dataset(dir.file("d.h5")));
}

// Opens a written file for surgery that simulates corruption, other writers, or older files.
class FeatureStore : public ::testing::Test {
 protected:
  void SetUp() override { write_dataset(featured_dataset(), path_); }
  H5::H5File open() { return H5::H5File(path_, H5F_ACC_RDWR); }

  void set_int_attribute(const std::string& object, const std::string& name, int64_t value) {
    H5::H5File f = open();
    f.openGroup(object).openAttribute(name).write(H5::PredType::NATIVE_INT64, &value);
  }

  // Replaces the dataset at `path` with `values` of the given type and extent.
  template <typename T>
  void replace(const std::string& path, const H5::PredType& type, std::vector<hsize_t> dims,
               const std::vector<T>& values) {
    H5::H5File f = open();
    H5Ldelete(f.getId(), path.c_str(), H5P_DEFAULT);
    f.createDataSet(path, type, H5::DataSpace(static_cast<int>(dims.size()), dims.data())).write(values.data(), type);
  }

  void expect_read_error(std::initializer_list<std::string> fragments) {
    expect_error<DataError>([&] { read_dataset(path_); }, fragments);
  }

  TempDir dir_;
  std::string path_ = dir_.file("d.h5");
};

TEST_F(FeatureStore, VersionOneFileReadsWithoutFeatures) {
  Dataset ds = featured_dataset();
  for (Domain& d : ds.domains) {
    d.item_features.clear();
    d.user_features.clear();
  }
  write_dataset(ds, path_);
  {
    H5::H5File f = open();
    for (const char* group : {"/domains/shop/features", "/domains/video/features"}) {
      H5Ldelete(f.getId(), group, H5P_DEFAULT);
    }
  }
  set_int_attribute("/", "schema_version", 1);
  expect_equal(ds, read_dataset(path_));
}

TEST_F(FeatureStore, NewerVersionIsRefusedNamingIt) {
  set_int_attribute("/", "schema_version", 3);
  expect_read_error({"d.h5: /: unknown schema version 3", "reads versions 1 to 2", "written by a newer graft"});
}

TEST_F(FeatureStore, VersionTwoRequiresTheBlockList) {
  { H5Ldelete(open().getId(), "/domains/video/features/users/names", H5P_DEFAULT); }
  expect_read_error({"d.h5: /domains/video/features/users/names/chars: missing"});
}

TEST_F(FeatureStore, WrongDtypeIsNamedByPath) {
  replace<double>("/domains/shop/features/items/text/values", H5::PredType::NATIVE_DOUBLE, {4, 3},
                  std::vector<double>(12, 0.5));
  expect_read_error({"d.h5: /domains/shop/features/items/text/values", "wrong dtype, expected float32"});
}

TEST_F(FeatureStore, WrongExtentIsNamedByPath) {
  replace<float>("/domains/shop/features/items/text/values", H5::PredType::NATIVE_FLOAT, {3, 3},
                 std::vector<float>(9, 0.5f));
  expect_read_error({"/domains/shop/features/items/text/values", "has 3 elements, expected rows = 4"});
  replace<float>("/domains/shop/features/items/text/values", H5::PredType::NATIVE_FLOAT, {4, 2},
                 std::vector<float>(8, 0.5f));
  expect_read_error({"/domains/shop/features/items/text/values", "expected 3 columns, got 2"});
}

TEST_F(FeatureStore, SparseOffsetsOfWrongLengthAreNamedByPath) {
  replace<int64_t>("/domains/shop/features/items/tags/offsets", H5::PredType::NATIVE_INT64, {4}, {0, 3, 3, 5});
  expect_read_error({"/domains/shop/features/items/tags/offsets", "expected rows + 1 = 5"});
}

TEST_F(FeatureStore, RowsMismatchNamesBlockAndDomain) {
  set_int_attribute("/domains/video/features/items/emb", "rows", 3);
  expect_read_error({"/domains/video/features/items/emb/values", "has 2 elements, expected rows = 3"});
  set_int_attribute("/domains/video/features/items/emb", "rows", -1);
  expect_read_error({"/domains/video/features/items/emb@rows", "implausible size -1"});
}

TEST_F(FeatureStore, RowsOfAnotherDomainSizeAreRefusedByValidation) {
  // A consistent block whose row count is not the domain's: only validate() can see it.
  const FeatureBlock emb = dense_block("emb", 5, 5);
  replace<float>("/domains/video/features/items/emb/values", H5::PredType::NATIVE_FLOAT, {5, 5}, emb.values);
  set_int_attribute("/domains/video/features/items/emb", "rows", 5);
  { H5Ldelete(open().getId(), "/domains/video/features/items/emb/missing", H5P_DEFAULT); }
  expect_read_error(
      {"/domains/video/features/items/emb", "feature block 'emb' has 5 rows but domain 'video' has 2 items"});
}

TEST_F(FeatureStore, IndexOutOfRangeIsNamedByPath) {
  {
    H5::H5File f = open();
    const std::vector<int32_t> indices = {2, 0, 3};
    f.openDataSet("/domains/shop/features/items/brand/indices").write(indices.data(), H5::PredType::NATIVE_INT32);
  }
  expect_read_error({"d.h5: /domains/shop/features/items/brand/indices", "row 3: column 3 not in [0, 3)"});
}

TEST_F(FeatureStore, NanIsNamedByPathAndRow) {
  {
    H5::H5File f = open();
    std::vector<float> values = dense_block("text", 4, 3).values;
    values[10] = std::nanf("");
    f.openDataSet("/domains/shop/features/items/text/values").write(values.data(), H5::PredType::NATIVE_FLOAT);
  }
  expect_read_error({"d.h5: /domains/shop/features/items/text/values", "NaN in row 3"});
}

TEST_F(FeatureStore, UnknownKindIsNamed) {
  {
    H5::H5File f = open();
    H5::Group g = f.openGroup("/domains/shop/features/items/price");
    g.removeAttr("kind");
    H5::StrType type(H5::PredType::C_S1, 6);
    g.createAttribute("kind", type, H5::DataSpace(H5S_SCALAR)).write(type, std::string("ragged").data());
  }
  expect_read_error({"/domains/shop/features/items/price@kind", "unknown feature kind 'ragged'"});
}

}  // namespace
}  // namespace graft::io
