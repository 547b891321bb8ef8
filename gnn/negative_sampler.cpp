#include "gnn/negative_sampler.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::gnn {

namespace {

// Triples per independently seeded chunk: large enough to amortise seeding, small enough to
// spread an epoch over the threads.
constexpr int64_t kChunk = 1 << 14;

}  // namespace

NegativeSampler::NegativeSampler(const std::vector<int64_t>& users, const std::vector<int64_t>& items,
                                 int64_t num_users, int64_t num_items)
    : num_items_(num_items), num_interactions_(static_cast<int64_t>(users.size())) {
  if (users.size() != items.size()) {
    throw io::UsageError("negative sampler: " + std::to_string(users.size()) + " users but " +
                         std::to_string(items.size()) + " items in the training interactions");
  }
  if (num_users < 0 || num_items < 0) {
    throw io::UsageError("negative sampler: negative size (" + std::to_string(num_users) + " users, " +
                         std::to_string(num_items) + " items)");
  }
  io::Interactions train;
  train.user = users;
  train.item = items;
  for (size_t k = 0; k < users.size(); ++k) {
    if (users[k] < 0 || users[k] >= num_users) {
      throw io::UsageError("negative sampler: training interaction " + std::to_string(k) + " has user " +
                           std::to_string(users[k]) + ", outside [0, " + std::to_string(num_users) + ")");
    }
    if (items[k] < 0 || items[k] >= num_items) {
      throw io::UsageError("negative sampler: training interaction " + std::to_string(k) + " has item " +
                           std::to_string(items[k]) + ", outside [0, " + std::to_string(num_items) + ")");
    }
  }
  positives_ = io::items_by_user(train, num_users);
  for (int64_t u = 0; u < num_users; ++u) {
    if (positives_.count(u) > 0) active_users_.push_back(u);
    if (positives_.count(u) == num_items) {
      throw io::DataError("negative sampler: user " + std::to_string(u) + " has a training interaction with all " +
                          std::to_string(num_items) + " items, so no negative item exists");
    }
  }
}

NegativeSampler NegativeSampler::for_split(const io::Dataset& dataset, const std::string& domain,
                                           const io::DomainSplit& split) {
  const io::Domain& d = dataset.domain(domain);
  std::vector<int64_t> users, items;
  users.reserve(split.train.size());
  items.reserve(split.train.size());
  for (const int64_t k : split.train) {
    users.push_back(d.interactions.user.at(k));
    items.push_back(d.interactions.item.at(k));
  }
  return NegativeSampler(users, items, dataset.num_users(), d.num_items());
}

bool NegativeSampler::is_positive(int64_t user, int64_t item) const {
  return std::binary_search(positives_begin(user), positives_end(user), item);
}

int64_t NegativeSampler::sample_negative(int64_t user, std::mt19937_64& rng) const {
  const int64_t* p = positives_begin(user);
  const int64_t degree = positives_.count(user);
  const auto r = static_cast<int64_t>(io::draw_below(rng, static_cast<uint64_t>(num_items_ - degree)));
  // P[k] - k is non-decreasing, so the positives below the answer are a prefix of P.
  int64_t lo = 0, hi = degree;
  while (lo < hi) {
    const int64_t mid = (lo + hi) / 2;
    if (p[mid] - mid <= r) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return r + lo;
}

Triples NegativeSampler::sample_epoch(uint64_t seed) const { return sample_epoch_shard(seed, 0, 1); }

Triples NegativeSampler::sample_epoch_shard(uint64_t seed, int shard, int shards) const {
  const int64_t n = active_users_.empty() ? 0 : num_interactions_;
  const auto options = torch::TensorOptions().dtype(torch::kInt64);
  const auto rows = [&] { return shards == 1 ? torch::empty({n}, options) : torch::zeros({n}, options); };
  Triples t{rows(), rows(), rows()};
  int64_t* users = t.users.data_ptr<int64_t>();
  int64_t* positives = t.positives.data_ptr<int64_t>();
  int64_t* negatives = t.negatives.data_ptr<int64_t>();
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  const auto num_active = static_cast<uint64_t>(active_users_.size());
  at::parallel_for(0, chunks, 1, [&](int64_t first, int64_t last) {
    for (int64_t c = first; c < last; ++c) {
      if (c % shards != shard) continue;
      std::mt19937_64 rng(io::derive_seed(seed, "chunk/" + std::to_string(c)));
      for (int64_t k = c * kChunk; k < std::min(n, (c + 1) * kChunk); ++k) {
        const int64_t u = active_users_[io::draw_below(rng, num_active)];
        users[k] = u;
        positives[k] = positives_begin(u)[io::draw_below(rng, static_cast<uint64_t>(positives_.count(u)))];
        negatives[k] = sample_negative(u, rng);
      }
    }
  });
  return t;
}

}  // namespace graft::gnn
