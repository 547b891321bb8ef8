// NegativeSampler: never a training positive, exact complement sampling, reference-style
// epochs (uniform user, uniform positive), determinism across seeds and thread counts.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <random>

#include "gnn/negative_sampler.h"
#include "graph_io/errors.h"

namespace graft::gnn {
namespace {

// Users 0..num_users-1, each with 1..max_degree random items (duplicates included on purpose).
NegativeSampler random_sampler(int64_t num_users, int64_t num_items, int64_t max_degree, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> users, items;
  for (int64_t u = 0; u < num_users; ++u) {
    const int64_t degree = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(max_degree));
    for (int64_t k = 0; k < degree; ++k) {
      users.push_back(u);
      items.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(num_items)));
    }
  }
  return NegativeSampler(users, items, num_users + 3, num_items);  // 3 users without training items
}

TEST(NegativeSampler, EpochTriplesPairUsersWithAPositiveAndANonPositive) {
  const NegativeSampler sampler = random_sampler(60, 40, 30, 1);
  const Triples t = sampler.sample_epoch(7);
  ASSERT_EQ(t.size(), sampler.num_interactions());
  EXPECT_EQ(sampler.active_users().size(), 60u);
  for (int64_t k = 0; k < t.size(); ++k) {
    const int64_t u = t.users[k].item<int64_t>();
    ASSERT_LT(u, 60);
    ASSERT_TRUE(sampler.is_positive(u, t.positives[k].item<int64_t>()));
    const int64_t negative = t.negatives[k].item<int64_t>();
    ASSERT_GE(negative, 0);
    ASSERT_LT(negative, 40);
    ASSERT_FALSE(sampler.is_positive(u, negative)) << "user " << u << " item " << negative;
  }
}

TEST(NegativeSampler, DrawsEachNonPositiveUniformly) {
  const NegativeSampler sampler({0, 0, 0}, {1, 3, 3}, 1, 5);
  EXPECT_EQ(std::vector<int64_t>(sampler.positives_begin(0), sampler.positives_end(0)), (std::vector<int64_t>{1, 3}));
  std::mt19937_64 rng(3);
  std::vector<int> counts(5, 0);
  const int draws = 30000;
  for (int k = 0; k < draws; ++k) ++counts[sampler.sample_negative(0, rng)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_EQ(counts[3], 0);
  for (const int item : {0, 2, 4}) EXPECT_NEAR(counts[item], draws / 3, 400) << "item " << item;
}

TEST(NegativeSampler, EveryNonPositiveIsReachableAtTheEnds) {
  // Positives at both ends leave exactly items 3 and 4.
  const NegativeSampler sampler({0, 0, 0, 0}, {0, 1, 2, 5}, 1, 6);
  std::mt19937_64 rng(0);
  std::vector<int> counts(6, 0);
  for (int k = 0; k < 2000; ++k) ++counts[sampler.sample_negative(0, rng)];
  EXPECT_EQ(counts[0] + counts[1] + counts[2] + counts[5], 0);
  EXPECT_GT(counts[3], 800);
  EXPECT_GT(counts[4], 800);
}

TEST(NegativeSampler, EpochsPickUsersUniformlyWhateverTheirDegree) {
  // User 0 has 1 item and user 2 has 9; user 1 none. Like the reference, users are drawn
  // uniformly, so user 0 appears in about half the triples although it has a tenth of the data.
  std::vector<int64_t> users = {0}, items = {0};
  for (int64_t i = 0; i < 9; ++i) {
    users.push_back(2);
    items.push_back(i);
  }
  const NegativeSampler sampler(users, items, 3, 20);
  int64_t user0 = 0, total = 0;
  std::vector<int> positive_counts(9, 0);
  for (uint64_t seed = 0; seed < 400; ++seed) {
    const Triples t = sampler.sample_epoch(seed);
    for (int64_t k = 0; k < t.size(); ++k) {
      const int64_t u = t.users[k].item<int64_t>();
      ASSERT_NE(u, 1);
      user0 += u == 0;
      if (u == 2) ++positive_counts[t.positives[k].item<int64_t>()];
      ++total;
    }
  }
  EXPECT_EQ(total, 4000);
  EXPECT_NEAR(static_cast<double>(user0) / static_cast<double>(total), 0.5, 0.03);
  for (const int c : positive_counts) EXPECT_NEAR(c, (total - user0) / 9, 60);
}

TEST(NegativeSampler, SameSeedSameTriplesWhateverTheThreadCount) {
  // More triples than one chunk, so the chunks really spread over threads.
  const NegativeSampler sampler = random_sampler(800, 500, 60, 2);
  ASSERT_GT(sampler.num_interactions(), 20000);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const Triples serial = sampler.sample_epoch(11);
  at::set_num_threads(2);
  const Triples parallel = sampler.sample_epoch(11);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(serial.users, parallel.users));
  EXPECT_TRUE(torch::equal(serial.positives, parallel.positives));
  EXPECT_TRUE(torch::equal(serial.negatives, parallel.negatives));
  const Triples other = sampler.sample_epoch(12);
  EXPECT_FALSE(torch::equal(serial.negatives, other.negatives));
}

TEST(NegativeSampler, ForSplitReadsOnlyTrainingInteractions) {
  io::Dataset ds;
  ds.user_ids = {"a", "b"};
  io::Domain d;
  d.name = "music";
  d.item_ids = {"x", "y", "z"};
  d.interactions.user = {0, 0, 1};
  d.interactions.item = {0, 1, 2};
  ds.domains.push_back(d);
  io::DomainSplit part;
  part.domain = "music";
  part.train = {0, 2};
  part.test = {1};
  const NegativeSampler sampler = NegativeSampler::for_split(ds, "music", part);
  EXPECT_EQ(sampler.num_interactions(), 2);
  EXPECT_TRUE(sampler.is_positive(0, 0));
  EXPECT_FALSE(sampler.is_positive(0, 1));  // a test item stays a possible negative
  EXPECT_TRUE(sampler.is_positive(1, 2));
}

TEST(NegativeSampler, RejectsBadInteractions) {
  EXPECT_THROW(NegativeSampler({0}, {0, 1}, 1, 2), io::UsageError);
  EXPECT_THROW(NegativeSampler({2}, {0}, 2, 2), io::UsageError);
  EXPECT_THROW(NegativeSampler({0}, {-1}, 1, 2), io::UsageError);
  try {
    NegativeSampler({1, 1}, {0, 1}, 2, 2);
    FAIL() << "a user with every item has no negative";
  } catch (const io::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("user 1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graft::gnn
