// Sampled negatives (PROTOCOLS.md, 999- and 99-negative protocols): candidates, exclusions,
// shapes, determinism and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/splits.h"
#include "tests/graph_io/split_fixtures.h"
#include "tests/support/test_support.h"

namespace graft::io {
namespace {

using fixtures::expect_error;
using fixtures::make_domain;
using fixtures::random_dataset;
using fixtures::user_names;
using fixtures::standalone_kinds;

using Rows = std::vector<int64_t>;

// Items 0..5; item 5 is never trained on. User 0 has items 0 1 5, user 1 items 2 3.
Dataset given_split_dataset() {
  Dataset ds;
  ds.user_ids = user_names(2);
  ds.domains = {make_domain("shop", 6, {0, 0, 0, 1, 1, 1}, {0, 1, 5, 2, 3, 4})};
  Split s;
  s.name = "fixed";
  s.kind = "given";
  DomainSplit& p = s.part_or_add("shop");
  p.train = {0, 3, 4, 5};  // training items 0 2 3 4
  p.valid = {1};           // user 0, item 1
  p.test = {2};            // user 0, item 5
  ds.splits = {s};
  return ds;
}

std::vector<Rows> rows_of(const std::vector<int64_t>& flat, int64_t per_case) {
  std::vector<Rows> out;
  for (size_t i = 0; i < flat.size(); i += static_cast<size_t>(per_case)) {
    out.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(i),
                     flat.begin() + static_cast<std::ptrdiff_t>(i) + per_case);
  }
  return out;
}

Rows sorted(Rows xs) {
  std::sort(xs.begin(), xs.end());
  return xs;
}

TEST(SampleNegatives, DrawsTrainingItemsTheUserNeverTouched) {
  Dataset ds = given_split_dataset();
  // User 0's candidates: training items 0 2 3 4 minus its items 0 1 5, i.e. 2 3 4.
  sample_negatives(ds, "fixed", 3, 7);
  const DomainSplit& p = ds.splits[0].parts[0];
  EXPECT_EQ(p.negatives_per_case, 3);
  ASSERT_EQ(p.valid_negatives.size(), 3u);
  ASSERT_EQ(p.test_negatives.size(), 3u);
  EXPECT_EQ(sorted(p.valid_negatives), (Rows{2, 3, 4}));
  EXPECT_EQ(sorted(p.test_negatives), (Rows{2, 3, 4}));
  EXPECT_EQ(ds.splits[0].params.at("negatives"), "3");
  EXPECT_EQ(ds.splits[0].params.at("negatives_seed"), "7");
  EXPECT_EQ(ds.splits[0].kind, "given");
  EXPECT_NO_THROW(validate(ds, "test"));
}

TEST(SampleNegatives, TooFewCandidatesNamesDomainUserAndCounts) {
  Dataset ds = given_split_dataset();
  const Dataset before = ds;
  expect_error<DataError>([&] { sample_negatives(ds, "fixed", 4, 0); },
                          {"split 'fixed'", "domain 'shop'", "user 'u0'", "has 3", "4 negatives"});
  EXPECT_EQ(ds.splits[0].parts[0].negatives_per_case, before.splits[0].parts[0].negatives_per_case);
  EXPECT_TRUE(ds.splits[0].parts[0].valid_negatives.empty());
}

TEST(SampleNegatives, RejectsBadArguments) {
  Dataset ds = given_split_dataset();
  expect_error<UsageError>([&] { sample_negatives(ds, "fixed", -1, 0); }, {"--negatives", "-1"});
  expect_error<UsageError>([&] { sample_negatives(ds, "other", 1, 0); }, {"'other'", "fixed"});
}

TEST(SampleNegatives, ZeroClearsThem) {
  Dataset ds = given_split_dataset();
  sample_negatives(ds, "fixed", 2, 0);
  sample_negatives(ds, "fixed", 0, 0);
  const DomainSplit& p = ds.splits[0].parts[0];
  EXPECT_EQ(p.negatives_per_case, 0);
  EXPECT_TRUE(p.valid_negatives.empty());
  EXPECT_TRUE(p.test_negatives.empty());
}

TEST(SampleNegatives, EveryCandidateIsEquallyLikely) {
  // One user with 4000 test cases on item 0, candidates 1..4.
  Dataset ds;
  ds.user_ids = user_names(2);
  Rows users = {1, 1, 1, 1}, items = {1, 2, 3, 4};
  users.insert(users.end(), 4000, 0);
  items.insert(items.end(), 4000, 0);
  ds.domains = {make_domain("shop", 5, users, items)};
  Split s;
  s.name = "many";
  s.kind = "given";
  DomainSplit& p = s.part_or_add("shop");
  p.train = {0, 1, 2, 3};
  for (int64_t r = 4; r < 4004; ++r) p.test.push_back(r);
  ds.splits = {s};
  sample_negatives(ds, "many", 1, 3);
  std::map<int64_t, int> counts;
  for (const int64_t item : ds.splits[0].parts[0].test_negatives) ++counts[item];
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [item, n] : counts) {
    EXPECT_GT(n, 900) << "item " << item;  // 1000 expected; sd ~27
    EXPECT_LT(n, 1100) << "item " << item;
  }
}

