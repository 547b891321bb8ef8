// target_behavior_part: training restricted to the target behaviour, held-out cases checked.
#include <gtest/gtest.h>

#include "graph_io/behavior_split.h"
#include "graph_io/errors.h"
#include "tests/graph_io/import_test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;

// Interactions 0..5: (u0 view i0) (u0 buy i1) (u1 cart i0) (u1 buy i0) (u0 buy i0) (u1 view i1).
Domain shop() {
  Domain d;
  d.name = "shop";
  d.item_ids = {"i0", "i1"};
  d.interactions.user = {0, 0, 1, 1, 0, 1};
  d.interactions.item = {0, 1, 0, 0, 0, 1};
  d.interactions.behavior = {0, 3, 1, 3, 3, 0};
  return d;
}

TEST(TargetBehaviorPart, TrainsOnTheTargetAndKeepsHeldOutCasesAndNegatives) {
  DomainSplit part;
  part.domain = "shop";
  part.train = {0, 1, 2, 3};
  part.test = {4};
  part.negatives_per_case = 1;
  part.test_negatives = {1};
  part.cold_start_users = {1};
  const DomainSplit buy = target_behavior_part(shop(), part, Behavior::kBuy);
  EXPECT_EQ(buy.train, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(buy.test, part.test);
  EXPECT_EQ(buy.test_negatives, part.test_negatives);
  EXPECT_EQ(buy.cold_start_users, part.cold_start_users);
}

TEST(TargetBehaviorPart, HeldOutCasesOfOtherBehavioursAndUntypedDomainsAreRefused) {
  DomainSplit part;
  part.train = {1};
  part.valid = {0, 5};
  part.test = {4};
  expect_error<UsageError>([&] { target_behavior_part(shop(), part, Behavior::kBuy); },
                           {"target behaviour buy", "2 of the validation cases", "'shop'"});
  Domain untyped = shop();
  untyped.interactions.behavior.clear();
  part.valid.clear();
  expect_error<UsageError>([&] { target_behavior_part(untyped, part, Behavior::kBuy); }, {"no behaviour column"});
}

}  // namespace
}  // namespace graft::io
