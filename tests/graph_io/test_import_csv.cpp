// csv and behavior-log on hand-built files: column mappings by index and by header name, domain
// and category columns, typed edges, given splits, and the malformed-input errors.
#include <gtest/gtest.h>

#include <map>

#include "graph_io/errors.h"
#include "graph_io/files.h"
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
using Behaviors = std::vector<int8_t>;

ImportOptions csv_options(std::vector<std::string> inputs, std::map<std::string, std::string> columns) {
  ImportOptions options = import_options("csv", std::move(inputs));
  options.columns = std::move(columns);
  return options;
}

TEST(ImportCsv, MapsColumnsByIndex) {
  TempDir dir;
  const std::string path = dir.write("r.csv", "4.5,u1,i1\n3,u2,i1\n5,u1,i2\n");
  const Dataset ds = import_dataset(csv_options({path}, {{"user", "1"}, {"item", "2"}, {"rating", "0"}}));
  EXPECT_EQ(ds.user_ids, (Names{"u1", "u2"}));
  const Domain& d = ds.domain("main");
  EXPECT_EQ(d.item_ids, (Names{"i1", "i2"}));
  EXPECT_EQ(d.interactions.user, (Ids{0, 1, 0}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 0, 1}));
  EXPECT_EQ(d.interactions.weight, (std::vector<float>{4.5f, 3.0f, 5.0f}));
  EXPECT_FALSE(d.interactions.has_time());
  EXPECT_FALSE(d.interactions.has_behavior());
  EXPECT_TRUE(ds.splits.empty());
}

TEST(ImportCsv, MapsColumnsByHeaderNameWithDomainsCategoriesAndTypedEdges) {
  TempDir dir;
  const std::string path = dir.write("log.csv",
                                     "site;user;item;category;time;behavior\n"
                                     "shop;a;x;c1;100;pv\n"
                                     "shop;b;x;c1;101;buy\n"
                                     "app;a;y;c2;102;cart\n"
                                     "shop;a;x;c1;103;pv\n"
                                     "shop;a;x;c1;104;buy\n"
                                     "app;b;y;c3;105;fav\n");
  ImportOptions options = csv_options({path}, {{"user", "user"}, {"item", "item"}, {"category", "category"},
                                               {"time", "time"}, {"behavior", "behavior"}, {"domain", "site"}});
  options.delimiter = ';';
  options.header = true;
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);

  EXPECT_EQ(ds.user_ids, (Names{"a", "b"}));
  ASSERT_EQ(ds.domains.size(), 2u);
  const Domain& shop = ds.domains[0];
  EXPECT_EQ(shop.name, "shop");
  EXPECT_EQ(shop.item_ids, (Names{"x"}));
  EXPECT_EQ(shop.category_names, (Names{"c1"}));
  EXPECT_EQ(shop.item_category_offsets, (Ids{0, 1}));
  EXPECT_EQ(shop.interactions.user, (Ids{0, 1, 0}));
  EXPECT_EQ(shop.interactions.time, (Ids{100, 101, 104}));
  EXPECT_EQ(shop.interactions.behavior, (Behaviors{0, 3, 3}));
  const Domain& app = ds.domains[1];
  EXPECT_EQ(app.name, "app");
  EXPECT_EQ(app.category_names, (Names{"c2", "c3"}));
  EXPECT_EQ(app.item_category_offsets, (Ids{0, 2}));
  EXPECT_EQ(app.item_category, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(app.interactions.user, (Ids{0, 1}));
  EXPECT_EQ(app.interactions.behavior, (Behaviors{1, 2}));
  EXPECT_EQ(report.duplicates_merged, 1);
  EXPECT_EQ(report.lines_read, 6);
}

TEST(ImportCsv, ThreeFilesAreTrainValidTest) {
  TempDir dir;
  const std::string train = dir.write("train.tsv", "1\t10\n2\t10\n");
  const std::string valid = dir.write("valid.tsv", "1\t11\n");
  const std::string test = dir.write("test.tsv", "3\t10\n2\t10\n2\t12\n");
  ImportOptions options = csv_options({train, valid, test}, {{"user", "0"}, {"item", "1"}});
  options.delimiter = '\t';
  options.domain = "music";
  const Dataset ds = import_dataset(options);
  const Domain& d = ds.domain("music");
  EXPECT_EQ(d.interactions.user, (Ids{0, 1, 0, 2, 1}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 0, 1, 0, 2}));
  const Split& given = ds.split("given");
  EXPECT_EQ(given.params.at("valid"), valid);
  const DomainSplit* part = given.part("music");
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->train, (Ids{0, 1}));
  EXPECT_EQ(part->valid, (Ids{2}));
  EXPECT_EQ(part->test, (Ids{3, 4}));
  EXPECT_EQ(part->cold_start_users, (Ids{2}));
}