// Properties the protocol demands, checked on every case of every part of `split`. Candidates
// are the training items, and in a new_items or leave_one_out split the held-out items too.
void expect_protocol(const Dataset& ds, const Split& split, int64_t count) {
  for (const DomainSplit& p : split.parts) {
    const Domain& d = ds.domain(p.domain);
    const Interactions& x = d.interactions;
    std::set<int64_t> training_items;
    for (const int64_t r : p.train) training_items.insert(x.item[r]);
    if (split.kind == "new_items" || split.kind == "leave_one_out") {
      for (const auto* rows : {&p.valid, &p.test}) {
        for (const int64_t r : *rows) training_items.insert(x.item[r]);
      }
    }
    std::map<int64_t, std::set<int64_t>> positives;
    for (size_t r = 0; r < x.size(); ++r) positives[x.user[r]].insert(x.item[r]);
    EXPECT_EQ(p.negatives_per_case, count);
    ASSERT_EQ(p.valid_negatives.size(), p.valid.size() * static_cast<size_t>(count));
    ASSERT_EQ(p.test_negatives.size(), p.test.size() * static_cast<size_t>(count));
    for (const auto& [cases, flat] : {std::pair{&p.valid, &p.valid_negatives}, std::pair{&p.test, &p.test_negatives}}) {
      const std::vector<Rows> rows = rows_of(*flat, count);
      for (size_t c = 0; c < cases->size(); ++c) {
        const int64_t user = x.user[(*cases)[c]];
        const std::set<int64_t> distinct(rows[c].begin(), rows[c].end());
        EXPECT_EQ(distinct.size(), rows[c].size()) << p.domain << " case " << c << " repeats an item";
        for (const int64_t item : rows[c]) {
          EXPECT_EQ(training_items.count(item), 1u) << p.domain << " item " << item << " is not a candidate";
          EXPECT_EQ(positives[user].count(item), 0u) << p.domain << " item " << item << " is a positive of " << user;
        }
      }
    }
  }
}

// The ground truth of a new_items case is a held-out item; its negatives must include such items,
// or a scorer that only asks "has this item never been trained on?" would rank it first.
TEST(SampleNegatives, NewItemsCompeteWithOtherNewItems) {
  Dataset ds = random_dataset();
  SplitOptions o;
  o.kind = "new_items";
  o.domains = {"movies"};
  o.valid_ratio = 0.2;
  o.test_ratio = 0.2;
  o.negatives = 50;
  add_split(ds, o);
  const Domain& movies = ds.domain("movies");
  const DomainSplit& p = *ds.splits[0].part("movies");
  const std::vector<uint8_t> held_out = held_out_items(movies, p);
  int64_t new_negatives = 0;
  for (const int64_t item : p.test_negatives) new_negatives += held_out[item];
  // 80 of 200 items are held out, so roughly 40% of negatives.
  const double share = static_cast<double>(new_negatives) / static_cast<double>(p.test_negatives.size());
  EXPECT_NEAR(share, 0.4, 0.05);
  expect_protocol(ds, ds.splits[0], 50);
}

