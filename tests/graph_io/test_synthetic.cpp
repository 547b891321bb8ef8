// The synthetic generator: option checks, exact small cases, determinism, and the planted
// structure that transfer experiments rely on (taste in the data, shared across domains or not,
// power-law popularity, a late and thin new category).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <set>
#include <string>
#include <vector>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

struct Generated {
  SyntheticOptions options;
  Dataset dataset;
  SyntheticTruth truth;
};

// Each preset is generated once per test program.
const Generated& preset(const std::string& name) {
  static std::map<std::string, Generated> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    Generated g;
    g.options = synthetic_preset(name);
    g.dataset = generate_synthetic(g.options, &g.truth);
    it = cache.emplace(name, std::move(g)).first;
  }
  return it->second;
}

std::set<int64_t> active_users(const Domain& d) {
  return {d.interactions.user.begin(), d.interactions.user.end()};
}

void expect_same_dataset(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.user_ids, b.user_ids);
  ASSERT_EQ(a.domains.size(), b.domains.size());
  for (size_t d = 0; d < a.domains.size(); ++d) {
    const Domain& x = a.domains[d];
    const Domain& y = b.domains[d];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.item_ids, y.item_ids);
    EXPECT_EQ(x.category_names, y.category_names);
    EXPECT_EQ(x.item_category_offsets, y.item_category_offsets);
    EXPECT_EQ(x.item_category, y.item_category);
    EXPECT_EQ(x.interactions.user, y.interactions.user);
    EXPECT_EQ(x.interactions.item, y.interactions.item);
    EXPECT_EQ(x.interactions.time, y.interactions.time);
    EXPECT_EQ(x.interactions.behavior, y.interactions.behavior);
    EXPECT_EQ(x.interactions.weight, y.interactions.weight);
  }
  EXPECT_EQ(a.splits.size(), b.splits.size());
}

// Share of a domain's interactions that fall on its 10% most interacted items.
double top_decile_share(const Domain& d) {
  std::vector<int64_t> degree(static_cast<size_t>(d.num_items()), 0);
  for (const int64_t i : d.interactions.item) ++degree[i];
  std::sort(degree.rbegin(), degree.rend());
  const int64_t top = std::accumulate(degree.begin(), degree.begin() + d.num_items() / 10, int64_t{0});
  return static_cast<double>(top) / static_cast<double>(d.interactions.size());
}

// Per user, the share of its interactions in each category: [users x categories].
std::vector<double> category_shares(const Dataset& ds, const Domain& d) {
  const int64_t categories = d.num_categories();
  std::vector<double> shares(static_cast<size_t>(ds.num_users() * categories), 0.0);
  std::vector<double> count(static_cast<size_t>(ds.num_users()), 0.0);
  for (size_t k = 0; k < d.interactions.size(); ++k) {
    const int64_t u = d.interactions.user[k];
    shares[u * categories + d.item_category[d.interactions.item[k]]] += 1.0;
    count[u] += 1.0;
  }
  for (int64_t u = 0; u < ds.num_users(); ++u) {
    for (int64_t c = 0; c < categories; ++c) {
      if (count[u] > 0) shares[u * categories + c] /= count[u];
    }
  }
  return shares;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (size_t k = 0; k < x.size(); ++k) {
    sx += x[k];
    sy += y[k];
    sxx += x[k] * x[k];
    syy += y[k] * y[k];
    sxy += x[k] * y[k];
  }
  const double cov = sxy / n - sx / n * sy / n;
  return cov / std::sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
}

// Cross-domain taste signal in the data alone: category k means the same theme in every domain,
// so for each category, correlate (over users active in both domains) a user's share of that
// category in domain a with its share in domain b; average over categories. Category
// popularity is the same for everyone and cancels out of a correlation.
double category_share_correlation(const Dataset& ds, const Domain& a, const Domain& b) {
  const std::vector<double> sa = category_shares(ds, a), sb = category_shares(ds, b);
  const std::set<int64_t> in_a = active_users(a), in_b = active_users(b);
  std::vector<int64_t> both;
  std::set_intersection(in_a.begin(), in_a.end(), in_b.begin(), in_b.end(), std::back_inserter(both));
  const int64_t categories = a.num_categories();
  double sum = 0.0;
  for (int64_t c = 0; c < categories; ++c) {
    std::vector<double> x, y;
    for (const int64_t u : both) {
      x.push_back(sa[u * categories + c]);
      y.push_back(sb[u * categories + c]);
    }
    sum += pearson(x, y);
  }
  return sum / static_cast<double>(categories);
}

double row_dot(const std::vector<double>& a, int64_t i, const std::vector<double>& b, int64_t j, int64_t dim) {
  double s = 0.0;
  for (int64_t k = 0; k < dim; ++k) s += a[i * dim + k] * b[j * dim + k];
  return s;
}

TEST(SyntheticPresets, ListsThePresetsAndRejectsOthersNamingThem) {
  EXPECT_EQ(synthetic_presets(),
            (std::vector<std::string>{"two-platform", "multi-category", "unrelated", "multi-market"}));
  try {
    synthetic_preset("two_platform");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'two_platform'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("two-platform, multi-category, unrelated, multi-market"), std::string::npos) << msg;
  }
}