TEST(ImportCsv, TwoFilesAreTrainTestAndMinRatingFilters) {
  TempDir dir;
  const std::string train = dir.write("train.csv", "1,10,5\n1,11,1\n");
  const std::string test = dir.write("test.csv", "2,10,4\n");
  ImportOptions options = csv_options({train, test}, {{"user", "0"}, {"item", "1"}, {"rating", "2"}});
  options.min_rating = 2;
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);
  const DomainSplit* part = ds.split("given").part("main");
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->train, (Ids{0}));
  EXPECT_TRUE(part->valid.empty());
  EXPECT_EQ(part->test, (Ids{1}));
  EXPECT_EQ(report.dropped.at("rated below 2"), 1);
}

TEST(ImportCsv, SurvivesTheStore) {
  TempDir dir;
  const std::string train = dir.write("train.csv", "shop,a,x,c1,100,pv,4.5\nshop,b,x,c1,101,buy,3\napp,a,y,c2,102,cart,1\n");
  const std::string test = dir.write("test.csv", "app,b,y,c3,105,fav,2\n");
  ImportOptions options = csv_options({train, test}, {{"domain", "0"}, {"user", "1"}, {"item", "2"}, {"category", "3"},
                                                      {"time", "4"}, {"behavior", "5"}, {"rating", "6"}});
  graft::testing::expect_store_round_trip(import_dataset(options));
}

// A cup's per-market table: a domain column and dates as times (days since 1970-01-01).
TEST(ImportCsv, DomainColumnAndDateTimes) {
  TempDir dir;
  const std::string path = dir.write("markets.tsv",
                                     "market\tuser\titem\trating\tdate\n"
                                     "ca\tu1\tA\t5\t2019-02-28\n"
                                     "uk\tu1\tA\t4\t1969-12-31\n"
                                     "ca\tu2\tB\t3\t2020-02-29\n");
  ImportOptions options = csv_options(
      {path}, {{"domain", "market"}, {"user", "user"}, {"item", "item"}, {"rating", "rating"}, {"time", "date"}});
  options.delimiter = '\t';
  options.header = true;
  const Dataset ds = import_dataset(options);
  EXPECT_EQ(ds.user_ids, (Names{"u1", "u2"}));
  const Domain& ca = ds.domain("ca");
  EXPECT_EQ(ca.item_ids, (Names{"A", "B"}));
  EXPECT_EQ(ca.interactions.time, (Ids{17955, 18321}));
  EXPECT_EQ(ca.interactions.weight, (std::vector<float>{5, 3}));
  EXPECT_EQ(ds.domain("uk").item_ids, (Names{"A"}));  // the same item as ca's A
  EXPECT_EQ(ds.domain("uk").interactions.time, (Ids{-1}));
}

TEST(ImportCsvErrors, TimesAreIntegersOrRealDatesNeverBoth) {
  TempDir dir;
  const std::map<std::string, std::string> columns = {{"user", "0"}, {"item", "1"}, {"time", "2"}};
  const std::string bad_day = dir.write("bad_day.csv", "u,i,2019-01-31\nu,j,2019-02-30\n");
  expect_error<DataError>([&] { import_dataset(csv_options({bad_day}, columns)); },
                          {bad_day + ":2: time must be a date YYYY-MM-DD, got '2019-02-30'"});
  const std::string date_then_number = dir.write("d.csv", "u,i,2019-01-31\nu,j,1548892800\n");
  expect_error<DataError>([&] { import_dataset(csv_options({date_then_number}, columns)); },
                          {date_then_number + ":2: time must be a date YYYY-MM-DD like the first time read, got "
                                              "'1548892800'"});
  const std::string number_then_date = dir.write("n.csv", "u,i,1548892800\nu,j,2019-01-31\n");
  expect_error<DataError>([&] { import_dataset(csv_options({number_then_date}, columns)); },
                          {number_then_date + ":2: time '2019-01-31' is a date, but the first time read was an "
                                              "integer"});
  const std::string word = dir.write("w.csv", "u,i,yesterday\n");
  expect_error<DataError>([&] { import_dataset(csv_options({word}, columns)); },
                          {word + ":1: time must be an integer, got 'yesterday'"});
}

