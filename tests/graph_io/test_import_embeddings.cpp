// --format embeddings through import_dataset: every matrix layout, the join by item id and its
// counts, the bad inputs, and the real UniSRec files of amazon-scientific (skipped when absent).
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/importers.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using testing::expect_error;
using testing::TempDir;

// Row r of the test matrices: r.0, r.1, r.2.
std::vector<float> matrix_values(int rows, int width = 3) {
  std::vector<float> v;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < width; ++c) v.push_back(static_cast<float>(r) + 0.125f * static_cast<float>(c));
  }
  return v;
}

template <typename T>
std::string bytes_of(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// A .npy file as NumPy writes it: magic, version, header length, dict padded to 64 bytes.
std::string npy(const std::string& dict, const std::string& data, int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  const auto n = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string npy_f4(int rows, int width = 3, int major = 1) {
  return npy("{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                 std::to_string(width) + "), }",
             bytes_of(matrix_values(rows, width)), major);
}

Dataset shop_dataset(std::vector<std::string> items) {
  Dataset ds;
  ds.user_ids = {"u0"};
  Domain shop;
  shop.name = "shop";
  shop.item_ids = std::move(items);
  shop.interactions.user = {0};
  shop.interactions.item = {0};
  ds.domains = {shop};
  ds.provenance.command = "graft data import --format csv";
  return ds;
}

class ImportEmbeddings : public ::testing::Test {
 protected:
  void SetUp() override { write_dataset(shop_dataset({"A", "B", "C", "D"}), into_); }

  ImportOptions options(const std::string& matrix, const std::string& ids) const {
    ImportOptions o = testing::import_options("embeddings", {dir_.write("matrix", matrix), dir_.write("ids.txt", ids)});
    o.into = into_;
    o.block = "text";
    return o;
  }

  // The block imported with these options, expecting item rows `rows` (-1: missing).
  void expect_block(const ImportOptions& o, const std::vector<int>& rows, ImportReport* report = nullptr) {
    const Dataset ds = import_dataset(o, report);
    const FeatureBlock* b = ds.domain("shop").find_item_features("text");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->kind, FeatureKind::kDense);
    EXPECT_EQ(b->rows, 4);
    ASSERT_EQ(b->width, 3);
    std::vector<float> want;
    std::vector<uint8_t> missing;
    for (const int r : rows) {
      for (int c = 0; c < 3; ++c) want.push_back(r < 0 ? 0.0f : static_cast<float>(r) + 0.125f * static_cast<float>(c));
      missing.push_back(r < 0 ? 1 : 0);
    }
    EXPECT_EQ(b->values, want);
    EXPECT_EQ(b->missing, std::count(rows.begin(), rows.end(), -1) ? missing : std::vector<uint8_t>{});
  }

  TempDir dir_;
  std::string into_ = dir_.file("d.h5");
};

TEST_F(ImportEmbeddings, NpyRowsJoinedByIdWithCounts) {
  ImportReport report;
  expect_block(options(npy_f4(4), "C\nA\nX\nB\n"), {1, 3, 0, -1}, &report);
  EXPECT_EQ(report.lines_read, 4);
  EXPECT_EQ(report.dropped,
            (std::map<std::string, int64_t>{{"ids not in the dataset", 1}, {"items without a row", 1}}));
  EXPECT_NE(report.summary().find("1 ids not in the dataset, 1 items without a row"), std::string::npos)
      << report.summary();
}

TEST_F(ImportEmbeddings, EveryItemMatchedLeavesNoMask) {
  ImportReport report;
  expect_block(options(npy_f4(4), "D\nC\nB\nA\n"), {3, 2, 1, 0}, &report);
  EXPECT_TRUE(report.dropped.empty());
}

TEST_F(ImportEmbeddings, NpyVersionsAndFloat64) {
  expect_block(options(npy_f4(4, 3, 2), "A\nB\nC\nD\n"), {0, 1, 2, 3});
  expect_block(options(npy_f4(4, 3, 3), "A\nB\nC\nD\n"), {0, 1, 2, 3});
  std::vector<double> f8;
  for (const float x : matrix_values(4)) f8.push_back(x);
  expect_block(
      options(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }", bytes_of(f8)), "A\nB\nC\nD\n"),
      {0, 1, 2, 3});
}

