// The synthetic generator's item sampler draws exactly P(i) ∝ exp(β u·v_i) pop_i without
// replacement (Plackett–Luce), through both its rejection path and its Gumbel fallback, also on
// a market's items cut from a catalogue.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "graph_io/synthetic_sampler.h"
#include "graph_io/synthetic_space.h"

namespace graft::io::synthetic {
namespace {

constexpr int64_t kDim = 4;

struct SmallDomain {
  ItemSpace space;
  Vectors user;
};

SmallDomain make_setup(int64_t items, double power_law_exponent, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Vectors themes = random_directions(2, kDim, rng);
  SmallDomain s{build_item_space(items, themes, power_law_exponent, rng), random_directions(1, kDim, rng)};
  return s;
}

// P(i) ∝ exp(β u·v_i) pop_i for one draw.
std::vector<double> exact_probabilities(const SmallDomain& s, double beta) {
  std::vector<double> p(static_cast<size_t>(s.space.size()));
  for (int64_t i = 0; i < s.space.size(); ++i) {
    p[i] = std::exp(beta * dot(s.user.row(0), s.space.items.row(i), kDim) + s.space.log_popularity[i]);
  }
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& x : p) x /= total;
  return p;
}

// Plackett–Luce: probability that the first |S| draws are the set S, for every subset S
// (bitmask), by dynamic programming over the item drawn last.
std::vector<double> first_draws_set_probability(const std::vector<double>& p) {
  const size_t n = p.size();
  std::vector<double> f(size_t{1} << n, 0.0), mass(size_t{1} << n, 0.0);
  f[0] = 1.0;
  for (size_t s = 1; s < f.size(); ++s) {
    for (size_t i = 0; i < n; ++i) {
      if (!(s >> i & 1)) continue;
      const size_t before = s & ~(size_t{1} << i);
      mass[s] = mass[before] + p[i];
      f[s] += f[before] * p[i] / (1.0 - mass[before]);
    }
  }
  return f;
}

// A frequency over `draws` trials is within 5 standard errors of p (plus rounding slack).
void expect_frequency(double count, int64_t draws, double p, int64_t item) {
  const double tolerance = 5.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(draws)) + 1e-4;
  EXPECT_NEAR(count / static_cast<double>(draws), p, tolerance) << "item " << item;
}

void expect_single_draws_follow_the_softmax(const SmallDomain& s, double beta) {
  ItemSampler sampler(s.space, beta);
  std::mt19937_64 rng(11);
  const int64_t draws = 200000;
  std::vector<double> counts(static_cast<size_t>(s.space.size()), 0.0);
  std::vector<int64_t> out;
  for (int64_t k = 0; k < draws; ++k) {
    out.clear();
    sampler.draw(s.user.row(0), 1, rng, &out);
    ASSERT_EQ(out.size(), 1u);
    counts[out[0]] += 1.0;
  }
  const std::vector<double> p = exact_probabilities(s, beta);
  for (int64_t i = 0; i < s.space.size(); ++i) expect_frequency(counts[i], draws, p[i], i);
}

TEST(SyntheticSampler, SingleDrawsFollowTheSoftmaxOfTasteAndPopularity) {
  expect_single_draws_follow_the_softmax(make_setup(16, 1.0, 7), 3.0);
}