TEST(ImportCsvErrors, ColumnsAndRoles) {
  TempDir dir;
  const std::string path = dir.write("h.csv", "user,item\n1,2\n");
  ImportOptions options = csv_options({path}, {{"user", "user"}, {"item", "item"}, {"rating", "stars"}});
  options.header = true;
  expect_error<DataError>([&] { import_dataset(options); },
                          {path + ":1: no column named 'stars'; the header has: user, item"});
  options.header = false;
  expect_error<UsageError>([&] { import_dataset(options); }, {"--column user=user names a column: add --header"});
  expect_error<UsageError>([&] { import_dataset(csv_options({path}, {{"user", "0"}})); },
                           {"csv needs --column item=<column>"});
  expect_error<UsageError>([&] { import_dataset(csv_options({path}, {{"user", "0"}, {"item", "1"}, {"price", "2"}})); },
                           {"unknown role 'price'"});
  ImportOptions no_rating = csv_options({path}, {{"user", "0"}, {"item", "1"}});
  no_rating.min_rating = 3;
  expect_error<UsageError>([&] { import_dataset(no_rating); }, {"--min-rating needs a rating column"});
}

TEST(ImportCsvErrors, MissingFieldsAndValues) {
  TempDir dir;
  const std::string path = dir.write("r.csv", "1,2,3\n4,5\n");
  expect_error<DataError>(
      [&] { import_dataset(csv_options({path}, {{"user", "0"}, {"item", "1"}, {"rating", "2"}})); },
      {path + ":2: expected at least 3 fields separated by ',', got 2"});
  const std::string blank = dir.write("b.csv", "1,2\n,3\n");
  expect_error<DataError>([&] { import_dataset(csv_options({blank}, {{"user", "0"}, {"item", "1"}})); },
                          {blank + ":2: missing user id (field 1)"});
  const std::string semicolons = dir.write("s.csv", "1;2\n");
  expect_error<DataError>([&] { import_dataset(csv_options({semicolons}, {{"user", "0"}, {"item", "1"}})); },
                          {semicolons + ":1: expected at least 2 fields separated by ',', got 1 (the line contains ';'"});
}

// A log whose lines straddle the boundaries of 64-byte pieces: numeric and text ids, two
// domains, categories, times, behaviours, ratings (some below --min-rating), blank lines, CRLF
// line ends and no final line end.
std::string mixed_log(int lines) {
  std::string log = "site,user,item,category,time,behavior,rating\n";
  const char* behaviors[] = {"pv", "cart", "fav", "buy"};
  for (int k = 0; k < lines; ++k) {
    const std::string user = k % 3 == 0 ? "u" + std::to_string(k % 17) : std::to_string(k * 7 % 23);
    log += std::string(k % 4 == 2 ? "app" : "shop") + "," + user + "," + std::to_string(k * 11 % 31) + ",c" +
           std::to_string(k % 4) + "," + std::to_string(1000 + k) + "," + behaviors[k % 4] + "," +
           std::to_string(1 + k % 5) + (k % 7 == 0 ? "\r\n" : "\n");
    if (k % 13 == 0) log += "\n";
  }
  log.pop_back();
  return log;
}

ImportOptions mixed_log_options(const std::string& path, uint64_t piece_bytes) {
  ImportOptions options = csv_options({path}, {{"domain", "site"}, {"user", "user"}, {"item", "item"},
                                               {"category", "category"}, {"time", "time"}, {"behavior", "behavior"},
                                               {"rating", "rating"}});
  options.header = true;
  options.min_rating = 2;
  options.piece_bytes = piece_bytes;
  return options;
}

