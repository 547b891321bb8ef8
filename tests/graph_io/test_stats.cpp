// Dataset statistics: exact numbers on a hand-built dataset, and both text forms.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "graph_io/stats.h"
#include "tests/graph_io/split_fixtures.h"

namespace graft::io {
namespace {

using fixtures::make_domain;
using fixtures::user_names;

using Quantiles = std::vector<double>;

// alpha: u0-i0 u0-i1 u1-i1 u2-i2 u2-i2, item 3 unused: components {u0 u1 i0 i1} and {u2 i2}.
// beta:  u1-j0 u2-j0 u4-j1: components {u1 u2 j0} and {u4 j1}. Users 1 and 2 use both.
Dataset two_domains() {
  Dataset ds;
  ds.user_ids = user_names(6);
  Domain alpha = make_domain("alpha", 4, {0, 0, 1, 2, 2}, {0, 1, 1, 2, 2});
  alpha.category_names = {"x", "y"};
  alpha.item_category_offsets = {0, 1, 2, 3, 4};
  alpha.item_category = {0, 1, 0, 1};
  ds.domains = {alpha, make_domain("beta", 2, {1, 2, 4}, {0, 0, 1})};
  Split cold;
  cold.name = "cs";
  cold.kind = "given";
  cold.part_or_add("alpha").train = {0, 1, 2, 3, 4};
  DomainSplit& target = cold.part_or_add("beta");
  target.train = {2};
  target.test = {0, 1};
  target.cold_start_users = {1, 2};
  Split loo;
  loo.name = "loo";
  loo.kind = "ratio";
  loo.part_or_add("alpha").train = {0, 1, 2, 3, 4};
  ds.splits = {cold, loo};
  return ds;
}

TEST(ComputeStats, CountsDegreesComponentsAndOverlap) {
  const DatasetStats stats = compute_stats(two_domains());
  EXPECT_EQ(stats.users, 6);
  ASSERT_EQ(stats.domains.size(), 2u);

  const DomainStats& a = stats.domains[0];
  EXPECT_EQ(a.name, "alpha");
  EXPECT_EQ(a.users, 3);
  EXPECT_EQ(a.items, 4);
  EXPECT_EQ(a.categories, 2);
  EXPECT_EQ(a.interactions, 5);
  EXPECT_DOUBLE_EQ(a.density, 5.0 / 12.0);
  EXPECT_EQ(a.user_degree_quantiles, (Quantiles{1, 1.5, 2, 2, 2, 2, 2}));  // degrees 2 1 2
  EXPECT_EQ(a.item_degree_quantiles, (Quantiles{0, 0.75, 1.5, 2, 2, 2, 2}));  // degrees 1 2 2 0
  EXPECT_EQ(a.components, 2);
  EXPECT_EQ(a.largest_component, 4);
  EXPECT_EQ(a.shared_users, (std::map<std::string, int64_t>{{"beta", 2}}));
  EXPECT_EQ(a.cold_start_users_per_split, (std::map<std::string, int64_t>{{"cs", 0}, {"loo", 0}}));

  const DomainStats& b = stats.domains[1];
  EXPECT_EQ(b.users, 3);
  EXPECT_EQ(b.items, 2);
  EXPECT_EQ(b.categories, 0);
  EXPECT_DOUBLE_EQ(b.density, 0.5);
  EXPECT_EQ(b.user_degree_quantiles, (Quantiles{1, 1, 1, 1, 1, 1, 1}));
  ASSERT_EQ(b.item_degree_quantiles.size(), 7u);  // degrees 2 1
  const Quantiles expected_items = {1, 1.25, 1.5, 1.75, 1.9, 1.99, 2};
  for (size_t q = 0; q < 7; ++q) EXPECT_DOUBLE_EQ(b.item_degree_quantiles[q], expected_items[q]) << q;
  EXPECT_EQ(b.components, 2);
  EXPECT_EQ(b.largest_component, 3);
  EXPECT_EQ(b.shared_users, (std::map<std::string, int64_t>{{"alpha", 2}}));
  EXPECT_EQ(b.cold_start_users_per_split, (std::map<std::string, int64_t>{{"cs", 2}}));
}

TEST(ComputeStats, OneComponentWhenEverythingConnects) {
  Dataset ds;
  ds.user_ids = user_names(3);
  // A path u0-i0-u1-i1-u2-i2 plus a repeated edge.
  ds.domains = {make_domain("chain", 3, {0, 1, 1, 2, 2, 2}, {0, 0, 1, 1, 2, 2})};
  const DomainStats s = compute_stats(ds).domains[0];
  EXPECT_EQ(s.components, 1);
  EXPECT_EQ(s.largest_component, 6);
}

TEST(ComputeStats, EmptyDomainHasZeros) {
  Dataset ds;
  ds.user_ids = user_names(2);
  ds.domains = {make_domain("empty", 3, {}, {})};
  const DomainStats s = compute_stats(ds).domains[0];
  EXPECT_EQ(s.users, 0);
  EXPECT_EQ(s.items, 3);
  EXPECT_EQ(s.density, 0.0);
  EXPECT_EQ(s.user_degree_quantiles, Quantiles(7, 0.0));
  EXPECT_EQ(s.item_degree_quantiles, Quantiles(7, 0.0));
  EXPECT_EQ(s.components, 0);
  EXPECT_EQ(s.largest_component, 0);
}

TEST(FormatStats, TableAlignsEverySection) {
  const std::string table = format_stats_table(compute_stats(two_domains()));
  EXPECT_EQ(table,
            "dataset: 6 users, 2 domains\n"
            "\n"
            "domain  users  items  categories  interactions  density  components  largest component\n"
            "alpha       3      4           2             5   0.4167           2                  4\n"
            "beta        3      2           0             3      0.5           2                  3\n"
            "\n"
            "degree       min   25%  50%   75%  90%   99%  max\n"
            "alpha users    1   1.5    2     2    2     2    2\n"
            "alpha items    0  0.75  1.5     2    2     2    2\n"
            "beta users     1     1    1     1    1     1    1\n"
            "beta items     1  1.25  1.5  1.75  1.9  1.99    2\n"
            "\n"
            "shared users  alpha  beta\n"
            "alpha             -     2\n"
            "beta              2     -\n"
            "\n"
            "shared items  alpha  beta\n"
            "alpha             -     0\n"
            "beta              0     -\n"
            "\n"
            "interactions on items also in  alpha  beta\n"
            "alpha                              -  0.0%\n"
            "beta                            0.0%     -\n"
            "\n"
            "split  kind   domain  train  users  valid  users  test  users  cold-start users  negatives\n"
            "cs     given  alpha       5      3      0      0     0      0                 0          0\n"
            "cs     given  beta        1      1      0      0     2      2                 2          0\n"
            "loo    ratio  alpha       5      3      0      0     0      0                 0          0\n");
}

TEST(FormatStats, JsonHasTheDocumentedLayout) {
  const auto json = nlohmann::ordered_json::parse(format_stats_json(compute_stats(two_domains())));
  EXPECT_EQ(json.at("users"), 6);
  ASSERT_EQ(json.at("domains").size(), 2u);
  const auto& a = json.at("domains")[0];
  std::vector<std::string> keys;
  for (const auto& item : a.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "users", "items", "categories", "interactions", "density",
                                            "user_degree", "item_degree", "components", "largest_component",
                                            "shared_users", "shared_items", "interactions_on_shared_items",
                                            "cold_start_users", "features", "behaviors"}));
  EXPECT_EQ(a.at("name"), "alpha");
  EXPECT_DOUBLE_EQ(a.at("density").get<double>(), 5.0 / 12.0);
  EXPECT_EQ(a.at("item_degree").dump(), R"({"min":0.0,"p25":0.75,"p50":1.5,"p75":2.0,"p90":2.0,"p99":2.0,"max":2.0})");
  EXPECT_EQ(a.at("components"), 2);
  EXPECT_EQ(a.at("largest_component"), 4);
  EXPECT_EQ(a.at("shared_users").dump(), R"({"beta":2})");
  EXPECT_EQ(json.at("domains")[1].at("cold_start_users").dump(), R"({"cs":2})");
  EXPECT_EQ(a.at("behaviors").dump(), "[]");
  ASSERT_EQ(json.at("splits").size(), 3u);
  EXPECT_EQ(json.at("splits")[1].dump(),
            R"({"split":"cs","kind":"given","domain":"beta","train":{"interactions":1,"users":1},)"
            R"("valid":{"interactions":0,"users":0},"test":{"interactions":2,"users":2},"cold_start_users":2,)"
            R"("negatives_per_case":0})");
}

