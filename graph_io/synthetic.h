// Synthetic multi-domain data with planted structure: the built-in default dataset and the
// ground truth for tests that must show transfer helping (or not).
//
// Generative model (dim = latent_dim; every vector below has unit length):
//   users     each user u has a preference p_u shared by all domains. In domain d it acts with
//             p_u^d = normalize((1 - s) p_u + s q_u^d), q_u^d drawn independently per domain,
//             s = domain_shift: 0 gives the same taste everywhere, 1 unrelated tastes.
//   themes    categories are themes common to all domains: category k of every domain has the
//             same centroid m_k, so "source:c3" and "target:c3" are the same kind of product.
//             With categories_per_domain = 0 the items still cluster around 8 hidden themes,
//             but no category labels are written.
//   items     each theme holds 8 clusters per domain, μ = normalize(m_k + 0.6 g), and each item
//             of a cluster has v_i = normalize(μ + 0.15 h) (g, h random unit directions), so
//             items of a category are alike and items of a cluster nearly interchangeable.
//             Items are spread evenly over categories and clusters in a random order.
//   pop       popularity pop_i = rank_i^(-power_law_exponent), ranks a random permutation of
//             the domain's items (Zipf; 0 makes popularity flat).
//   who       round(shared_user_fraction * users) users, chosen at random, are active in every
//             domain; each other user is active in exactly one, dealt to domains in turn.
//   activity  an active user makes n = max(1, round(mean_d * LogNormal(-0.32, 0.8))) interactions
//             in domain d (mean mean_d, heavy-tailed), at most the domain's item count.
//   choice    the n items are distinct, drawn one after another (Plackett–Luce, the law of
//             Gumbel top-n) with P(i) ∝ exp(β p_u^d · v_i) * pop_i, β = signal_strength.
//   time      integer seconds in one year [0, 31536000): each interaction's time is uniform and
//             a user's interactions are listed in time order, so timestamps increase per user.
//   content   with content_width = F > 0, every domain gets a dense item feature block "content",
//             f_i = M v_i + ε_i: M [F x dim] is one matrix of standard normal entries shared by
//             all domains (one feature space across them), ε_i ~ N(0, content_noise² I). As
//             |v_i| = 1, each component of M v_i has unit second moment, so content_noise is the
//             noise's std relative to the signal's. The features place an item near its theme and
//             cluster but blur it among its cluster's items; an item without interactions (a new
//             item, a newly launched category) is known by them alone.
//   markets   with shared_item_fraction > 0 the domains are markets of one catalogue: the first
//             domain's items (vectors and themes) are the catalogue, and domain d sells the
//             catalogue's first items_per_domain[d] items (a random subset, as items are laid out
//             in a random order), so the first domain must be the largest. Popularity and
//             content features follow the catalogue too: a product that sells well in one market
//             sells well in the others (as XMarket's source-market popularity ranks a new market's
//             purchases far above chance), and has the same features everywhere. A random round(shared_item_fraction
//             * items_per_domain[0]) of the catalogue's items are linked: they have one id in
//             every market that sells them; the others look like unrelated items per market.
//   new       when new_category is set, the last category of the first domain is named so and
//             launched at 80% of the year: its items' popularity is multiplied by
//             new_category_share (few interactions) and all their interactions come after the
//             launch.
//
// Ids: users "u<k>", items "<domain>:i<k>" (linked catalogue items "i<k>", the same id in every
// market: the item bridge that graft data stats counts), categories "theme<k>" (and
// new_category): category k is the same theme in every domain, so it has the same name there (a
// category bridge).
// Interactions are listed domain by domain, by user ascending, then by time. There is no
// behaviour or weight column (implicit feedback) and no split; add one with add_split.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

struct SyntheticOptions {
  int64_t users = 2000;
  std::vector<std::string> domains = {"source", "target"};
  std::vector<int64_t> items_per_domain = {800, 400};
  std::vector<double> mean_interactions_per_user = {30.0, 6.0};  // per domain
  int64_t categories_per_domain = 8;
  int64_t latent_dim = 16;
  double shared_user_fraction = 0.8;  // users active in every domain; the rest in one each
  // > 0: the domains are markets of the first domain's catalogue, this share of its items linked
  // by id across them (see "markets" above); 0: every domain has its own items.
  double shared_item_fraction = 0.0;
  double domain_shift = 0.2;  // 0: identical preferences across domains; 1: independent
  double power_law_exponent = 1.0;
  double signal_strength = 10.0;  // β: how strongly taste outweighs popularity
  std::string new_category;   // name of a category launched late (empty: none)
  double new_category_share = 0.2;  // popularity multiplier of the new category's items, (0, 1]
  int64_t content_width = 0;  // width F of the "content" item features; 0: no features
  // Std of the content noise relative to the signal's, >= 0. At 0.25 a linear read-out of
  // width 32 still tells apart the items of one category (a category's spread is about 0.28 of
  // the total 1; the read-out's error about content_noise² · dim / (F - dim - 1)); at 0.5 it sees
  // little more than the category.
  double content_noise = 0.25;
  uint64_t seed = 0;
};

// The planted parameters behind a generated dataset, for tests and for checking what a model
// recovered. Matrices are row-major.
struct SyntheticDomainTruth {
  std::vector<double> user_vectors;     // [users x dim] p_u^d, also for users inactive here
  std::vector<double> item_vectors;     // [items x dim] v_i
  std::vector<double> item_popularity;  // [items] pop_i, before normalisation
};

struct SyntheticTruth {
  int64_t latent_dim = 0;
  std::vector<double> user_preference;        // [users x dim] p_u
  std::vector<SyntheticDomainTruth> domains;  // in the order of SyntheticOptions::domains
  int64_t launch_time = -1;                   // earliest time of the new category; -1 if none
};

// "two-platform", "multi-category", "unrelated", "multi-market"
std::vector<std::string> synthetic_presets();
SyntheticOptions synthetic_preset(const std::string& name);  // throws UsageError naming valid ones

// Throws UsageError naming the first bad field and its value.
void validate_synthetic_options(const SyntheticOptions& options);

// Same options → identical dataset, element for element. Validates the options first.
// When `truth` is given it receives the planted vectors.
Dataset generate_synthetic(const SyntheticOptions& options, SyntheticTruth* truth = nullptr);

}  // namespace graft::io
