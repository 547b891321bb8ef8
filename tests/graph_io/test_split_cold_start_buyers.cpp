// The cold_start_buyers split: exact results on a hand-built domain with behaviours, seeded
// determinism, the negatives it records, and the message of every option error. Its invariants
// on the random dataset run with every other kind in test_splits.cpp (EveryKind).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "graph_io/errors.h"
#include "graph_io/splits.h"
#include "tests/graph_io/split_fixtures.h"

namespace graft::io {
namespace {

using fixtures::expect_error;
using fixtures::expect_partition;
using fixtures::make_domain;
using fixtures::user_names;

using Rows = std::vector<int64_t>;

constexpr int8_t kPv = 0, kCart = 1, kBuy = 3;

// Rows: u0 views i0 and buys i0 and i1; u1 views i1, carts and buys i2; u2 only buys i3; u3 only
// views i0 and i3; u4 carts and buys i1. Users 0, 1 and 4 buy and do something else.
Dataset shop() {
  Dataset ds;
  ds.user_ids = user_names(5);
  Domain d = make_domain("shop", 4, {0, 0, 0, 1, 1, 1, 2, 3, 3, 4, 4}, {0, 0, 1, 1, 2, 2, 3, 0, 3, 1, 1});
  d.interactions.behavior = {kPv, kBuy, kBuy, kPv, kCart, kBuy, kBuy, kPv, kPv, kCart, kBuy};
  ds.domains = {d};
  return ds;
}

SplitOptions buyers_options(double fraction, uint64_t seed = 0) {
  SplitOptions o;
  o.kind = "cold_start_buyers";
  o.cold_start_fraction = fraction;
  o.negatives = 0;
  o.seed = seed;
  return o;
}

std::set<int64_t> users_of(const Dataset& ds, const Rows& rows) {
  std::set<int64_t> users;
  for (const int64_t r : rows) users.insert(ds.domains[0].interactions.user[r]);
  return users;
}

TEST(ColdStartBuyers, HoldsOutEveryPurchaseOfTheColdBuyersOnly) {
  Dataset ds = shop();
  add_split(ds, buyers_options(1.0));
  const Split& s = ds.splits[0];
  EXPECT_EQ(s.name, "cold_start_buyers");
  EXPECT_EQ(s.kind, "cold_start_buyers");
  EXPECT_EQ(s.params.at("target_behavior"), "buy");
  EXPECT_EQ(s.params.at("cold_start_fraction"), "1");
  EXPECT_EQ(s.params.at("domains"), "shop");
  EXPECT_EQ(s.params.at("seed"), "0");
  EXPECT_EQ(s.params.at("negatives"), "0");
  const DomainSplit& p = s.parts.at(0);
  EXPECT_EQ(p.cold_start_users, (Rows{0, 1, 4}));  // user 2 only buys, user 3 never does
  // Their views and carts train, and so does the purchase of user 2.
  EXPECT_EQ(p.train, (Rows{0, 3, 4, 6, 7, 8, 9}));
  Rows held_out = p.valid;
  held_out.insert(held_out.end(), p.test.begin(), p.test.end());
  std::sort(held_out.begin(), held_out.end());
  EXPECT_EQ(held_out, (Rows{1, 2, 5, 10}));
  EXPECT_EQ(users_of(ds, p.valid).size(), 1u);  // floor(3 / 2) validation users
  EXPECT_EQ(users_of(ds, p.test).size(), 2u);
  expect_partition(p, ds.domains[0].interactions.size());
  EXPECT_NO_THROW(validate(ds, "test"));
}

TEST(ColdStartBuyers, NoColdBuyerKeepsAPurchaseInTraining) {
  Dataset ds = shop();
  add_split(ds, buyers_options(0.5, 7));  // round(1.5) = 2 of the 3 eligible users
  const DomainSplit& p = ds.splits[0].parts.at(0);
  ASSERT_EQ(p.cold_start_users.size(), 2u);
  const Interactions& x = ds.domains[0].interactions;
  const std::set<int64_t> cold(p.cold_start_users.begin(), p.cold_start_users.end());
  for (const int64_t r : p.train) {
    EXPECT_FALSE(cold.count(x.user[r]) && x.behavior[r] == kBuy) << "row " << r;
  }
  for (const Rows* rows : {&p.valid, &p.test}) {
    for (const int64_t r : *rows) {
      EXPECT_EQ(x.behavior[r], kBuy) << "row " << r;
      EXPECT_EQ(cold.count(x.user[r]), 1u) << "row " << r;
    }
  }
  EXPECT_EQ(users_of(ds, p.valid).size() + users_of(ds, p.test).size(), 2u);
}

TEST(ColdStartBuyers, AnotherTargetBehaviour) {
  Dataset ds = shop();
  SplitOptions o = buyers_options(1.0);
  o.target_behavior = "cart";
  add_split(ds, o);
  const DomainSplit& p = ds.splits[0].parts.at(0);
  EXPECT_EQ(ds.splits[0].params.at("target_behavior"), "cart");
  EXPECT_EQ(p.cold_start_users, (Rows{1, 4}));
  Rows held_out = p.valid;
  held_out.insert(held_out.end(), p.test.begin(), p.test.end());
  std::sort(held_out.begin(), held_out.end());
  EXPECT_EQ(held_out, (Rows{4, 9}));
}

TEST(ColdStartBuyers, SameSeedSameColdUsersOtherSeedsOthers) {
  std::set<Rows> drawn;
  for (uint64_t seed = 0; seed < 32; ++seed) {
    Dataset a = shop(), b = shop();
    add_split(a, buyers_options(0.34, seed));  // round(1.02) = 1 cold user
    add_split(b, buyers_options(0.34, seed));
    const DomainSplit& pa = a.splits[0].parts.at(0);
    const DomainSplit& pb = b.splits[0].parts.at(0);
    EXPECT_EQ(pa.cold_start_users, pb.cold_start_users);
    EXPECT_EQ(pa.train, pb.train);
    EXPECT_EQ(pa.test, pb.test);
    ASSERT_EQ(pa.cold_start_users.size(), 1u);
    drawn.insert(pa.cold_start_users);
  }
  EXPECT_EQ(drawn, (std::set<Rows>{{0}, {1}, {4}}));  // every eligible user, none other
}

// Negatives are training items that the user never touched in any behaviour.
TEST(ColdStartBuyers, DrawsNegativesOutsideEverythingTheUserDid) {
  Dataset ds = shop();
  SplitOptions o = buyers_options(1.0);
  o.negatives = 2;
  o.seed = 3;
  add_split(ds, o);
  const Split& s = ds.splits[0];
  EXPECT_EQ(s.params.at("negatives"), "2");
  EXPECT_EQ(s.params.at("negatives_seed"), "3");
  const DomainSplit& p = s.parts.at(0);
  const Interactions& x = ds.domains[0].interactions;
  for (const auto& [cases, negatives] : {std::pair{&p.valid, &p.valid_negatives}, std::pair{&p.test, &p.test_negatives}}) {
    ASSERT_EQ(negatives->size(), 2 * cases->size());
    for (size_t c = 0; c < cases->size(); ++c) {
      const int64_t user = x.user[(*cases)[c]];
      for (size_t k = 0; k < x.size(); ++k) {
        if (x.user[k] != user) continue;
        EXPECT_NE((*negatives)[2 * c], x.item[k]) << "user " << user;
        EXPECT_NE((*negatives)[2 * c + 1], x.item[k]) << "user " << user;
      }
    }
  }
  EXPECT_NO_THROW(validate(ds, "test"));
}

TEST(ColdStartBuyers, RejectsBadOptionsNamingThem) {
  Dataset ds = shop();
  SplitOptions o = buyers_options(0.5);
  o.target_behavior = "like";
  expect_error<UsageError>([&] { add_split(ds, o); }, {"--target-behaviour", "'like'", "pv, cart, fav, buy"});
  o.target_behavior = "fav";
  expect_error<UsageError>([&] { add_split(ds, o); }, {"no user of domain 'shop' has both 'fav' and other"});
  for (const double bad : {0.0, 1.5}) {
    expect_error<UsageError>([&] { add_split(ds, buyers_options(bad)); }, {"--cold-start-fraction", "(0, 1]"});
  }
  ds.domains.push_back(make_domain("plain", 1, {0}, {0}));
  expect_error<UsageError>([&] { add_split(ds, buyers_options(0.5)); },
                           {"cold_start_buyers", "domain 'plain' has no behaviours"});
  o = buyers_options(0.5);
  o.domains = {"shop"};
  EXPECT_NO_THROW(add_split(ds, o));
  EXPECT_EQ(ds.splits.size(), 1u);
}

}  // namespace
}  // namespace graft::io
