// The user cold-start splits. cold_start_users, of a source/target pair as in the CDR benchmarks
// (CDRIB): cold users keep their source history and lose all of their target history from
// training. cold_start_buyers, of one domain with behaviours: cold users keep their views, carts
// and favourites and lose all of their purchases (the target behaviour). Either way the cold
// users are divided into disjoint validation and test users.
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

struct ColdUsers {
  std::vector<int8_t> role;    // per user: 0 warm, 1 validation user, 2 test user
  std::vector<int64_t> users;  // the cold users, in the seeded order
};

// round(fraction * n) of the n `eligible` users (ascending), at least one, are cold; the first
// half (rounded down) of them in the seeded order are validation users, the rest test users.
ColdUsers draw_cold_users(std::vector<int64_t> eligible, int64_t num_users, double fraction, uint64_t seed) {
  std::mt19937_64 rng(seed);
  seeded_shuffle(eligible, rng);
  const auto n_cold = std::max<int64_t>(
      1, static_cast<int64_t>(std::floor(fraction * static_cast<double>(eligible.size()) + 0.5)));
  const int64_t n_valid = n_cold / 2;
  ColdUsers cold;
  cold.role.assign(static_cast<size_t>(num_users), 0);
  for (int64_t i = 0; i < n_cold; ++i) cold.role[eligible[i]] = i < n_valid ? 1 : 2;
  cold.users.assign(eligible.begin(), eligible.begin() + n_cold);
  return cold;
}

}  // namespace

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
  const ColdUsers cold = draw_cold_users(std::move(shared), num_users, fraction, seed);

  DomainSplit source_part;
  source_part.domain = source;
  source_part.train.resize(src.interactions.size());
  for (size_t i = 0; i < source_part.train.size(); ++i) source_part.train[i] = static_cast<int64_t>(i);

  DomainSplit target_part;
  target_part.domain = target;
  const auto& users = tgt.interactions.user;
  for (size_t i = 0; i < users.size(); ++i) {
    const int8_t r = cold.role[users[i]];
    (r == 0 ? target_part.train : r == 1 ? target_part.valid : target_part.test).push_back(static_cast<int64_t>(i));
  }
  target_part.cold_start_users = cold.users;
  return {source_part, target_part};
}

// Eligible are the users with a `target` interaction and another one, who keep something to
// learn from once their `target` interactions are held out.
DomainSplit cold_start_buyers_split(const Domain& domain, int64_t num_users, Behavior target, double fraction,
                                    uint64_t seed) {
  const Interactions& x = domain.interactions;
  const auto code = static_cast<int8_t>(target);
  std::vector<uint8_t> kinds(static_cast<size_t>(num_users), 0);  // bit 1: a target interaction, bit 2: another
  for (size_t k = 0; k < x.size(); ++k) kinds[x.user[k]] |= x.behavior[k] == code ? 1 : 2;
  std::vector<int64_t> eligible;
  for (int64_t u = 0; u < num_users; ++u) {
    if (kinds[u] == 3) eligible.push_back(u);
  }
  if (eligible.empty()) {
    throw UsageError("cold_start_buyers: no user of domain '" + domain.name + "' has both '" + behavior_name(target) +
                     "' and other interactions");
  }
  const ColdUsers cold = draw_cold_users(std::move(eligible), num_users, fraction, seed);

  DomainSplit part;
  part.domain = domain.name;
  for (size_t k = 0; k < x.size(); ++k) {
    const int8_t r = x.behavior[k] == code ? cold.role[x.user[k]] : 0;
    (r == 0 ? part.train : r == 1 ? part.valid : part.test).push_back(static_cast<int64_t>(k));
  }
  part.cold_start_users = cold.users;
  return part;
}

}  // namespace graft::io
