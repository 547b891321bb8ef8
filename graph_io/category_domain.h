// A newly launched category as its own target domain. The new-category split keeps one domain;
// transfer methods want a source and a target. carve_category_domain turns
//   domain D with category c and split s (kind new_category, or any split with a part for D)
// into a dataset with two domains over the same users:
//   D         the items of every other category, with their interactions
//   c's name  the items of category c, with theirs
// and split s with one part per domain: every interaction keeps its train/valid/test role, so the
// k-shot budget stays in the target's training data and the withheld interactions are its test
// cases (the full-ranking protocol then ranks the new category's items only, as PROTOCOLS.md
// asks). Items in c and another category go to the target. Other splits are dropped.
#pragma once

#include "graph_io/dataset.h"

#include <string>

namespace graft::io {

// UsageError naming the domain, category or split when one is missing.
Dataset carve_category_domain(const Dataset& dataset, const std::string& domain, const std::string& category,
                              const std::string& split);

}  // namespace graft::io
