// generate_synthetic: draws the latent model of graph_io/synthetic.h and samples interactions.
#include "graph_io/synthetic.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "graph_io/seeded_distributions.h"
#include "graph_io/seeded_random.h"
#include "graph_io/synthetic_content.h"
#include "graph_io/synthetic_sampler.h"
#include "graph_io/synthetic_space.h"

namespace graft::io {

namespace {

using synthetic::ItemSampler;
using synthetic::ItemSpace;
using synthetic::Vectors;

constexpr int64_t kHiddenThemes = 8;  // themes of items when no categories are written
constexpr double kActivitySigma = 0.8;
constexpr int64_t kYearSeconds = 365LL * 24 * 3600;
constexpr int64_t kLaunchTime = kYearSeconds / 5 * 4;
constexpr int32_t kEveryDomain = -1;

// One independent random stream per purpose, so that e.g. changing a domain's activity leaves
// every vector and every other domain as it was.
std::mt19937_64 stream(uint64_t seed, const std::string& purpose) {
  return std::mt19937_64(derive_seed(seed, "synthetic/" + purpose));
}

// 0..n-1 in a random order.
std::vector<int64_t> shuffled_indices(int64_t n, std::mt19937_64& rng) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  seeded_shuffle(order, rng);
  return order;
}

// Per user: kEveryDomain for shared users, else the one domain it is active in.
std::vector<int32_t> assign_domains(const SyntheticOptions& o) {
  std::mt19937_64 rng = stream(o.seed, "users/domains");
  const std::vector<int64_t> order = shuffled_indices(o.users, rng);
  const auto shared = static_cast<int64_t>(std::llround(o.shared_user_fraction * static_cast<double>(o.users)));
  const auto domains = static_cast<int64_t>(o.domains.size());
  std::vector<int32_t> home(order.size(), kEveryDomain);
  for (int64_t k = shared; k < o.users; ++k) home[order[k]] = static_cast<int32_t>((k - shared) % domains);
  return home;
}

bool markets(const SyntheticOptions& o) { return o.shared_item_fraction > 0.0; }

// Per catalogue item, whether it has one id in every market (empty unless markets).
std::vector<bool> link_catalogue(const SyntheticOptions& o) {
  if (!markets(o)) return {};
  std::mt19937_64 rng = stream(o.seed, "items/shared");
  const int64_t catalogue = o.items_per_domain[0];
  const std::vector<int64_t> order = shuffled_indices(catalogue, rng);
  const auto linked = std::llround(o.shared_item_fraction * static_cast<double>(catalogue));
  std::vector<bool> out(order.size(), false);
  for (int64_t k = 0; k < linked; ++k) out[order[k]] = true;
  return out;
}

// The domain whose items domain `d` sells: the first one for markets, else `d` itself. Its name
// seeds the items and their content noise, so a market's items are the catalogue's.
size_t item_owner(const SyntheticOptions& o, size_t d) { return markets(o) ? 0 : d; }

// Domain `d`'s items. A market draws the catalogue again from the first domain's stream rather
// than receiving it: that costs items x dim, nothing beside sampling, and keeps setup per domain.
ItemSpace domain_items(const SyntheticOptions& o, size_t d, const Vectors& theme_centroids) {
  const size_t owner = item_owner(o, d);
  std::mt19937_64 item_rng = stream(o.seed, "items/" + o.domains[owner]);
  ItemSpace space = synthetic::build_item_space(o.items_per_domain[owner], theme_centroids, o.power_law_exponent,
                                                item_rng);
  return owner == d ? space : synthetic::first_items(space, o.items_per_domain[d]);
}

// Lognormal with the given mean, rounded, in [1, items].
int64_t draw_activity(double mean, int64_t items, std::mt19937_64& rng) {
  const double n = mean * std::exp(kActivitySigma * draw_normal(rng) - 0.5 * kActivitySigma * kActivitySigma);
  return std::clamp<int64_t>(std::llround(std::min(n, static_cast<double>(items))), 1, items);
}

// `linked` as from link_catalogue.
Domain describe_domain(const std::string& name, const ItemSpace& space, const std::vector<bool>& linked,
                       int64_t categories, const std::string& late_category) {
  Domain domain;
  domain.name = name;
  domain.item_ids.reserve(static_cast<size_t>(space.size()));
  for (int64_t i = 0; i < space.size(); ++i) {
    const std::string id = "i" + std::to_string(i);
    domain.item_ids.push_back(!linked.empty() && linked[i] ? id : name + ":" + id);
  }
  if (categories == 0) return domain;
  for (int64_t c = 0; c < categories; ++c) domain.category_names.push_back("theme" + std::to_string(c));
  if (!late_category.empty()) domain.category_names.back() = late_category;
  domain.item_category_offsets.resize(static_cast<size_t>(space.size() + 1));
  std::iota(domain.item_category_offsets.begin(), domain.item_category_offsets.end(), 0);
  domain.item_category = space.theme;
  return domain;
}

// Interactions of every user active in domain `d`, by user, then time. Items of `late_theme`
// (-1: none) are only chosen after the launch.
Interactions sample_interactions(const SyntheticOptions& o, size_t d, const ItemSpace& space,
                                 const Vectors& users, const std::vector<int32_t>& home, int32_t late_theme) {
  std::mt19937_64 rng = stream(o.seed, "interactions/" + o.domains[d]);
  ItemSampler sampler(space, o.signal_strength);
  Interactions out;
  out.reserve(static_cast<size_t>(static_cast<double>(o.users) * o.mean_interactions_per_user[d] * 1.1));
  out.time.reserve(out.user.capacity());
  std::vector<int64_t> chosen;
  std::vector<std::pair<int64_t, int64_t>> events;  // (time, item)
  for (int64_t u = 0; u < o.users; ++u) {
    if (home[u] != kEveryDomain && home[u] != static_cast<int32_t>(d)) continue;
    chosen.clear();
    sampler.draw(users.row(u), draw_activity(o.mean_interactions_per_user[d], space.size(), rng), rng, &chosen);
    events.clear();
    for (const int64_t item : chosen) {
      const bool late = space.theme[item] == late_theme;
      const int64_t start = late ? kLaunchTime : 0;
      events.emplace_back(start + static_cast<int64_t>(draw_below(rng, kYearSeconds - start)), item);
    }
    std::sort(events.begin(), events.end());
    for (const auto& [time, item] : events) {
      out.user.push_back(u);
      out.item.push_back(item);
      out.time.push_back(time);
    }
  }
  return out;
}

}  // namespace