// Three markets linked by item id: ca sells A B C, uk B C D, jp C E. ca: u0-A u1-A u0-B u2-C;
// uk: u3-B u3-D u4-D; jp: u5-E.
Dataset three_markets() {
  Dataset ds;
  ds.user_ids = user_names(6);
  Domain ca = make_domain("ca", 3, {0, 1, 0, 2}, {0, 0, 1, 2});
  ca.item_ids = {"A", "B", "C"};
  Domain uk = make_domain("uk", 3, {3, 3, 4}, {0, 2, 2});
  uk.item_ids = {"B", "C", "D"};
  Domain jp = make_domain("jp", 2, {5}, {1});
  jp.item_ids = {"C", "E"};
  ds.domains = {ca, uk, jp};
  return ds;
}

TEST(ComputeStats, SharedItemsByExternalIdAndTheInteractionsOnThem) {
  const DatasetStats stats = compute_stats(three_markets());
  using Counts = std::map<std::string, int64_t>;
  const DomainStats& ca = stats.domains[0];
  const DomainStats& uk = stats.domains[1];
  const DomainStats& jp = stats.domains[2];
  EXPECT_EQ(ca.shared_items, (Counts{{"uk", 2}, {"jp", 1}}));  // B C; C
  EXPECT_EQ(uk.shared_items, (Counts{{"ca", 2}, {"jp", 1}}));
  EXPECT_EQ(jp.shared_items, (Counts{{"ca", 1}, {"uk", 1}}));
  EXPECT_DOUBLE_EQ(ca.interactions_on_shared_items.at("uk"), 0.5);   // u0-B u2-C of 4
  EXPECT_DOUBLE_EQ(ca.interactions_on_shared_items.at("jp"), 0.25);  // u2-C
  EXPECT_DOUBLE_EQ(uk.interactions_on_shared_items.at("ca"), 1.0 / 3.0);  // u3-B of 3
  EXPECT_DOUBLE_EQ(uk.interactions_on_shared_items.at("jp"), 0.0);  // C is shared, but no uk user rated it
  EXPECT_DOUBLE_EQ(jp.interactions_on_shared_items.at("ca"), 0.0);
  EXPECT_EQ(ca.shared_users, (Counts{{"uk", 0}, {"jp", 0}}));

  const std::string table = format_stats_table(stats);
  const std::string expected =
      "shared items  ca  uk  jp\n"
      "ca             -   2   1\n"
      "uk             2   -   1\n"
      "jp             1   1   -\n"
      "\n"
      "interactions on items also in     ca     uk     jp\n"
      "ca                                 -  50.0%  25.0%\n"
      "uk                             33.3%      -   0.0%\n"
      "jp                              0.0%   0.0%      -\n";
  EXPECT_NE(table.find(expected), std::string::npos) << table;

  const auto json = nlohmann::ordered_json::parse(format_stats_json(stats));
  EXPECT_EQ(json.at("domains")[0].at("shared_items").dump(), R"({"jp":1,"uk":2})");
  EXPECT_EQ(json.at("domains")[0].at("interactions_on_shared_items").dump(), R"({"jp":0.25,"uk":0.5})");
}

