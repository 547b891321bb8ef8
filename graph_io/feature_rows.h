// Row selection of a FeatureBlock: the features that follow items into a subset of their domain
// (carving a target domain, category_domain.h). The result has the same name, kind, width and
// vocabulary, so both subsets stay in one feature space.
#pragma once

#include <cstdint>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

// Rows `rows` of `block`, in that order (each in [0, block.rows)); the `missing` mask, when
// there is one, follows the rows.
FeatureBlock select_feature_rows(const FeatureBlock& block, const std::vector<int64_t>& rows);

}  // namespace graft::io
