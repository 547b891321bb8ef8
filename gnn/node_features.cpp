#include "gnn/node_features.h"

#include "graph_io/errors.h"

#include <cmath>

namespace graft::gnn {
namespace {

using io::FeatureBlock;
using io::FeatureKind;

// Mean and std of each column over the non-missing rows of every domain; std 1 where it is 0.
std::pair<std::vector<double>, std::vector<double>> pooled_moments(const std::vector<const FeatureBlock*>& blocks,
                                                                   const std::vector<std::vector<float>>& values) {
  const auto width = static_cast<size_t>(blocks.front()->width);
  std::vector<double> sum(width, 0.0), sq(width, 0.0);
  double count = 0.0;
  for (size_t d = 0; d < blocks.size(); ++d) {
    for (int64_t r = 0; r < blocks[d]->rows; ++r) {
      if (blocks[d]->is_missing(r)) continue;
      count += 1.0;
      for (size_t c = 0; c < width; ++c) {
        const double v = values[d][static_cast<size_t>(r) * width + c];
        sum[c] += v;
        sq[c] += v * v;
      }
    }
  }
  std::vector<double> mean(width, 0.0), std(width, 1.0);
  for (size_t c = 0; c < width && count > 0; ++c) {
    mean[c] = sum[c] / count;
    const double var = sq[c] / count - mean[c] * mean[c];
    std[c] = var > 1e-12 ? std::sqrt(var) : 1.0;
  }
  return {mean, std};
}

// Dense and scalar blocks: standardised values per domain, [rows, width] (scalars get the flag).
std::vector<torch::Tensor> standardised(const std::vector<const FeatureBlock*>& blocks) {
  const bool scalar = blocks.front()->kind == FeatureKind::kScalar;
  std::vector<std::vector<float>> values;
  for (const FeatureBlock* b : blocks) {
    values.push_back(b->values);
    if (scalar) {
      for (float& v : values.back()) v = std::copysign(std::log1p(std::fabs(v)), v);
    }
  }
  const auto [mean, std] = pooled_moments(blocks, values);
  const int64_t width = blocks.front()->width;
  std::vector<torch::Tensor> out;
  for (size_t d = 0; d < blocks.size(); ++d) {
    const int64_t rows = blocks[d]->rows;
    std::vector<float>& v = values[d];
    std::vector<float> flag(static_cast<size_t>(rows), 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      const bool missing = blocks[d]->is_missing(r);
      flag[static_cast<size_t>(r)] = missing ? 1.0f : 0.0f;
      for (int64_t c = 0; c < width; ++c) {
        float& x = v[static_cast<size_t>(r * width + c)];
        x = missing ? 0.0f : static_cast<float>((x - mean[c]) / std[c]);
      }
    }
    torch::Tensor t = torch::from_blob(v.data(), {rows, width}, torch::kFloat).clone();
    if (scalar) t = torch::cat({t, torch::from_blob(flag.data(), {rows, 1}, torch::kFloat).clone()}, 1);
    out.push_back(t);
  }
  return out;
}

// A sparse block as a coalesced COO tensor whose rows have unit L2 norm.
torch::Tensor unit_rows(const FeatureBlock& b) {
  const auto nnz = static_cast<int64_t>(b.indices.size());
  std::vector<int64_t> rows(static_cast<size_t>(nnz)), cols(b.indices.begin(), b.indices.end());
  std::vector<float> values(b.values);
  for (int64_t r = 0; r < b.rows; ++r) {
    double norm = 0.0;
    for (int64_t k = b.offsets[r]; k < b.offsets[r + 1]; ++k) norm += double(values[k]) * values[k];
    const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
    for (int64_t k = b.offsets[r]; k < b.offsets[r + 1]; ++k) {
      rows[k] = r;
      values[k] = static_cast<float>(values[k] * scale);
    }
  }
  const torch::Tensor index = torch::stack({torch::tensor(rows, torch::kInt64), torch::tensor(cols, torch::kInt64)});
  return torch::sparse_coo_tensor(index, torch::tensor(values, torch::kFloat), {b.rows, b.width}).coalesce();
}

void check_same_schema(const std::vector<const FeatureBlock*>& blocks) {
  const FeatureBlock& first = *blocks.front();
  for (const FeatureBlock* b : blocks) {
    std::string what;
    if (b->kind != first.kind) what = "kinds differ";
    else if (b->width != first.width) what = "widths differ (" + std::to_string(first.width) + " vs " + std::to_string(b->width) + ")";
    else if (b->vocabulary != first.vocabulary) what = "vocabularies differ";
    if (!what.empty()) {
      throw io::UsageError("feature block '" + first.name + "' is not one feature space across the domains: " + what);
    }
  }
}

}  // namespace

std::vector<NodeFeatures> shared_feature_space(const std::vector<std::vector<const io::FeatureBlock*>>& domains) {
  std::vector<NodeFeatures> out(domains.size());
  if (domains.empty() || domains.front().empty()) return out;
  for (size_t d = 0; d < domains.size(); ++d) out[d].rows = domains[d].front()->rows;
  for (size_t b = 0; b < domains.front().size(); ++b) {
    std::vector<const FeatureBlock*> blocks;
    for (const auto& domain : domains) blocks.push_back(domain.at(b));
    check_same_schema(blocks);
    const FeatureBlock& first = *blocks.front();
    std::vector<torch::Tensor> x;
    if (first.kind == io::FeatureKind::kSparse) {
      for (const FeatureBlock* block : blocks) x.push_back(unit_rows(*block));
    } else {
      x = standardised(blocks);
    }
    const int64_t width = first.kind == io::FeatureKind::kScalar ? 2 : first.width;
    for (size_t d = 0; d < domains.size(); ++d) out[d].blocks.push_back({first.name, first.kind, width, x[d]});
  }
  return out;
}

NodeFeatures concat_rows(const std::vector<const NodeFeatures*>& parts) {
  NodeFeatures out;
  if (parts.empty()) return out;
  for (const NodeFeatures* p : parts) out.rows += p->rows;
  for (size_t b = 0; b < parts.front()->blocks.size(); ++b) {
    std::vector<torch::Tensor> xs;
    for (const NodeFeatures* p : parts) xs.push_back(p->blocks.at(b).x);
    FeatureTensor block = parts.front()->blocks[b];
    block.x = block.kind == io::FeatureKind::kSparse ? torch::cat(xs, 0).coalesce() : torch::cat(xs, 0);
    out.blocks.push_back(block);
  }
  return out;
}

}  // namespace graft::gnn
