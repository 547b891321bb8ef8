#include "graph_io/id_map.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace graft::io
