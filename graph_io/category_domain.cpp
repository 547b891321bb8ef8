#include "graph_io/category_domain.h"

#include "graph_io/errors.h"

#include <algorithm>

namespace graft::io {
namespace {

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

// Copies the optional columns of interaction `k` of `from` onto the end of `to`.
void append_interaction(const Interactions& from, int64_t k, int64_t item, Interactions& to) {
  to.user.push_back(from.user[k]);
  to.item.push_back(item);
  if (from.has_time()) to.time.push_back(from.time[k]);
  if (from.has_behavior()) to.behavior.push_back(from.behavior[k]);
  if (from.has_weight()) to.weight.push_back(from.weight[k]);
}

}  // namespace

Dataset carve_category_domain(const Dataset& dataset, const std::string& domain_name, const std::string& category,
                              const std::string& split_name) {
  const Domain& domain = dataset.domain(domain_name);
  const int32_t carved = category_index(domain, category);
  const Split& split = dataset.split(split_name);
  const DomainSplit* part = split.part(domain_name);
  if (part == nullptr) throw UsageError("split '" + split_name + "' has no part for domain '" + domain_name + "'");

  // 0: source (rest), 1: target (the carved category); new dense item and category ids per side.
  const int64_t items = domain.num_items();
  std::vector<int> side(static_cast<size_t>(items), 0);
  std::vector<int64_t> new_id(static_cast<size_t>(items));
  Domain out[2];
  out[0].name = domain_name;
  out[1].name = category;
  std::vector<int32_t> category_id(domain.category_names.size(), -1);
  for (size_t c = 0; c < domain.category_names.size(); ++c) {
    if (static_cast<int32_t>(c) == carved) continue;
    category_id[c] = static_cast<int32_t>(out[0].category_names.size());
    out[0].category_names.push_back(domain.category_names[c]);
  }
  out[1].category_names = {category};
  for (Domain& d : out) d.item_category_offsets = {0};
  for (int64_t i = 0; i < items; ++i) {
    const auto first = domain.item_category.begin() + domain.item_category_offsets[i];
    const auto last = domain.item_category.begin() + domain.item_category_offsets[i + 1];
    side[i] = std::find(first, last, carved) != last ? 1 : 0;
    Domain& d = out[side[i]];
    new_id[i] = d.num_items();
    d.item_ids.push_back(domain.item_ids[i]);
    if (side[i] == 1) {
      d.item_category.push_back(0);
    } else {
      for (auto c = first; c != last; ++c) d.item_category.push_back(category_id[*c]);
    }
    d.item_category_offsets.push_back(static_cast<int64_t>(d.item_category.size()));
  }
  if (out[1].num_items() == 0) throw UsageError("category '" + category + "' of '" + domain_name + "' has no items");

  // Interaction k moves to its item's side; its role in the split follows it.
  const Interactions& x = domain.interactions;
  std::vector<int64_t> moved(x.size());
  for (size_t k = 0; k < x.size(); ++k) {
    Domain& d = out[side[x.item[k]]];
    moved[k] = static_cast<int64_t>(d.interactions.size());
    append_interaction(x, static_cast<int64_t>(k), new_id[x.item[k]], d.interactions);
  }
  Split carved_split;
  carved_split.name = split.name;
  carved_split.kind = split.kind;
  carved_split.params = split.params;
  carved_split.params["carved_category"] = category;
  DomainSplit parts[2];
  for (int s = 0; s < 2; ++s) parts[s].domain = out[s].name;
  const auto distribute = [&](const std::vector<int64_t>& rows, std::vector<int64_t> DomainSplit::*role) {
    for (const int64_t k : rows) (parts[side[x.item[k]]].*role).push_back(moved[k]);
  };
  distribute(part->train, &DomainSplit::train);
  distribute(part->valid, &DomainSplit::valid);
  distribute(part->test, &DomainSplit::test);
  for (const int64_t u : part->cold_start_users) parts[1].cold_start_users.push_back(u);

  Dataset result;
  result.user_ids = dataset.user_ids;
  result.provenance = dataset.provenance;
  result.domains = {std::move(out[0]), std::move(out[1])};
  carved_split.parts = {std::move(parts[0]), std::move(parts[1])};
  result.splits = {std::move(carved_split)};
  validate(result, "carved dataset");
  return result;
}

}  // namespace graft::io