Dataset generate_synthetic(const SyntheticOptions& options, SyntheticTruth* truth) {
  validate_synthetic_options(options);
  const SyntheticOptions& o = options;
  const int64_t dim = o.latent_dim;
  const int64_t themes = o.categories_per_domain > 0 ? o.categories_per_domain : kHiddenThemes;

  std::mt19937_64 theme_rng = stream(o.seed, "themes");
  const Vectors theme_centroids = synthetic::random_directions(themes, dim, theme_rng);
  std::mt19937_64 preference_rng = stream(o.seed, "users/preference");
  Vectors preference = synthetic::random_directions(o.users, dim, preference_rng);
  const std::vector<int32_t> home = assign_domains(o);
  std::mt19937_64 projection_rng = stream(o.seed, "content/projection");
  const Vectors projection = synthetic::content_projection(o.content_width, dim, projection_rng);
  const std::vector<bool> linked = link_catalogue(o);

  Dataset dataset;
  dataset.user_ids.reserve(static_cast<size_t>(o.users));
  for (int64_t u = 0; u < o.users; ++u) dataset.user_ids.push_back("u" + std::to_string(u));
  if (truth) {
    *truth = SyntheticTruth{};
    truth->latent_dim = dim;
    truth->launch_time = o.new_category.empty() ? -1 : kLaunchTime;
  }

  for (size_t d = 0; d < o.domains.size(); ++d) {
    const std::string& name = o.domains[d];
    std::mt19937_64 shift_rng = stream(o.seed, "users/shift/" + name);
    Vectors users = synthetic::blend(preference, synthetic::random_directions(o.users, dim, shift_rng), o.domain_shift);
    ItemSpace space = domain_items(o, d, theme_centroids);

    const bool launches_late = d == 0 && !o.new_category.empty();
    const int32_t late_theme = launches_late ? static_cast<int32_t>(themes - 1) : -1;
    if (launches_late) {
      for (int64_t i = 0; i < space.size(); ++i) {
        if (space.theme[i] == late_theme) space.log_popularity[i] += std::log(o.new_category_share);
      }
    }

    dataset.domains.push_back(
        describe_domain(name, space, linked, o.categories_per_domain, launches_late ? o.new_category : ""));
    Domain& domain = dataset.domains.back();
    domain.interactions = sample_interactions(o, d, space, users, home, late_theme);
    if (o.content_width > 0) {
      // Noise is drawn item by item, so a market's rows are the catalogue's first rows.
      std::mt19937_64 noise_rng = stream(o.seed, "content/noise/" + o.domains[item_owner(o, d)]);
      domain.item_features = {synthetic::content_features(space.items, projection, o.content_noise, noise_rng)};
    }

    if (truth) {
      SyntheticDomainTruth part;
      part.user_vectors = std::move(users.data);
      part.item_vectors = std::move(space.items.data);
      part.item_popularity.reserve(space.log_popularity.size());
      for (const double lp : space.log_popularity) part.item_popularity.push_back(std::exp(lp));
      truth->domains.push_back(std::move(part));
    }
  }
  if (truth) truth->user_preference = std::move(preference.data);
  return dataset;
}

}  // namespace graft::io
