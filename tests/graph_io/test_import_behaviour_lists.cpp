// behaviour-lists: the folder layout and the pair files on hand-written inputs, the behaviour
// names, and the message of every bad input.
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
using Codes = std::vector<int8_t>;
using Ids = std::vector<int64_t>;
using Names = std::vector<std::string>;

// A Tmall-like folder "tmall": view (train and test), cart (train only, one repeated pair) and
// buy (train and test), plus a file and a hidden folder the importer ignores.
std::string write_tmall(const TempDir& dir) {
  dir.write("tmall/view/train.txt", "0\t0\t1\t2\n1 1\n2 2 3\n");
  dir.write("tmall/view/test.txt", "0 3\n1 0\n2 1");
  dir.write("tmall/cart/train.txt", "0 1\n1 1 1\n2 3\n");
  dir.write("tmall/buy/train.txt", "0 1\n1 1\n2 3\n");
  dir.write("tmall/buy/test.txt", "0 2\n1 0\n2 2\n");
  dir.write("tmall/SOURCE.md", "notes\n");
  dir.write("tmall/.cache/train.txt", "not a behaviour\n");
  return dir.file("tmall");
}

TEST(ImportBehaviourLists, ReadsAFolderOfBehaviourFolders) {
  TempDir dir;
  const std::string root = write_tmall(dir);
  ImportReport report;
  const Dataset ds = import_dataset(import_options("behaviour-lists", {root}), &report);

  EXPECT_EQ(ds.user_ids, (Names{"0", "1", "2"}));
  ASSERT_EQ(ds.domains.size(), 1u);
  const Domain& d = ds.domains[0];
  EXPECT_EQ(d.name, "tmall");
  EXPECT_EQ(d.item_ids, (Names{"0", "1", "2", "3"}));
  // pv train, pv test, cart train (the repeated 1-1 merged), buy train, buy test.
  EXPECT_EQ(d.interactions.user, (Ids{0, 0, 0, 1, 2, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 1, 2, 1, 2, 3, 3, 0, 1, 1, 1, 3, 1, 1, 3, 2, 0, 2}));
  EXPECT_EQ(d.interactions.behavior, (Codes{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 3, 3, 3, 3, 3, 3}));
  EXPECT_FALSE(d.interactions.has_time());

  ASSERT_EQ(ds.splits.size(), 1u);
  const Split& given = ds.split("given");
  EXPECT_EQ(given.kind, "given");
  EXPECT_EQ(given.params.at("target_behavior"), "buy");
  EXPECT_EQ(given.params.at("test"), root + "/buy/test.txt");
  const DomainSplit& p = *given.part("tmall");
  EXPECT_EQ(p.train, (Ids{0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14}));
  EXPECT_TRUE(p.valid.empty());
  EXPECT_EQ(p.test, (Ids{15, 16, 17}));  // the view test pairs 6..8 are in no part
  EXPECT_TRUE(p.cold_start_users.empty());

  EXPECT_EQ(report.lines_read, 15);
  EXPECT_EQ(report.interactions_kept, 18);
  EXPECT_EQ(report.duplicates_merged, 1);
  EXPECT_EQ(report.noted, (std::map<std::string, int64_t>{{"view test pairs outside split 'given'", 3}}));
  EXPECT_EQ(report.summary(), "read 15 lines; kept 18 interactions; merged 1 duplicate; "
                              "3 view test pairs outside split 'given'.");
  EXPECT_EQ(ds.provenance.sources.size(), 5u);
  graft::testing::expect_store_round_trip(ds);
}

TEST(ImportBehaviourLists, DomainOptionAndATargetWithoutTestHasNoSplit) {
  TempDir dir;
  const std::string root = write_tmall(dir);
  ImportOptions options = import_options("behaviour-lists", {root + "/"});
  options.domain = "shop";
  options.target_behavior = "cart";  // cart has no test.txt
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);
  EXPECT_EQ(ds.domains[0].name, "shop");
  EXPECT_TRUE(ds.splits.empty());
  EXPECT_TRUE(report.noted.empty());
  EXPECT_EQ(ds.domains[0].interactions.size(), 18u);  // test pairs are still interactions
}

