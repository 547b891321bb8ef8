// Carving a target domain: the new category (by full path name) or the held-out new items become
// a domain of their own; every interaction keeps its role, every item its categories (by name)
// and feature rows; nothing is lost or duplicated.
#include "graph_io/category_domain.h"
#include "graph_io/errors.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/graph_io/split_fixtures.h"

namespace graft::io {
namespace {

using fixtures::expect_error;

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
  // The preset's content features follow the items: the bridge into the new category.
  for (const Domain* side : {&rest, &launched}) {
    const FeatureBlock* content = side->find_item_features("content");
    ASSERT_NE(content, nullptr) << side->name;
    EXPECT_EQ(content->rows, side->num_items());
    EXPECT_EQ(content->width, 32);
  }

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

// Categories named by path, as the item-metadata importer writes them; items carry every level.
//   0 Books   1 Beauty   2 Beauty > Fragrance   3 Beauty > Fragrance > Women   4 Beauty > Skin
// Items: i0 {Books}, i1 {Beauty, Fragrance}, i2 {Beauty, Fragrance, Women}, i3 {Beauty, Skin},
// i4 {Books}, i5 {Beauty}. Feature blocks: dense "text" (row i = {10i, 10i + 1}), sparse
// "brand" (i2 missing), scalar "price" (i3 missing); a user block "age".
Dataset catalogue() {
  Dataset ds;
  ds.user_ids = {"u0", "u1", "u2", "u3"};
  Domain d;
  d.name = "shop";
  d.item_ids = {"i0", "i1", "i2", "i3", "i4", "i5"};
  d.category_names = {"Books", "Beauty", "Beauty > Fragrance", "Beauty > Fragrance > Women", "Beauty > Skin"};
  d.item_category_offsets = {0, 1, 3, 6, 8, 9, 10};
  d.item_category = {0, 1, 2, 1, 2, 3, 1, 4, 0, 1};
  Interactions& x = d.interactions;
  x.user = {0, 0, 1, 1, 2, 2, 3, 3, 0, 2};
  x.item = {0, 1, 2, 3, 4, 5, 1, 2, 5, 0};
  x.time = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  x.weight = {1, 2, 3, 4, 5, 1, 2, 3, 4, 5};

  FeatureBlock text{"text", FeatureKind::kDense, 6, 2};
  for (int i = 0; i < 6; ++i) text.values.insert(text.values.end(), {10.0f * i, 10.0f * i + 1});
  FeatureBlock brand{"brand", FeatureKind::kSparse, 6, 3};
  brand.vocabulary = {"acme", "bolt", "cora"};
  brand.offsets = {0, 1, 3, 3, 4, 5, 6};
  brand.indices = {0, 1, 2, 0, 1, 2};
  brand.values = {1, 0.5f, 0.25f, 1, 1, 2};
  brand.missing = {0, 0, 1, 0, 0, 0};
  FeatureBlock price{"price", FeatureKind::kScalar, 6, 1};
  price.values = {9.5f, 20, 35, 0, 12, 7};
  price.missing = {0, 0, 0, 1, 0, 0};
  d.item_features = {text, brand, price};
  FeatureBlock age{"age", FeatureKind::kScalar, 4, 1};
  age.values = {31, 45, 22, 60};
  d.user_features = {age};
  ds.domains = {d};

  Split s;
  s.name = "given";
  s.kind = "given";
  DomainSplit& p = s.part_or_add("shop");
  p.train = {0, 1, 2, 4, 5, 9};
  p.valid = {3, 6};
  p.test = {7, 8};
  p.cold_start_users = {3};
  ds.splits = {s};
  return ds;
}

// Index of each external item id in `d`.
std::map<std::string, int64_t> item_index(const Domain& d) {
  std::map<std::string, int64_t> index;
  for (int64_t i = 0; i < d.num_items(); ++i) index[d.item_ids[i]] = i;
  return index;
}

std::vector<std::string> category_names_of(const Domain& d, int64_t item) {
  std::vector<std::string> names;
  for (int64_t k = d.item_category_offsets[item]; k < d.item_category_offsets[item + 1]; ++k) {
    names.push_back(d.category_names[d.item_category[k]]);
  }
  return names;
}

// Every item of `carved` has its original categories (by name) and feature rows; user blocks are
// the original ones.
void expect_items_keep_categories_and_features(const Domain& original, const Domain& carved) {
  SCOPED_TRACE(carved.name);
  const std::map<std::string, int64_t> from = item_index(original);
  ASSERT_EQ(carved.item_features.size(), original.item_features.size());
  for (int64_t i = 0; i < carved.num_items(); ++i) {
    const int64_t o = from.at(carved.item_ids[i]);
    EXPECT_EQ(category_names_of(carved, i), category_names_of(original, o)) << carved.item_ids[i];
    for (size_t b = 0; b < original.item_features.size(); ++b) {
      const FeatureBlock& want = original.item_features[b];
      const FeatureBlock& got = carved.item_features[b];
      SCOPED_TRACE(want.name + " row of " + carved.item_ids[i]);
      ASSERT_EQ(got.name, want.name);
      ASSERT_EQ(got.kind, want.kind);
      ASSERT_EQ(got.rows, carved.num_items());
      ASSERT_EQ(got.width, want.width);
      EXPECT_EQ(got.vocabulary, want.vocabulary);
      EXPECT_EQ(got.is_missing(i), want.is_missing(o));
      ASSERT_EQ(got.missing.size(), want.missing.empty() ? 0u : static_cast<size_t>(got.rows));
      if (want.kind == FeatureKind::kSparse) {
        ASSERT_EQ(got.offsets.size(), static_cast<size_t>(got.rows + 1));
        const auto row = [](const FeatureBlock& f, int64_t r) {
          return std::pair(std::vector<int32_t>(f.indices.begin() + f.offsets[r], f.indices.begin() + f.offsets[r + 1]),
                           std::vector<float>(f.values.begin() + f.offsets[r], f.values.begin() + f.offsets[r + 1]));
        };
        EXPECT_EQ(row(got, i), row(want, o));
      } else {
        ASSERT_EQ(got.values.size(), static_cast<size_t>(got.rows * got.width));
        for (int64_t c = 0; c < want.width; ++c) EXPECT_EQ(got.values[i * got.width + c], want.values[o * want.width + c]);
      }
    }
  }
  ASSERT_EQ(carved.user_features.size(), original.user_features.size());
  for (size_t b = 0; b < original.user_features.size(); ++b) {
    EXPECT_EQ(carved.user_features[b].values, original.user_features[b].values);
  }
}

// (user, item id, time, weight, role) of every interaction of a split's parts.
using Case = std::tuple<int64_t, std::string, int64_t, float, std::string>;
std::multiset<Case> cases_of(const Dataset& ds, const std::string& split) {
  std::multiset<Case> cases;
  for (const DomainSplit& p : ds.split(split).parts) {
    const Domain& d = ds.domain(p.domain);
    const Interactions& x = d.interactions;
    for (const auto& [rows, role] : {std::pair{&p.train, "train"}, std::pair{&p.valid, "valid"}, std::pair{&p.test, "test"}}) {
      for (const int64_t k : *rows) cases.emplace(x.user[k], d.item_ids[x.item[k]], x.time[k], x.weight[k], role);
    }
  }
  return cases;
}

TEST(CategoryLeafName, IsTheLastPathComponent) {
  EXPECT_EQ(category_leaf_name("Beauty > Fragrance > Women"), "Women");
  EXPECT_EQ(category_leaf_name("Beauty > Fragrance"), "Fragrance");
  EXPECT_EQ(category_leaf_name("new"), "new");
  EXPECT_EQ(new_items_domain_name("shop"), "shop_new");
}

TEST(CarveCategoryDomain, ACategoryByFullPathTakesItsSubcategoriesAlong) {
  const Dataset ds = catalogue();
  const Dataset carved = carve_category_domain(ds, "shop", "Beauty > Fragrance", "given");
  const Domain& rest = carved.domain("shop");
  const Domain& target = carved.domain("Fragrance");
  EXPECT_EQ(target.item_ids, (std::vector<std::string>{"i1", "i2"}));
  EXPECT_EQ(rest.item_ids, (std::vector<std::string>{"i0", "i3", "i4", "i5"}));
  // Each side keeps the categories its items carry, in the original order and by the same names.
  EXPECT_EQ(target.category_names,
            (std::vector<std::string>{"Beauty", "Beauty > Fragrance", "Beauty > Fragrance > Women"}));
  EXPECT_EQ(rest.category_names, (std::vector<std::string>{"Books", "Beauty", "Beauty > Skin"}));
  expect_items_keep_categories_and_features(ds.domains[0], rest);
  expect_items_keep_categories_and_features(ds.domains[0], target);
  EXPECT_EQ(cases_of(carved, "given"), cases_of(ds, "given"));
  EXPECT_EQ(carved.split("given").part("Fragrance")->cold_start_users, (std::vector<int64_t>{3}));
  EXPECT_EQ(carved.split("given").params.at("carved_category"), "Beauty > Fragrance");
  EXPECT_EQ(carved.split("given").params.at("carved_target"), "Fragrance");

  // A subcategory alone: only the item that carries it.
  const Dataset women = carve_category_domain(ds, "shop", "Beauty > Fragrance > Women", "given");
  EXPECT_EQ(women.domain("Women").item_ids, std::vector<std::string>{"i2"});
}

TEST(CarveCategoryDomain, TheCallerMayNameTheTarget) {
  const Dataset ds = catalogue();
  const Dataset carved = carve_category_domain(ds, "shop", "Beauty > Fragrance", "given", "perfume");
  EXPECT_EQ(carved.domains[1].name, "perfume");
  EXPECT_EQ(carved.domains[1].num_items(), 2);
  expect_error<UsageError>([&] { carve_category_domain(ds, "shop", "Books", "given", "shop"); },
                           {"other than 'shop'"});
  expect_error<UsageError>([&] { carve_category_domain(ds, "shop", "Books", "given", "a/b"); }, {"'a/b'"});
}

TEST(CarveItemsDomain, AnyItemSubsetWithFeaturesAndRoles) {
  const Dataset ds = catalogue();
  const Dataset carved = carve_items_domain(ds, "shop", {1, 0, 0, 1, 0, 1}, "picked", "given");
  expect_items_keep_categories_and_features(ds.domains[0], carved.domain("shop"));
  expect_items_keep_categories_and_features(ds.domains[0], carved.domain("picked"));
  EXPECT_EQ(cases_of(carved, "given"), cases_of(ds, "given"));
  expect_error<UsageError>([&] { carve_items_domain(ds, "shop", {1, 0}, "picked", "given"); },
                           {"2 item flags for 6 items"});
  expect_error<UsageError>([&] { carve_items_domain(ds, "shop", std::vector<uint8_t>(6, 0), "picked", "given"); },
                           {"'picked'", "no item"});
}

TEST(CarveNewItemsDomain, HeldOutItemsBecomeTheNewDomain) {
  Dataset ds = catalogue();
  SplitOptions o;
  o.name = "cold_items";
  o.kind = "new_items";
  o.valid_ratio = 0.2;
  o.test_ratio = 0.2;
  o.negatives = 0;
  o.seed = 1;
  add_split(ds, o);
  const std::vector<uint8_t> held_out = held_out_items(ds.domains[0], *ds.split("cold_items").part("shop"));
  const Dataset carved = carve_new_items_domain(ds, "shop", "cold_items");
  ASSERT_EQ(carved.domains.size(), 2u);
  const Domain& warm = carved.domain("shop");
  const Domain& fresh = carved.domain("shop_new");
  EXPECT_EQ(fresh.num_items(), 2);  // round(6 * 0.2) test + round(6 * 0.2) valid
  for (const std::string& id : fresh.item_ids) EXPECT_TRUE(held_out[item_index(ds.domains[0]).at(id)]) << id;
  expect_items_keep_categories_and_features(ds.domains[0], warm);
  expect_items_keep_categories_and_features(ds.domains[0], fresh);
  EXPECT_EQ(cases_of(carved, "cold_items"), cases_of(ds, "cold_items"));
  const DomainSplit& target = *carved.split("cold_items").part("shop_new");
  const DomainSplit& source = *carved.split("cold_items").part("shop");
  EXPECT_TRUE(target.train.empty());
  EXPECT_EQ(target.valid.size() + target.test.size(), fresh.interactions.size());
  EXPECT_TRUE(source.valid.empty() && source.test.empty());
  EXPECT_EQ(carve_new_items_domain(ds, "shop", "cold_items", "launches").domains[1].name, "launches");
  expect_error<UsageError>([&] { carve_new_items_domain(ds, "shop", "given"); }, {"'given'", "not new_items"});
}

}  // namespace
}  // namespace graft::io
