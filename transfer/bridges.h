// Bridges: what links a source domain to a target domain, computed once per task and reported.
//
//   shared users        the same global user id with training interactions in both domains
//                       (cross-category and cross-platform transfer)
//   shared items        the same external item id in both domains (one product sold in two
//                       markets: cross-market transfer)
//   shared categories   the same category name in both domains; such categories are one node of
//                       the typed graphs (a category bridge)
//   shared features     item feature blocks of one schema in both domains (same name, kind,
//                       width, vocabulary): a projection learnt on source items applies to target
//                       items, new ones included (the content bridge)
//
// A method states which bridges it needs (TransferMethod::needs); a task without one of them is
// a UsageError naming it.
#pragma once

#include "graph_io/dataset.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace graft::transfer {

enum class BridgeKind { kSharedUsers, kSharedItems, kSharedCategories, kSharedFeatures };
// "shared users", "shared items", "shared categories", "shared features"
const char* bridge_name(BridgeKind kind);

struct Bridges {
  std::vector<int64_t> shared_users;                    // ascending global user ids
  std::vector<std::pair<int64_t, int64_t>> shared_items;  // (source item, target item), by source item
  std::vector<std::string> shared_categories;           // names, in the source's category order
  int64_t source_categories = 0, target_categories = 0;
  int64_t source_items = 0, target_items = 0;
  std::vector<std::string> shared_item_features;        // block names, in the source's order

  bool has(BridgeKind kind) const;
  // "1736 shared users, 0 shared items, 3 of 12 source / 5 target categories shared by name".
  std::string describe() const;
};

// Shared items, categories and item feature blocks of two domains (shared users come from the split's training
// interactions, which the task computes).
Bridges item_and_category_bridges(const io::Domain& source, const io::Domain& target);

// The category nodes of two domains' typed graphs: every source category, then each target
// category whose name the source lacks. {source map, target map}: domain category → node index.
std::pair<std::vector<int64_t>, std::vector<int64_t>> category_nodes(const io::Domain& source, const io::Domain& target,
                                                                   int64_t* count);

}  // namespace graft::transfer