TEST(ImportBehaviourLists, ReadsOnePairFilePerBehaviour) {
  TempDir dir;
  const std::string purchase = dir.write("purchase.txt", "0 1\n1\t0\n");
  const std::string view = dir.write("view.txt", "0 0\n0 1\n1 1\n0 0\n");
  ImportReport report;
  const Dataset ds = import_dataset(import_options("behaviour-lists", {purchase, view}), &report);
  EXPECT_EQ(ds.user_ids, (Names{"0", "1"}));
  const Domain& d = ds.domains.at(0);
  EXPECT_EQ(d.name, "main");
  EXPECT_EQ(d.item_ids, (Names{"0", "1"}));
  EXPECT_EQ(d.interactions.user, (Ids{0, 0, 1, 0, 1}));  // view first: behaviours in code order
  EXPECT_EQ(d.interactions.item, (Ids{0, 1, 1, 1, 0}));
  EXPECT_EQ(d.interactions.behavior, (Codes{0, 0, 0, 3, 3}));
  EXPECT_TRUE(ds.splits.empty());
  EXPECT_EQ(report.lines_read, 6);
  EXPECT_EQ(report.duplicates_merged, 1);
  graft::testing::expect_store_round_trip(ds);
}

TEST(ImportBehaviourLists, CustomBehaviourNames) {
  TempDir dir;
  dir.write("shop/clicks/train.txt", "0 0 1\n1 1\n");
  dir.write("shop/orders/train.txt", "0 1\n1 0\n");
  dir.write("shop/orders/test.txt", "0 0\n");
  ImportOptions options = import_options("behaviour-lists", {dir.file("shop")});
  options.behavior_map = {{"clicks", "pv"}, {"orders", "buy"}};
  const Dataset ds = import_dataset(options);
  EXPECT_EQ(ds.domains[0].interactions.behavior, (Codes{0, 0, 0, 3, 3, 3}));
  EXPECT_EQ(ds.split("given").part("shop")->test, (Ids{5}));

  options.target_behavior = "orders";  // a name, as the folders spell it
  EXPECT_EQ(import_dataset(options).split("given").part("shop")->test, (Ids{5}));

  options.behavior_map = {{"clicks", "pv"}, {"orders", "cart"}};
  options.target_behavior = "cart";
  const Dataset carts = import_dataset(options);
  EXPECT_EQ(carts.domains[0].interactions.behavior, (Codes{0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(carts.split("given").params.at("target_behavior"), "cart");
  EXPECT_EQ(carts.split("given").part("shop")->test, (Ids{5}));
}

TEST(ImportBehaviourListsErrors, UnknownNamesAndBadMaps) {
  TempDir dir;
  dir.write("shop/wishlist/train.txt", "0 0\n");
  dir.write("shop/buy/train.txt", "0 0\n");
  ImportOptions options = import_options("behaviour-lists", {dir.file("shop")});
  expect_error<UsageError>([&] { import_dataset(options); },
                           {"behaviour folder '" + dir.file("shop/wishlist") + "' names no known behaviour",
                            "valid names: buy, cart, click, collect, fav, purchase, pv, view",
                            "--behaviour-map wishlist=<code>"});
  options.behavior_map = {{"wishlist", "like"}};
  expect_error<UsageError>([&] { import_dataset(options); },
                           {"--behaviour-map wishlist=like", "unknown behaviour code 'like'", "pv, cart, fav, buy"});
  options.behavior_map = {{"wishlist", "fav"}, {"wishlist", "cart"}};
  expect_error<UsageError>([&] { import_dataset(options); }, {"--behaviour-map", "'wishlist' is mapped twice"});
  options.behavior_map = {{"", "fav"}};
  expect_error<UsageError>([&] { import_dataset(options); }, {"--behaviour-map expects name=code"});
  options.behavior_map = {{"wishlist", "fav"}};
  options.target_behavior = "sale";
  expect_error<UsageError>([&] { import_dataset(options); }, {"--target-behaviour 'sale' names no known behaviour"});
  options.target_behavior = "cart";
  expect_error<UsageError>([&] { import_dataset(options); },
                           {"--target-behaviour cart: no input holds behaviour 'cart'; the inputs hold fav, buy"});
  options.target_behavior = "buy";
  EXPECT_NO_THROW(import_dataset(options));
}

TEST(ImportBehaviourListsErrors, LayoutMistakes) {
  TempDir dir;
  dir.write("a/view/train.txt", "0 0\n");
  dir.write("a/buy/test.txt", "0 0\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {dir.file("a")})); },
                          {dir.file("a/buy/train.txt") + ": missing", "test.txt is optional"});

  dir.write("b/view/train.txt", "0 0\n");
  dir.write("b/pv/train.txt", "0 0\n");
  dir.write("b/buy/train.txt", "0 0\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {dir.file("b")})); },
                          {dir.file("b/pv") + " and " + dir.file("b/view") + " both hold behaviour 'pv'"});

  const std::string view = dir.write("c/view.txt", "0 0\n");
  const std::string again = dir.write("d/view.txt", "0 0\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {view, again})); },
                          {view + " and " + again + " both hold behaviour 'pv'"});
  expect_error<UsageError>([&] { import_dataset(import_options("behaviour-lists", {view, dir.file("b")})); },
                           {"'" + dir.file("b") + "' is a folder among several inputs"});

  dir.write("e/notes.txt", "x\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {dir.file("e")})); },
                          {dir.file("e") + ": no behaviour folders"});
}

TEST(ImportBehaviourListsErrors, BadIdsNameTheFileAndLine) {
  TempDir dir;
  dir.write("f/buy/train.txt", "0 0\n1 1\n");
  const std::string view = dir.write("f/view/train.txt", "0 0\n1 1 x7\n");
  const std::string folder = dir.file("f");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {folder})); },
                          {view + ":2: item id must be a non-negative integer, got 'x7'"});
  dir.write("f/view/train.txt", "0 0\n-1 1\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {folder})); },
                          {view + ":2: user id must be a non-negative integer, got '-1'"});

  const std::string pairs = dir.write("g/view.txt", "0 0\n0 1 2\n");
  ImportOptions one_file = import_options("behaviour-lists", {pairs});
  one_file.target_behavior = "view";
  expect_error<DataError>([&] { import_dataset(one_file); }, {pairs + ":2: expected 2 fields"});
}

