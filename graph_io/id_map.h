// External ids (as written in a file) → dense indices 0..n-1 in first-seen order.
//
// Canonical decimal numbers (digits only, no leading zero, at most 18 digits), the usual case,
// take a fast path without building a string per lookup: values up to a bound proportional to
// the number of ids live in a direct table, larger ones in a hash map. Other ids go to a string
// hash map. "7" and "007" are different ids, as they are different text.
#pragma once

#include <cstdint>
#include <deque>
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
  int64_t add_number(uint64_t value);
  std::optional<int64_t> find(std::string_view id) const;
  std::optional<int64_t> find_number(uint64_t value) const;

  int64_t size() const { return static_cast<int64_t>(ids_.size()); }
  // External ids by dense index; take_ids() moves them out of a map that is no longer needed.
  const std::vector<std::string>& ids() const { return ids_; }
  std::vector<std::string> take_ids() && { return std::move(ids_); }

 private:
  static std::optional<uint64_t> canonical_number(std::string_view id);
  int64_t insert_number(uint64_t value);

  std::vector<int32_t> dense_;  // value → index, -1 when absent
  std::unordered_map<uint64_t, int64_t> sparse_;
  std::deque<std::string> names_storage_;  // stable storage for the keys of names_
  std::unordered_map<std::string_view, int64_t> names_;
  std::vector<std::string> ids_;
};

}  // namespace graft::io
