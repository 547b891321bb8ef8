// The scale preset: exactly the interactions asked for, distinct items per user, times in order,
// power-law degrees, planted clusters, the same dataset for the same seed whatever the thread
// count, sizes parsed with their units, and bad options refused by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "graph_io/errors.h"
#include "graph_io/synthetic_scale.h"

namespace graft::io {
namespace {

ScaleOptions small(int threads = 2) {
  ScaleOptions o;
  o.interactions = 20000;
  o.clusters = 8;  // about 70 items each
  o.threads = threads;
  return o;
}

TEST(SyntheticScale, ExactSizesDistinctItemsAndTimesInOrder) {
  const Dataset ds = generate_scale(small());
  ASSERT_EQ(ds.domains.size(), 1u);
  const Interactions& x = ds.domains[0].interactions;
  EXPECT_EQ(x.size(), 20000u);
  EXPECT_EQ(ds.num_users(), 20000 / 17);
  EXPECT_EQ(ds.domains[0].num_items(), 20000 / 35);
  std::map<int64_t, std::set<int64_t>> items_of;
  for (size_t k = 0; k < x.size(); ++k) {
    EXPECT_TRUE(items_of[x.user[k]].insert(x.item[k]).second) << "user " << x.user[k] << " takes item " << x.item[k] << " twice";
    if (k > 0 && x.user[k] == x.user[k - 1]) EXPECT_LE(x.time[k - 1], x.time[k]);
    if (k > 0) EXPECT_LE(x.user[k - 1], x.user[k]);
  }
  EXPECT_EQ(static_cast<int64_t>(items_of.size()), ds.num_users());  // every user active
}

TEST(SyntheticScale, PowerLawDegreesAndPlantedClusters) {
  const Dataset ds = generate_scale(small());
  const Interactions& x = ds.domains[0].interactions;
  std::vector<int64_t> item_degree(static_cast<size_t>(ds.domains[0].num_items()), 0);
  for (const int64_t i : x.item) ++item_degree[i];
  std::vector<int64_t> sorted = item_degree;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_GT(sorted.back(), 10 * sorted[sorted.size() / 2]);  // a heavy head over the median
  // A user's items share its cluster (item index mod 8) far more often than 1 in 8.
  std::map<int64_t, std::map<int64_t, int>> cluster_counts;
  for (size_t k = 0; k < x.size(); ++k) ++cluster_counts[x.user[k]][x.item[k] % 8];
  double top_share = 0.0;  // per user, averaged: the heaviest users outgrow an 8th of the items
  for (const auto& [user, counts] : cluster_counts) {
    int top = 0, n = 0;
    for (const auto& [cluster, c] : counts) top = std::max(top, c), n += c;
    top_share += static_cast<double>(top) / n;
  }
  EXPECT_GT(top_share / static_cast<double>(cluster_counts.size()), 0.65);  // uniform items: about 0.35
}

TEST(SyntheticScale, SameSeedSameDataWhateverTheThreads) {
  const Dataset a = generate_scale(small(1)), b = generate_scale(small(3));
  EXPECT_EQ(a.domains[0].interactions.item, b.domains[0].interactions.item);
  EXPECT_EQ(a.domains[0].interactions.time, b.domains[0].interactions.time);
  ScaleOptions other = small();
  other.seed = 1;
  EXPECT_NE(a.domains[0].interactions.item, generate_scale(other).domains[0].interactions.item);
}

TEST(SyntheticScale, MemoryModelGrowsLinearly) {
  ScaleOptions o;
  o.interactions = 1'000'000;
  const int64_t one = scale_memory_bytes(o);
  o.interactions = 10'000'000;
  EXPECT_NEAR(static_cast<double>(scale_memory_bytes(o)) / static_cast<double>(one), 10.0, 0.01);
}

TEST(SyntheticScale, SizesWithUnitsAndBadOptions) {
  EXPECT_EQ(parse_size("10M", "--interactions"), 10'000'000);
  EXPECT_EQ(parse_size("1.5K", "--interactions"), 1500);
  EXPECT_EQ(parse_size("250", "--interactions"), 250);
  EXPECT_EQ(parse_size("24G", "--memory-budget", true), int64_t{24} << 30);
  for (const char* bad : {"", "ten", "10X", "-5M", "1e30"}) EXPECT_THROW(parse_size(bad, "--interactions"), UsageError) << bad;
  ScaleOptions o = small();
  o.interactions = 0;
  EXPECT_THROW(generate_scale(o), UsageError);
  o = small();
  o.users = o.interactions + 1;
  EXPECT_THROW(generate_scale(o), UsageError);
  o = small();
  o.items = 40;  // at most 1176 users × 10 items
  EXPECT_THROW(generate_scale(o), UsageError);
  o = small();
  o.in_cluster = 1.5;
  EXPECT_THROW(generate_scale(o), UsageError);
}

}  // namespace
}  // namespace graft::io
