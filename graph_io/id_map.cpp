#include "graph_io/id_map.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

#include "graph_io/errors.h"

namespace graft::io {

namespace {

// The direct table covers values below max(kMinDense, kDensePerId × ids), so its memory stays
// proportional to the number of ids however sparse the values are.
constexpr uint64_t kMinDense = uint64_t{1} << 16;
constexpr uint64_t kDensePerId = 16;
constexpr size_t kMinTextSlots = 16;  // the text table's first size, a power of two

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

int64_t IdMap::next_index() const {
  const int64_t index = size();
  if (index >= std::numeric_limits<int32_t>::max()) {
    throw DataError("more than " + std::to_string(index) + " distinct ids");
  }
  return index;
}

int64_t IdMap::insert_number(uint64_t value) {
  const int64_t index = next_index();
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

uint32_t IdMap::hash_text(std::string_view text) {
  return static_cast<uint32_t>(std::hash<std::string_view>{}(text));
}

uint64_t IdMap::key(std::string_view id, std::vector<HashedText>& texts) {
  if (const auto number = canonical_number(id)) return *number;
  // Filled in place: copying in a temporary cost a store-forwarding stall per id.
  HashedText& text = texts.emplace_back();
  text.text = id;
  text.hash = hash_text(id);
  return kTextKey | (texts.size() - 1);
}

size_t IdMap::text_slot(HashedText id) const {
  size_t s = slot_of_hash(id.hash & slot_mask(), id.hash);
  while (slots_[s].index != kEmpty && ids_[static_cast<size_t>(slots_[s].index)] != id.text) {
    s = slot_of_hash((s + 1) & slot_mask(), id.hash);
  }
  return s;
}

void IdMap::grow_slots() {
  const std::vector<TextSlot> old =
      std::exchange(slots_, std::vector<TextSlot>(std::max(kMinTextSlots, 2 * slots_.size())));
  // Distinct ids in slots that all hold their hash: no text to read or compare.
  for (const TextSlot& slot : old) {
    if (slot.index == kEmpty) continue;
    size_t s = slot.hash & slot_mask();
    while (slots_[s].index != kEmpty) s = (s + 1) & slot_mask();
    slots_[s] = slot;
  }
}

int64_t IdMap::add_text(HashedText id) {
  if (2 * static_cast<size_t>(text_ids_ + 1) > slots_.size()) grow_slots();
  TextSlot& slot = slots_[text_slot(id)];
  if (slot.index == kEmpty) {
    slot = {id.hash, static_cast<int32_t>(next_index())};
    ids_.emplace_back(id.text);
    ++text_ids_;
  }
  return slot.index;
}

int64_t IdMap::add(std::string_view id) {
  if (const auto number = canonical_number(id)) return add_number(*number);
  return add_text({id, hash_text(id)});
}

std::optional<int64_t> IdMap::find(std::string_view id) const {
  if (const auto number = canonical_number(id)) return find_number(*number);
  if (slots_.empty()) return std::nullopt;
  const int64_t index = slots_[text_slot({id, hash_text(id)})].index;
  if (index == kEmpty) return std::nullopt;
  return index;
}

}  // namespace graft::io
