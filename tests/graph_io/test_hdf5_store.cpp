// Round trips and schema checks of the dataset.h5 store.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "tests/graph_io/expect_equal_datasets.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using testing::slurp;
using testing::TempDir;

// Two domains, every optional column, categories, and a split with sampled negatives.
Dataset small_dataset() {
  Dataset ds;
  ds.user_ids = {"alice", "bob", "carol"};
  Domain shop;
  shop.name = "shop";
  shop.item_ids = {"i0", "i1", "i2", "i3"};
  shop.category_names = {"books", "games"};
  shop.item_category_offsets = {0, 1, 3, 3, 4};
  shop.item_category = {0, 0, 1, 1};
  shop.interactions.user = {0, 0, 1, 2, 2};
  shop.interactions.item = {0, 1, 2, 3, 0};
  shop.interactions.time = {10, 20, 30, 40, 50};
  shop.interactions.behavior = {0, 3, 1, 2, 0};
  shop.interactions.weight = {1.0f, 5.0f, 2.5f, 1.0f, 4.0f};
  Domain video;
  video.name = "video";
  video.item_ids = {"v0", "v1"};
  video.interactions.user = {1, 2};
  video.interactions.item = {1, 0};
  ds.domains = {shop, video};
  Split split;
  split.name = "cold_start";
  split.kind = "cold_start_users";
  split.params = {{"seed", "7"}, {"source", "video"}};
  DomainSplit part;
  part.domain = "shop";
  part.train = {0, 1, 2};
  part.valid = {3};
  part.test = {4};
  part.cold_start_users = {2};
  part.negatives_per_case = 2;
  part.valid_negatives = {1, 2};
  part.test_negatives = {1, 2};
  split.parts.push_back(part);
  DomainSplit source;
  source.domain = "video";
  source.train = {0, 1};
  split.parts.push_back(source);
  ds.splits = {split};
  ds.provenance.command = "graft data import x";
  ds.provenance.graft_version = "0.1.0";
  ds.provenance.sources = {{"/data/a.txt", 123, "deadbeef"}};
  return ds;
}

