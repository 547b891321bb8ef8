#include "graph_io/domain_builder.h"

#include <algorithm>
#include <limits>

namespace graft::io {

namespace {

// Marks every interaction that repeats an earlier (user, item[, behavior]) with drop = 1.
// Interactions are grouped by user with a stable counting sort, then each user's items are
// checked against a per-item marker, so the cost is linear and the working set is one entry per
// item rather than a hash set of all pairs. `Index` is the narrowest type that indexes them all.
template <typename Index>
int64_t mark_duplicates(const Interactions& x, int64_t num_users, int64_t num_items, std::vector<uint8_t>& drop) {
  const size_t n = x.size();
  std::vector<Index> start(static_cast<size_t>(num_users) + 1, 0);
  for (const int64_t u : x.user) ++start[static_cast<size_t>(u) + 1];
  for (size_t u = 0; u < static_cast<size_t>(num_users); ++u) start[u + 1] += start[u];
  std::vector<Index> by_user(n);
  {
    std::vector<Index> next(start.begin(), start.end() - 1);
    for (size_t k = 0; k < n; ++k) by_user[next[static_cast<size_t>(x.user[k])]++] = static_cast<Index>(k);
  }

  std::vector<int64_t> marked_by(static_cast<size_t>(num_items), -1);  // last user that saw the item
  std::vector<uint8_t> seen(static_cast<size_t>(num_items), 0);        // behaviours seen (bit mask)
  int64_t duplicates = 0;
  for (size_t u = 0; u < static_cast<size_t>(num_users); ++u) {
    for (Index j = start[u]; j < start[u + 1]; ++j) {
      const size_t k = by_user[j];
      const auto i = static_cast<size_t>(x.item[k]);
      if (marked_by[i] != static_cast<int64_t>(u)) {
        marked_by[i] = static_cast<int64_t>(u);
        seen[i] = 0;
      }
      const auto bit = static_cast<uint8_t>(x.has_behavior() ? 1u << x.behavior[k] : 1u);
      if (seen[i] & bit) {
        drop[k] = 1;
        ++duplicates;
      }
      seen[i] |= bit;
    }
  }
  return duplicates;
}

template <typename T>
void erase_marked(std::vector<T>& column, const std::vector<uint8_t>& drop) {
  if (column.empty()) return;
  size_t out = 0;
  for (size_t k = 0; k < column.size(); ++k) {
    if (!drop[k]) column[out++] = column[k];
  }
  column.resize(out);
}

}  // namespace

DomainBuilder::DomainBuilder(std::string name, InteractionColumns columns) : columns_(columns) {
  domain_.name = std::move(name);
}

void DomainBuilder::add_category(int64_t item, int64_t category) {
  const auto i = static_cast<size_t>(item);
  if (i >= last_category_.size()) last_category_.resize(std::max(i + 1, 2 * last_category_.size()), -1);
  if (last_category_[i] == category) return;
  last_category_[i] = static_cast<int32_t>(category);
  item_categories_.emplace_back(item, static_cast<int32_t>(category));
}

int64_t DomainBuilder::merge_duplicates(int64_t num_users) {
  const size_t n = interactions_.size();
  std::vector<uint8_t> drop(n, 0);
  const int64_t duplicates = n < std::numeric_limits<uint32_t>::max()
                                 ? mark_duplicates<uint32_t>(interactions_, num_users, items_.size(), drop)
                                 : mark_duplicates<uint64_t>(interactions_, num_users, items_.size(), drop);
  if (duplicates > 0) {
    erase_marked(interactions_.user, drop);
    erase_marked(interactions_.item, drop);
    erase_marked(interactions_.time, drop);
    erase_marked(interactions_.behavior, drop);
    erase_marked(interactions_.weight, drop);
    erase_marked(parts_, drop);
  }
  return duplicates;
}

void DomainBuilder::build_categories() {
  if (categories_.size() == 0) return;
  std::sort(item_categories_.begin(), item_categories_.end());
  item_categories_.erase(std::unique(item_categories_.begin(), item_categories_.end()), item_categories_.end());
  auto& offsets = domain_.item_category_offsets;
  offsets.assign(static_cast<size_t>(items_.size()) + 1, 0);
  domain_.item_category.reserve(item_categories_.size());
  for (const auto& [item, category] : item_categories_) {
    ++offsets[static_cast<size_t>(item) + 1];
    domain_.item_category.push_back(category);
  }
  for (size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
}

DomainBuilder::Result DomainBuilder::finish(int64_t num_users) && {
  Result result;
  result.duplicates_merged = merge_duplicates(num_users);
  build_categories();

  DomainSplit& split = result.split;
  split.domain = domain_.name;
  std::vector<uint8_t> user_parts(static_cast<size_t>(num_users), 0);  // bit 1: train, bit 2: held out
  for (size_t k = 0; k < parts_.size(); ++k) {
    const auto part = static_cast<Part>(parts_[k]);
    auto& indices = part == Part::kTrain ? split.train : part == Part::kValid ? split.valid : split.test;
    indices.push_back(static_cast<int64_t>(k));
    user_parts[static_cast<size_t>(interactions_.user[k])] |= part == Part::kTrain ? 1 : 2;
  }
  for (size_t u = 0; u < user_parts.size(); ++u) {
    if (user_parts[u] == 2) split.cold_start_users.push_back(static_cast<int64_t>(u));
  }

  domain_.item_ids = std::move(items_).take_ids();
  domain_.category_names = std::move(categories_).take_ids();
  domain_.interactions = std::move(interactions_);
  result.domain = std::move(domain_);
  return result;
}

}  // namespace graft::io
