// The importers on the real datasets in ../shared/data, against counts computed independently
// from the raw files. Skipped when the shared data is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "graph_io/importers.h"
#include "graph_io/splits.h"
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

// Counts of ../shared/data/xmarket/SOURCE.md (rows, items, items in two or more markets, ca ∩ uk);
// the duplicate (user, item) rows per market counted with a short script over the raw files.
TEST(ImportRealData, XmarketSevenMarkets) {
  GRAFT_REQUIRE_SHARED_DATA(root, "xmarket");
  const std::map<std::string, std::array<int64_t, 3>> markets = {  // rows, duplicates, items
      {"ca", {44779, 888, 5735}}, {"de", {17300, 653, 2179}}, {"fr", {17624, 470, 1879}}, {"in", {2015, 42, 470}},
      {"jp", {4485, 130, 955}},   {"mx", {17095, 162, 1645}}, {"uk", {31547, 673, 3251}}};
  for (const auto& [market, counts] : markets) {
    ImportReport one;
    import_dataset(import_options("xmarket", {root + "/" + market + "_5core.txt"}), &one);
    EXPECT_EQ(one.lines_read, counts[0]) << market;
    EXPECT_EQ(one.duplicates_merged, counts[1]) << market;
  }

  ImportReport report;
  Dataset ds = import_dataset(import_options("xmarket", {root}), &report);
  ASSERT_EQ(ds.domains.size(), 7u);
  std::map<std::string, int64_t> times_shared;  // item id -> markets selling it
  for (const Domain& d : ds.domains) {
    SCOPED_TRACE(d.name);
    const auto& [rows, duplicates, items] = markets.at(d.name);
    EXPECT_EQ(static_cast<int64_t>(d.interactions.size()), rows - duplicates);
    EXPECT_EQ(d.num_items(), items);
    for (const std::string& id : d.item_ids) ++times_shared[id];
  }
  EXPECT_EQ(report.lines_read, 134845);
  EXPECT_EQ(report.duplicates_merged, 3018);
  EXPECT_EQ(ds.num_users(), 14311);
  EXPECT_EQ(times_shared.size(), 8304u);
  EXPECT_EQ(std::count_if(times_shared.begin(), times_shared.end(), [](const auto& kv) { return kv.second >= 2; }),
            3708);

  const DatasetStats stats = compute_stats(ds);
  const DomainStats& ca = stats.domains[0];
  ASSERT_EQ(ca.name, "ca");
  EXPECT_EQ(ca.shared_items.at("uk"), 1718);
  EXPECT_EQ(ca.shared_users.at("uk"), 1);

  // The 99-negative protocol: one test case per user, except one user each in mx and uk whose
  // five or more rows all rate one item (merged into one interaction).
  SplitOptions loo;
  loo.kind = "leave_one_out";
  loo.negatives = 99;
  add_split(ds, loo);
  const Split& split = ds.split("leave_one_out");
  EXPECT_EQ(split_notes(split).size(), 2u);
  for (size_t d = 0; d < ds.domains.size(); ++d) {
    const DomainSplit& part = split.parts[d];
    const int64_t too_few = part.domain == "mx" || part.domain == "uk" ? 1 : 0;
    EXPECT_EQ(split.params.at("users_too_few_interactions." + part.domain),
              std::to_string(too_few) + " (kept in training, not evaluated)");
    EXPECT_EQ(static_cast<int64_t>(part.test.size()), stats.domains[d].users - too_few) << part.domain;
    EXPECT_EQ(part.test_negatives.size(), part.test.size() * 99) << part.domain;
  }
}

}  // namespace
}  // namespace graft::io
