#include "graph_io/synthetic_space.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "graph_io/seeded_distributions.h"
#include "graph_io/seeded_random.h"

namespace graft::io::synthetic {

namespace {

// How far clusters stray from their theme and items from their cluster. Clusters at 0.6 keep a
// cosine of about 0.86 to their theme, so a category is one recognisable taste; items at 0.15
// make a cluster a set of near-substitutes that still differ, and keep the sampler's envelope
// (graph_io/synthetic_sampler.h) tight.
constexpr double kClusterSpread = 0.6;
constexpr double kItemSpread = 0.15;

void normalize(double* v, int64_t dim) {
  const double norm = std::sqrt(dot(v, v, dim));
  for (int64_t k = 0; k < dim; ++k) v[k] /= norm;
}

// normalize(center + spread * direction) for each of `rows` random directions around the
// centers picked by `center_of`.
template <typename CenterOf>
Vectors scatter(int64_t rows, const Vectors& centers, CenterOf center_of, double spread, std::mt19937_64& rng) {
  Vectors out = random_directions(rows, centers.dim, rng);
  for (int64_t r = 0; r < rows; ++r) {
    double* v = out.row(r);
    const double* c = centers.row(center_of(r));
    for (int64_t k = 0; k < out.dim; ++k) v[k] = c[k] + spread * v[k];
    normalize(v, out.dim);
  }
  return out;
}

}  // namespace

double dot(const double* a, const double* b, int64_t dim) {
  double s = 0.0;
  for (int64_t k = 0; k < dim; ++k) s += a[k] * b[k];
  return s;
}

Vectors random_directions(int64_t rows, int64_t dim, std::mt19937_64& rng) {
  Vectors out{dim, std::vector<double>(static_cast<size_t>(rows * dim))};
  for (double& x : out.data) x = draw_normal(rng);
  for (int64_t r = 0; r < rows; ++r) normalize(out.row(r), dim);
  return out;
}

Vectors blend(const Vectors& a, const Vectors& b, double weight) {
  Vectors out = a;
  for (int64_t r = 0; r < out.rows(); ++r) {
    double* v = out.row(r);
    const double* w = b.row(r);
    for (int64_t k = 0; k < out.dim; ++k) v[k] = (1.0 - weight) * v[k] + weight * w[k];
    // Opposite inputs blended half and half cancel; the second one then stands for both.
    if (dot(v, v, out.dim) == 0.0) std::copy(w, w + out.dim, v);
    normalize(v, out.dim);
  }
  return out;
}

ItemSpace build_item_space(int64_t items, const Vectors& theme_centroids, double power_law_exponent,
                           std::mt19937_64& rng) {
  const int64_t themes = theme_centroids.rows();
  const int64_t clusters = themes * kClustersPerTheme;
  ItemSpace space;

  std::vector<int64_t> order(static_cast<size_t>(items));
  std::iota(order.begin(), order.end(), 0);
  seeded_shuffle(order, rng);
  space.theme.resize(order.size());
  std::vector<int64_t> cluster_of(order.size());
  for (int64_t k = 0; k < items; ++k) {
    const int64_t theme = k % themes;
    const int64_t cluster = theme * kClustersPerTheme + (k / themes) % kClustersPerTheme;
    space.theme[order[k]] = static_cast<int32_t>(theme);
    cluster_of[order[k]] = cluster;
  }

  space.cluster_centroids = scatter(clusters, theme_centroids,
                                    [](int64_t c) { return c / kClustersPerTheme; }, kClusterSpread, rng);
  space.items = scatter(items, space.cluster_centroids,
                        [&](int64_t i) { return cluster_of[i]; }, kItemSpread, rng);

  space.cluster_offsets.assign(static_cast<size_t>(clusters + 1), 0);
  for (const int64_t c : cluster_of) ++space.cluster_offsets[c + 1];
  std::partial_sum(space.cluster_offsets.begin(), space.cluster_offsets.end(), space.cluster_offsets.begin());
  space.cluster_items.resize(order.size());
  std::vector<int64_t> fill(space.cluster_offsets.begin(), space.cluster_offsets.end() - 1);
  space.residual.resize(order.size());
  for (int64_t i = 0; i < items; ++i) {
    space.cluster_items[fill[cluster_of[i]]++] = i;
    const double* v = space.items.row(i);
    const double* mu = space.cluster_centroids.row(cluster_of[i]);
    double squared = 0.0;
    for (int64_t k = 0; k < space.items.dim; ++k) squared += (v[k] - mu[k]) * (v[k] - mu[k]);
    space.residual[i] = std::sqrt(squared);
  }

  space.log_popularity = zipf_log_popularity(items, power_law_exponent, rng);
  return space;
}

std::vector<double> zipf_log_popularity(int64_t items, double power_law_exponent, std::mt19937_64& rng) {
  std::vector<int64_t> rank(static_cast<size_t>(items));
  std::iota(rank.begin(), rank.end(), 1);
  seeded_shuffle(rank, rng);
  std::vector<double> log_popularity(rank.size());
  for (int64_t i = 0; i < items; ++i) {
    log_popularity[i] = -power_law_exponent * std::log(static_cast<double>(rank[i]));
  }
  return log_popularity;
}

ItemSpace first_items(const ItemSpace& space, int64_t items) {
  ItemSpace out;
  out.items = {space.items.dim, {space.items.data.begin(), space.items.data.begin() + items * space.items.dim}};
  out.theme.assign(space.theme.begin(), space.theme.begin() + items);
  out.log_popularity.assign(space.log_popularity.begin(), space.log_popularity.begin() + items);
  out.cluster_centroids = space.cluster_centroids;
  out.residual.assign(space.residual.begin(), space.residual.begin() + items);
  out.cluster_offsets.reserve(space.cluster_offsets.size());
  out.cluster_offsets.push_back(0);
  for (int64_t c = 0; c < space.clusters(); ++c) {
    for (int64_t j = space.cluster_offsets[c]; j < space.cluster_offsets[c + 1]; ++j) {
      if (space.cluster_items[j] < items) out.cluster_items.push_back(space.cluster_items[j]);
    }
    out.cluster_offsets.push_back(static_cast<int64_t>(out.cluster_items.size()));
  }
  return out;
}

}  // namespace graft::io::synthetic
