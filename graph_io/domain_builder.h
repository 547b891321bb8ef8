// Accumulates one domain while an importer reads its files: items (external id → dense id),
// item categories, and interactions tagged with the part of a given split (train, valid, test,
// or none) their file belongs to. finish() merges duplicate interactions and returns the Domain and its
// share of the given split.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph_io/dataset.h"
#include "graph_io/id_map.h"

namespace graft::io {

// Which file of a given split an interaction came from. kOutside: kept as an interaction but in
// no part (e.g. the test pairs of a behaviour that is not the one evaluated).
enum class Part : int8_t { kTrain = 0, kValid = 1, kTest = 2, kOutside = 3 };

// The optional interaction columns a domain keeps (see Interactions).
struct InteractionColumns {
  bool time = false;
  bool behavior = false;
  bool weight = false;
};

class DomainBuilder {
 public:
  DomainBuilder(std::string name, InteractionColumns columns);

  const std::string& name() const { return domain_.name; }
  IdMap& items() { return items_; }
  IdMap& categories() { return categories_; }

  // Gives `item` the category (an item may have several; repeats are ignored).
  void add_category(int64_t item, int64_t category);
  // Appends an interaction; the optional values are ignored for columns the domain does not keep.
  void add(int64_t user, int64_t item, Part part, int64_t time = 0, Behavior behavior = Behavior::kView,
           float weight = 0.0f) {
    interactions_.user.push_back(user);
    interactions_.item.push_back(item);
    if (columns_.time) interactions_.time.push_back(time);
    if (columns_.behavior) interactions_.behavior.push_back(static_cast<int8_t>(behavior));
    if (columns_.weight) interactions_.weight.push_back(weight);
    parts_.push_back(static_cast<int8_t>(part));
  }
  int64_t size() const { return static_cast<int64_t>(parts_.size()); }
  // Makes room for `more` interactions (e.g. TextReader::estimated_lines()), which spares the
  // copies and page faults of growing ten-million-element columns step by step.
  void reserve_more(int64_t more);

  struct Result {
    Domain domain;
    // train/valid/test index arrays from the parts, and as cold-start users those with valid or
    // test interactions but none in train.
    DomainSplit split;
    int64_t duplicates_merged = 0;
  };
  // Merges duplicate (user, item) interactions — (user, item, behavior) when typed — keeping
  // the first one read, then builds the category CSR. Users must lie in [0, num_users).
  Result finish(int64_t num_users) &&;

 private:
  int64_t merge_duplicates(int64_t num_users);
  void build_categories();

  Domain domain_;
  InteractionColumns columns_;
  IdMap items_;
  IdMap categories_;
  Interactions interactions_;
  std::vector<int8_t> parts_;  // Part of each interaction
  // (item, category) pairs; finish() removes repeats. last_category_[item] skips the common
  // case of an item repeating its category on every line of a log.
  std::vector<std::pair<int64_t, int32_t>> item_categories_;
  std::vector<int32_t> last_category_;
};

}  // namespace graft::io
