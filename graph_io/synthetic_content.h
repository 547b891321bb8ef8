// Item content of the synthetic generator (graph_io/synthetic.h, "content"): noisy linear views
// f_i = M v_i + ε of the planted item vectors, the features that make new items and new
// categories predictable before anyone interacts with them. Internal to graph_io.
#pragma once

#include <cstdint>
#include <random>

#include "graph_io/dataset.h"
#include "graph_io/synthetic_space.h"

namespace graft::io::synthetic {

inline constexpr const char* kContentBlock = "content";

// M: `width` rows of `dim` standard normal entries. With |v| = 1 every component of M v then has
// unit second moment, which is what the noise is measured against.
Vectors content_projection(int64_t width, int64_t dim, std::mt19937_64& rng);

// Dense float block "content" with one row M v_i + noise · N(0, I) per item of `items`.
FeatureBlock content_features(const Vectors& items, const Vectors& projection, double noise, std::mt19937_64& rng);

}  // namespace graft::io::synthetic