TEST(ComputeStats, ShareIsZeroWithoutInteractions) {
  Dataset ds = three_markets();
  ds.domains[2].interactions = {};
  const DomainStats jp = compute_stats(ds).domains[2];
  EXPECT_EQ(jp.shared_items.at("ca"), 1);
  EXPECT_EQ(jp.interactions_on_shared_items.at("ca"), 0.0);
}

// two_domains with feature blocks on alpha: dense "text" [4 x 3] (item 1 missing), sparse
// "tags" [4 x 10] with 2, 0 (missing), 3 and 1 entries, and a user block "age" [6 x 1].
Dataset with_features() {
  Dataset ds = two_domains();
  Domain& alpha = ds.domains[0];
  FeatureBlock text{"text", FeatureKind::kDense, 4, 3};
  text.values.assign(12, 0.5f);
  text.missing = {0, 1, 0, 0};
  FeatureBlock tags{"tags", FeatureKind::kSparse, 4, 10};
  tags.offsets = {0, 2, 2, 5, 6};
  tags.indices = {1, 4, 0, 2, 9, 3};
  tags.values.assign(6, 1.0f);
  tags.missing = {0, 1, 0, 0};
  FeatureBlock age{"age", FeatureKind::kScalar, 6, 1};
  age.values.assign(6, 30.0f);
  alpha.item_features = {text, tags};
  alpha.user_features = {age};
  return ds;
}

TEST(ComputeStats, DescribesEachFeatureBlock) {
  const DatasetStats stats = compute_stats(with_features());
  const std::vector<FeatureStats>& f = stats.domains[0].features;
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].name, "text");
  EXPECT_EQ(f[0].of, "item");
  EXPECT_EQ(f[0].kind, FeatureKind::kDense);
  EXPECT_EQ(f[0].width, 3);
  EXPECT_EQ(f[0].rows, 4);
  EXPECT_EQ(f[0].missing, 1);
  EXPECT_EQ(f[0].nonzeros_per_row, 0.0);
  EXPECT_EQ(f[1].kind, FeatureKind::kSparse);
  EXPECT_DOUBLE_EQ(f[1].nonzeros_per_row, 2.0);  // 6 entries over the 3 rows with a value
  EXPECT_EQ(f[2].name, "age");
  EXPECT_EQ(f[2].of, "user");
  EXPECT_EQ(f[2].rows, 6);
  EXPECT_EQ(f[2].missing, 0);
  EXPECT_TRUE(stats.domains[1].features.empty());
}