// The 99-negative protocol: candidates are the market's items the user never rated there, also
// those only other users' valid or test cases hold. ca: u0 rates items 0 1 2, u1 3 4 5 (its
// latest, 5, is its test case and in no training row), u2 0 3 6; items 7-9 have no interactions.
// u0 rated item "ca3" in uk, which does not keep ca's item 3 from its candidates. Each user has
// exactly 4 candidates, so 4 negatives are all of them.
TEST(SampleNegatives, LeaveOneOutDrawsFromTheMarketsItemsTheUserNeverRatedThere) {
  Dataset ds;
  ds.user_ids = user_names(3);
  Domain ca =
      make_domain("ca", 10, {0, 0, 0, 1, 1, 1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 0, 3, 6}, {1, 2, 3, 1, 2, 3, 1, 2, 3});
  Domain uk = make_domain("uk", 1, {0}, {0}, {1});
  uk.item_ids = {"ca3"};
  ds.domains = {ca, uk};
  SplitOptions o;
  o.kind = "leave_one_out";
  o.domains = {"ca"};
  o.negatives = 4;
  add_split(ds, o);
  const DomainSplit& p = *ds.splits[0].part("ca");
  ASSERT_EQ(p.test, (Rows{2, 5, 8}));
  const std::vector<Rows> valid = rows_of(p.valid_negatives, 4), test = rows_of(p.test_negatives, 4);
  const std::vector<Rows> candidates = {{3, 4, 5, 6}, {0, 1, 2, 6}, {1, 2, 4, 5}};
  for (size_t u = 0; u < 3; ++u) {
    EXPECT_EQ(sorted(valid[u]), candidates[u]) << "user " << u;
    EXPECT_EQ(sorted(test[u]), candidates[u]) << "user " << u;
  }
}

// `graft data split --kind leave_one_out --negatives 99` on a market of 150 items: 99 distinct
// negatives per case, none rated by the user there, stored in the file and read back unchanged.
TEST(SampleNegatives, LeaveOneOutWith99NegativesIsStored) {
  std::mt19937_64 rng(5);
  Dataset ds;
  ds.user_ids = user_names(40);
  Domain market = make_domain("jp", 150, {}, {}, {});
  for (int64_t u = 0; u < 40; ++u) {
    for (int64_t k = 0; k < 3 + u % 20; ++k) {
      market.interactions.user.push_back(u);
      market.interactions.item.push_back((u * 7 + k * 13) % 150);
      market.interactions.time.push_back(static_cast<int64_t>(rng() % 30));
    }
  }
  ds.domains = {market};
  SplitOptions o;
  o.kind = "leave_one_out";
  o.negatives = 99;
  o.seed = 3;
  add_split(ds, o);
  const DomainSplit& p = ds.splits[0].parts[0];
  EXPECT_EQ(p.test.size(), 40u);
  expect_protocol(ds, ds.splits[0], 99);
  graft::testing::TempDir dir;
  write_dataset(ds, dir.file("jp.h5"));
  const Dataset back = read_dataset(dir.file("jp.h5"));
  EXPECT_EQ(back.splits[0].parts[0].test_negatives, p.test_negatives);
  EXPECT_EQ(back.splits[0].parts[0].valid_negatives, p.valid_negatives);
  EXPECT_EQ(back.splits[0].parts[0].negatives_per_case, 99);
}

class NegativesAfterSplit : public ::testing::TestWithParam<std::string> {
 protected:
  SplitOptions options(int64_t negatives, uint64_t seed) const {
    SplitOptions o;
    o.kind = GetParam();
    o.negatives = negatives;
    o.seed = seed;
    o.source = "books";
    o.target = "movies";
    if (GetParam() == "temporal" || GetParam() == "new_category") o.domains = {"books"};
    if (GetParam() == "cold_start_buyers") o.domains = {"movies"};
    o.category = "travel";
    return o;
  }
};

TEST_P(NegativesAfterSplit, FollowTheProtocol) {
  Dataset ds = random_dataset();
  // 50 of about 120 book items: heavy readers have fewer than twice that many candidates, so
  // both drawing strategies run.
  add_split(ds, options(50, 9));
  expect_protocol(ds, ds.splits[0], 50);
  EXPECT_NO_THROW(validate(ds, "test"));
}

TEST_P(NegativesAfterSplit, SameSeedSameNegativesOtherSeedOtherNegatives) {
  Dataset a = random_dataset(), b = random_dataset(), c = random_dataset();
  add_split(a, options(20, 9));
  add_split(b, options(20, 9));
  add_split(c, options(0, 9));
  sample_negatives(c, GetParam(), 20, 9);  // the same draw as add_split's
  Dataset d = c;
  sample_negatives(d, GetParam(), 20, 10);
  for (size_t i = 0; i < a.splits[0].parts.size(); ++i) {
    const DomainSplit& pa = a.splits[0].parts[i];
    EXPECT_EQ(pa.valid_negatives, b.splits[0].parts[i].valid_negatives);
    EXPECT_EQ(pa.test_negatives, b.splits[0].parts[i].test_negatives);
    EXPECT_EQ(pa.test_negatives, c.splits[0].parts[i].test_negatives);
    if (!pa.test.empty()) {
      EXPECT_NE(pa.test_negatives, d.splits[0].parts[i].test_negatives);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Splits, NegativesAfterSplit, ::testing::ValuesIn(standalone_kinds()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace graft::io
