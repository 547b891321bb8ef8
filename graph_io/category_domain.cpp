#include "graph_io/category_domain.h"

#include <algorithm>
#include <utility>

#include "graph_io/carve_parts.h"
#include "graph_io/errors.h"
#include "graph_io/feature_rows.h"
#include "graph_io/splits.h"

namespace graft::io {
namespace {

using carving::kSource;
using carving::kTarget;
using carving::Moves;

int32_t category_index(const Domain& domain, const std::string& category) {
  const auto it = std::find(domain.category_names.begin(), domain.category_names.end(), category);
  if (it == domain.category_names.end()) {
    std::string valid;
    for (const auto& name : domain.category_names) valid += (valid.empty() ? "" : ", ") + name;
    throw UsageError("domain '" + domain.name + "' has no category '" + category + "'" +
                     (valid.empty() ? std::string(" (it has no categories)") : "; its categories: " + valid));
  }
  return static_cast<int32_t>(it - domain.category_names.begin());
}

void check_target_name(const std::string& domain, const std::string& target) {
  if (target.empty() || target.find('/') != std::string::npos) {
    throw UsageError("carving '" + domain + "': the target domain's name must be non-empty and contain no '/', got '" +
                     target + "'");
  }
  if (target == domain) {
    throw UsageError("carving '" + domain + "': the target domain needs a name other than '" + domain + "'");
  }
}

// The categories that the items `items` of `from` carry, renumbered in their original order,
// as `to`'s categories (nothing when `from` has none).
void copy_used_categories(const Domain& from, const std::vector<int64_t>& items, Domain& to) {
  if (!from.has_categories()) return;
  const auto categories_of = [&from](int64_t i) {
    return std::pair(from.item_category.begin() + from.item_category_offsets[i],
                     from.item_category.begin() + from.item_category_offsets[i + 1]);
  };
  std::vector<int32_t> new_category(from.category_names.size(), -1);
  for (const int64_t i : items) {
    for (auto [c, last] = categories_of(i); c != last; ++c) new_category[*c] = 0;
  }
  for (size_t c = 0; c < new_category.size(); ++c) {
    if (new_category[c] < 0) continue;
    new_category[c] = static_cast<int32_t>(to.category_names.size());
    to.category_names.push_back(from.category_names[c]);
  }
  to.item_category_offsets = {0};
  for (const int64_t i : items) {
    for (auto [c, last] = categories_of(i); c != last; ++c) to.item_category.push_back(new_category[*c]);
    to.item_category_offsets.push_back(static_cast<int64_t>(to.item_category.size()));
  }
}

// The items `items` (ascending ids of `from`) as a domain named `name`: their ids, categories and
// rows of every item feature block, and `from`'s user feature blocks.
Domain item_subset(const Domain& from, const std::string& name, const std::vector<int64_t>& items) {
  Domain to;
  to.name = name;
  for (const int64_t i : items) to.item_ids.push_back(from.item_ids[i]);
  copy_used_categories(from, items, to);
  for (const FeatureBlock& block : from.item_features) to.item_features.push_back(select_feature_rows(block, items));
  to.user_features = from.user_features;
  return to;
}

// Appends each interaction of `x` to the side of its item, with the item's id there.
Moves move_interactions(const Interactions& x, const std::vector<uint8_t>& in_target,
                        const std::vector<int64_t>& new_id, Domain (&out)[2]) {
  Moves moves{std::vector<int>(x.size()), std::vector<int64_t>(x.size())};
  for (size_t k = 0; k < x.size(); ++k) {
    moves.side[k] = in_target[x.item[k]] ? kTarget : kSource;
    Interactions& to = out[moves.side[k]].interactions;
    moves.index[k] = static_cast<int64_t>(to.size());
    carving::append_interaction(x, static_cast<int64_t>(k), new_id[x.item[k]], to);
  }
  return moves;
}

}  // namespace

std::string category_leaf_name(const std::string& category) {
  const size_t at = category.rfind(kCategoryPathSeparator);
  return at == std::string::npos ? category : category.substr(at + std::char_traits<char>::length(kCategoryPathSeparator));
}

std::string new_items_domain_name(const std::string& domain) { return domain + "_new"; }

Dataset carve_items_domain(const Dataset& dataset, const std::string& domain_name, const std::vector<uint8_t>& in_target,
                           const std::string& target_name, const std::string& split_name) {
  const Domain& domain = dataset.domain(domain_name);
  const Split& split = dataset.split(split_name);
  const DomainSplit* part = split.part(domain_name);
  if (part == nullptr) throw UsageError("split '" + split_name + "' has no part for domain '" + domain_name + "'");
  check_target_name(domain_name, target_name);
  if (static_cast<int64_t>(in_target.size()) != domain.num_items()) {
    throw UsageError("carving '" + target_name + "' out of '" + domain_name + "': " + std::to_string(in_target.size()) +
                     " item flags for " + std::to_string(domain.num_items()) + " items");
  }

  // Each item's side and its dense id there.
  std::vector<int64_t> items[2];
  std::vector<int64_t> new_id(in_target.size());
  for (size_t i = 0; i < in_target.size(); ++i) {
    auto& side = items[in_target[i] ? kTarget : kSource];
    new_id[i] = static_cast<int64_t>(side.size());
    side.push_back(static_cast<int64_t>(i));
  }
  if (items[kTarget].empty()) {
    throw UsageError("carving '" + target_name + "' out of '" + domain_name + "': no item goes to the target");
  }
  Domain out[2] = {item_subset(domain, domain_name, items[kSource]), item_subset(domain, target_name, items[kTarget])};

  const Moves moves = move_interactions(domain.interactions, in_target, new_id, out);
  Split carved_split = carving::carve_split(split, *part, moves, out);
  carved_split.params["carved_from"] = domain_name;
  carved_split.params["carved_target"] = target_name;
  return carving::carved_dataset(dataset, out, std::move(carved_split));
}

Dataset carve_category_domain(const Dataset& dataset, const std::string& domain_name, const std::string& category,
                              const std::string& split, const std::string& target_name) {
  const Domain& domain = dataset.domain(domain_name);
  const int32_t carved = category_index(domain, category);
  std::vector<uint8_t> in_target(static_cast<size_t>(domain.num_items()), 0);
  for (int64_t i = 0; i < domain.num_items(); ++i) {
    const auto first = domain.item_category.begin() + domain.item_category_offsets[i];
    const auto last = domain.item_category.begin() + domain.item_category_offsets[i + 1];
    in_target[i] = std::find(first, last, carved) != last;
  }
  Dataset result = carve_items_domain(dataset, domain_name, in_target,
                                      target_name.empty() ? category_leaf_name(category) : target_name, split);
  result.splits[0].params["carved_category"] = category;
  return result;
}

Dataset carve_new_items_domain(const Dataset& dataset, const std::string& domain_name, const std::string& split_name,
                               const std::string& target_name) {
  const Domain& domain = dataset.domain(domain_name);
  const Split& split = dataset.split(split_name);
  if (split.kind != "new_items") {
    throw UsageError("carving new items out of '" + domain_name + "': split '" + split_name + "' is a " + split.kind +
                     " split, not new_items");
  }
  const DomainSplit* part = split.part(domain_name);
  if (part == nullptr) throw UsageError("split '" + split_name + "' has no part for domain '" + domain_name + "'");
  return carve_items_domain(dataset, domain_name, held_out_items(domain, *part),
                            target_name.empty() ? new_items_domain_name(domain_name) : target_name, split_name);
}

}  // namespace graft::io
