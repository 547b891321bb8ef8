// External ids (as written in a file) → dense indices 0..n-1 in first-seen order.
//
// Canonical decimal numbers (digits only, no leading zero, at most 18 digits), the usual case,
// take a fast path without building a string per lookup: values up to a bound proportional to
// the number of ids live in a direct table, larger ones in a hash map. Other ids ("u42", ASINs)
// go to an open-addressing table of {hash, index} slots whose text lives in ids(): a lookup
// compares text only where the hash matches, and a reader may hash ahead of the numbering
// (key()). "7" and "007" are different ids, as they are different text.
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
  // A text id and its hash_text(), computed by whoever read it.
  struct HashedText {
    std::string_view text;
    uint32_t hash;
  };
  // Deterministic; the numbering never depends on it, only the speed. 32 bits address every
  // slot that int32 indices can fill and keep a slot at 8 bytes.
  static uint32_t hash_text(std::string_view text);

  // Index of `id`, adding it when new.
  int64_t add(std::string_view id);
  // Same as add(std::to_string(value)).
  int64_t add_number(uint64_t value) {
    if (value < dense_.size() && dense_[value] >= 0) return dense_[value];
    return add_number_slowly(value);
  }
  std::optional<int64_t> find(std::string_view id) const;

  // An id read ahead of its numbering (by a worker thread, say), so that numbering in file
  // order later neither parses nor hashes: a canonical number as itself, other text as
  // kTextKey | its index in a list that the reader keeps, hashed there.
  // add_key(key(id, texts), texts) == add(id).
  static constexpr uint64_t kTextKey = uint64_t{1} << 63;
  static uint64_t key(std::string_view id, std::vector<HashedText>& texts);
  int64_t add_key(uint64_t key, const std::vector<HashedText>& texts) {
    return key & kTextKey ? add_text(texts[static_cast<size_t>(key & ~kTextKey)]) : add_number(key);
  }
  // Starts loading the memory that add_key(key, texts) will read first: numbering millions of
  // ids from a large table waits on memory, not on arithmetic. Always inlined, as are their
  // callers: GCC takes a function whose only effect is a prefetch for pure and drops the call.
  [[gnu::always_inline]] void prefetch(uint64_t key, const std::vector<HashedText>& texts) const {
    if (key & kTextKey) {
      const HashedText& id = texts[static_cast<size_t>(key & ~kTextKey)];
      __builtin_prefetch(id.text.data());
      if (!slots_.empty()) __builtin_prefetch(&slots_[id.hash & slot_mask()]);
    } else if (key < dense_.size()) {
      __builtin_prefetch(&dense_[key]);
    }
  }
  // The second stage for text keys, some rows after prefetch(key, texts) and before
  // add_key(key, texts): the slots have arrived by then, and this loads the id that holds the
  // key's hash, whose text the lookup compares.
  [[gnu::always_inline]] void prefetch_text(uint64_t key, const std::vector<HashedText>& texts) const {
    if (!(key & kTextKey) || slots_.empty()) return;
    const uint32_t hash = texts[static_cast<size_t>(key & ~kTextKey)].hash;
    const int64_t index = slots_[slot_of_hash(hash & slot_mask(), hash)].index;
    if (index == kEmpty) return;
    // Both ends: a std::string may straddle two cache lines, its short text in the second.
    const auto* id = reinterpret_cast<const char*>(&ids_[static_cast<size_t>(index)]);
    __builtin_prefetch(id);
    __builtin_prefetch(id + sizeof(std::string) - 1);
  }
  std::optional<int64_t> find_number(uint64_t value) const;

  int64_t size() const { return static_cast<int64_t>(ids_.size()); }
  // External ids by dense index; take_ids() moves them out of a map that is no longer needed.
  const std::vector<std::string>& ids() const { return ids_; }
  std::vector<std::string> take_ids() && { return std::move(ids_); }

 private:
  // A slot of the text table: the id's hash and its index in ids_, or kEmpty.
  struct TextSlot {
    uint32_t hash = 0;
    int32_t index = kEmpty;
  };
  static constexpr int32_t kEmpty = -1;

  static std::optional<uint64_t> canonical_number(std::string_view id);
  int64_t add_number_slowly(uint64_t value);
  int64_t insert_number(uint64_t value);
  void grow_dense(uint64_t size);

  int64_t add_text(HashedText id);
  // The first slot from `s` on that holds `hash` or is empty.
  size_t slot_of_hash(size_t s, uint32_t hash) const {
    while (slots_[s].index != kEmpty && slots_[s].hash != hash) s = (s + 1) & slot_mask();
    return s;
  }
  // The slot holding `id`, or the empty slot where it would go.
  size_t text_slot(HashedText id) const;
  void grow_slots();
  size_t slot_mask() const { return slots_.size() - 1; }
  int64_t next_index() const;

  std::vector<int32_t> dense_;  // value → index, -1 when absent
  std::unordered_map<uint64_t, int64_t> sparse_;
  std::vector<TextSlot> slots_;  // linear probing; a power of two in size, at most half full
  int64_t text_ids_ = 0;         // ids in slots_
  std::vector<std::string> ids_;
};

}  // namespace graft::io
