// Part of a domain as a target domain of its own. The new_category and new_items splits keep one
// domain; transfer methods want a source and a target. carve_items_domain turns
//   domain D, a subset T of its items and a split s with a part for D
// into a dataset with two domains over the same users:
//   D         the items outside T, with their interactions
//   target    the items of T, with theirs
// and split s with one part per domain: every interaction keeps its train/valid/test role, so a
// k-shot budget stays in the target's training data and the withheld interactions are its test
// cases (the full-ranking protocol then ranks the target's items only, as PROTOCOLS.md asks for
// a new category). The part's cold-start users go to the target's part.
//
// What follows the items:
//   ids         external item ids, unchanged;
//   categories  each side keeps the categories its items carry, in the original order and with
//               the same names, so a category on both sides (a parent level of a carved
//               subcategory, say) matches across them by name;
//   features    every item feature block is sliced row-wise into both sides with the same name,
//               kind, width and vocabulary: one feature space, the content bridge from source to
//               target items; user feature blocks are copied to both.
// Other domains, other splits and the split's sampled negatives (their item ids change) are
// dropped; sample_negatives draws new ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

// in_target: one byte per item of `domain`, 1 for the items of T. UsageError naming the domain,
// split or target when one is missing or bad (empty T, a target name that is empty, has '/' or
// equals `domain`).
Dataset carve_items_domain(const Dataset& dataset, const std::string& domain, const std::vector<uint8_t>& in_target,
                           const std::string& target_name, const std::string& split);

// T = the items that carry `category`, matched by its full name. Importers name a category by its
// path ("Beauty > Fragrance"; kCategoryPathSeparator) and give an item every level of its path,
// so the items of a subcategory come along with their category. The target is named
// `target_name`, by default the category's last path component ("Fragrance"; "new" stays "new").
Dataset carve_category_domain(const Dataset& dataset, const std::string& domain, const std::string& category,
                              const std::string& split, const std::string& target_name = "");

// For a new_items split: T = the items the split holds out (held_out_items: no training
// interaction, at least one valid or test one). The target is named `target_name`, by default
// "<domain>_new" (new_items_domain_name).
Dataset carve_new_items_domain(const Dataset& dataset, const std::string& domain, const std::string& split,
                               const std::string& target_name = "");

inline constexpr const char* kCategoryPathSeparator = " > ";
std::string category_leaf_name(const std::string& category);     // "A > B > C" -> "C"
std::string new_items_domain_name(const std::string& domain);    // "shop" -> "shop_new"

}  // namespace graft::io
