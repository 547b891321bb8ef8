// Small multi-behaviour shops for end-to-end tests, imported like a user would.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_support.h"

namespace graft::testing {

// Writes `name`/view/train.txt, `name`/buy/train.txt and `name`/buy/test.txt (behaviour-lists
// lines) and imports them like a user would; returns the dataset's path, `name`.h5.
inline std::string import_views_and_buys(const testing::TempDir& dir, const std::string& name, const std::string& views,
                                         const std::string& buys, const std::string& tests) {
  dir.write(name + "/view/train.txt", views);
  dir.write(name + "/buy/train.txt", buys);
  dir.write(name + "/buy/test.txt", tests);
  const std::string path = dir.file(name + ".h5");
  std::string output;
  EXPECT_EQ(run_graft("data import --format behaviour-lists " + dir.file(name) + " -o " + path, &output), 0)
      << output;
  return path;
}

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
  return import_views_and_buys(dir, "shop", views, buys, tests);
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
  return import_views_and_buys(dir, "novelty", views, buys, tests);
}

}  // namespace graft::testing
