#include "transfer/bridges.h"

#include <sstream>
#include <unordered_map>

namespace graft::transfer {

const char* bridge_name(BridgeKind kind) {
  switch (kind) {
    case BridgeKind::kSharedUsers: return "shared users";
    case BridgeKind::kSharedItems: return "shared items";
    case BridgeKind::kSharedCategories: return "shared categories";
    case BridgeKind::kSharedFeatures: return "shared features";
  }
  return "?";
}

bool Bridges::has(BridgeKind kind) const {
  switch (kind) {
    case BridgeKind::kSharedUsers: return !shared_users.empty();
    case BridgeKind::kSharedItems: return !shared_items.empty();
    case BridgeKind::kSharedCategories: return !shared_categories.empty();
    case BridgeKind::kSharedFeatures: return !shared_item_features.empty();
  }
  return false;
}

std::string Bridges::describe() const {
  std::ostringstream out;
  out << "bridges: " << shared_users.size() << " shared users (training interactions in both domains), "
      << shared_items.size() << " shared items (same external id; of " << source_items << " source / "
      << target_items << " target items), " << shared_categories.size() << " shared categories";
  if (source_categories + target_categories > 0) {
    out << " (of " << source_categories << " source / " << target_categories << " target categories, matched by name)";
  }
  out << ", " << shared_item_features.size() << " shared item feature blocks";
  for (size_t b = 0; b < shared_item_features.size(); ++b) out << (b ? ", " : " (") << shared_item_features[b];
  if (!shared_item_features.empty()) out << ")";
  return out.str();
}

Bridges item_and_category_bridges(const io::Domain& source, const io::Domain& target) {
  Bridges bridges;
  bridges.source_items = source.num_items();
  bridges.target_items = target.num_items();
  std::unordered_map<std::string, int64_t> target_items;
  for (int64_t i = 0; i < target.num_items(); ++i) target_items.emplace(target.item_ids[static_cast<size_t>(i)], i);
  for (int64_t i = 0; i < source.num_items(); ++i) {
    const auto it = target_items.find(source.item_ids[static_cast<size_t>(i)]);
    if (it != target_items.end()) bridges.shared_items.emplace_back(i, it->second);
  }
  for (const io::FeatureBlock& block : source.item_features) {
    const io::FeatureBlock* other = target.find_item_features(block.name);
    if (other != nullptr && other->kind == block.kind && other->width == block.width &&
        other->vocabulary == block.vocabulary) {
      bridges.shared_item_features.push_back(block.name);
    }
  }
  bridges.source_categories = source.has_categories() ? source.num_categories() : 0;
  bridges.target_categories = target.has_categories() ? target.num_categories() : 0;
  if (bridges.source_categories > 0 && bridges.target_categories > 0) {
    for (const std::string& name : source.category_names) {
      for (const std::string& other : target.category_names) {
        if (name == other) {
          bridges.shared_categories.push_back(name);
          break;
        }
      }
    }
  }
  return bridges;
}

std::pair<std::vector<int64_t>, std::vector<int64_t>> category_nodes(const io::Domain& source, const io::Domain& target,
                                                                   int64_t* count) {
  std::unordered_map<std::string, int64_t> node;
  std::vector<int64_t> source_map, target_map;
  const auto map = [&node](const io::Domain& domain, std::vector<int64_t>& out) {
    if (!domain.has_categories()) return;
    for (const std::string& name : domain.category_names) {
      out.push_back(node.emplace(name, static_cast<int64_t>(node.size())).first->second);
    }
  };
  map(source, source_map);
  map(target, target_map);
  *count = static_cast<int64_t>(node.size());
  return {source_map, target_map};
}

}  // namespace graft::transfer