TEST(ImportCsvPieces, ManyPiecesGiveTheDatasetOfOne) {
  TempDir dir;
  const std::string path = dir.write("log.csv", mixed_log(400));
  ImportReport one_report, many_report;
  const Dataset one = import_dataset(mixed_log_options(path, uint64_t{1} << 30), &one_report);
  const Dataset many = import_dataset(mixed_log_options(path, 64), &many_report);
  expect_equal(one, many);
  EXPECT_EQ(many_report.summary(), one_report.summary());
  EXPECT_EQ(many_report.lines_read, 400);
  EXPECT_EQ(many_report.dropped.at("rated below 2"), 80);
  EXPECT_EQ(many.user_ids.size(), 17u + 23u);
  EXPECT_EQ((std::vector<std::string>(many.user_ids.begin(), many.user_ids.begin() + 4)),
            (Names{"7", "14", "u3", "5"}));  // first appearances; line 1 (k = 0) is rated 1, dropped
  EXPECT_EQ(many.domains.at(0).name, "shop");
  EXPECT_EQ(many.domains.at(1).name, "app");
  // The checksum computed from the pieces is the whole file's.
  EXPECT_EQ(many.provenance.sources.at(0).crc32, describe_file(path).crc32);
}

// Thousands of text ids ("u12", "012" beside the number 12) on lines that alternate between
// two domains, in many pieces: the id tables grow while the merge looks ahead into the other
// domain's, and the numbering stays the file's first-seen order.
TEST(ImportCsvPieces, NumbersTextIdsInFirstSeenOrderAcrossPiecesAndDomains) {
  struct Expected {
    std::map<std::string, int64_t> index;
    Names ids;
    int64_t number(const std::string& id) {
      const auto [it, added] = index.try_emplace(id, static_cast<int64_t>(ids.size()));
      if (added) ids.push_back(id);
      return it->second;
    }
  };
  Expected users;
  std::map<std::string, Expected> items;
  std::map<std::string, Ids> user_column, item_column;
  std::string log;
  for (int k = 0; k < 6000; ++k) {
    const std::string number = std::to_string(k * 7919 % 3001);
    const std::string user = k % 7 == 0 ? number : (k % 5 == 0 ? "0" : "u") + number;
    const std::string domain = k % 3 == 0 ? "app" : "shop";
    const std::string item = "i" + std::to_string(k * 31 % 1009);
    log += domain + "," + user + "," + item + "\n";
    user_column[domain].push_back(users.number(user));
    item_column[domain].push_back(items[domain].number(item));
  }
  TempDir dir;
  ImportOptions options = csv_options({dir.write("log.csv", log)}, {{"domain", "0"}, {"user", "1"}, {"item", "2"}});
  options.piece_bytes = 512;
  const Dataset ds = import_dataset(options);
  EXPECT_EQ(ds.user_ids, users.ids);
  for (const std::string domain : {"shop", "app"}) {
    SCOPED_TRACE(domain);
    EXPECT_EQ(ds.domain(domain).item_ids, items[domain].ids);
    EXPECT_EQ(ds.domain(domain).interactions.user, user_column[domain]);
    EXPECT_EQ(ds.domain(domain).interactions.item, item_column[domain]);
  }
}

TEST(ImportCsvPieces, ReportsTheFirstBadLineOfTheFile) {
  TempDir dir;
  std::string text;
  for (int k = 1; k <= 300; ++k) {
    text += k == 150 ? "1,x\n" : k == 280 ? "2\n" : std::to_string(k) + "," + std::to_string(k % 9) + ",3\n";
  }
  const std::string path = dir.write("ratings.csv", text);
  ImportOptions options = csv_options({path}, {{"user", "0"}, {"item", "1"}, {"rating", "2"}});
  options.piece_bytes = 64;
  expect_error<DataError>([&] { import_dataset(options); },
                          {path + ":150: expected at least 3 fields separated by ',', got 2"});
}

TEST(ImportCsvPieces, ATimeKindChangeInALaterPieceNamesItsLine) {
  TempDir dir;
  std::string text;
  for (int k = 1; k <= 100; ++k) text += "u,i" + std::to_string(k) + (k == 90 ? ",2019-01-31\n" : ",1548892800\n");
  const std::string path = dir.write("times.csv", text);
  ImportOptions options = csv_options({path}, {{"user", "0"}, {"item", "1"}, {"time", "2"}});
  options.piece_bytes = 64;
  expect_error<DataError>([&] { import_dataset(options); },
                          {path + ":90: time '2019-01-31' is a date, but the first time read was an integer"});
}