// Expects read_dataset(path) to throw DataError whose message contains every fragment.
void expect_read_error(const std::string& path, const std::vector<std::string>& fragments) {
  try {
    read_dataset(path);
    ADD_FAILURE() << "no error reading " << path;
  } catch (const DataError& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

TEST(Hdf5Store, RoundTripKeepsEverything) {
  TempDir dir;
  const Dataset ds = small_dataset();
  write_dataset(ds, dir.file("d.h5"));
  expect_equal(ds, read_dataset(dir.file("d.h5")));
}

TEST(Hdf5Store, RoundTripOfEmptyDomainAndLargeChunkedArrays) {
  TempDir dir;
  Dataset ds;
  for (int u = 0; u < 1000; ++u) ds.user_ids.push_back("u" + std::to_string(u));
  Domain big;
  big.name = "big";
  for (int i = 0; i < 500; ++i) big.item_ids.push_back(std::to_string(i));
  for (int k = 0; k < 700000; ++k) {
    big.interactions.user.push_back(k % 1000);
    big.interactions.item.push_back((k * 7) % 500);
  }
  Domain empty;
  empty.name = "empty";
  ds.domains = {big, empty};
  write_dataset(ds, dir.file("big.h5"));
  expect_equal(ds, read_dataset(dir.file("big.h5")));
}

TEST(Hdf5Store, SameDatasetGivesByteIdenticalFiles) {
  TempDir dir;
  write_dataset(small_dataset(), dir.file("a.h5"));
  write_dataset(small_dataset(), dir.file("b.h5"));
  EXPECT_EQ(slurp(dir.file("a.h5")), slurp(dir.file("b.h5")));
}

TEST(Hdf5Store, InvalidDatasetIsNotWrittenAndLeavesNothing) {
  TempDir dir;
  Dataset ds = small_dataset();
  ds.domains[0].interactions.item[2] = 99;
  try {
    write_dataset(ds, dir.file("bad.h5"));
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/domains/shop/interactions/item"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Hdf5Store, FailedWriteKeepsThePreviousFile) {
  TempDir dir;
  write_dataset(small_dataset(), dir.file("d.h5"));
  const std::string before = slurp(dir.file("d.h5"));
  Dataset bad = small_dataset();
  bad.splits[0].parts[0].test = {42};
  EXPECT_THROW(write_dataset(bad, dir.file("d.h5")), DataError);
  EXPECT_EQ(before, slurp(dir.file("d.h5")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(Hdf5Store, MissingFileAndDirectoryAreNamed) {
  TempDir dir;
  expect_read_error(dir.file("nope.h5"), {"nope.h5", "no such file"});
  expect_read_error(dir.path().string(), {"is a directory"});
}

TEST(Hdf5Store, TextFileIsNotHdf5) {
  TempDir dir;
  const std::string path = dir.write("fake.h5", "user\titem\n1\t2\n");
  expect_read_error(path, {"fake.h5", "not an HDF5 file"});
}

TEST(Hdf5Store, ForeignHdf5FileIsRejected) {
  TempDir dir;
  {
    H5::FileAccPropList fapl;
    fapl.setLibverBounds(H5F_LIBVER_V110, H5F_LIBVER_V110);
    H5::H5File f(dir.file("other.h5"), H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
    f.createGroup("/data");
  }
  expect_read_error(dir.file("other.h5"), {"other.h5", "missing attribute 'format'"});
}

TEST(Hdf5Store, FileWithoutMetadataChecksumsIsRejectedBeforeHdf5ParsesIt) {
  TempDir dir;
  { H5::H5File f(dir.file("old.h5"), H5F_ACC_TRUNC); f.createGroup("/data"); }
  expect_read_error(dir.file("old.h5"), {"old.h5", "HDF5 superblock version 0 has no checksums"});
}

// Opens a written file for surgery that simulates corruption or another writer.
class CorruptedStore : public ::testing::Test {
 protected:
  void SetUp() override { write_dataset(small_dataset(), path_); }
  H5::H5File open() { return H5::H5File(path_, H5F_ACC_RDWR); }
  TempDir dir_;
  std::string path_ = dir_.file("d.h5");
};

TEST_F(CorruptedStore, UnknownSchemaVersion) {
  {
    H5::H5File f = open();
    H5::Group root = f.openGroup("/");
    const int64_t v = 99;
    root.openAttribute("schema_version").write(H5::PredType::NATIVE_INT64, &v);
  }
  expect_read_error(path_, {"d.h5", "unknown schema version 99"});
}

TEST_F(CorruptedStore, MissingDatasetIsNamedByPath) {
  { H5Ldelete(open().getId(), "/domains/shop/interactions/item", H5P_DEFAULT); }
  expect_read_error(path_, {"d.h5", "/domains/shop/interactions/item", "missing"});
}

TEST_F(CorruptedStore, WrongDtypeIsNamedByPath) {
  {
    H5::H5File f = open();
    H5Ldelete(f.getId(), "/domains/shop/interactions/user", H5P_DEFAULT);
    const hsize_t n = 5;
    const float values[5] = {0, 0, 1, 2, 2};
    f.createDataSet("/domains/shop/interactions/user", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, &n))
        .write(values, H5::PredType::NATIVE_FLOAT);
  }
  expect_read_error(path_, {"/domains/shop/interactions/user", "wrong dtype, expected int64"});
}

TEST_F(CorruptedStore, IdOutOfRangeIsNamedByPath) {
  {
    H5::H5File f = open();
    const int64_t ids[5] = {0, 0, 1, 7, 2};
    f.openDataSet("/domains/shop/interactions/user").write(ids, H5::PredType::NATIVE_INT64);
  }
  expect_read_error(path_, {"d.h5", "/domains/shop/interactions/user", "7 not in [0, 3)"});
}

TEST_F(CorruptedStore, InconsistentLengthsAreNamed) {
  {
    H5::H5File f = open();
    H5Ldelete(f.getId(), "/domains/shop/interactions/time", H5P_DEFAULT);
    const hsize_t n = 2;
    const int64_t t[2] = {1, 2};
    f.createDataSet("/domains/shop/interactions/time", H5::PredType::NATIVE_INT64, H5::DataSpace(1, &n))
        .write(t, H5::PredType::NATIVE_INT64);
  }
  expect_read_error(path_, {"/domains/shop/interactions/time", "length 2 differs from 5"});
}

TEST_F(CorruptedStore, TruncatedFileIsAnError) {
  const std::string bytes = slurp(path_);
  std::ofstream(path_, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  expect_read_error(path_, {"d.h5: /: the HDF5 superblock records", "(truncated or damaged)"});
}

TEST_F(CorruptedStore, DamagedMetadataFailsItsChecksum) {
  std::string bytes = slurp(path_);
  const size_t header = bytes.find("OHDR", 48);  // the first object header after the superblock
  ASSERT_NE(header, std::string::npos);
  bytes[header + 8] ^= 0x40;
  std::ofstream(path_, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  expect_read_error(path_, {"d.h5", "unreadable HDF5"});
}

}  // namespace
}  // namespace graft::io
