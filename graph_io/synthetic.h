// Synthetic multi-domain data with planted structure: the built-in default dataset and the
// ground truth for tests that must show transfer helping (or not).
//
// Model: each user has a latent preference vector shared across domains; each domain's item
// and user factors are shifted by a controllable domain shift; item popularity and user
// activity follow power laws; items belong to categories that cluster in latent space.
// Interactions are sampled from softmax(user · item) restricted to the domain.
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
  double shared_user_fraction = 0.8;  // users active in more than one domain
  double domain_shift = 0.2;  // 0: identical preferences across domains; 1: independent
  double power_law_exponent = 1.2;
  std::string new_category;   // name of a category launched late (empty: none)
  uint64_t seed = 0;
};

std::vector<std::string> synthetic_presets();  // "two-platform", "multi-category", "unrelated"
SyntheticOptions synthetic_preset(const std::string& name);  // throws UsageError naming valid ones

// Same options → identical dataset, element for element.
Dataset generate_synthetic(const SyntheticOptions& options);

}  // namespace graft::io