TEST(ImportCsvPieces, CrlfAndNoFinalLineEnd) {
  TempDir dir;
  const std::string path = dir.write("r.csv", "u1,i1\r\nu2,i2\r\n\r\nu3,i1");
  for (const uint64_t piece_bytes : {uint64_t{1}, uint64_t{4}, uint64_t{1} << 20}) {
    ImportOptions options = csv_options({path}, {{"user", "0"}, {"item", "1"}});
    options.piece_bytes = piece_bytes;
    ImportReport report;
    const Dataset ds = import_dataset(options, &report);
    EXPECT_EQ(ds.user_ids, (Names{"u1", "u2", "u3"})) << piece_bytes;
    EXPECT_EQ(ds.domain("main").item_ids, (Names{"i1", "i2"})) << piece_bytes;
    EXPECT_EQ(ds.domain("main").interactions.item, (Ids{0, 1, 0})) << piece_bytes;
    EXPECT_EQ(report.lines_read, 3) << piece_bytes;
  }
  const std::string truncated = dir.write("t.csv", "u1,i1\nu2,i2\nu3");
  ImportOptions options = csv_options({truncated}, {{"user", "0"}, {"item", "1"}});
  options.piece_bytes = 4;
  expect_error<DataError>([&] { import_dataset(options); },
                          {truncated + ":3: expected at least 2 fields", "(the last line has no line end"});
}

TEST(ImportCsvPieces, EmptyAndBlankFiles) {
  TempDir dir;
  const std::map<std::string, std::string> columns = {{"user", "0"}, {"item", "1"}};
  ImportOptions options = csv_options({dir.write("empty.csv", "")}, columns);
  options.piece_bytes = 4;
  expect_error<DataError>([&] { import_dataset(options); }, {"empty.csv:1: the file is empty"});
  options.inputs = {dir.write("blank.csv", "\n\r\n\n\n")};
  expect_error<DataError>([&] { import_dataset(options); }, {"blank.csv:4: no records in the file"});
  options.inputs = {dir.write("header.csv", "user,item\n\n")};
  options.header = true;
  options.columns = {{"user", "user"}, {"item", "item"}};
  expect_error<DataError>([&] { import_dataset(options); }, {"header.csv:2: no records in the file"});
}

TEST(ImportBehaviorLog, KeepsTypedEdgesAndCategoriesPerItem) {
  TempDir dir;
  const std::string path = dir.write("UserBehavior.csv",
                                     "1,100,5,pv,1511544070\n"
                                     "1,100,5,buy,1511544071\n"
                                     "2,101,6,cart,1511544072\n"
                                     "1,100,5,pv,1511544073\n"
                                     "2,100,7,fav,1511544074\n");
  ImportReport report;
  const Dataset ds = import_dataset(import_options("behavior-log", {path}), &report);
  EXPECT_EQ(ds.user_ids, (Names{"1", "2"}));
  const Domain& d = ds.domain("main");
  EXPECT_EQ(d.item_ids, (Names{"100", "101"}));
  EXPECT_EQ(d.category_names, (Names{"5", "6", "7"}));
  EXPECT_EQ(d.item_category_offsets, (Ids{0, 2, 3}));
  EXPECT_EQ(d.item_category, (std::vector<int32_t>{0, 2, 1}));
  EXPECT_EQ(d.interactions.user, (Ids{0, 0, 1, 1}));
  EXPECT_EQ(d.interactions.item, (Ids{0, 0, 1, 0}));
  EXPECT_EQ(d.interactions.behavior, (Behaviors{0, 3, 1, 2}));
  EXPECT_EQ(d.interactions.time, (Ids{1511544070, 1511544071, 1511544072, 1511544074}));
  EXPECT_FALSE(d.interactions.has_weight());
  EXPECT_EQ(report.duplicates_merged, 1);
}

TEST(ImportBehaviorLog, SurvivesTheStore) {
  TempDir dir;
  const std::string path = dir.write("log.csv", "1,100,5,pv,1511544070\n2,100,7,fav,1511544074\n");
  graft::testing::expect_store_round_trip(import_dataset(import_options("behavior-log", {path})));
}

TEST(ImportBehaviorLogErrors, UnknownBehaviorAndCustomColumns) {
  TempDir dir;
  const std::string path = dir.write("log.csv", "1,100,5,pv,1511544070\n1,100,5,click,1511544071\n");
  expect_error<DataError>([&] { import_dataset(import_options("behavior-log", {path})); },
                          {path + ":2: unknown behavior 'click'; valid: pv, cart, fav, buy"});
  ImportOptions options = import_options("behavior-log", {path});
  options.columns = {{"user", "0"}};
  expect_error<UsageError>([&] { import_dataset(options); }, {"behavior-log has the fixed columns"});
}

}  // namespace
}  // namespace graft::io
