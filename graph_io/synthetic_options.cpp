// Named presets of the synthetic generator and the checks every option set goes through.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "graph_io/errors.h"
#include "graph_io/synthetic.h"

namespace graft::io {

namespace {

// Two platforms over 3000 users: a data-rich source and a data-poor target with 80% of users
// in both, small enough that a LightGCN epoch takes well under a second.
SyntheticOptions two_platform() {
  SyntheticOptions o;
  o.users = 3000;
  o.domains = {"source", "target"};
  o.items_per_domain = {2000, 1500};
  o.mean_interactions_per_user = {30.0, 5.0};
  o.categories_per_domain = 8;
  o.shared_user_fraction = 0.8;
  o.domain_shift = 0.2;
  return o;
}

// Two platforms whose users' tastes are unrelated: transfer has nothing to carry.
SyntheticOptions unrelated() {
  SyntheticOptions o = two_platform();
  o.domain_shift = 1.0;
  return o;
}

// One shop whose twelfth category "new" was launched late: the setting of the new-category
// split, where knowledge transfers from the other categories of the same users. Its items have
// content features, so the category can be recommended before anyone has used it (k = 0).
SyntheticOptions multi_category() {
  SyntheticOptions o;
  o.users = 3000;
  o.domains = {"shop"};
  o.items_per_domain = {2400};
  o.mean_interactions_per_user = {30.0};
  o.categories_per_domain = 12;
  o.shared_user_fraction = 1.0;
  o.new_category = "new";
  o.content_width = 32;
  return o;
}

// Four markets of one catalogue, like XMarket: 80% of the products carry one id everywhere, no
// customer shops in two markets and there are no category labels, so the linked products are the
// only bridge into jp, the small target market.
SyntheticOptions multi_market() {
  SyntheticOptions o;
  o.users = 2000;
  o.domains = {"ca", "uk", "de", "jp"};
  o.items_per_domain = {600, 500, 400, 300};
  o.mean_interactions_per_user = {20.0, 15.0, 12.0, 4.0};
  o.categories_per_domain = 0;
  o.shared_user_fraction = 0.0;
  o.shared_item_fraction = 0.8;
  o.domain_shift = 0.2;
  o.signal_strength = 10.0;
  return o;
}

struct Preset {
  const char* name;
  SyntheticOptions (*make)();
};

constexpr Preset kPresets[] = {
    {"two-platform", two_platform},
    {"multi-category", multi_category},
    {"unrelated", unrelated},
    {"multi-market", multi_market},
};

template <typename T>
[[noreturn]] void fail(const std::string& field, const std::string& rule, const T& value) {
  std::ostringstream msg;
  msg << "synthetic options: " << field << " " << rule << ", got " << value;
  throw UsageError(msg.str());
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

void require_fraction(const std::string& field, double value) {
  if (!(value >= 0.0 && value <= 1.0)) fail(field, "must be in [0, 1]", value);
}

void require_non_negative(const std::string& field, double value) {
  if (!(value >= 0.0 && std::isfinite(value))) fail(field, "must be finite and >= 0", value);
}

void require_per_domain_size(const std::string& field, size_t size, size_t domains) {
  if (size != domains) {
    fail(field, "must have one entry per domain (" + std::to_string(domains) + ")",
         std::to_string(size) + " entries");
  }
}

// Markets sell subsets of the first domain's items, so no market may have more.
void require_catalogue_first(const std::vector<int64_t>& items_per_domain) {
  for (size_t d = 1; d < items_per_domain.size(); ++d) {
    if (items_per_domain[d] > items_per_domain[0]) {
      fail("items_per_domain[" + std::to_string(d) + "]",
           "must not exceed items_per_domain[0] = " + std::to_string(items_per_domain[0]) +
               ", the catalogue of every market when shared_item_fraction > 0",
           items_per_domain[d]);
    }
  }
}

}  // namespace

std::vector<std::string> synthetic_presets() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.emplace_back(p.name);
  return names;
}

SyntheticOptions synthetic_preset(const std::string& name) {
  for (const Preset& p : kPresets) {
    if (name == p.name) return p.make();
  }
  std::string valid;
  for (const std::string& n : synthetic_presets()) valid += (valid.empty() ? "" : ", ") + n;
  throw UsageError("unknown synthetic preset '" + name + "'; valid presets: " + valid);
}

void validate_synthetic_options(const SyntheticOptions& o) {
  if (o.users <= 0) fail("users", "must be positive", o.users);
  if (o.domains.empty()) fail("domains", "must name at least one domain", "none");
  for (size_t d = 0; d < o.domains.size(); ++d) {
    const std::string& name = o.domains[d];
    const std::string field = "domains[" + std::to_string(d) + "]";
    if (name.empty() || name.find('/') != std::string::npos) {
      fail(field, "must be non-empty and contain no '/'", quoted(name));
    }
    if (std::find(o.domains.begin(), o.domains.begin() + d, name) != o.domains.begin() + d) {
      fail(field, "must differ from the other domain names", quoted(name));
    }
  }
  require_per_domain_size("items_per_domain", o.items_per_domain.size(), o.domains.size());
  for (size_t d = 0; d < o.items_per_domain.size(); ++d) {
    if (o.items_per_domain[d] <= 0) {
      fail("items_per_domain[" + std::to_string(d) + "]", "must be positive", o.items_per_domain[d]);
    }
  }
  require_per_domain_size("mean_interactions_per_user", o.mean_interactions_per_user.size(), o.domains.size());
  for (size_t d = 0; d < o.mean_interactions_per_user.size(); ++d) {
    const double mean = o.mean_interactions_per_user[d];
    if (!(mean > 0.0 && std::isfinite(mean))) {
      fail("mean_interactions_per_user[" + std::to_string(d) + "]", "must be positive", mean);
    }
  }
  if (o.categories_per_domain < 0) fail("categories_per_domain", "must be >= 0", o.categories_per_domain);
  if (o.latent_dim <= 0) fail("latent_dim", "must be positive", o.latent_dim);
  require_fraction("shared_user_fraction", o.shared_user_fraction);
  require_fraction("shared_item_fraction", o.shared_item_fraction);
  if (o.shared_item_fraction > 0.0) require_catalogue_first(o.items_per_domain);
  require_fraction("domain_shift", o.domain_shift);
  require_non_negative("power_law_exponent", o.power_law_exponent);
  require_non_negative("signal_strength", o.signal_strength);
  if (o.content_width < 0) fail("content_width", "must be >= 0", o.content_width);
  require_non_negative("content_noise", o.content_noise);
  if (!(o.new_category_share > 0.0 && o.new_category_share <= 1.0)) {
    fail("new_category_share", "must be in (0, 1]", o.new_category_share);
  }
  if (!o.new_category.empty()) {
    if (o.categories_per_domain == 0) {
      fail("new_category", "needs categories_per_domain > 0", quoted(o.new_category));
    }
    if (o.new_category.rfind("theme", 0) == 0) {
      fail("new_category", "must not look like a generated category name 'theme<k>'", quoted(o.new_category));
    }
  }
}

}  // namespace graft::io