TEST(ImportBehaviourListsErrors, IdRangesMustAgree) {
  TempDir dir;
  const std::string folder = dir.file("h");
  // cart's users end at 1 while view's reach 2.
  const std::string view = dir.write("h/view/train.txt", "0 0\n1 1\n2 2\n");
  dir.write("h/cart/train.txt", "0 0\n1 1\n");
  dir.write("h/buy/train.txt", "0 0\n1 1\n2 2\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {folder})); },
                          {view + ":3: user id 2, but the user ids of behaviour 'cart' end at 1",
                           "every behaviour must cover the same users 0..2"});

  // Item 3 is the largest, item 2 occurs nowhere.
  dir.write("h/cart/train.txt", "0 0\n1 1\n2 1\n");
  const std::string buy = dir.write("h/buy/train.txt", "0 0\n1 1\n2 3\n");
  dir.write("h/view/train.txt", "0 0\n1 1\n2 1\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {folder})); },
                          {buy + ":3: item id 3 is the largest, but item id 2 occurs in no file",
                           "ids must run from 0 without gaps"});

  // User 1 occurs nowhere; a huge id is the same mistake and allocates nothing.
  const std::string big = dir.write("i/view.txt", "0 0\n2 0\n");
  dir.write("i/buy.txt", "0 0\n2 0\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {big, dir.file("i/buy.txt")})); },
                          {big + ":2: user id 2 is the largest, but user id 1 occurs in no file"});
  dir.write("i/view.txt", "0 0\n0 9000000000000000000\n");
  dir.write("i/buy.txt", "0 0\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {big, dir.file("i/buy.txt")})); },
                          {big + ":2: item id 9000000000000000000 is the largest, but item id 1 occurs in no file"});
}

TEST(ImportBehaviourListsErrors, AnEmptyBehaviour) {
  TempDir dir;
  dir.write("j/view/train.txt", "0 0\n1 1\n");
  const std::string cart = dir.write("j/cart/train.txt", "0\n1\n");
  dir.write("j/buy/train.txt", "0 0\n1 1\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {dir.file("j")})); },
                          {cart + ": no user-item pairs: behaviour 'cart' would be empty"});
  dir.write("j/cart/train.txt", "\n\n");
  expect_error<DataError>([&] { import_dataset(import_options("behaviour-lists", {dir.file("j")})); }, {cart});
}

}  // namespace
}  // namespace graft::io
