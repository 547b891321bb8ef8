#include "graph_io/domain_builder.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <thread>
#include <utility>
#include <type_traits>

namespace graft::io {

// Importers keep builders in a vector that grows as domains appear; they must move, not copy.
static_assert(std::is_nothrow_move_constructible_v<DomainBuilder>);

namespace {

// Runs body(t) for t in [0, threads) on that many threads.
template <typename Body>
void run_threads(size_t threads, Body body) {
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(body, t);
  body(0);
  for (std::thread& w : workers) w.join();
}

// Marks every interaction that repeats an earlier (user, item[, behavior]) with drop = 1.
// The (key, index) pairs, key = item (times the behaviour count plus the behaviour when typed),
// are grouped by user with a stable counting sort; each user's keys are then checked in order
// against the last user that had each key. The cost is linear, the scan reads sequentially, and
// the working set is one entry per key rather than a hash set of all pairs. Both steps run on
// `threads` threads: the sort on slices of the interactions (each slice's entries of a user
// after the earlier slices', so the order stays stable), the check on ranges of users with one
// key table each. `Index` holds interaction indices, keys and user ids.
template <typename Index>
int64_t mark_duplicates(const Interactions& x, int64_t num_users, int64_t num_keys, size_t threads,
                        std::vector<uint8_t>& drop) {
  const size_t n = x.size();
  const auto users = static_cast<size_t>(num_users);
  auto slice = [&](size_t t) { return std::make_pair(n * t / threads, n * (t + 1) / threads); };
  // next[t][u]: where slice t puts its next entry of user u.
  std::vector<std::vector<Index>> next(threads, std::vector<Index>(users, 0));
  run_threads(threads, [&](size_t t) {
    const auto [begin, end] = slice(t);
    for (size_t k = begin; k < end; ++k) ++next[t][static_cast<size_t>(x.user[k])];
  });
  std::vector<Index> start(users + 1, 0);
  Index total = 0;
  for (size_t u = 0; u < users; ++u) {
    start[u] = total;
    for (size_t t = 0; t < threads; ++t) total += std::exchange(next[t][u], total);
  }
  start[users] = total;

  struct Entry {
    Index key, index;
  };
  std::vector<Entry> by_user(n);
  run_threads(threads, [&](size_t t) {
    const auto [begin, end] = slice(t);
    for (size_t k = begin; k < end; ++k) {
      const auto key = static_cast<Index>(x.has_behavior() ? x.item[k] * kNumBehaviors + x.behavior[k] : x.item[k]);
      by_user[next[t][static_cast<size_t>(x.user[k])]++] = Entry{key, static_cast<Index>(k)};
    }
  });
  next.clear();

  // Users split where the entries before them cross a multiple of n / threads.
  std::vector<size_t> first_user(threads + 1, users);
  for (size_t t = 0; t < threads; ++t) {
    first_user[t] = static_cast<size_t>(std::lower_bound(start.begin(), start.end() - 1, static_cast<Index>(n * t / threads)) -
                                        start.begin());
  }
  first_user[0] = 0;
  std::vector<int64_t> duplicates(threads, 0);
  run_threads(threads, [&](size_t t) {
    constexpr Index kNobody = std::numeric_limits<Index>::max();
    std::vector<Index> last_user(static_cast<size_t>(num_keys), kNobody);
    for (size_t u = first_user[t]; u < first_user[t + 1]; ++u) {
      for (Index j = start[u]; j < start[u + 1]; ++j) {
        Index& last = last_user[by_user[j].key];
        if (last == static_cast<Index>(u)) {
          drop[by_user[j].index] = 1;
          ++duplicates[t];
        }
        last = static_cast<Index>(u);
      }
    }
  });
  return std::accumulate(duplicates.begin(), duplicates.end(), int64_t{0});
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

void DomainBuilder::reserve_more(int64_t more) {
  const auto n = static_cast<size_t>(size() + std::max<int64_t>(more, 0));
  interactions_.user.reserve(n);
  interactions_.item.reserve(n);
  if (columns_.time) interactions_.time.reserve(n);
  if (columns_.behavior) interactions_.behavior.reserve(n);
  if (columns_.weight) interactions_.weight.reserve(n);
  parts_.reserve(n);
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
  const int64_t keys = items_.size() * (columns_.behavior ? kNumBehaviors : 1);
  const auto narrow = static_cast<int64_t>(std::numeric_limits<uint32_t>::max());
  // Threads pay off once the interactions outnumber the per-thread tables.
  const size_t threads = n > 4 * static_cast<size_t>(num_users + keys) && n > (size_t{1} << 20)
                             ? std::max(1u, std::thread::hardware_concurrency())
                             : 1;
  const int64_t duplicates = std::max({static_cast<int64_t>(n), keys, num_users}) < narrow
                                 ? mark_duplicates<uint32_t>(interactions_, num_users, keys, threads, drop)
                                 : mark_duplicates<uint64_t>(interactions_, num_users, keys, threads, drop);
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
    if (part == Part::kOutside) continue;
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
