// The single-domain split kinds: leave_one_out, ratio, temporal and new_category.
#include "graph_io/split_builders.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "graph_io/seeded_random.h"
#include "graph_io/user_csr.h"

namespace graft::io {

namespace {

// Shares round half up: 10% of 15 interactions is 2, of 14 is 1.
int64_t share_of(int64_t n, double ratio) {
  return static_cast<int64_t>(std::floor(static_cast<double>(n) * ratio + 0.5));
}

// Puts `rows` (ascending interaction indices) in "earliest first" order: by time with ties in a
// seeded random order, or a seeded random order when the domain has no timestamps. Ties are
// common (dates have no time of day), and breaking them by index would let a file's line order
// decide which of a user's same-day interactions is held out (PROTOCOLS.md: a seeded rule).
void order_by_time_or_shuffle(std::vector<int64_t>& rows, const Interactions& x, std::mt19937_64& rng) {
  seeded_shuffle(rows, rng);
  if (x.has_time()) {
    std::stable_sort(rows.begin(), rows.end(), [&](int64_t a, int64_t b) { return x.time[a] < x.time[b]; });
  }
}

}  // namespace

DomainSplit leave_one_out_split(const Domain& domain, int64_t num_users, uint64_t seed, int64_t* too_few) {
  const Interactions& x = domain.interactions;
  std::mt19937_64 rng(seed);
  const UserCsr by_user = interactions_by_user(x, num_users);
  DomainSplit part;
  part.domain = domain.name;
  *too_few = 0;
  std::vector<int64_t> rows;
  for (int64_t u = 0; u < num_users; ++u) {
    rows.assign(by_user.begin(u), by_user.end(u));
    if (rows.size() < 3) {
      *too_few += !rows.empty();
      part.train.insert(part.train.end(), rows.begin(), rows.end());
      continue;
    }
    order_by_time_or_shuffle(rows, x, rng);
    part.test.push_back(rows.back());
    part.valid.push_back(rows[rows.size() - 2]);
    part.train.insert(part.train.end(), rows.begin(), rows.end() - 2);
  }
  return part;
}

// Per user of n interactions: test = round(n * test_ratio), valid = round(n * valid_ratio), then
// valid and, if still needed, test shrink so that at least one interaction stays in train.
DomainSplit ratio_split(const Domain& domain, int64_t num_users, double valid_ratio, double test_ratio,
                        uint64_t seed) {
  std::mt19937_64 rng(seed);
  const UserCsr by_user = interactions_by_user(domain.interactions, num_users);
  DomainSplit part;
  part.domain = domain.name;
  std::vector<int64_t> rows;
  for (int64_t u = 0; u < num_users; ++u) {
    rows.assign(by_user.begin(u), by_user.end(u));
    const auto n = static_cast<int64_t>(rows.size());
    if (n == 0) continue;
    int64_t n_test = std::min(share_of(n, test_ratio), n - 1);
    const int64_t n_valid = std::min(share_of(n, valid_ratio), n - 1 - n_test);
    seeded_shuffle(rows, rng);
    part.test.insert(part.test.end(), rows.begin(), rows.begin() + n_test);
    part.valid.insert(part.valid.end(), rows.begin() + n_test, rows.begin() + n_test + n_valid);
    part.train.insert(part.train.end(), rows.begin() + n_test + n_valid, rows.end());
  }
  return part;
}

DomainSplit holdout_valid_split(const Domain& domain, const DomainSplit& base, int64_t num_users, double valid_ratio,
                                uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<int64_t>> by_user(static_cast<size_t>(num_users));
  for (const int64_t row : base.train) by_user[static_cast<size_t>(domain.interactions.user[row])].push_back(row);
  DomainSplit part;
  part.domain = base.domain;
  part.valid = base.valid;
  part.test = base.test;
  part.cold_start_users = base.cold_start_users;
  for (std::vector<int64_t>& rows : by_user) {
    if (rows.empty()) continue;
    const auto n = static_cast<int64_t>(rows.size());
    const int64_t n_valid = std::min(share_of(n, valid_ratio), n - 1);
    std::sort(rows.begin(), rows.end());
    seeded_shuffle(rows, rng);
    part.valid.insert(part.valid.end(), rows.begin(), rows.begin() + n_valid);
    part.train.insert(part.train.end(), rows.begin() + n_valid, rows.end());
  }
  return part;
}

// Of N interactions ordered by (time, index): the last round(N * test_ratio) are test, the
// round(N * valid_ratio) before them valid.
DomainSplit temporal_split(const Domain& domain, double valid_ratio, double test_ratio) {
  const Interactions& x = domain.interactions;
  std::vector<int64_t> rows(x.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  std::stable_sort(rows.begin(), rows.end(), [&](int64_t a, int64_t b) { return x.time[a] < x.time[b]; });
  const auto n = static_cast<int64_t>(rows.size());
  const int64_t n_test = share_of(n, test_ratio);
  const int64_t n_valid = std::min(share_of(n, valid_ratio), n - n_test);
  DomainSplit part;
  part.domain = domain.name;
  part.train.assign(rows.begin(), rows.end() - n_test - n_valid);
  part.valid.assign(rows.end() - n_test - n_valid, rows.end() - n_test);
  part.test.assign(rows.end() - n_test, rows.end());
  return part;
}

DomainSplit new_category_split(const Domain& domain, int64_t num_users, int32_t category, int64_t k_shot,
                               uint64_t seed) {
  const Interactions& x = domain.interactions;
  std::vector<bool> in_category(static_cast<size_t>(domain.num_items()), false);
  for (int64_t item = 0; item < domain.num_items(); ++item) {
    const auto first = domain.item_category.begin() + domain.item_category_offsets[item];
    const auto last = domain.item_category.begin() + domain.item_category_offsets[item + 1];
    in_category[item] = std::find(first, last, category) != last;
  }
  std::mt19937_64 rng(seed);
  const UserCsr by_user = interactions_by_user(x, num_users);
  DomainSplit part;
  part.domain = domain.name;
  std::vector<int64_t> withheld;
  for (int64_t u = 0; u < num_users; ++u) {
    withheld.clear();
    for (const int64_t* row = by_user.begin(u); row != by_user.end(u); ++row) {
      (in_category[x.item[*row]] ? withheld : part.train).push_back(*row);
    }
    const auto budget = std::min<size_t>(static_cast<size_t>(k_shot), withheld.size());
    if (budget > 0 && budget < withheld.size()) order_by_time_or_shuffle(withheld, x, rng);
    part.train.insert(part.train.end(), withheld.begin(), withheld.begin() + budget);
    part.test.insert(part.test.end(), withheld.begin() + budget, withheld.end());
  }
  return part;
}

}  // namespace graft::io
