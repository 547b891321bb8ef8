#include "graph_io/feature_rows.h"

#include <cstddef>

namespace graft::io {

namespace {

void copy_dense_rows(const FeatureBlock& from, const std::vector<int64_t>& rows, FeatureBlock& to) {
  const auto width = static_cast<size_t>(from.width);
  to.values.reserve(rows.size() * width);
  for (const int64_t r : rows) {
    const auto first = from.values.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(r) * width);
    to.values.insert(to.values.end(), first, first + static_cast<std::ptrdiff_t>(width));
  }
}

void copy_sparse_rows(const FeatureBlock& from, const std::vector<int64_t>& rows, FeatureBlock& to) {
  to.offsets.reserve(rows.size() + 1);
  to.offsets.push_back(0);
  for (const int64_t r : rows) {
    const int64_t first = from.offsets[r], last = from.offsets[r + 1];
    to.indices.insert(to.indices.end(), from.indices.begin() + first, from.indices.begin() + last);
    to.values.insert(to.values.end(), from.values.begin() + first, from.values.begin() + last);
    to.offsets.push_back(static_cast<int64_t>(to.indices.size()));
  }
}

}  // namespace

FeatureBlock select_feature_rows(const FeatureBlock& block, const std::vector<int64_t>& rows) {
  FeatureBlock out;
  out.name = block.name;
  out.kind = block.kind;
  out.rows = static_cast<int64_t>(rows.size());
  out.width = block.width;
  out.vocabulary = block.vocabulary;
  if (block.kind == FeatureKind::kSparse) {
    copy_sparse_rows(block, rows, out);
  } else {
    copy_dense_rows(block, rows, out);
  }
  if (!block.missing.empty()) {
    for (const int64_t r : rows) out.missing.push_back(block.missing[r]);
  }
  return out;
}

}  // namespace graft::io