TEST(SyntheticPresets, DescribeTheirSettings) {
  const SyntheticOptions two = synthetic_preset("two-platform");
  EXPECT_EQ(two.domains, (std::vector<std::string>{"source", "target"}));
  EXPECT_EQ(two.mean_interactions_per_user, (std::vector<double>{30.0, 5.0}));
  EXPECT_DOUBLE_EQ(two.domain_shift, 0.2);
  EXPECT_DOUBLE_EQ(two.shared_user_fraction, 0.8);
  const SyntheticOptions unrelated = synthetic_preset("unrelated");
  EXPECT_DOUBLE_EQ(unrelated.domain_shift, 1.0);
  EXPECT_EQ(unrelated.items_per_domain, two.items_per_domain);
  const SyntheticOptions shop = synthetic_preset("multi-category");
  EXPECT_EQ(shop.domains, std::vector<std::string>{"shop"});
  EXPECT_EQ(shop.categories_per_domain, 12);
  EXPECT_EQ(shop.new_category, "new");
  EXPECT_DOUBLE_EQ(shop.shared_item_fraction, 0.0);
  const SyntheticOptions markets = synthetic_preset("multi-market");
  EXPECT_EQ(markets.domains, (std::vector<std::string>{"ca", "uk", "de", "jp"}));
  EXPECT_EQ(markets.items_per_domain, (std::vector<int64_t>{600, 500, 400, 300}));
  EXPECT_EQ(markets.mean_interactions_per_user, (std::vector<double>{20.0, 15.0, 12.0, 4.0}));
  EXPECT_EQ(markets.users, 2000);
  EXPECT_EQ(markets.categories_per_domain, 0);
  EXPECT_DOUBLE_EQ(markets.shared_user_fraction, 0.0);
  EXPECT_DOUBLE_EQ(markets.shared_item_fraction, 0.8);
  EXPECT_DOUBLE_EQ(markets.domain_shift, 0.2);
  EXPECT_DOUBLE_EQ(markets.signal_strength, 10.0);
}

TEST(SyntheticPresets, GenerateValidDatasets) {
  for (const std::string& name : synthetic_presets()) {
    SCOPED_TRACE(name);
    const Generated& g = preset(name);
    EXPECT_NO_THROW(validate(g.dataset, name));
    EXPECT_EQ(g.dataset.num_users(), g.options.users);
    ASSERT_EQ(g.dataset.domains.size(), g.options.domains.size());
    for (size_t d = 0; d < g.dataset.domains.size(); ++d) {
      const Domain& domain = g.dataset.domains[d];
      EXPECT_EQ(domain.name, g.options.domains[d]);
      EXPECT_EQ(domain.num_items(), g.options.items_per_domain[d]);
      EXPECT_EQ(domain.num_categories(), g.options.categories_per_domain);
      EXPECT_TRUE(domain.interactions.has_time());
      EXPECT_FALSE(domain.interactions.has_behavior());
      EXPECT_FALSE(domain.interactions.has_weight());
    }
  }
}

// The studies rank against 999 sampled negatives (PROTOCOLS.md) on the platform and category
// presets, so each domain needs over a thousand training items besides any user's own; the
// markets follow XMarket's leave-one-out with 99.
TEST(SyntheticPresets, SupportTheStudiesSplitsWith999Negatives) {
  Dataset platforms = preset("two-platform").dataset;
  SplitOptions cold;
  cold.kind = "cold_start_users";
  cold.source = "source";
  cold.target = "target";
  ASSERT_NO_THROW(add_split(platforms, cold));
  SplitOptions last;
  last.kind = "leave_one_out";
  ASSERT_NO_THROW(add_split(platforms, last));
  EXPECT_NO_THROW(validate(platforms, "two-platform"));
  EXPECT_EQ(platforms.split("cold_start_users").part("target")->negatives_per_case, 999);

  Dataset shop = preset("multi-category").dataset;
  SplitOptions fresh;
  fresh.kind = "new_category";
  fresh.category = "new";
  fresh.k_shot = 1;
  ASSERT_NO_THROW(add_split(shop, fresh));
  EXPECT_NO_THROW(validate(shop, "multi-category"));
  EXPECT_GT(shop.split("new_category").part("shop")->test.size(), 500u);

  Dataset markets = preset("multi-market").dataset;
  SplitOptions market_last;
  market_last.kind = "leave_one_out";
  market_last.negatives = 99;
  ASSERT_NO_THROW(add_split(markets, market_last));
  EXPECT_NO_THROW(validate(markets, "multi-market"));
  EXPECT_EQ(markets.split("leave_one_out").part("jp")->negatives_per_case, 99);
}

struct BadOption {
  std::string field;
  std::string value;
  std::function<void(SyntheticOptions&)> set;
};

