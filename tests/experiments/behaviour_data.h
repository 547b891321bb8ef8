// A small multi-behaviour shop for end-to-end tests, imported like a user would.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_support.h"

namespace graft::testing {

// 40 users × 30 items in 2 taste groups, as behaviour-lists folders: each user views 10 items of
// its group, buys the first 2 of them, and the held-out purchase is the third, an item the user
// viewed in training.
inline std::string make_behaviour_dataset(const testing::TempDir& dir) {
  std::string views, buys, tests;
  for (int u = 0; u < 40; ++u) {
    const auto item = [u](int k) { return std::to_string((u % 2) * 15 + (u / 2 + k) % 15); };
    views += std::to_string(u);
    for (int k = 0; k < 10; ++k) views += "\t" + item(k);
    views += "\n";
    buys += std::to_string(u) + "\t" + item(0) + "\t" + item(1) + "\n";
    tests += std::to_string(u) + "\t" + item(2) + "\n";
  }
  dir.write("shop/view/train.txt", views);
  dir.write("shop/buy/train.txt", buys);
  dir.write("shop/buy/test.txt", tests);
  const std::string path = dir.file("shop.h5");
  std::string output;
  EXPECT_EQ(run_graft("data import --format behaviour-lists " + dir.file("shop") + " -o " + path, &output), 0)
      << output;
  return path;
}

// 40 users × 30 items in 2 taste groups of 15, where views reveal what purchases cannot: every
// user buys 2 of its group's 5 staples (items 0–4) and views its group's 10 other items, which
// nobody has bought in training; the held-out purchase is one of those viewed items.
inline std::string make_viewed_novelty_dataset(const testing::TempDir& dir) {
  std::string views, buys, tests;
  for (int u = 0; u < 40; ++u) {
    const auto item = [u](int k) { return std::to_string((u % 2) * 15 + k); };
    views += std::to_string(u);
    for (int k = 5; k < 15; ++k) views += "\t" + item(k);
    views += "\n";
    buys += std::to_string(u) + "\t" + item(u / 2 % 5) + "\t" + item((u / 2 + 1) % 5) + "\n";
    tests += std::to_string(u) + "\t" + item(5 + u / 2 % 10) + "\n";
  }
  dir.write("novelty/view/train.txt", views);
  dir.write("novelty/buy/train.txt", buys);
  dir.write("novelty/buy/test.txt", tests);
  const std::string path = dir.file("novelty.h5");
  std::string output;
  EXPECT_EQ(run_graft("data import --format behaviour-lists " + dir.file("novelty") + " -o " + path, &output), 0)
      << output;
  return path;
}

}  // namespace graft::testing