TEST_F(ImportEmbeddings, RawFloat32TakesItsWidthFromTheSize) {
  expect_block(options(bytes_of(matrix_values(3)), "B\nC\nA\n"), {2, 0, 1, -1});
}

TEST_F(ImportEmbeddings, RawFloat32ThatDoesNotDivideIsRefused) {
  const ImportOptions o = options(bytes_of(matrix_values(3)) + "xx", "B\nC\nA\n");
  expect_error<DataError>([&] { import_dataset(o); },
                          {"matrix: raw float32 file of 38 bytes does not divide into 3 rows"});
}

TEST_F(ImportEmbeddings, IdRowPairsSelectRowsAndCountUnusedOnes) {
  // UniSRec layout with a padding row 0 that no id points to.
  ImportReport report;
  expect_block(options(bytes_of(matrix_values(5)), "A\t4\nB\t2\nC\t1\n"), {4, 2, 1, -1}, &report);
  EXPECT_EQ(report.lines_read, 5);
  EXPECT_EQ(report.dropped.at("unused rows"), 2);  // rows 0 and 3
  EXPECT_EQ(report.dropped.at("items without a row"), 1);
  expect_block(options(npy_f4(4), "D\t0\nC\t1\nB\t2\nA\t3\n"), {3, 2, 1, 0});
}

TEST_F(ImportEmbeddings, HdfDatasetOfAForeignFile) {
  const std::string path = dir_.file("emb.h5");
  {
    H5::H5File f(path, H5F_ACC_TRUNC);  // default (oldest) file format, as h5py writes
    std::vector<double> values;
    for (const float x : matrix_values(4)) values.push_back(x);
    const hsize_t dims[2] = {4, 3};
    f.createGroup("/model");
    f.createDataSet("/model/emb", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(2, dims))
        .write(values.data(), H5::PredType::NATIVE_DOUBLE);
    const hsize_t n = 3;
    f.createDataSet("/flat", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, &n))
        .write(values.data(), H5::PredType::NATIVE_DOUBLE);
  }
  ImportOptions o = options("", "B\nA\nD\nC\n");
  o.inputs[0] = path;
  o.hdf5_dataset = "/model/emb";
  expect_block(o, {1, 0, 3, 2});
  o.hdf5_dataset = "/model/nope";
  expect_error<DataError>([&] { import_dataset(o); }, {"emb.h5: /model/nope: no such dataset"});
  o.hdf5_dataset = "/model";
  expect_error<DataError>([&] { import_dataset(o); }, {"emb.h5: /model: not a dataset"});
  o.hdf5_dataset = "/flat";
  expect_error<DataError>([&] { import_dataset(o); }, {"emb.h5: /flat: expected a 2-dimensional array"});
  o.hdf5_dataset = "/model/emb";
  o.inputs[0] = dir_.write("fake.h5", "not hdf5");
  expect_error<DataError>([&] { import_dataset(o); }, {"fake.h5: unreadable HDF5"});
}

TEST_F(ImportEmbeddings, NonFiniteValuesNameFileAndRow) {
  std::vector<float> values = matrix_values(4);
  values[7] = std::nanf("");
  expect_error<DataError>([&] { import_dataset(options(bytes_of(values), "A\nB\nC\nD\n")); },
                          {"matrix: row 2: NaN at column 1"});
  values[7] = 1.0f;
  values[9] = -std::numeric_limits<float>::infinity();
  expect_error<DataError>([&] { import_dataset(options(bytes_of(values), "A\nB\nC\nD\n")); },
                          {"matrix: row 3: Inf at column 0"});
  const std::vector<double> huge(12, 1e300);
  const std::string f8 = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }", bytes_of(huge));
  expect_error<DataError>([&] { import_dataset(options(f8, "A\nB\nC\nD\n")); }, {"matrix: row 0: Inf at column 0"});
}

