// Draws a user's distinct items in one domain of the synthetic generator with
// P(i) ∝ exp(β u·v_i) pop_i, one after another without replacement (Plackett–Luce).
//
// Touching every item for every user would cost users x items x dim; instead each draw is
// exact rejection sampling through the clusters of the ItemSpace. Since |u| = 1,
// u·v_i ≤ u·μ_c + r_i (μ_c the item's cluster centroid, r_i = |v_i - μ_c|), so the proposal
//   cluster c ∝ exp(β u·μ_c) Σ_{i∈c} pop_i exp(β r_i),   then item i ∈ c ∝ pop_i exp(β r_i),
// accepted with probability exp(β (u·v_i - u·μ_c - r_i)), draws i with exactly P(i); an item
// already taken is drawn again. Per user this costs clusters x dim plus a few tries per item.
// When a user needs most of a domain, repeats make tries run out; the remaining items are then
// chosen by Gumbel top-k over all untaken items, which continues the same Plackett–Luce law.
// Internal to graph_io.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "graph_io/synthetic_space.h"

namespace graft::io::synthetic {

class ItemSampler {
 public:
  // `space` must outlive the sampler.
  ItemSampler(const ItemSpace& space, double signal_strength);

  // Appends `count` (≤ items) distinct items for a user with unit vector `user` to *out.
  void draw(const double* user, int64_t count, std::mt19937_64& rng, std::vector<int64_t>* out);

 private:
  void draw_by_rejection(const double* user, int64_t count, std::mt19937_64& rng, std::vector<int64_t>* out);
  void draw_rest_by_gumbel(const double* user, int64_t count, std::mt19937_64& rng, std::vector<int64_t>* out);
  bool taken(int64_t item) const { return taken_by_[item] == draw_id_; }
  void take(int64_t item, std::vector<int64_t>* out);

  const ItemSpace& space_;
  double beta_;
  // Per cluster c, the running sums of pop_i exp(β r_i) over cluster_items[offsets[c]..), each
  // scaled by the cluster's largest term, and log of the cluster's total in the same units.
  std::vector<double> item_cumulative_;
  std::vector<double> log_cluster_mass_;
  // Per-draw scratch: u·μ_c, running sums of the cluster proposal, and which items this draw
  // took (taken_by_[i] == draw_id_).
  std::vector<double> cluster_score_;
  std::vector<double> cluster_cumulative_;
  std::vector<uint64_t> taken_by_;
  uint64_t draw_id_ = 0;
};

}  // namespace graft::io::synthetic
