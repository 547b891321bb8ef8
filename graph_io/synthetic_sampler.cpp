#include "graph_io/synthetic_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "graph_io/seeded_distributions.h"

namespace graft::io::synthetic {

namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

// Tries allowed per wanted item before the Gumbel fallback. Expected tries are 1 / (acceptance
// x untaken share of the mass), about 2-3 at the presets' signal strength.
constexpr int64_t kTriesPerItem = 32;
constexpr int64_t kExtraTries = 64;

// Index in [begin, end) of the entry a uniform x in [0, total) falls on: the first running sum
// above x. Rounding can put x on the total itself; that belongs to the last entry with weight.
int64_t pick(const std::vector<double>& cumulative, int64_t begin, int64_t end, double x) {
  const auto first = cumulative.begin() + begin;
  const auto last = cumulative.begin() + end;
  auto it = std::upper_bound(first, last, x);
  if (it == last) it = std::lower_bound(first, last, *(last - 1));
  return it - cumulative.begin();
}

}  // namespace

ItemSampler::ItemSampler(const ItemSpace& space, double signal_strength)
    : space_(space),
      beta_(signal_strength),
      item_cumulative_(space.cluster_items.size()),
      log_cluster_mass_(static_cast<size_t>(space.clusters()), kMinusInfinity),
      cluster_score_(static_cast<size_t>(space.clusters())),
      cluster_cumulative_(static_cast<size_t>(space.clusters())),
      taken_by_(static_cast<size_t>(space.size()), 0) {
  for (int64_t c = 0; c < space.clusters(); ++c) {
    const int64_t begin = space.cluster_offsets[c], end = space.cluster_offsets[c + 1];
    if (begin == end) continue;
    auto log_weight = [&](int64_t j) {
      const int64_t i = space.cluster_items[j];
      return space.log_popularity[i] + beta_ * space.residual[i];
    };
    double top = kMinusInfinity;
    for (int64_t j = begin; j < end; ++j) top = std::max(top, log_weight(j));
    double sum = 0.0;
    for (int64_t j = begin; j < end; ++j) item_cumulative_[j] = sum += std::exp(log_weight(j) - top);
    log_cluster_mass_[c] = top + std::log(sum);
  }
}

void ItemSampler::draw(const double* user, int64_t count, std::mt19937_64& rng, std::vector<int64_t>* out) {
  ++draw_id_;
  const size_t before = out->size();
  draw_by_rejection(user, count, rng, out);
  const auto drawn = static_cast<int64_t>(out->size() - before);
  if (drawn < count) draw_rest_by_gumbel(user, count - drawn, rng, out);
}

void ItemSampler::take(int64_t item, std::vector<int64_t>* out) {
  taken_by_[item] = draw_id_;
  out->push_back(item);
}

void ItemSampler::draw_by_rejection(const double* user, int64_t count, std::mt19937_64& rng,
                                    std::vector<int64_t>* out) {
  const int64_t dim = space_.items.dim;
  const int64_t clusters = space_.clusters();
  double top = kMinusInfinity;
  for (int64_t c = 0; c < clusters; ++c) {
    cluster_score_[c] = dot(user, space_.cluster_centroids.row(c), dim);
    top = std::max(top, beta_ * cluster_score_[c] + log_cluster_mass_[c]);
  }
  double total = 0.0;
  for (int64_t c = 0; c < clusters; ++c) {
    cluster_cumulative_[c] = total += std::exp(beta_ * cluster_score_[c] + log_cluster_mass_[c] - top);
  }

  int64_t drawn = 0;
  for (int64_t tries = kTriesPerItem * count + kExtraTries; drawn < count && tries > 0; --tries) {
    const int64_t c = pick(cluster_cumulative_, 0, clusters, draw_uniform(rng) * total);
    const int64_t begin = space_.cluster_offsets[c], end = space_.cluster_offsets[c + 1];
    const int64_t j = pick(item_cumulative_, begin, end, draw_uniform(rng) * item_cumulative_[end - 1]);
    const int64_t item = space_.cluster_items[j];
    if (taken(item)) continue;
    const double slack = dot(user, space_.items.row(item), dim) - cluster_score_[c] - space_.residual[item];
    if (draw_uniform(rng) < std::exp(beta_ * slack)) {
      take(item, out);
      ++drawn;
    }
  }
}

void ItemSampler::draw_rest_by_gumbel(const double* user, int64_t count, std::mt19937_64& rng,
                                      std::vector<int64_t>* out) {
  std::vector<std::pair<double, int64_t>> keys;
  for (int64_t i = 0; i < space_.size(); ++i) {
    if (taken(i)) continue;
    const double log_weight = beta_ * dot(user, space_.items.row(i), space_.items.dim) + space_.log_popularity[i];
    keys.emplace_back(log_weight + draw_gumbel(rng), i);
  }
  const auto last = keys.begin() + count;
  std::partial_sort(keys.begin(), last, keys.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (auto it = keys.begin(); it != last; ++it) take(it->second, out);
}

}  // namespace graft::io::synthetic
