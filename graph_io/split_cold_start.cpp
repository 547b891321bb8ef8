// The cold_start_users split of a source/target pair, as in the CDR benchmarks (CDRIB): cold
// users keep their source history, lose all of their target history from training, and are
// divided into disjoint validation and test users.
#include <algorithm>
#include <cmath>
#include <random>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "graph_io/split_builders.h"

namespace graft::io {

namespace {

std::vector<bool> users_with_interactions(const Domain& domain, int64_t num_users) {
  std::vector<bool> seen(static_cast<size_t>(num_users), false);
  for (const int64_t u : domain.interactions.user) seen[u] = true;
  return seen;
}

}  // namespace

// round(fraction * shared) cold users, at least one; the first half (rounded down) of them in
// the seeded order are validation users, the rest test users.
std::vector<DomainSplit> cold_start_users_split(const Dataset& dataset, const std::string& source,
                                                const std::string& target, double fraction, uint64_t seed) {
  const Domain& src = dataset.domain(source);
  const Domain& tgt = dataset.domain(target);
  const int64_t num_users = dataset.num_users();
  const std::vector<bool> in_source = users_with_interactions(src, num_users);
  const std::vector<bool> in_target = users_with_interactions(tgt, num_users);
  std::vector<int64_t> shared;
  for (int64_t u = 0; u < num_users; ++u) {
    if (in_source[u] && in_target[u]) shared.push_back(u);
  }
  if (shared.empty()) {
    throw UsageError("cold_start_users: no users shared between '" + source + "' and '" + target + "'");
  }

  std::mt19937_64 rng(seed);
  seeded_shuffle(shared, rng);
  const auto n_cold = std::max<int64_t>(
      1, static_cast<int64_t>(std::floor(fraction * static_cast<double>(shared.size()) + 0.5)));
  const int64_t n_valid = n_cold / 2;
  // 0: warm, 1: validation user, 2: test user.
  std::vector<int8_t> role(static_cast<size_t>(num_users), 0);
  for (int64_t i = 0; i < n_cold; ++i) role[shared[i]] = i < n_valid ? 1 : 2;

  DomainSplit source_part;
  source_part.domain = source;
  source_part.train.resize(src.interactions.size());
  for (size_t i = 0; i < source_part.train.size(); ++i) source_part.train[i] = static_cast<int64_t>(i);

  DomainSplit target_part;
  target_part.domain = target;
  const auto& users = tgt.interactions.user;
  for (size_t i = 0; i < users.size(); ++i) {
    const int8_t r = role[users[i]];
    (r == 0 ? target_part.train : r == 1 ? target_part.valid : target_part.test).push_back(static_cast<int64_t>(i));
  }
  target_part.cold_start_users.assign(shared.begin(), shared.begin() + n_cold);
  return {source_part, target_part};
}

}  // namespace graft::io