TEST(FormatStats, TableListsFeatureBlocksLast) {
  const std::string table = format_stats_table(compute_stats(with_features()));
  const std::string expected_tail =
      "\n"
      "domain  features  of    kind    width  rows  missing  nonzeros per row\n"
      "alpha   text      item  dense       3     4        1                 -\n"
      "alpha   tags      item  sparse     10     4        1                 2\n"
      "alpha   age       user  scalar      1     6        0                 -\n";
  ASSERT_GE(table.size(), expected_tail.size());
  EXPECT_EQ(table.substr(table.size() - expected_tail.size()), expected_tail) << table;
  EXPECT_EQ(format_stats_table(compute_stats(two_domains())).find("features"), std::string::npos);
}

TEST(FormatStats, JsonListsFeatureBlocks) {
  const auto json = nlohmann::ordered_json::parse(format_stats_json(compute_stats(with_features())));
  const auto& features = json.at("domains")[0].at("features");
  ASSERT_EQ(features.size(), 3u);
  EXPECT_EQ(features[1].dump(),
            R"({"name":"tags","of":"item","kind":"sparse","width":10,"rows":4,"missing":1,"nonzeros_per_row":2.0})");
  EXPECT_TRUE(features[0].at("nonzeros_per_row").is_null());
  EXPECT_EQ(json.at("domains")[1].at("features").dump(), "[]");
}

// A shop with behaviours: u0 views i0 i1 i2, carts i1, buys i1 and i2 (twice: two
// interactions, one pair); u1 views i0, buys i0 and i3 (never viewed). No fav.
Dataset behaviour_shop() {
  Dataset ds;
  ds.user_ids = user_names(2);
  Domain d = make_domain("shop", 4, {0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, {0, 1, 2, 1, 1, 2, 2, 0, 0, 3});
  d.interactions.behavior = {0, 0, 0, 1, 3, 3, 3, 0, 3, 3};
  ds.domains = {d};
  return ds;
}

TEST(ComputeStats, CountsBehavioursAndTheirOverlap) {
  const std::vector<BehaviorStats> b = compute_stats(behaviour_shop()).domains[0].behaviors;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].name, "pv");
  EXPECT_EQ(b[0].interactions, 4);
  EXPECT_EQ(b[0].pairs, 4);
  EXPECT_EQ(b[0].pairs_also_in, (std::map<std::string, int64_t>{{"cart", 1}, {"buy", 3}}));
  EXPECT_EQ(b[1].name, "cart");
  EXPECT_EQ(b[1].pairs, 1);
  EXPECT_EQ(b[1].pairs_also_in, (std::map<std::string, int64_t>{{"pv", 1}, {"buy", 1}}));
  EXPECT_EQ(b[2].name, "buy");
  EXPECT_EQ(b[2].interactions, 5);
  EXPECT_EQ(b[2].pairs, 4);  // u0-i2 bought twice
  // Of the 4 bought pairs, 3 were viewed (not u1-i3) and 1 was in the cart.
  EXPECT_EQ(b[2].pairs_also_in, (std::map<std::string, int64_t>{{"pv", 3}, {"cart", 1}}));
  EXPECT_TRUE(compute_stats(two_domains()).domains[0].behaviors.empty());
}

TEST(FormatStats, TableAndJsonShowTheBehaviours) {
  const DatasetStats stats = compute_stats(behaviour_shop());
  const std::string table = format_stats_table(stats);
  const std::string expected_tail =
      "\n"
      "behaviour  interactions  pairs  also pv  also cart  also buy\n"
      "shop pv               4      4        -          1         3\n"
      "shop cart             1      1        1          -         1\n"
      "shop buy              5      4        3          1         -\n";
  ASSERT_GE(table.size(), expected_tail.size());
  EXPECT_EQ(table.substr(table.size() - expected_tail.size()), expected_tail) << table;
  EXPECT_EQ(format_stats_table(compute_stats(two_domains())).find("behaviour"), std::string::npos);

  const auto json = nlohmann::ordered_json::parse(format_stats_json(stats));
  EXPECT_EQ(json.at("domains")[0].at("behaviors")[2].dump(),
            R"({"name":"buy","interactions":5,"pairs":4,"pairs_also_in":{"cart":1,"pv":3}})");
}

}  // namespace
}  // namespace graft::io
