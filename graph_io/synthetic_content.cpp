#include "graph_io/synthetic_content.h"

#include "graph_io/seeded_distributions.h"

namespace graft::io::synthetic {

Vectors content_projection(int64_t width, int64_t dim, std::mt19937_64& rng) {
  Vectors m{dim, std::vector<double>(static_cast<size_t>(width * dim))};
  for (double& x : m.data) x = draw_normal(rng);
  return m;
}

FeatureBlock content_features(const Vectors& items, const Vectors& projection, double noise, std::mt19937_64& rng) {
  FeatureBlock block;
  block.name = kContentBlock;
  block.kind = FeatureKind::kDense;
  block.rows = items.rows();
  block.width = projection.rows();
  block.values.reserve(static_cast<size_t>(block.rows * block.width));
  for (int64_t i = 0; i < block.rows; ++i) {
    for (int64_t f = 0; f < block.width; ++f) {
      const double signal = dot(projection.row(f), items.row(i), items.dim);
      block.values.push_back(static_cast<float>(signal + noise * draw_normal(rng)));
    }
  }
  return block;
}

}  // namespace graft::io::synthetic
