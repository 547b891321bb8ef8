// The planted latent geometry of the synthetic generator (see graph_io/synthetic.h): random unit
// vectors, and one domain's items laid out as themes → clusters → items with Zipf popularity.
// Internal to graph_io.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace graft::io::synthetic {

// `rows` vectors of length `dim`, row-major.
struct Vectors {
  int64_t dim = 0;
  std::vector<double> data;

  int64_t rows() const { return static_cast<int64_t>(data.size()) / dim; }
  const double* row(int64_t r) const { return data.data() + r * dim; }
  double* row(int64_t r) { return data.data() + r * dim; }
};

double dot(const double* a, const double* b, int64_t dim);

// `rows` independent directions, uniform on the unit sphere.
Vectors random_directions(int64_t rows, int64_t dim, std::mt19937_64& rng);

// Row by row normalize((1 - weight) * a + weight * b); a and b have the same shape.
Vectors blend(const Vectors& a, const Vectors& b, double weight);

// One domain's items. Items are dealt in a random order to themes, then to the clusters of
// their theme, so both are equally sized (±1).
struct ItemSpace {
  Vectors items;                         // [I x dim] v_i, unit length
  std::vector<int32_t> theme;            // [I] theme (category) of each item
  std::vector<double> log_popularity;    // [I] log pop_i
  Vectors cluster_centroids;             // [T x dim] unit length
  std::vector<int64_t> cluster_offsets;  // [T + 1] CSR over cluster_items
  std::vector<int64_t> cluster_items;    // item ids grouped by cluster, ascending within one
  std::vector<double> residual;          // [I] |v_i - centroid of its cluster|

  int64_t size() const { return static_cast<int64_t>(theme.size()); }
  int64_t clusters() const { return static_cast<int64_t>(cluster_offsets.size()) - 1; }
};

inline constexpr int64_t kClustersPerTheme = 8;

// Items around `theme_centroids` ([H x dim], unit length); popularity rank^(-exponent).
ItemSpace build_item_space(int64_t items, const Vectors& theme_centroids, double power_law_exponent,
                           std::mt19937_64& rng);

// [items] log pop_i = -exponent * log rank_i, the ranks 1..items in a random order (Zipf).
std::vector<double> zipf_log_popularity(int64_t items, double power_law_exponent, std::mt19937_64& rng);

// Items 0..items-1 of `space` (items <= space.size()) with their clusters' lists cut to match; as
// build_item_space deals items to themes and clusters in a random order, they are a random subset.
// Clusters keep their centroids, also those left empty.
ItemSpace first_items(const ItemSpace& space, int64_t items);

}  // namespace graft::io::synthetic
