// The importers on the real datasets in ../shared/data, against counts computed independently
// from the raw files. Skipped when the shared data is absent.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "graph_io/importers.h"
#include "graph_io/stats.h"
#include "tests/graph_io/import_test_support.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using graft::testing::import_options;

std::set<int64_t> users_of(const Interactions& x, const std::vector<int64_t>& indices) {
  std::set<int64_t> users;
  for (const int64_t k : indices) users.insert(x.user[static_cast<size_t>(k)]);
  return users;
}

std::set<int64_t> items_of(const Interactions& x, const std::vector<int64_t>& indices) {
  std::set<int64_t> items;
  for (const int64_t k : indices) items.insert(x.item[static_cast<size_t>(k)]);
  return items;
}

struct PartCounts {
  size_t train, train_users, train_items, valid, valid_users, test, test_users;
};

void expect_counts(const Dataset& ds, const std::string& domain, const PartCounts& want) {
  SCOPED_TRACE(domain);
  const DomainSplit& p = *ds.split("cold_start").part(domain);
  const Interactions& x = ds.domain(domain).interactions;
  EXPECT_EQ(p.train.size(), want.train);
  EXPECT_EQ(users_of(x, p.train).size(), want.train_users);
  EXPECT_EQ(items_of(x, p.train).size(), want.train_items);
  EXPECT_EQ(p.valid.size(), want.valid);
  EXPECT_EQ(users_of(x, p.valid).size(), want.valid_users);
  EXPECT_EQ(p.test.size(), want.test);
  EXPECT_EQ(users_of(x, p.test).size(), want.test_users);
}

// Cold-start users of `target` have no training there and some in `source`.
void expect_cold_start_users_transfer(const Dataset& ds, const std::string& target, const std::string& source) {
  SCOPED_TRACE(target);
  const Split& split = ds.split("cold_start");
  const DomainSplit& t = *split.part(target);
  const DomainSplit& s = *split.part(source);
  const std::set<int64_t> target_train = users_of(ds.domain(target).interactions, t.train);
  const std::set<int64_t> source_train = users_of(ds.domain(source).interactions, s.train);
  std::set<int64_t> held_out = users_of(ds.domain(target).interactions, t.valid);
  const std::set<int64_t> test = users_of(ds.domain(target).interactions, t.test);
  held_out.insert(test.begin(), test.end());
  EXPECT_EQ(std::set<int64_t>(t.cold_start_users.begin(), t.cold_start_users.end()), held_out);
  for (const int64_t u : t.cold_start_users) {
    EXPECT_EQ(target_train.count(u), 0u) << "user " << u;
    EXPECT_EQ(source_train.count(u), 1u) << "user " << u;
  }
}

TEST(ImportRealData, AmazonGameVideo) {
  GRAFT_REQUIRE_SHARED_DATA(root, "amazon-cdr");
  ImportReport report;
  const Dataset ds = import_dataset(import_options("cdr-pairs", {root + "/game_video", root + "/video_game"}), &report);
  EXPECT_EQ(ds.split("cold_start").params.at("shared_users"), "2179");
  EXPECT_EQ(ds.num_users(), 42303);
  ASSERT_EQ(ds.domains.size(), 2u);
  EXPECT_EQ(ds.domains[0].name, "game");
  EXPECT_EQ(ds.domains[1].name, "video");
  expect_counts(ds, "game", {155036, 24799, 12319, 1381, 213, 1304, 212});
  expect_counts(ds, "video", {156091, 19240, 8751, 1435, 210, 1458, 216});
  expect_cold_start_users_transfer(ds, "game", "video");
  expect_cold_start_users_transfer(ds, "video", "game");
  EXPECT_EQ(report.duplicates_merged, 0);  // the published files have none
  EXPECT_EQ(ds.provenance.sources.size(), 8u);
  graft::testing::expect_store_round_trip(ds);
}

TEST(ImportRealData, LastFmAsCsv) {
  GRAFT_REQUIRE_SHARED_DATA(root, "lastfm");
  ImportOptions options = import_options("csv", {root + "/data1.txt", root + "/test1.txt"});
  options.delimiter = '\t';
  options.columns = {{"user", "0"}, {"item", "1"}, {"rating", "2"}};
  ImportReport report;
  const Dataset ds = import_dataset(options, &report);
  const Domain& d = ds.domain("main");
  const std::set<int64_t> users(d.interactions.user.begin(), d.interactions.user.end());
  EXPECT_EQ(users.size(), 1880u);
  EXPECT_EQ(ds.num_users(), 1880);
  EXPECT_EQ(d.num_items(), 4489);
  EXPECT_EQ(report.lines_read, 42135 + 10533);
  EXPECT_EQ(report.interactions_kept, 42135 + 10533);
  EXPECT_EQ(ds.split("given").part("main")->test.size(), 10533u);
}

// Counts of ../shared/data/tmall-behaviour/SOURCE.md; the overlaps counted with sort and comm.
TEST(ImportRealData, TmallBehaviours) {
  GRAFT_REQUIRE_SHARED_DATA(root, "tmall-behaviour");
  ImportReport report;
  const Dataset ds = import_dataset(import_options("behaviour-lists", {root}), &report);
  EXPECT_EQ(ds.num_users(), 15449);
  const Domain& d = ds.domain("tmall-behaviour");
  EXPECT_EQ(d.num_items(), 11953);
  const DomainSplit& given = *ds.split("given").part(d.name);
  std::map<int, size_t> train_by_behavior, test_by_behavior;
  for (const int64_t k : given.train) ++train_by_behavior[d.interactions.behavior[static_cast<size_t>(k)]];
  for (const int64_t k : given.test) ++test_by_behavior[d.interactions.behavior[static_cast<size_t>(k)]];
  EXPECT_EQ(train_by_behavior, (std::map<int, size_t>{{0, 858505}, {1, 180027}, {3, 92180}}));
  EXPECT_EQ(test_by_behavior, (std::map<int, size_t>{{3, 15449}}));
  EXPECT_EQ(users_of(d.interactions, given.test).size(), 15449u);  // one purchase per user
  EXPECT_EQ(report.noted, (std::map<std::string, int64_t>{{"view test pairs outside split 'given'", 15449},
                                                          {"cart test pairs outside split 'given'", 15449}}));
  EXPECT_EQ(report.lines_read, 6 * 15449);
  EXPECT_EQ(report.duplicates_merged, 0);

  const std::vector<BehaviorStats> behaviors = behavior_stats(d);
  ASSERT_EQ(behaviors.size(), 3u);
  EXPECT_EQ(behaviors[0].interactions, 858505 + 15449);
  EXPECT_EQ(behaviors[1].interactions, 180027 + 15449);
  EXPECT_EQ(behaviors[2].interactions, 92180 + 15449);
  EXPECT_EQ(behaviors[2].pairs_also_in, (std::map<std::string, int64_t>{{"pv", 87508}, {"cart", 22542}}));
  EXPECT_EQ(behaviors[1].pairs_also_in, (std::map<std::string, int64_t>{{"pv", 127978}, {"buy", 22542}}));
}

}  // namespace
}  // namespace graft::io
