// Candidate lists from files (graph_io/negatives_file.h): what is stored, what the report counts,
// the HDF5 round trip, and every malformed file.
#include <gtest/gtest.h>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/negatives_file.h"
#include "tests/graph_io/split_fixtures.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using fixtures::expect_error;
using fixtures::make_domain;
using fixtures::user_names;
using graft::testing::TempDir;

// u0 has shop0 shop1 shop5, u1 shop2 shop3 shop4. Valid cases: (u0, shop1), (u1, shop4); test
// case (u0, shop5); two stored negatives per case.
Dataset two_user_dataset() {
  Dataset ds;
  ds.user_ids = user_names(2);
  ds.domains = {make_domain("shop", 6, {0, 0, 0, 1, 1, 1}, {0, 1, 5, 2, 3, 4})};
  Split s;
  s.name = "fixed";
  s.kind = "given";
  DomainSplit& p = s.part_or_add("shop");
  p.train = {0, 3, 4};
  p.valid = {1, 5};
  p.test = {2};
  p.negatives_per_case = 2;
  p.valid_negatives = {2, 3, 0, 2};
  p.test_negatives = {2, 3};
  ds.splits = {s};
  return ds;
}

CandidateFilesRequest request(const std::string& valid, const std::string& test) {
  return CandidateFilesRequest{"fixed", "shop", valid, test};
}

TEST(CandidateFiles, StoresBothPartsAndCountsDeparturesFromTheProtocol) {
  TempDir dir;
  Dataset ds = two_user_dataset();
  const std::string valid = dir.write("valid.txt", "u0 shop1 shop2 shop1 shop5\nu1\tshop4 shop0 shop0 shop2\n");
  const std::string test = dir.write("test.txt", "u0 shop5 shop2 shop3 shop4\n");
  const std::vector<CandidateFileReport> reports = read_candidate_files(ds, request(valid, test));

  const DomainSplit& p = *ds.split("fixed").part("shop");
  EXPECT_EQ(p.negatives_per_case, 3);
  EXPECT_EQ(p.valid_negatives, (std::vector<int64_t>{2, 1, 5, 0, 0, 2}));
  EXPECT_EQ(p.test_negatives, (std::vector<int64_t>{2, 3, 4}));
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].part, "valid");
  EXPECT_EQ(reports[0].cases, 2);
  EXPECT_EQ(reports[0].cases_with_own_positive, 1);    // shop1 among u0's negatives
  EXPECT_EQ(reports[0].cases_with_other_positive, 2);  // shop5 for u0, shop2 for u1
  EXPECT_EQ(reports[0].cases_with_repeats, 1);         // shop0 twice
  EXPECT_EQ(reports[1].cases_with_own_positive + reports[1].cases_with_other_positive + reports[1].cases_with_repeats,
            0);
  EXPECT_EQ(ds.split("fixed").params.at("negatives_file.shop.valid"), valid);

  write_dataset(ds, dir.file("ds.h5"));
  const Dataset read_back = read_dataset(dir.file("ds.h5"));
  const DomainSplit& back = *read_back.split("fixed").part("shop");
  EXPECT_EQ(back.negatives_per_case, 3);
  EXPECT_EQ(back.valid_negatives, p.valid_negatives);
  EXPECT_EQ(back.test_negatives, p.test_negatives);
}

TEST(CandidateFiles, OnePartWithTheStoredCountKeepsTheOther) {
  TempDir dir;
  Dataset ds = two_user_dataset();
  read_candidate_files(ds, request(dir.write("v.txt", "u0 shop1 shop2 shop3\nu1 shop4 shop0 shop5\n"), ""));
  const DomainSplit& p = *ds.split("fixed").part("shop");
  EXPECT_EQ(p.valid_negatives, (std::vector<int64_t>{2, 3, 0, 5}));
  EXPECT_EQ(p.test_negatives, (std::vector<int64_t>{2, 3}));
}

TEST(CandidateFiles, MalformedFilesNameTheFileAndLineAndChangeNothing) {
  TempDir dir;
  Dataset ds = two_user_dataset();
  const std::vector<int64_t> before = ds.split("fixed").part("shop")->valid_negatives;
  const auto valid_only = [&](const std::string& name, const std::string& text) {
    return [&ds, path = dir.write(name, text)] { read_candidate_files(ds, request(path, "")); };
  };
  expect_error<DataError>(valid_only("order.txt", "u1 shop4 shop0 shop5\nu0 shop1 shop2 shop3\n"),
                          {"order.txt:1:", "case 1 is user 'u0' with item 'shop1'", "in order"});
  expect_error<DataError>(valid_only("unknown.txt", "u0 shop1 shop9 shop2\n"),
                          {"unknown.txt:1:", "'shop9' is not an item of domain 'shop'"});
  expect_error<DataError>(valid_only("ragged.txt", "u0 shop1 shop2 shop3\nu1 shop4 shop0 shop5 shop2\n"),
                          {"ragged.txt:2:", "3 negatives, but the first line has 2"});
  expect_error<DataError>(valid_only("short.txt", "u0 shop1 shop2 shop3\n"),
                          {"short.txt", "1 lines, but the part has 2 cases"});
  expect_error<DataError>(valid_only("long.txt", "u0 shop1 shop2 shop3\nu1 shop4 shop0 shop5\nu1 shop4 shop0 shop5\n"),
                          {"long.txt:3:", "more lines than the 2 cases"});
  expect_error<DataError>(valid_only("three.txt", "u0 shop1 shop2 shop3 shop4\nu1 shop4 shop0 shop5 shop1\n"),
                          {"three.txt", "3 negatives per case", "stored test cases", "have 2", "give both files"});
  expect_error<DataError>(valid_only("empty.txt", ""), {"empty.txt"});
  const std::string valid = dir.write("v2.txt", "u0 shop1 shop2 shop3\nu1 shop4 shop0 shop5\n");
  const std::string test = dir.write("t3.txt", "u0 shop5 shop2 shop3 shop4\n");
  expect_error<DataError>([&] { read_candidate_files(ds, request(valid, test)); },
                          {"t3.txt: 3 negatives per case, but", "v2.txt has 2"});
  EXPECT_EQ(ds.split("fixed").part("shop")->valid_negatives, before);

  expect_error<UsageError>([&] { read_candidate_files(ds, request("", "")); }, {"valid cases, the test cases or both"});
  expect_error<UsageError>([&] { read_candidate_files(ds, CandidateFilesRequest{"fixed", "books", valid, ""}); },
                           {"books"});
  expect_error<UsageError>([&] { read_candidate_files(ds, CandidateFilesRequest{"other", "shop", valid, ""}); },
                           {"other"});
}

}  // namespace
}  // namespace graft::io
