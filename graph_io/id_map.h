// External ids (as written in a file) → dense indices 0..n-1 in first-seen order.
//
// Canonical decimal numbers (digits only, no leading zero, at most 18 digits), the usual case,
// take a fast path without building a string per lookup: values up to a bound proportional to
// the number of ids live in a direct table, larger ones in a hash map. Other ids go to a string
// hash map. "7" and "007" are different ids, as they are different text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace graft::io {

class IdMap {
 public:
  // Index of `id`, adding it when new.
  int64_t add(std::string_view id);
  // Same as add(std::to_string(value)).
  int64_t add_number(uint64_t value) {
    if (value < dense_.size() && dense_[value] >= 0) return dense_[value];
    return add_number_slowly(value);
  }
  std::optional<int64_t> find(std::string_view id) const;

  // An id read ahead of its numbering (by a worker thread, say), so that numbering in file
  // order later needs no text: a canonical number as itself, other text as kTextKey | its index
  // in a list of views that the reader keeps. add_key(key(id, texts), texts) == add(id).
  static constexpr uint64_t kTextKey = uint64_t{1} << 63;
  static uint64_t key(std::string_view id, std::vector<std::string_view>& texts);
  int64_t add_key(uint64_t key, const std::vector<std::string_view>& texts) {
    return key & kTextKey ? add(texts[static_cast<size_t>(key & ~kTextKey)]) : add_number(key);
  }
  // Starts loading the memory that add_key(key) will read: numbering millions of ids from a
  // large table waits on memory, not on arithmetic.
  void prefetch(uint64_t key) const {
    if (key < dense_.size()) __builtin_prefetch(&dense_[key]);
  }
  std::optional<int64_t> find_number(uint64_t value) const;

  int64_t size() const { return static_cast<int64_t>(ids_.size()); }
  // External ids by dense index; take_ids() moves them out of a map that is no longer needed.
  const std::vector<std::string>& ids() const { return ids_; }
  std::vector<std::string> take_ids() && { return std::move(ids_); }

 private:
  static std::optional<uint64_t> canonical_number(std::string_view id);
  int64_t add_number_slowly(uint64_t value);
  int64_t insert_number(uint64_t value);
  void grow_dense(uint64_t size);

  std::vector<int32_t> dense_;  // value → index, -1 when absent
  std::unordered_map<uint64_t, int64_t> sparse_;
  std::unordered_map<std::string, int64_t> names_;
  std::string key_;  // reused lookup key: no allocation per non-numeric lookup
  std::vector<std::string> ids_;
};

}  // namespace graft::io
