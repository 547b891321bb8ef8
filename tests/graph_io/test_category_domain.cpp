// carve_category_domain: the new category becomes the target domain with its k-shot budget in
// training and its withheld interactions as test cases; nothing is lost or duplicated.
#include "graph_io/category_domain.h"
#include "graph_io/errors.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic.h"

#include <gtest/gtest.h>

#include <set>

namespace graft::io {
namespace {

Dataset shop_with_new_category_split(int64_t k_shot) {
  SyntheticOptions o = synthetic_preset("multi-category");
  o.users = 300;
  o.items_per_domain = {240};
  Dataset dataset = generate_synthetic(o);
  SplitOptions split;
  split.name = "launch";
  split.kind = "new_category";
  split.category = "new";
  split.k_shot = k_shot;
  split.negatives = 0;
  add_split(dataset, split);
  return dataset;
}

TEST(CarveCategoryDomain, TheNewCategoryBecomesTheTargetWithItsSplitRoles) {
  const Dataset shop = shop_with_new_category_split(1);
  const Dataset carved = carve_category_domain(shop, "shop", "new", "launch");
  ASSERT_EQ(carved.domains.size(), 2u);
  const Domain& rest = carved.domain("shop");
  const Domain& launched = carved.domain("new");
  EXPECT_EQ(rest.num_items() + launched.num_items(), shop.domains[0].num_items());
  EXPECT_EQ(rest.interactions.size() + launched.interactions.size(), shop.domains[0].interactions.size());
  for (const auto& name : rest.category_names) EXPECT_NE(name, "new");

  const DomainSplit& original = *shop.split("launch").part("shop");
  const DomainSplit& source = *carved.split("launch").part("shop");
  const DomainSplit& target = *carved.split("launch").part("new");
  EXPECT_TRUE(source.test.empty());  // every withheld interaction is in the new category
  EXPECT_EQ(target.test.size(), original.test.size());
  EXPECT_EQ(source.train.size() + target.train.size(), original.train.size());
  // k = 1: at most one training interaction per user in the new category.
  std::map<int64_t, int> per_user;
  for (const int64_t k : target.train) ++per_user[launched.interactions.user[k]];
  for (const auto& [user, count] : per_user) EXPECT_LE(count, 1) << "user " << user;
  // Items keep their external ids on their side.
  std::set<std::string> ids(rest.item_ids.begin(), rest.item_ids.end());
  for (const auto& id : launched.item_ids) EXPECT_EQ(ids.count(id), 0u) << id;
}

TEST(CarveCategoryDomain, ZeroShotLeavesTheTargetWithoutTraining) {
  const Dataset carved = carve_category_domain(shop_with_new_category_split(0), "shop", "new", "launch");
  EXPECT_TRUE(carved.split("launch").part("new")->train.empty());
  EXPECT_FALSE(carved.split("launch").part("new")->test.empty());
}

TEST(CarveCategoryDomain, MissingThingsAreNamed) {
  const Dataset shop = shop_with_new_category_split(1);
  EXPECT_THROW(carve_category_domain(shop, "shop", "nwe", "launch"), UsageError);
  try {
    carve_category_domain(shop, "shop", "nwe", "launch");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no category 'nwe'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(carve_category_domain(shop, "shop", "new", "other"), UsageError);
  EXPECT_THROW(carve_category_domain(shop, "mall", "new", "launch"), UsageError);
}

}  // namespace
}  // namespace graft::io