TEST_F(ImportEmbeddings, BadRowIdFilesNameFileAndLine) {
  expect_error<DataError>([&] { import_dataset(options(npy_f4(4), "A\nB\nA\nD\n")); },
                          {"ids.txt:3: duplicate id 'A' (first on line 1)"});
  expect_error<DataError>([&] { import_dataset(options(npy_f4(4), "A\t0\nB\t1\nC\t1\n")); },
                          {"ids.txt:3: row 1 already given on line 2"});
  expect_error<DataError>([&] { import_dataset(options(npy_f4(4), "A\t0\nB\t4\n")); },
                          {"ids.txt:2: row 4 is beyond the 4 rows of", "matrix"});
  expect_error<DataError>([&] { import_dataset(options(npy_f4(4), "A\t0\nB\n")); }, {"ids.txt:2: expected 2 fields"});
  expect_error<DataError>([&] { import_dataset(options(npy_f4(4), "A\t-1\n")); },
                          {"ids.txt:1: row must be a non-negative integer"});
  expect_error<DataError>([&] { import_dataset(options(npy_f4(4), "A\nB\nC\n")); },
                          {"ids.txt: 3 ids for the 4 rows of", "'id<TAB>row' pairs select rows"});
}

TEST_F(ImportEmbeddings, NoMatchingIdIsRefused) {
  expect_error<DataError>([&] { import_dataset(options(npy_f4(2), "X\nY\n")); },
                          {"ids.txt: none of its 2 ids is an item of domain 'shop' in", "d.h5", "(first id 'X')"});
}

TEST_F(ImportEmbeddings, BadNpyFilesAreNamed) {
  const auto fails = [&](const std::string& file, const std::string& fragment) {
    expect_error<DataError>([&] { import_dataset(options(file, "A\nB\nC\nD\n")); }, {"/matrix: ", fragment});
  };
  const std::string data = bytes_of(matrix_values(4));
  fails(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (4, 3), }", data), ".npy dtype '>f4' is not supported");
  fails(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (4, 3), }", data), ".npy dtype '<i8' is not supported");
  fails(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 3), }", data), "Fortran order");
  fails(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (12,), }", data), "1 dimensions, expected 2");
  fails(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", data.substr(4)),
        ".npy data holds 44 bytes of data, but 4 x 3 values of 4 bytes need 48");
  fails(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000000, 3000000000), }", data),
        "need over 2^64");
  fails(npy("{'descr': '<f4', 'shape': (4, 3), }", data), ".npy header lacks 'fortran_order'");
  fails(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, x), }", data), "bad shape");
  fails(std::string("\x93NUMPY\x07\0", 8) + "xx", ".npy format version 7 is not supported");
}

TEST_F(ImportEmbeddings, UsageErrors) {
  ImportOptions o = options(npy_f4(4), "A\nB\nC\nD\n");
  o.block = "";
  expect_error<UsageError>([&] { import_dataset(o); }, {"--block is required"});
  o.block = "a/b";
  expect_error<UsageError>([&] { import_dataset(o); }, {"feature block name 'a/b' must be non-empty, contain no '/'"});
  o.block = "text";
  o.into = "";
  expect_error<UsageError>([&] { import_dataset(o); }, {"embeddings: --into is required"});
  o.into = into_;
  o.inputs.pop_back();
  expect_error<UsageError>([&] { import_dataset(o); },
                           {"embeddings expects the embedding matrix and the row-id file, got 1 input"});
}

TEST_F(ImportEmbeddings, ExistingBlockNameIsRefused) {
  const ImportOptions o = options(npy_f4(4), "A\nB\nC\nD\n");
  write_dataset(import_dataset(o), into_);
  expect_error<UsageError>([&] { import_dataset(o); },
                           {"d.h5: domain 'shop' already has an item feature block 'text'"});
}

