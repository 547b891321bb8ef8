// carve_behavior_domain: the source and target behaviours as two domains over the same users and
// items, every role kept, other behaviours dropped, cold-start buyers in the target's part.
#include <gtest/gtest.h>

#include "graph_io/behavior_domain.h"
#include "graph_io/errors.h"
#include "tests/graph_io/import_test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;

// Interactions 0..6 of 2 users and 3 items (behaviour codes pv 0, cart 1, fav 2, buy 3):
//   0 (u0 pv i0)  1 (u0 cart i0)  2 (u0 buy i0)  3 (u1 pv i1)  4 (u1 fav i2)  5 (u1 buy i2)  6 (u0 buy i1)
// split "given": 0–5 train, 6 test; user 1 is a cold-start buyer in split "cold" (5 is test).
Dataset shop() {
  Dataset ds;
  ds.user_ids = {"u0", "u1"};
  Domain d;
  d.name = "shop";
  d.item_ids = {"i0", "i1", "i2"};
  d.category_names = {"c"};
  d.item_category_offsets = {0, 1, 1, 2};
  d.item_category = {0, 0};
  d.interactions.user = {0, 0, 0, 1, 1, 1, 0};
  d.interactions.item = {0, 0, 0, 1, 2, 2, 1};
  d.interactions.behavior = {0, 1, 3, 0, 2, 3, 3};
  ds.domains = {d};
  Split given{"given", "given", {}, {}};
  DomainSplit part;
  part.domain = "shop";
  part.train = {0, 1, 2, 3, 4, 5};
  part.test = {6};
  given.parts = {part};
  Split cold{"cold", "cold_start_buyers", {}, {}};
  part.train = {0, 1, 2, 3, 4, 6};
  part.test = {5};
  part.cold_start_users = {1};
  cold.parts = {part};
  ds.splits = {given, cold};
  return ds;
}

TEST(BehaviorDomain, SourceAndTargetBehavioursBecomeTwoDomainsOverTheSameItems) {
  const Dataset carved = carve_behavior_domain(shop(), "shop", Behavior::kBuy, {Behavior::kView, Behavior::kCart}, "given");
  ASSERT_EQ(carved.domains.size(), 2u);
  const Domain& source = carved.domains[0];
  const Domain& target = carved.domains[1];
  EXPECT_EQ(source.name, "shop");
  EXPECT_EQ(target.name, "shop_buy");
  EXPECT_EQ(carved.user_ids, shop().user_ids);
  for (const Domain* d : {&source, &target}) {
    EXPECT_EQ(d->item_ids, shop().domains[0].item_ids);
    EXPECT_EQ(d->item_category, shop().domains[0].item_category);
  }
  // pv and cart go to the source (the fav interaction 4 is dropped), buys to the target.
  EXPECT_EQ(source.interactions.user, (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(source.interactions.item, (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(source.interactions.behavior, (std::vector<int8_t>{0, 1, 0}));
  EXPECT_EQ(target.interactions.user, (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(target.interactions.item, (std::vector<int64_t>{0, 2, 1}));
  const Split& split = carved.splits.at(0);
  ASSERT_EQ(split.parts.size(), 2u);
  EXPECT_EQ(split.parts[0].train, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_TRUE(split.parts[0].test.empty());
  EXPECT_EQ(split.parts[1].train, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(split.parts[1].test, (std::vector<int64_t>{2}));
  EXPECT_EQ(split.params.at("carved_target_behaviour"), "buy");
  EXPECT_EQ(split.params.at("carved_source_behaviours"), "pv, cart");
}

TEST(BehaviorDomain, ColdStartBuyersAreTheTargetsColdStartUsers) {
  // No source behaviours named: every other behaviour the domain has (pv, cart, fav).
  const Dataset carved = carve_behavior_domain(shop(), "shop", Behavior::kBuy, {}, "cold");
  const Split& split = carved.splits.at(0);
  EXPECT_EQ(carved.domains[0].interactions.size(), 4u);
  EXPECT_EQ(split.parts[1].cold_start_users, (std::vector<int64_t>{1}));
  EXPECT_TRUE(split.parts[0].cold_start_users.empty());
  // The cold buyer keeps his view and favourite in the source's training data, no purchase.
  EXPECT_EQ(split.parts[0].train, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(split.parts[1].train, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(split.parts[1].test, (std::vector<int64_t>{1}));
}

TEST(BehaviorDomain, BadRequestsAreNamed) {
  expect_error<UsageError>([] { carve_behavior_domain(shop(), "shop", Behavior::kBuy, {Behavior::kBuy}, "given"); },
                           {"carving 'buy' out of 'shop'", "cannot also be a source"});
  Dataset untyped = shop();
  untyped.domains[0].interactions.behavior.clear();
  expect_error<UsageError>([&] { carve_behavior_domain(untyped, "shop", Behavior::kBuy, {}, "given"); },
                           {"'shop'", "no behaviour column"});
  Dataset no_buys = shop();
  no_buys.domains[0].interactions.behavior = {0, 1, 0, 0, 2, 0, 0};
  expect_error<UsageError>([&] { carve_behavior_domain(no_buys, "shop", Behavior::kBuy, {}, "given"); },
                           {"carving 'buy'", "no such interaction"});
  Dataset no_fav = shop();
  no_fav.domains[0].interactions.behavior[4] = 0;
  expect_error<UsageError>([&] { carve_behavior_domain(no_fav, "shop", Behavior::kBuy, {Behavior::kFavorite}, "given"); },
                           {"no interaction of fav"});
  expect_error<UsageError>([] { carve_behavior_domain(shop(), "shop", Behavior::kBuy, {}, "nope"); }, {"nope"});
}

}  // namespace
}  // namespace graft::io
