#include "graph_io/id_map.h"

#include <algorithm>
#include <limits>

#include "graph_io/errors.h"

namespace graft::io {

namespace {

// The direct table covers values below max(kMinDense, kDensePerId × ids), so its memory stays
// proportional to the number of ids however sparse the values are.
constexpr uint64_t kMinDense = uint64_t{1} << 16;
constexpr uint64_t kDensePerId = 16;

}  // namespace

std::optional<uint64_t> IdMap::canonical_number(std::string_view id) {
  if (id.empty() || id.size() > 18 || (id[0] == '0' && id.size() > 1)) return std::nullopt;
  uint64_t value = 0;
  for (const char c : id) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::optional<int64_t> IdMap::find_number(uint64_t value) const {
  if (value < dense_.size() && dense_[value] >= 0) return dense_[value];
  if (sparse_.empty()) return std::nullopt;
  const auto it = sparse_.find(value);
  if (it == sparse_.end()) return std::nullopt;
  return it->second;
}

int64_t IdMap::insert_number(uint64_t value) {
  const auto index = static_cast<int64_t>(ids_.size());
  if (index >= std::numeric_limits<int32_t>::max()) {
    throw DataError("more than " + std::to_string(index) + " distinct ids");
  }
  ids_.push_back(std::to_string(value));
  const uint64_t limit = std::max(kMinDense, kDensePerId * ids_.size());
  if (value < limit) {
    if (value >= dense_.size()) grow_dense(std::min(limit, std::max(value + 1, 2 * dense_.size())));
    dense_[value] = static_cast<int32_t>(index);
  } else {
    sparse_.emplace(value, index);
  }
  return index;
}

void IdMap::grow_dense(uint64_t size) {
  dense_.resize(size, -1);
  // Values that were too large for the table when they came now fit: move them in, so the
  // lookups of frequent early ids do not stay on the slower hash path.
  for (auto it = sparse_.begin(); it != sparse_.end();) {
    if (it->first < size) {
      dense_[it->first] = static_cast<int32_t>(it->second);
      it = sparse_.erase(it);
    } else {
      ++it;
    }
  }
}

int64_t IdMap::add_number_slowly(uint64_t value) {
  if (const auto found = find_number(value)) return *found;
  return insert_number(value);
}

uint64_t IdMap::key(std::string_view id, std::vector<std::string_view>& texts) {
  if (const auto number = canonical_number(id)) return *number;
  texts.push_back(id);
  return kTextKey | (texts.size() - 1);
}

int64_t IdMap::add(std::string_view id) {
  if (const auto number = canonical_number(id)) return add_number(*number);
  key_.assign(id);
  const auto [it, added] = names_.try_emplace(key_, static_cast<int64_t>(ids_.size()));
  if (added) ids_.push_back(key_);
  return it->second;
}

std::optional<int64_t> IdMap::find(std::string_view id) const {
  if (const auto number = canonical_number(id)) return find_number(*number);
  const auto it = names_.find(std::string(id));
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

}  // namespace graft::io