TEST_F(ImportEmbeddings, DomainMustBeChosenWhenThereAreSeveral) {
  Dataset two = shop_dataset({"A", "B", "C", "D"});
  two.domains.push_back(two.domains.front());
  two.domains.back().name = "video";
  two.domains.back().item_ids = {"V", "A"};
  write_dataset(two, into_);
  ImportOptions o = options(npy_f4(4), "A\nB\nC\nD\n");
  expect_error<UsageError>([&] { import_dataset(o); }, {"d.h5 has 2 domains (shop, video): choose one with --domain"});
  o.domain = "music";
  expect_error<UsageError>([&] { import_dataset(o); }, {"unknown domain 'music'"});
  o.domain = "video";
  ImportReport report;
  const Dataset ds = import_dataset(o, &report);
  EXPECT_TRUE(ds.domain("shop").item_features.empty());
  const FeatureBlock& b = ds.domain("video").item_features.at(0);
  EXPECT_EQ(b.missing, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(std::vector<float>(b.values.begin() + 3, b.values.end()), std::vector<float>(matrix_values(1)));
  EXPECT_EQ(report.dropped.at("ids not in the dataset"), 3);
}

TEST_F(ImportEmbeddings, WritingBackOverIntoKeepsTheDatasetAndAddsBlocks) {
  write_dataset(import_dataset(options(npy_f4(4), "A\nB\nC\nD\n")), into_);
  ImportOptions second = options(bytes_of(matrix_values(4, 2)), "D\nC\nB\nA\n");
  second.block = "image";
  const Dataset imported = import_dataset(second);
  write_dataset(imported, into_);
  const Dataset ds = read_dataset(into_);
  expect_equal(imported, ds);
  ASSERT_EQ(ds.domain("shop").item_features.size(), 2u);
  EXPECT_EQ(ds.domain("shop").item_features[1].name, "image");
  EXPECT_EQ(ds.domain("shop").item_features[1].width, 2);
  EXPECT_EQ(ds.domain("shop").interactions.user, (std::vector<int64_t>{0}));
  ASSERT_EQ(ds.provenance.sources.size(), 3u);  // the files this import read, checksummed
  EXPECT_EQ(ds.provenance.sources[0].path, into_);
  EXPECT_EQ(ds.provenance.sources[2].path, second.inputs[1]);
  EXPECT_EQ(ds.provenance.sources[2].size, 8u);
}

// Scientific.feat1CLS holds [1585, 512] float32; row i belongs to the item with index i in
// Scientific.item2index ("ASIN<TAB>index", indices 0..1584, no padding row).
TEST(ImportEmbeddingsRealData, AmazonScientificUniSRecLayout) {
  GRAFT_REQUIRE_SHARED_DATA(root, "amazon-scientific");
  const std::string item2index = root + "/Scientific.item2index";
  const std::string features = root + "/Scientific.feat1CLS";
  std::vector<std::string> asins;
  std::vector<int64_t> index;
  std::ifstream in(item2index);
  for (std::string asin, row; std::getline(in, asin, '\t') && std::getline(in, row);) {
    asins.push_back(asin);
    index.push_back(std::stoll(row));
  }
  ASSERT_EQ(asins.size(), 1585u);
  // The dataset lists the items in reverse and has one item without an embedding.
  std::vector<std::string> items(asins.rbegin(), asins.rend());
  items.push_back("NO-EMBEDDING");
  TempDir dir;
  write_dataset(shop_dataset(items), dir.file("d.h5"));
  ImportOptions o = testing::import_options("embeddings", {features, item2index});
  o.into = dir.file("d.h5");
  o.block = "text_cls";
  ImportReport report;
  const Dataset ds = import_dataset(o, &report);
  EXPECT_EQ(report.lines_read, 1585);
  EXPECT_EQ(report.dropped, (std::map<std::string, int64_t>{{"items without a row", 1}}));
  const FeatureBlock& b = *ds.domain("shop").find_item_features("text_cls");
  EXPECT_EQ(b.rows, 1586);
  EXPECT_EQ(b.width, 512);
  EXPECT_EQ(b.num_missing(), 1);
  EXPECT_TRUE(b.is_missing(1585));
  // Item k of the dataset is asins[1584 - k], whose embedding is row index[1584 - k] of the file.
  std::ifstream raw(features, std::ios::binary);
  std::vector<float> row(512);
  for (const size_t k : {size_t{0}, size_t{700}, size_t{1584}}) {
    raw.seekg(static_cast<std::streamoff>(index[1584 - k] * 512 * 4));
    raw.read(reinterpret_cast<char*>(row.data()), 512 * 4);
    EXPECT_EQ(std::vector<float>(b.values.begin() + static_cast<std::ptrdiff_t>(k * 512),
                                 b.values.begin() + static_cast<std::ptrdiff_t>((k + 1) * 512)),
              row)
        << "item " << k;
  }
  testing::expect_store_round_trip(ds);
}

}  // namespace
}  // namespace graft::io