TEST(SyntheticOptionsCheck, RejectsEachBadFieldNamingItAndTheValue) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<BadOption> cases = {
      {"users", "0", [](auto& o) { o.users = 0; }},
      {"users", "-3", [](auto& o) { o.users = -3; }},
      {"domains", "none", [](auto& o) { o.domains.clear(); }},
      {"domains[1]", "''", [](auto& o) { o.domains[1] = ""; }},
      {"domains[0]", "'a/b'", [](auto& o) { o.domains[0] = "a/b"; }},
      {"domains[1]", "'source'", [](auto& o) { o.domains[1] = "source"; }},
      {"items_per_domain", "1 entries", [](auto& o) { o.items_per_domain = {800}; }},
      {"items_per_domain[1]", "0", [](auto& o) { o.items_per_domain[1] = 0; }},
      {"mean_interactions_per_user", "3 entries", [](auto& o) { o.mean_interactions_per_user = {1, 2, 3}; }},
      {"mean_interactions_per_user[0]", "-1", [](auto& o) { o.mean_interactions_per_user[0] = -1; }},
      {"mean_interactions_per_user[1]", "0", [](auto& o) { o.mean_interactions_per_user[1] = 0; }},
      {"mean_interactions_per_user[1]", "nan", [&](auto& o) { o.mean_interactions_per_user[1] = nan; }},
      {"categories_per_domain", "-1", [](auto& o) { o.categories_per_domain = -1; }},
      {"latent_dim", "0", [](auto& o) { o.latent_dim = 0; }},
      {"shared_user_fraction", "1.5", [](auto& o) { o.shared_user_fraction = 1.5; }},
      {"shared_user_fraction", "-0.1", [](auto& o) { o.shared_user_fraction = -0.1; }},
      {"shared_item_fraction", "1.5", [](auto& o) { o.shared_item_fraction = 1.5; }},
      {"shared_item_fraction", "-0.1", [](auto& o) { o.shared_item_fraction = -0.1; }},
      {"shared_item_fraction", "nan", [&](auto& o) { o.shared_item_fraction = nan; }},
      {"items_per_domain[1]", "900",
       [](auto& o) {
         o.shared_item_fraction = 0.5;
         o.items_per_domain[1] = 900;
       }},
      {"domain_shift", "nan", [&](auto& o) { o.domain_shift = nan; }},
      {"domain_shift", "2", [](auto& o) { o.domain_shift = 2; }},
      {"power_law_exponent", "-0.5", [](auto& o) { o.power_law_exponent = -0.5; }},
      {"signal_strength", "inf", [&](auto& o) { o.signal_strength = inf; }},
      {"new_category_share", "0", [](auto& o) { o.new_category_share = 0; }},
      {"new_category_share", "1.5", [](auto& o) { o.new_category_share = 1.5; }},
      {"new_category", "'new'",
       [](auto& o) {
         o.new_category = "new";
         o.categories_per_domain = 0;
       }},
      {"new_category", "'theme1'", [](auto& o) { o.new_category = "theme1"; }},
      {"content_width", "-1", [](auto& o) { o.content_width = -1; }},
      {"content_noise", "nan", [&](auto& o) { o.content_noise = nan; }},
  };
  for (const BadOption& c : cases) {
    SyntheticOptions o;
    c.set(o);
    try {
      generate_synthetic(o);
      ADD_FAILURE() << "no error for " << c.field << " = " << c.value;
    } catch (const UsageError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(" " + c.field + " "), std::string::npos) << msg;
      EXPECT_NE(msg.find("got " + c.value), std::string::npos) << msg;
    }
  }
}

TEST(SyntheticOptionsCheck, AcceptsTheBoundaries) {
  SyntheticOptions o;
  o.users = 1;
  o.shared_user_fraction = 0.0;
  o.domain_shift = 1.0;
  o.power_law_exponent = 0.0;
  o.signal_strength = 0.0;
  o.new_category_share = 1.0;
  o.categories_per_domain = 0;
  o.shared_item_fraction = 1.0;
  o.items_per_domain = {400, 400};  // markets as large as the catalogue
  EXPECT_NO_THROW(validate_synthetic_options(o));
}

