#include "graph_io/id_map.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace graft::io {
namespace {

TEST(IdMap, AssignsDenseIdsInFirstSeenOrder) {
  IdMap ids;
  EXPECT_EQ(ids.add("5"), 0);
  EXPECT_EQ(ids.add("3"), 1);
  EXPECT_EQ(ids.add("5"), 0);
  EXPECT_EQ(ids.add("007"), 2);
  EXPECT_EQ(ids.add("7"), 3);
  EXPECT_EQ(ids.add("abc"), 4);
  EXPECT_EQ(ids.add_number(3), 1);
  EXPECT_EQ(ids.add_number(8), 5);
  EXPECT_EQ(ids.size(), 6);
  EXPECT_EQ(ids.ids(), (std::vector<std::string>{"5", "3", "007", "7", "abc", "8"}));
}

TEST(IdMap, FindsWithoutAdding) {
  IdMap ids;
  ids.add("x");
  ids.add("12");
  EXPECT_EQ(ids.find("x"), 0);
  EXPECT_EQ(ids.find("12"), 1);
  EXPECT_EQ(ids.find_number(12), 1);
  EXPECT_EQ(ids.find("012"), std::nullopt);
  EXPECT_EQ(ids.find_number(13), std::nullopt);
  EXPECT_EQ(ids.find("y"), std::nullopt);
  EXPECT_EQ(ids.size(), 2);
}

TEST(IdMap, KeepsLargeValuesStableWhileTheDirectTableGrows) {
  IdMap ids;
  EXPECT_EQ(ids.add_number(100000), 0);            // beyond the direct table at first
  EXPECT_EQ(ids.add_number(4000000000000000), 1);  // far beyond it
  for (uint64_t v = 0; v < 10000; ++v) ids.add_number(v);  // grows the table past 100000
  EXPECT_EQ(ids.add_number(100000), 0);
  EXPECT_EQ(ids.add("4000000000000000"), 1);
  EXPECT_EQ(ids.add_number(150000), 10002);
  EXPECT_EQ(ids.find_number(9999), 10001);
  EXPECT_EQ(ids.find_number(100000), 0);
}

TEST(IdMap, TreatsNumbersTooLongForTheFastPathAsText) {
  IdMap ids;
  EXPECT_EQ(ids.add("18446744073709551616"), 0);
  EXPECT_EQ(ids.add("18446744073709551616"), 0);
  EXPECT_EQ(ids.add("1844674407370955161"), 1);
  EXPECT_EQ(ids.ids()[0], "18446744073709551616");
}

TEST(IdMap, TakesTheIdsOut) {
  IdMap ids;
  ids.add("b");
  ids.add("a");
  EXPECT_EQ(std::move(ids).take_ids(), (std::vector<std::string>{"b", "a"}));
}

TEST(IdMap, NumbersManyTextIdsInFirstSeenOrderAcrossGrowths) {
  constexpr int64_t kIds = 200000;  // the text table doubles 15 times, from 16 slots to 2^19
  auto id = [](int64_t k) { return "u" + std::to_string((k * 7919) % kIds); };  // a permutation
  IdMap ids;
  for (int64_t k = 0; k < kIds; ++k) ASSERT_EQ(ids.add(id(k)), k) << id(k);
  for (int64_t k = kIds - 1; k >= 0; --k) ASSERT_EQ(ids.add(id(k)), k) << id(k);
  for (int64_t k = 0; k < kIds; ++k) ASSERT_EQ(ids.find(id(k)), k) << id(k);
  EXPECT_EQ(ids.size(), kIds);
  EXPECT_EQ(ids.ids()[12345], id(12345));
  EXPECT_EQ(ids.find("u" + std::to_string(kIds)), std::nullopt);
}

TEST(IdMap, TellsIdsWithLongSharedPrefixesApart) {
  const std::string prefix(200, 'B');
  IdMap ids;
  for (int k = 0; k < 1000; ++k) ASSERT_EQ(ids.add(prefix + std::to_string(k)), k);
  for (int k = 0; k < 1000; ++k) ASSERT_EQ(ids.find(prefix + std::to_string(k)), k);
  EXPECT_EQ(ids.find(prefix), std::nullopt);
  EXPECT_EQ(ids.find(prefix + "1000"), std::nullopt);
}

// The table trusts only the text: ids given one hash, or hashes that share their low bits (the
// same first slot), still get one index each. Keys carry the hash, so a test can choose it.
TEST(IdMap, TellsCollidingHashesApartByTheirText) {
  std::vector<std::string> names;
  for (int k = 0; k < 300; ++k) names.push_back("id" + std::to_string(k));
  std::vector<IdMap::HashedText> texts;
  std::vector<uint64_t> keys;
  for (size_t k = 0; k < names.size(); ++k) {
    const uint32_t hash = k < 150 ? 42 : static_cast<uint32_t>(k << 20) | 42;
    texts.push_back({names[k], hash});
    keys.push_back(IdMap::kTextKey | k);
  }
  IdMap ids;
  for (size_t k = 0; k < keys.size(); ++k) ASSERT_EQ(ids.add_key(keys[k], texts), static_cast<int64_t>(k));
  for (size_t k = keys.size(); k-- > 0;) ASSERT_EQ(ids.add_key(keys[k], texts), static_cast<int64_t>(k));
  EXPECT_EQ(ids.size(), 300);
  EXPECT_EQ(ids.ids(), names);
}

TEST(IdMap, MixesNumberAndTextKeys) {
  const std::vector<std::string_view> read = {"12", "u7", "007", "12", "7", "u7", "1234567890123456789", "007"};
  std::vector<IdMap::HashedText> texts;
  std::vector<uint64_t> keys;
  for (const std::string_view id : read) keys.push_back(IdMap::key(id, texts));
  EXPECT_EQ(keys[0], 12u);
  EXPECT_EQ(keys[4], 7u);
  EXPECT_EQ(texts.size(), 5u);  // u7, 007, u7, the 19-digit number, 007
  IdMap by_key, by_text;
  for (size_t k = 0; k < read.size(); ++k) EXPECT_EQ(by_key.add_key(keys[k], texts), by_text.add(read[k])) << read[k];
  EXPECT_EQ(by_key.ids(), (std::vector<std::string>{"12", "u7", "007", "7", "1234567890123456789"}));
  EXPECT_EQ(by_key.ids(), by_text.ids());
  EXPECT_EQ(by_key.find("007"), 2);
  EXPECT_EQ(by_key.find("7"), 3);
}

TEST(IdMap, FindsNoAbsentId) {
  IdMap ids;
  EXPECT_EQ(ids.find("a"), std::nullopt);
  EXPECT_EQ(ids.find("1"), std::nullopt);
  EXPECT_EQ(ids.find(""), std::nullopt);
  ids.add("a");
  ids.add("1");
  EXPECT_EQ(ids.find("b"), std::nullopt);
  EXPECT_EQ(ids.find("A"), std::nullopt);
  EXPECT_EQ(ids.find("01"), std::nullopt);
  EXPECT_EQ(ids.find("a "), std::nullopt);
  EXPECT_EQ(ids.find(""), std::nullopt);
  EXPECT_EQ(ids.size(), 2);
}

}  // namespace
}  // namespace graft::io