// A market sells the first items of the catalogue (first_items): the same items, each still in
// its cluster, and some of the 16 clusters left empty, which the sampler must never propose.
TEST(SyntheticSampler, AMarketCutFromTheCatalogueKeepsItsItemsAndTheirLaw) {
  const SmallDomain catalogue = make_setup(40, 1.0, 7);
  const SmallDomain market{first_items(catalogue.space, 7), catalogue.user};
  const ItemSpace& cut = market.space;
  ASSERT_EQ(cut.size(), 7);
  EXPECT_EQ(cut.items.data, std::vector<double>(catalogue.space.items.data.begin(),
                                                catalogue.space.items.data.begin() + 7 * kDim));
  ASSERT_EQ(cut.clusters(), catalogue.space.clusters());
  int64_t empty = 0;
  for (int64_t c = 0; c < cut.clusters(); ++c) {
    std::vector<int64_t> kept;
    for (int64_t j = catalogue.space.cluster_offsets[c]; j < catalogue.space.cluster_offsets[c + 1]; ++j) {
      if (catalogue.space.cluster_items[j] < 7) kept.push_back(catalogue.space.cluster_items[j]);
    }
    EXPECT_EQ(std::vector<int64_t>(cut.cluster_items.begin() + cut.cluster_offsets[c],
                                   cut.cluster_items.begin() + cut.cluster_offsets[c + 1]), kept) << "cluster " << c;
    empty += kept.empty();
  }
  EXPECT_GE(empty, 9);  // 16 clusters, 7 items
  for (int64_t i = 0; i < 7; ++i) {
    EXPECT_EQ(cut.theme[i], catalogue.space.theme[i]);
    EXPECT_EQ(cut.residual[i], catalogue.space.residual[i]);
    EXPECT_EQ(cut.log_popularity[i], catalogue.space.log_popularity[i]);
  }
  expect_single_draws_follow_the_softmax(market, 3.0);
}

// Each rank 1..n once, in a seeded order.
TEST(SyntheticSampler, ZipfPopularityUsesEachRankOnce) {
  std::mt19937_64 rng(4), again(4);
  const std::vector<double> log_pop = zipf_log_popularity(50, 2.0, rng);
  EXPECT_EQ(log_pop, zipf_log_popularity(50, 2.0, again));
  std::vector<double> ranks;
  for (const double lp : log_pop) ranks.push_back(std::exp(-lp / 2.0));
  std::sort(ranks.begin(), ranks.end());
  for (int64_t r = 0; r < 50; ++r) EXPECT_NEAR(ranks[r], static_cast<double>(r + 1), 1e-9);
  EXPECT_FALSE(std::is_sorted(log_pop.rbegin(), log_pop.rend()));
}

// With a steep popularity the least popular items are almost never proposed, so drawing all
// but one item runs out of tries and the Gumbel fallback picks what remains.
TEST(SyntheticSampler, DrawingAllButOneItemFollowsPlackettLuceThroughTheFallback) {
  const int64_t items = 10;
  const SmallDomain s = make_setup(items, 4.0, 3);
  const double beta = 3.0;
  ItemSampler sampler(s.space, beta);
  std::mt19937_64 rng(5);
  const int64_t draws = 40000;
  std::vector<double> left_out(items, 0.0);
  std::vector<int64_t> out;
  for (int64_t k = 0; k < draws; ++k) {
    out.clear();
    sampler.draw(s.user.row(0), items - 1, rng, &out);
    ASSERT_EQ(std::set<int64_t>(out.begin(), out.end()).size(), static_cast<size_t>(items - 1));
    int64_t sum = std::accumulate(out.begin(), out.end(), int64_t{0});
    left_out[items * (items - 1) / 2 - sum] += 1.0;
  }
  const std::vector<double> first = first_draws_set_probability(exact_probabilities(s, beta));
  const size_t all = (size_t{1} << items) - 1;
  for (int64_t i = 0; i < items; ++i) {
    expect_frequency(left_out[i], draws, first[all & ~(size_t{1} << i)], i);
  }
}

TEST(SyntheticSampler, DrawingEveryItemReturnsEachOnce) {
  const SmallDomain s = make_setup(9, 1.0, 1);
  ItemSampler sampler(s.space, 5.0);
  std::mt19937_64 rng(2);
  std::vector<int64_t> out;
  sampler.draw(s.user.row(0), 9, rng, &out);
  sampler.draw(s.user.row(0), 9, rng, &out);
  ASSERT_EQ(out.size(), 18u);
  std::vector<int64_t> first(out.begin(), out.begin() + 9), second(out.begin() + 9, out.end());
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
  const std::vector<int64_t> every = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(first, every);
  EXPECT_EQ(second, every);
}

}  // namespace
}  // namespace graft::io::synthetic