// The catalogue is the first domain's items, so a larger later market is refused, naming both
// fields; without markets the sizes are free.
TEST(SyntheticOptionsCheck, MarketsMustNotOutgrowTheFirstDomainsCatalogue) {
  SyntheticOptions o = synthetic_preset("multi-market");
  o.items_per_domain[2] = 601;
  try {
    validate_synthetic_options(o);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("items_per_domain[2]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("items_per_domain[0] = 600"), std::string::npos) << msg;
    EXPECT_NE(msg.find("shared_item_fraction"), std::string::npos) << msg;
    EXPECT_NE(msg.find("got 601"), std::string::npos) << msg;
  }
  o.shared_item_fraction = 0.0;
  EXPECT_NO_THROW(validate_synthetic_options(o));
}

// Tiny enough to know every count: users wanting more items than a domain has take them all.
TEST(SyntheticGenerate, TinyCaseHasExactIdsActivityAndSharedUsers) {
  SyntheticOptions o;
  o.users = 4;
  o.domains = {"a", "b"};
  o.items_per_domain = {3, 5};
  o.mean_interactions_per_user = {1000.0, 1000.0};
  o.categories_per_domain = 2;
  o.shared_user_fraction = 0.5;
  o.seed = 9;
  const Dataset ds = generate_synthetic(o);
  EXPECT_NO_THROW(validate(ds, "tiny"));
  EXPECT_EQ(ds.user_ids, (std::vector<std::string>{"u0", "u1", "u2", "u3"}));
  const Domain& a = ds.domains[0];
  const Domain& b = ds.domains[1];
  EXPECT_EQ(a.item_ids, (std::vector<std::string>{"a:i0", "a:i1", "a:i2"}));
  EXPECT_EQ(b.category_names, (std::vector<std::string>{"theme0", "theme1"}));
  EXPECT_EQ(a.item_category_offsets, (std::vector<int64_t>{0, 1, 2, 3}));
  // Items are dealt to categories in turn: 5 items give 3 + 2.
  EXPECT_EQ(std::count(b.item_category.begin(), b.item_category.end(), 0), 3);
  EXPECT_EQ(std::count(b.item_category.begin(), b.item_category.end(), 1), 2);

  // Two shared users in both domains, one more user in each.
  const std::set<int64_t> in_a = active_users(a), in_b = active_users(b);
  EXPECT_EQ(in_a.size(), 3u);
  EXPECT_EQ(in_b.size(), 3u);
  std::set<int64_t> all = in_a;
  all.insert(in_b.begin(), in_b.end());
  EXPECT_EQ(all.size(), 4u);
  EXPECT_EQ(a.interactions.size(), 3u * 3u);
  EXPECT_EQ(b.interactions.size(), 3u * 5u);
  for (const int64_t u : in_a) {
    std::multiset<int64_t> items;
    for (size_t k = 0; k < a.interactions.size(); ++k) {
      if (a.interactions.user[k] == u) items.insert(a.interactions.item[k]);
    }
    EXPECT_EQ(items, (std::multiset<int64_t>{0, 1, 2})) << "user " << u;
  }
}

TEST(SyntheticGenerate, SameOptionsGiveTheSameDatasetAndAnotherSeedAnotherOne) {
  const SyntheticOptions o = synthetic_preset("two-platform");
  SyntheticTruth truth_again;
  const Dataset again = generate_synthetic(o, &truth_again);
  const Generated& first = preset("two-platform");
  expect_same_dataset(first.dataset, again);
  EXPECT_EQ(first.truth.user_preference, truth_again.user_preference);
  EXPECT_EQ(first.truth.domains[1].item_vectors, truth_again.domains[1].item_vectors);

  SyntheticOptions other = o;
  other.seed = 1;
  const Dataset different = generate_synthetic(other);
  EXPECT_EQ(different.user_ids, again.user_ids);
  for (size_t d = 0; d < again.domains.size(); ++d) {
    EXPECT_NE(different.domains[d].interactions.item, again.domains[d].interactions.item);
    EXPECT_NE(different.domains[d].item_category, again.domains[d].item_category);
  }
}

TEST(SyntheticGenerate, SurvivesTheDatasetStore) {
  const Dataset& generated = preset("multi-category").dataset;
  testing::TempDir dir;
  write_dataset(generated, dir.file("shop.h5"));
  expect_same_dataset(read_dataset(dir.file("shop.h5")), generated);
}

TEST(SyntheticGenerate, ActivityAndSharedUsersMatchTheOptions) {
  const Generated& g = preset("two-platform");
  const Domain& source = g.dataset.domain("source");
  const Domain& target = g.dataset.domain("target");
  const std::set<int64_t> in_source = active_users(source), in_target = active_users(target);
  std::vector<int64_t> both;
  std::set_intersection(in_source.begin(), in_source.end(), in_target.begin(), in_target.end(),
                        std::back_inserter(both));
  // 80% of 3000 users are in both domains; the other 600 are dealt 300 to each.
  EXPECT_EQ(both.size(), 2400u);
  EXPECT_EQ(in_source.size(), 2700u);
  EXPECT_EQ(in_target.size(), 2700u);

  const double source_mean = static_cast<double>(source.interactions.size()) / 2700.0;
  const double target_mean = static_cast<double>(target.interactions.size()) / 2700.0;
  EXPECT_NEAR(source_mean, 30.0, 3.0);
  EXPECT_NEAR(target_mean, 5.0, 0.5);

  // Heavy-tailed activity: some users are many times as active as the mean.
  std::map<int64_t, int64_t> per_user;
  for (const int64_t u : source.interactions.user) ++per_user[u];
  int64_t most = 0;
  for (const auto& [u, n] : per_user) most = std::max(most, n);
  EXPECT_GT(most, 4 * 30);
}

TEST(SyntheticGenerate, EachUserHasDistinctItemsInTimeOrderWithinTheYear) {
  const Domain& d = preset("two-platform").dataset.domain("source");
  const Interactions& x = d.interactions;
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (size_t k = 0; k < x.size(); ++k) {
    EXPECT_TRUE(pairs.emplace(x.user[k], x.item[k]).second) << "repeated pair at " << k;
    ASSERT_GE(x.time[k], 0);
    ASSERT_LT(x.time[k], 365LL * 24 * 3600);
    if (k > 0) {
      ASSERT_LE(x.user[k - 1], x.user[k]) << "not grouped by user at " << k;
      if (x.user[k - 1] == x.user[k]) {
        ASSERT_LE(x.time[k - 1], x.time[k]) << "time goes back at " << k;
      }
    }
  }
}

TEST(SyntheticStructure, ItemDegreesFollowThePowerLaw) {
  const Generated& g = preset("two-platform");
  const double skewed = top_decile_share(g.dataset.domain("source"));
  EXPECT_GT(skewed, 0.35);

  SyntheticOptions flat = g.options;
  flat.power_law_exponent = 0.0;
  const double even = top_decile_share(generate_synthetic(flat).domain("source"));
  EXPECT_LT(even, 0.2);
}

// A user's items lie far closer to its own taste than the domain's items on average.
TEST(SyntheticStructure, InteractionsAlignWithTheUsersPlantedTaste) {
  const Generated& g = preset("two-platform");
  const int64_t dim = g.truth.latent_dim;
  for (size_t d = 0; d < g.dataset.domains.size(); ++d) {
    const Domain& domain = g.dataset.domains[d];
    const SyntheticDomainTruth& t = g.truth.domains[d];
    double chosen = 0.0;
    for (size_t k = 0; k < domain.interactions.size(); ++k) {
      chosen += row_dot(t.user_vectors, domain.interactions.user[k], t.item_vectors, domain.interactions.item[k], dim);
    }
    chosen /= static_cast<double>(domain.interactions.size());
    // The same users against every item (a deterministic subset of users for speed).
    double any = 0.0;
    int64_t pairs = 0;
    for (size_t k = 0; k < domain.interactions.size(); k += 97) {
      for (int64_t i = 0; i < domain.num_items(); ++i, ++pairs) {
        any += row_dot(t.user_vectors, domain.interactions.user[k], t.item_vectors, i, dim);
      }
    }
    any /= static_cast<double>(pairs);
    EXPECT_GT(chosen, 0.25) << domain.name;
    EXPECT_LT(std::abs(any), 0.05) << domain.name;
  }
}

TEST(SyntheticStructure, SharedUsersCarryTheirTasteAcrossRelatedPlatformsOnly) {
  const Generated& related = preset("two-platform");
  const Generated& unrelated = preset("unrelated");
  const double related_correlation = category_share_correlation(
      related.dataset, related.dataset.domain("source"), related.dataset.domain("target"));
  const double unrelated_correlation = category_share_correlation(
      unrelated.dataset, unrelated.dataset.domain("source"), unrelated.dataset.domain("target"));
  EXPECT_GT(related_correlation, 0.45);
  EXPECT_LT(std::abs(unrelated_correlation), 0.06);

  // The planted per-domain tastes: cos ≈ 0.94 for a shift of 0.2, independent for a shift of 1.
  auto mean_cosine = [](const SyntheticTruth& t, int64_t users) {
    double sum = 0.0;
    for (int64_t u = 0; u < users; ++u) sum += row_dot(t.domains[0].user_vectors, u, t.domains[1].user_vectors, u, t.latent_dim);
    return sum / static_cast<double>(users);
  };
  EXPECT_GT(mean_cosine(related.truth, related.options.users), 0.9);
  EXPECT_LT(std::abs(mean_cosine(unrelated.truth, unrelated.options.users)), 0.05);
}

TEST(SyntheticStructure, TheNewCategoryLaunchesLateWithFewInteractions) {
  const Generated& g = preset("multi-category");
  const Domain& shop = g.dataset.domain("shop");
  ASSERT_EQ(shop.category_names.back(), "new");
  EXPECT_EQ(shop.category_names.front(), "theme0");
  const auto fresh = static_cast<int32_t>(shop.num_categories() - 1);
  EXPECT_EQ(g.truth.launch_time, 365LL * 24 * 3600 / 5 * 4);

  int64_t fresh_interactions = 0, other_interactions = 0, other_before_launch = 0;
  for (size_t k = 0; k < shop.interactions.size(); ++k) {
    if (shop.item_category[shop.interactions.item[k]] == fresh) {
      ++fresh_interactions;
      ASSERT_GE(shop.interactions.time[k], g.truth.launch_time) << "interaction " << k;
    } else {
      ++other_interactions;
      other_before_launch += shop.interactions.time[k] < g.truth.launch_time;
    }
  }
  EXPECT_GT(fresh_interactions, 500);
  EXPECT_NEAR(static_cast<double>(other_before_launch) / static_cast<double>(other_interactions), 0.8, 0.02);
  // The 11 older categories hold as many items each as the new one, yet far more interactions.
  EXPECT_LT(static_cast<double>(fresh_interactions), 0.5 * static_cast<double>(other_interactions) / 11.0);
}

// The content block of `d`, checked to be dense [items x width] without missing rows.
const FeatureBlock& content_of(const Domain& d, int64_t width) {
  const FeatureBlock* block = d.find_item_features("content");
  EXPECT_NE(block, nullptr) << d.name;
  if (block == nullptr) throw std::runtime_error("no content block in " + d.name);
  EXPECT_EQ(d.item_features.size(), 1u);
  EXPECT_EQ(block->kind, FeatureKind::kDense);
  EXPECT_EQ(block->rows, d.num_items());
  EXPECT_EQ(block->width, width);
  EXPECT_EQ(block->values.size(), static_cast<size_t>(d.num_items() * width));
  EXPECT_TRUE(block->missing.empty());
  return *block;
}

// Least squares with an intercept from rows of `x` ([n x p]) to rows of `y` ([n x q]), fitted on
// the rows `fit` and scored on the rows `score`: the pooled R² = 1 - SSE / SST over all q
// outputs, SST about the scored rows' own mean.
double held_out_r2(const std::vector<double>& x, int64_t p, const std::vector<double>& y, int64_t q,
                   const std::vector<int64_t>& fit, const std::vector<int64_t>& score) {
  const int64_t k = p + 1;  // features and the intercept
  const auto row = [&](int64_t i, int64_t c) { return c < p ? x[i * p + c] : 1.0; };
  std::vector<double> a(static_cast<size_t>(k * k), 0.0), b(static_cast<size_t>(k * q), 0.0);
  for (const int64_t i : fit) {
    for (int64_t r = 0; r < k; ++r) {
      for (int64_t c = 0; c < k; ++c) a[r * k + c] += row(i, r) * row(i, c);
      for (int64_t o = 0; o < q; ++o) b[r * q + o] += row(i, r) * y[i * q + o];
    }
  }
  // Gauss–Jordan on the normal equations (symmetric positive definite, well conditioned here).
  for (int64_t c = 0; c < k; ++c) {
    const double pivot = a[c * k + c];
    for (int64_t j = 0; j < k; ++j) a[c * k + j] /= pivot;
    for (int64_t o = 0; o < q; ++o) b[c * q + o] /= pivot;
    for (int64_t r = 0; r < k; ++r) {
      if (r == c) continue;
      const double f = a[r * k + c];
      for (int64_t j = 0; j < k; ++j) a[r * k + j] -= f * a[c * k + j];
      for (int64_t o = 0; o < q; ++o) b[r * q + o] -= f * b[c * q + o];
    }
  }
  std::vector<double> mean(static_cast<size_t>(q), 0.0);
  for (const int64_t i : score) {
    for (int64_t o = 0; o < q; ++o) mean[o] += y[i * q + o] / static_cast<double>(score.size());
  }
  double sse = 0.0, sst = 0.0;
  for (const int64_t i : score) {
    for (int64_t o = 0; o < q; ++o) {
      double predicted = 0.0;
      for (int64_t r = 0; r < k; ++r) predicted += row(i, r) * b[r * q + o];
      sse += (y[i * q + o] - predicted) * (y[i * q + o] - predicted);
      sst += (y[i * q + o] - mean[o]) * (y[i * q + o] - mean[o]);
    }
  }
  return 1.0 - sse / sst;
}

std::vector<double> as_doubles(const std::vector<float>& xs) { return {xs.begin(), xs.end()}; }

// The rows of [rows x width] `x` in a seeded random order: features that no longer belong to
// their items.
std::vector<double> shuffled_rows(const std::vector<double>& x, int64_t width, uint64_t seed) {
  const int64_t rows = static_cast<int64_t>(x.size()) / width;
  std::vector<int64_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<double> out;
  for (const int64_t r : order) out.insert(out.end(), x.begin() + r * width, x.begin() + (r + 1) * width);
  return out;
}

TEST(SyntheticContent, EveryDomainOfTheMultiCategoryPresetHasTheBlock) {
  const Generated& g = preset("multi-category");
  EXPECT_EQ(g.options.content_width, 32);
  for (const Domain& d : g.dataset.domains) content_of(d, 32);
  for (const Domain& d : preset("two-platform").dataset.domains) EXPECT_TRUE(d.item_features.empty()) << d.name;
}

TEST(SyntheticContent, EveryDomainGetsOneFeatureSpaceDeterministicallyWithoutTouchingInteractions) {
  SyntheticOptions o = synthetic_preset("two-platform");
  o.users = 300;
  o.items_per_domain = {300, 200};
  const Dataset plain = generate_synthetic(o);
  o.content_width = 8;
  const Dataset featured = generate_synthetic(o), again = generate_synthetic(o);
  expect_same_dataset(plain, featured);  // features draw from their own random streams
  o.seed = 1;
  const Dataset reseeded = generate_synthetic(o);
  for (size_t d = 0; d < featured.domains.size(); ++d) {
    const FeatureBlock& block = content_of(featured.domains[d], 8);
    EXPECT_EQ(block.values, content_of(again.domains[d], 8).values);
    EXPECT_NE(block.values, content_of(reseeded.domains[d], 8).values);
  }
}

// The real property: the features carry the planted item vectors. A linear fit from an item's
// features to its vector on half of the items explains most of the variance on the other half;
// the same fit on features shuffled across items explains none. (Measured: 0.93 and -0.03.)
TEST(SyntheticContent, FeaturesPredictTheLatentItemVectors) {
  const Generated& g = preset("multi-category");
  const Domain& shop = g.dataset.domain("shop");
  const std::vector<double> x = as_doubles(content_of(shop, 32).values);
  const std::vector<double>& v = g.truth.domains[0].item_vectors;
  const int64_t dim = g.truth.latent_dim;
  std::vector<int64_t> even, odd;
  for (int64_t i = 0; i < shop.num_items(); ++i) (i % 2 == 0 ? even : odd).push_back(i);
  const double r2 = held_out_r2(x, 32, v, dim, even, odd);
  const double control = held_out_r2(shuffled_rows(x, 32, 5), 32, v, dim, even, odd);
  EXPECT_GT(r2, 0.5);
  EXPECT_LT(r2, 0.97);  // but not exactly: the noise blurs the items of a cluster
  EXPECT_LT(control, 0.1);
}

// configs/new_category.yaml at k = 0: nothing of the new category trains, so its items are
// known by their features alone. A fit on the other categories' items carries over to them,
// and separates them from each other (R² about their own mean, which is what ranking within the
// category needs; measured 0.68, and 0.08 with content_noise 0.5).
TEST(SyntheticContent, TheNewCategoryIsPredictableFromTheOthers) {
  const Generated& g = preset("multi-category");
  const Domain& shop = g.dataset.domain("shop");
  const std::vector<double> x = as_doubles(content_of(shop, 32).values);
  const auto fresh = static_cast<int32_t>(shop.num_categories() - 1);
  std::vector<int64_t> old_items, new_items;
  for (int64_t i = 0; i < shop.num_items(); ++i) (shop.item_category[i] == fresh ? new_items : old_items).push_back(i);
  const double r2 = held_out_r2(x, 32, g.truth.domains[0].item_vectors, g.truth.latent_dim, old_items, new_items);
  EXPECT_GT(r2, 0.5);
}

// Categories are themes of the latent space, so items of one category have more alike features.
TEST(SyntheticContent, ItemsOfACategoryHaveMoreSimilarFeatures) {
  const Generated& g = preset("multi-category");
  const Domain& shop = g.dataset.domain("shop");
  const FeatureBlock& f = content_of(shop, 32);
  const auto cosine = [&](int64_t i, int64_t j) {
    double ij = 0, ii = 0, jj = 0;
    for (int64_t c = 0; c < f.width; ++c) {
      const double a = f.values[i * f.width + c], b = f.values[j * f.width + c];
      ij += a * b;
      ii += a * a;
      jj += b * b;
    }
    return ij / std::sqrt(ii * jj);
  };
  double same = 0, other = 0;
  int64_t n_same = 0, n_other = 0;
  for (int64_t i = 0; i < shop.num_items(); i += 7) {
    for (int64_t j = i + 1; j < shop.num_items(); j += 5) {
      const bool alike = shop.item_category[i] == shop.item_category[j];
      (alike ? same : other) += cosine(i, j);
      ++(alike ? n_same : n_other);
    }
  }
  same /= static_cast<double>(n_same);
  other /= static_cast<double>(n_other);
  EXPECT_GT(same, other + 0.3);  // measured 0.73 against -0.03
}

bool is_linked(const std::string& item_id) { return item_id.find(':') == std::string::npos; }

// The catalogue index k of a market's item id, "i<k>" when linked, else "<market>:i<k>"; -1 for
// anything else.
int64_t catalogue_index(const std::string& market, const std::string& item_id) {
  const std::string prefix = is_linked(item_id) ? "i" : market + ":i";
  if (item_id.rfind(prefix, 0) != 0 || item_id.size() == prefix.size()) return -1;
  return std::stoll(item_id.substr(prefix.size()));
}

bool same_row(const std::vector<double>& a, int64_t i, const std::vector<double>& b, int64_t j, int64_t dim) {
  return std::equal(a.begin() + i * dim, a.begin() + (i + 1) * dim, b.begin() + j * dim);
}

// Market d sells catalogue items 0..n_d-1 as its items 0..n_d-1, with the catalogue's vectors,
// and an item is linked in every market or in none.
TEST(SyntheticMarkets, EveryMarketSellsTheFirstItemsOfOneCatalogue) {
  const Generated& g = preset("multi-market");
  const Domain& catalogue = g.dataset.domains[0];
  const int64_t dim = g.truth.latent_dim;
  for (size_t d = 0; d < g.dataset.domains.size(); ++d) {
    const Domain& market = g.dataset.domains[d];
    for (int64_t i = 0; i < market.num_items(); ++i) {
      ASSERT_EQ(catalogue_index(market.name, market.item_ids[i]), i) << market.item_ids[i];
      EXPECT_EQ(is_linked(market.item_ids[i]), is_linked(catalogue.item_ids[i])) << market.item_ids[i];
      EXPECT_TRUE(same_row(g.truth.domains[d].item_vectors, i, g.truth.domains[0].item_vectors, i, dim))
          << market.name << " item " << i;
    }
  }
}

// The link the transfer methods use: jp's items found by id in another market are the linked
// ones, with the same planted vector there. jp (300 items) is a subset of every other market.
TEST(SyntheticMarkets, LinkedItemsHaveOneIdAndOneVectorAcrossMarkets) {
  const Generated& g = preset("multi-market");
  const Domain& jp = g.dataset.domain("jp");
  const size_t jp_index = 3;
  for (size_t d = 0; d < jp_index; ++d) {
    const Domain& other = g.dataset.domains[d];
    std::map<std::string, int64_t> index_of;
    for (int64_t i = 0; i < other.num_items(); ++i) index_of[other.item_ids[i]] = i;
    int64_t shared = 0;
    for (int64_t i = 0; i < jp.num_items(); ++i) {
      const auto it = index_of.find(jp.item_ids[i]);
      if (it == index_of.end()) continue;
      ++shared;
      EXPECT_TRUE(is_linked(jp.item_ids[i])) << jp.item_ids[i];
      EXPECT_TRUE(same_row(g.truth.domains[jp_index].item_vectors, i, g.truth.domains[d].item_vectors,
                           it->second, g.truth.latent_dim))
          << jp.item_ids[i] << " in " << other.name;
    }
    EXPECT_EQ(shared, std::count_if(jp.item_ids.begin(), jp.item_ids.end(), is_linked)) << other.name;
  }
}

// round(0.8 * 600) = 480 of the catalogue's items are linked; a market sells a random subset of
// the catalogue, so about 80% of its own items are (hypergeometric sd 0.016 for jp).
TEST(SyntheticMarkets, TheSharedFractionOfTheCatalogueIsLinked) {
  const Generated& g = preset("multi-market");
  for (const Domain& market : g.dataset.domains) {
    const auto plain = std::count_if(market.item_ids.begin(), market.item_ids.end(), is_linked);
    if (market.name == "ca") {
      EXPECT_EQ(plain, 480);
    }
    EXPECT_NEAR(static_cast<double>(plain) / static_cast<double>(market.num_items()), 0.8, 0.05) << market.name;
  }
}

TEST(SyntheticMarkets, NoCustomerShopsInTwoMarkets) {
  const Generated& g = preset("multi-market");
  std::set<int64_t> seen;
  for (const Domain& market : g.dataset.domains) {
    const std::set<int64_t> active = active_users(market);
    EXPECT_EQ(active.size(), 500u) << market.name;  // 2000 users dealt to 4 markets in turn
    for (const int64_t u : active) EXPECT_TRUE(seen.insert(u).second) << "user " << u << " also in " << market.name;
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(SyntheticMarkets, SameOptionsGiveTheSameMarketsAndAnotherSeedOtherLinks) {
  const Generated& first = preset("multi-market");
  SyntheticTruth truth_again;
  const Dataset again = generate_synthetic(first.options, &truth_again);
  expect_same_dataset(first.dataset, again);
  for (size_t d = 0; d < again.domains.size(); ++d) {
    EXPECT_EQ(first.truth.domains[d].item_vectors, truth_again.domains[d].item_vectors);
    EXPECT_EQ(first.truth.domains[d].item_popularity, truth_again.domains[d].item_popularity);
  }
  SyntheticOptions other = first.options;
  other.seed = 1;
  EXPECT_NE(generate_synthetic(other).domain("jp").item_ids, again.domain("jp").item_ids);
}

// Popularity follows the catalogue: an item sells as well, relative to the others, in every
// market that has it.
TEST(SyntheticMarkets, AnItemHasTheSamePopularityInEveryMarket) {
  const Generated& g = preset("multi-market");
  const std::vector<double>& catalogue = g.truth.domains[0].item_popularity;
  for (size_t d = 1; d < g.dataset.domains.size(); ++d) {
    const std::vector<double>& market = g.truth.domains[d].item_popularity;
    ASSERT_EQ(market.size(), static_cast<size_t>(g.dataset.domains[d].num_items()));
    EXPECT_TRUE(std::equal(market.begin(), market.end(), catalogue.begin())) << g.dataset.domains[d].name;
  }
}

// Content follows the catalogue: a linked item has the same features in every market.
TEST(SyntheticMarkets, AnItemHasTheSameContentInEveryMarket) {
  SyntheticOptions o = synthetic_preset("multi-market");
  o.users = 200;
  o.content_width = 4;
  const Dataset ds = generate_synthetic(o);
  const FeatureBlock& catalogue = content_of(ds.domains[0], 4);
  for (const Domain& market : ds.domains) {
    const FeatureBlock& block = content_of(market, 4);
    EXPECT_TRUE(std::equal(block.values.begin(), block.values.end(), catalogue.values.begin())) << market.name;
  }
}

}  // namespace
}  // namespace graft::io
