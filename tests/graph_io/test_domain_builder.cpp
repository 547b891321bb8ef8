#include "graph_io/domain_builder.h"

#include <gtest/gtest.h>

namespace graft::io {
namespace {

using Ids = std::vector<int64_t>;

TEST(DomainBuilder, MergesDuplicatesKeepingTheFirstAcrossParts) {
  DomainBuilder b("shop", InteractionColumns{true, false, true});
  b.items().add("i0");
  b.items().add("i1");
  b.add(0, 0, Part::kTrain, 10, Behavior::kView, 1.0f);
  b.add(1, 0, Part::kTrain, 11, Behavior::kView, 2.0f);
  b.add(0, 0, Part::kTest, 12, Behavior::kView, 3.0f);   // repeats the first
  b.add(0, 1, Part::kValid, 13, Behavior::kView, 4.0f);
  b.add(1, 0, Part::kValid, 14, Behavior::kView, 5.0f);  // repeats the second
  const DomainBuilder::Result r = std::move(b).finish(2);

  EXPECT_EQ(r.duplicates_merged, 2);
  const Interactions& x = r.domain.interactions;
  EXPECT_EQ(x.user, (Ids{0, 1, 0}));
  EXPECT_EQ(x.item, (Ids{0, 0, 1}));
  EXPECT_EQ(x.time, (Ids{10, 11, 13}));
  EXPECT_EQ(x.weight, (std::vector<float>{1.0f, 2.0f, 4.0f}));
  EXPECT_TRUE(x.behavior.empty());
  EXPECT_EQ(r.split.domain, "shop");
  EXPECT_EQ(r.split.train, (Ids{0, 1}));
  EXPECT_EQ(r.split.valid, (Ids{2}));
  EXPECT_TRUE(r.split.test.empty());
  EXPECT_TRUE(r.split.cold_start_users.empty());
  EXPECT_EQ(r.domain.item_ids, (std::vector<std::string>{"i0", "i1"}));
  EXPECT_FALSE(r.domain.has_categories());
}

TEST(DomainBuilder, KeepsTypedEdgesApart) {
  DomainBuilder b("log", InteractionColumns{false, true, false});
  b.items().add("7");
  b.add(0, 0, Part::kTrain, 0, Behavior::kView);
  b.add(0, 0, Part::kTrain, 0, Behavior::kBuy);
  b.add(0, 0, Part::kTrain, 0, Behavior::kView);
  b.add(1, 0, Part::kTrain, 0, Behavior::kView);
  const DomainBuilder::Result r = std::move(b).finish(2);
  EXPECT_EQ(r.duplicates_merged, 1);
  EXPECT_EQ(r.domain.interactions.behavior, (std::vector<int8_t>{0, 3, 0}));
  EXPECT_EQ(r.domain.interactions.user, (Ids{0, 0, 1}));
}

TEST(DomainBuilder, BuildsTheCategoryCsr) {
  DomainBuilder b("d", InteractionColumns{});
  for (const char* item : {"a", "uncategorised", "c"}) b.items().add(item);
  const int64_t x = b.categories().add("X"), y = b.categories().add("Y");
  b.add_category(2, y);
  b.add_category(0, y);
  b.add_category(0, x);
  b.add_category(0, y);
  b.add_category(2, y);
  const DomainBuilder::Result r = std::move(b).finish(0);
  EXPECT_EQ(r.domain.category_names, (std::vector<std::string>{"X", "Y"}));
  EXPECT_EQ(r.domain.item_category_offsets, (Ids{0, 2, 2, 3}));
  EXPECT_EQ(r.domain.item_category, (std::vector<int32_t>{0, 1, 1}));
}

TEST(DomainBuilder, ColdStartUsersAreHeldOutUsersWithoutTraining) {
  DomainBuilder b("d", InteractionColumns{});
  b.items().add("i");
  b.items().add("j");
  b.add(3, 0, Part::kTest);
  b.add(0, 0, Part::kTrain);
  b.add(0, 1, Part::kTest);
  b.add(2, 1, Part::kValid);
  b.add(2, 0, Part::kTest);
  const DomainBuilder::Result r = std::move(b).finish(4);
  EXPECT_EQ(r.split.cold_start_users, (Ids{2, 3}));
  EXPECT_EQ(r.split.train, (Ids{1}));
  EXPECT_EQ(r.split.valid, (Ids{3}));
  EXPECT_EQ(r.split.test, (Ids{0, 2, 4}));
}

}  // namespace
}  // namespace graft::io
