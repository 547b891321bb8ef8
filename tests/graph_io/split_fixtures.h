// Datasets and checks shared by the split, negative-sampling and statistics tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "graph_io/dataset.h"
#include "graph_io/splits.h"

namespace graft::io::fixtures {

// Every split kind that splits a dataset by itself; holdout_valid derives from an existing split
// and has its own tests (HoldoutValid in test_splits.cpp).
inline std::vector<std::string> standalone_kinds() {
  std::vector<std::string> kinds = split_kinds();
  kinds.erase(std::remove(kinds.begin(), kinds.end(), "holdout_valid"), kinds.end());
  return kinds;
}

// A domain named `name` with `num_items` items "<name>0", "<name>1", ... and the interactions
// (users[r], items[r], times[r]); `times` may be empty.
inline Domain make_domain(const std::string& name, int64_t num_items, std::vector<int64_t> users,
                          std::vector<int64_t> items, std::vector<int64_t> times = {}) {
  Domain d;
  d.name = name;
  for (int64_t i = 0; i < num_items; ++i) d.item_ids.push_back(name + std::to_string(i));
  d.interactions.user = std::move(users);
  d.interactions.item = std::move(items);
  d.interactions.time = std::move(times);
  return d;
}

inline std::vector<std::string> user_names(int64_t n) {
  std::vector<std::string> ids;
  for (int64_t u = 0; u < n; ++u) ids.push_back("u" + std::to_string(u));
  return ids;
}

// Two domains, "books" (timestamps, 4 categories) and "movies" (no timestamps; behaviours cycle
// through pv, cart, fav, buy, so each movie user has all four), over 300 users of whom about two
// thirds use both; 5 to 25 interactions per user and domain.
inline Dataset random_dataset(uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  Dataset ds;
  ds.user_ids = user_names(300);
  Domain books = make_domain("books", 120, {}, {}, {});
  books.category_names = {"fiction", "poetry", "science", "travel"};
  for (int64_t i = 0; i <= books.num_items(); ++i) books.item_category_offsets.push_back(i);
  for (int64_t i = 0; i < books.num_items(); ++i) books.item_category.push_back(static_cast<int32_t>(i % 4));
  Domain movies = make_domain("movies", 200, {}, {});
  for (int64_t u = 0; u < ds.num_users(); ++u) {
    const uint64_t use = rng() % 3;  // 0: books only, 1: movies only, 2: both
    if (use != 1) {
      for (uint64_t n = 5 + rng() % 21; n > 0; --n) {
        books.interactions.user.push_back(u);
        books.interactions.item.push_back(static_cast<int64_t>(rng() % 120));
        books.interactions.time.push_back(static_cast<int64_t>(rng() % 1000));
      }
    }
    if (use != 0) {
      for (uint64_t n = 5 + rng() % 21; n > 0; --n) {
        movies.interactions.user.push_back(u);
        movies.interactions.item.push_back(static_cast<int64_t>(rng() % 200));
        movies.interactions.behavior.push_back(static_cast<int8_t>(n % kNumBehaviors));
      }
    }
  }
  ds.domains = {books, movies};
  return ds;
}

// train, valid and test are sorted, pairwise disjoint and together hold every interaction.
inline void expect_partition(const DomainSplit& part, size_t interactions) {
  std::vector<int64_t> all;
  for (const auto* list : {&part.train, &part.valid, &part.test}) {
    EXPECT_TRUE(std::is_sorted(list->begin(), list->end())) << part.domain;
    all.insert(all.end(), list->begin(), list->end());
  }
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(interactions);
  for (size_t i = 0; i < interactions; ++i) expected[i] = static_cast<int64_t>(i);
  EXPECT_EQ(all, expected) << "split of '" << part.domain << "' is not a partition";
}

// The message of the `Error` that `action` throws ("" and a test failure when it throws none),
// checked to contain each of `parts`.
template <typename Error, typename Action>
std::string expect_error(Action&& action, const std::vector<std::string>& parts) {
  std::string message;
  try {
    action();
    ADD_FAILURE() << "expected an error mentioning '" << parts.front() << "'";
  } catch (const Error& e) {
    message = e.what();
  }
  for (const std::string& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
  }
  return message;
}

}  // namespace graft::io::fixtures
