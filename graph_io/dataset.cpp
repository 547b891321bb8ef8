#include "graph_io/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "graph_io/errors.h"

namespace graft::io {

void throw_at_line(const std::string& file, long long line, const std::string& what) {
  throw DataError(file + ":" + std::to_string(line) + ": " + what);
}

const char* behavior_name(Behavior b) {
  switch (b) {
    case Behavior::kView: return "pv";
    case Behavior::kCart: return "cart";
    case Behavior::kFavorite: return "fav";
    case Behavior::kBuy: return "buy";
  }
  return "?";
}

std::optional<Behavior> parse_behavior(const std::string& s) {
  for (int b = 0; b < kNumBehaviors; ++b) {
    if (s == behavior_name(static_cast<Behavior>(b))) return static_cast<Behavior>(b);
  }
  return std::nullopt;
}

const char* feature_kind_name(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::kDense: return "dense";
    case FeatureKind::kSparse: return "sparse";
    case FeatureKind::kScalar: return "scalar";
  }
  return "?";
}

std::optional<FeatureKind> parse_feature_kind(const std::string& s) {
  for (FeatureKind kind : {FeatureKind::kDense, FeatureKind::kSparse, FeatureKind::kScalar}) {
    if (s == feature_kind_name(kind)) return kind;
  }
  return std::nullopt;
}

int64_t FeatureBlock::num_missing() const {
  return static_cast<int64_t>(std::count_if(missing.begin(), missing.end(), [](uint8_t m) { return m != 0; }));
}

const FeatureBlock* Domain::find_item_features(const std::string& block) const {
  for (const FeatureBlock& b : item_features) {
    if (b.name == block) return &b;
  }
  return nullptr;
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream stream(list);
  for (std::string name; std::getline(stream, name, ',');) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

std::vector<const FeatureBlock*> Domain::item_blocks(const std::string& names, const std::string& key) const {
  std::vector<const FeatureBlock*> blocks;
  for (const std::string& name : split_names(names)) {
    const FeatureBlock* block = find_item_features(name);
    if (block == nullptr) {
      std::string have;
      for (const FeatureBlock& b : item_features) have += (have.empty() ? "" : ", ") + b.name;
      throw UsageError(key + ": domain '" + this->name + "' has no item feature block '" + name +
                       "' (it has: " + (have.empty() ? "none" : have) + ")");
    }
    blocks.push_back(block);
  }
  if (split_names(names).empty()) {
    for (const FeatureBlock& block : item_features) blocks.push_back(&block);
  }
  return blocks;
}

void Interactions::reserve(size_t n) {
  user.reserve(n);
  item.reserve(n);
}

const DomainSplit* Split::part(const std::string& domain) const {
  for (const auto& p : parts) {
    if (p.domain == domain) return &p;
  }
  return nullptr;
}

DomainSplit& Split::part_or_add(const std::string& domain) {
  for (auto& p : parts) {
    if (p.domain == domain) return p;
  }
  parts.push_back(DomainSplit{});
  parts.back().domain = domain;
  return parts.back();
}

namespace {

template <typename Named>
std::string list_names(const std::vector<Named>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x.name;
  return out.empty() ? "(none)" : out;
}

template <typename Named>
const Named* find_named(const std::vector<Named>& xs, const std::string& name) {
  for (const auto& x : xs) {
    if (x.name == name) return &x;
  }
  return nullptr;
}

}  // namespace

const Domain* Dataset::find_domain(const std::string& name) const { return find_named(domains, name); }

const Domain& Dataset::domain(const std::string& name) const {
  if (const Domain* d = find_domain(name)) return *d;
  throw UsageError("unknown domain '" + name + "'; the dataset has: " + list_names(domains));
}

Domain& Dataset::domain(const std::string& name) {
  return const_cast<Domain&>(static_cast<const Dataset&>(*this).domain(name));
}

const Split* Dataset::find_split(const std::string& name) const { return find_named(splits, name); }

Split* Dataset::find_split(const std::string& name) {
  return const_cast<Split*>(static_cast<const Dataset&>(*this).find_split(name));
}

const Split& Dataset::split(const std::string& name) const {
  if (const Split* s = find_split(name)) return *s;
  throw UsageError("unknown split '" + name + "'; the dataset has: " + list_names(splits));
}

namespace {

// Collects the location prefix so each check reads as one line.
struct Checker {
  const std::string& where;

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw DataError(where + ": " + path + ": " + what);
  }

  template <typename T>
  void in_range(const std::vector<T>& xs, int64_t limit, const std::string& path) const {
    for (size_t i = 0; i < xs.size(); ++i) {
      if (xs[i] < 0 || static_cast<int64_t>(xs[i]) >= limit) {
        std::ostringstream msg;
        msg << "id out of range at index " << i << ": " << static_cast<int64_t>(xs[i])
            << " not in [0, " << limit << ")";
        fail(path, msg.str());
      }
    }
  }

  void optional_length(size_t got, size_t want, const std::string& path) const {
    if (got != 0 && got != want) {
      fail(path, "length " + std::to_string(got) + " differs from " + std::to_string(want) +
                     " interactions");
    }
  }
};

// Non-finite floats have every exponent bit set. A branch-free scan of the bits vectorises, so
// checking a 300 MB embedding block costs a fraction of reading it; the row is looked up only
// when something is wrong.
bool all_finite(const std::vector<float>& xs) {
  uint32_t non_finite = 0;
  for (const float x : xs) {
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    non_finite |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  return non_finite == 0;
}

// The row of the first NaN or Inf in `values`; `row_of(i)` maps a value index to its row.
template <typename RowOf>
std::string first_non_finite(const std::vector<float>& values, RowOf row_of) {
  size_t i = 0;
  while (std::isfinite(values[i])) ++i;
  return std::string(std::isnan(values[i]) ? "NaN" : "Inf") + " in row " + std::to_string(row_of(i));
}

// One feature block of `owner` ("domain 'beauty' has 12101 items", "the dataset has 7 users").
struct BlockChecker {
  const Checker& check;
  const FeatureBlock& b;
  const std::string path;  // /domains/<d>/features/<items|users>/<name>

  void all(int64_t want_rows, const std::string& owner) const {
    if (b.rows != want_rows) {
      check.fail(path, "feature block '" + b.name + "' has " + std::to_string(b.rows) + " rows but " + owner);
    }
    if (b.kind == FeatureKind::kSparse) {
      sparse();
    } else {
      dense();
    }
    if (!b.missing.empty() && static_cast<int64_t>(b.missing.size()) != b.rows) {
      check.fail(path + "/missing", "length " + std::to_string(b.missing.size()) + " is not rows = " +
                                        std::to_string(b.rows));
    }
    for (size_t r = 0; r < b.missing.size(); ++r) {
      if (b.missing[r] > 1) check.fail(path + "/missing", "row " + std::to_string(r) + " is neither 0 nor 1");
    }
  }

  void dense() const {
    if (b.kind == FeatureKind::kScalar && b.width != 1) {
      check.fail(path, "scalar block with width " + std::to_string(b.width) + " (must be 1)");
    }
    if (b.width < 1) check.fail(path, "dense block with width " + std::to_string(b.width) + " (must be at least 1)");
    if (!b.offsets.empty() || !b.indices.empty() || !b.vocabulary.empty()) {
      check.fail(path, std::string(feature_kind_name(b.kind)) + " block with sparse offsets, indices or vocabulary");
    }
    if (b.rows > std::numeric_limits<int64_t>::max() / b.width ||
        static_cast<int64_t>(b.values.size()) != b.rows * b.width) {
      check.fail(path + "/values", "has " + std::to_string(b.values.size()) + " values, expected rows x width = " +
                                       std::to_string(b.rows) + " x " + std::to_string(b.width));
    }
    if (!all_finite(b.values)) {
      check.fail(path + "/values", first_non_finite(b.values, [&](size_t i) { return i / static_cast<size_t>(b.width); }));
    }
  }

  void sparse() const {
    const auto& off = b.offsets;
    if (b.width < 0) check.fail(path, "negative width " + std::to_string(b.width));
    if (static_cast<int64_t>(off.size()) != b.rows + 1) {
      check.fail(path + "/offsets", "length " + std::to_string(off.size()) + " is not rows + 1 = " +
                                        std::to_string(b.rows + 1));
    }
    if (off.front() != 0 || off.back() != static_cast<int64_t>(b.indices.size()) ||
        !std::is_sorted(off.begin(), off.end())) {
      check.fail(path + "/offsets", "not a valid CSR offset array for " + std::to_string(b.indices.size()) + " entries");
    }
    if (b.values.size() != b.indices.size()) {
      check.fail(path + "/values", "has " + std::to_string(b.values.size()) + " values for " +
                                       std::to_string(b.indices.size()) + " indices");
    }
    for (int64_t r = 0; r < b.rows; ++r) columns_of_row(r);
    if (!b.vocabulary.empty() && static_cast<int64_t>(b.vocabulary.size()) != b.width) {
      check.fail(path + "/vocabulary", "names " + std::to_string(b.vocabulary.size()) + " columns, width is " +
                                           std::to_string(b.width));
    }
    if (!all_finite(b.values)) {
      check.fail(path + "/values", first_non_finite(b.values, [&](size_t i) {
                   return std::upper_bound(off.begin(), off.end(), static_cast<int64_t>(i)) - off.begin() - 1;
                 }));
    }
  }

  // Columns of one row are in [0, width) and strictly ascending (a bag holds each column once).
  void columns_of_row(int64_t r) const {
    const auto row = static_cast<size_t>(r);
    for (auto k = static_cast<size_t>(b.offsets[row]); k < static_cast<size_t>(b.offsets[row + 1]); ++k) {
      const int32_t c = b.indices[k];
      if (c < 0 || c >= b.width) {
        check.fail(path + "/indices", "row " + std::to_string(r) + ": column " + std::to_string(c) + " not in [0, " +
                                          std::to_string(b.width) + ")");
      }
      if (k > static_cast<size_t>(b.offsets[row]) && c <= b.indices[k - 1]) {
        check.fail(path + "/indices", "row " + std::to_string(r) + ": columns not strictly ascending");
      }
    }
  }
};

// The blocks of one node type of one domain: valid names, unique, each block consistent.
void validate_blocks(const Checker& check, const std::vector<FeatureBlock>& blocks, const std::string& base,
                     int64_t rows, const std::string& owner) {
  std::vector<std::string> seen;
  for (const FeatureBlock& b : blocks) {
    const std::string path = base + "/" + b.name;
    if (b.name.empty() || b.name.find('/') != std::string::npos || b.name == "." || b.name == "..") {
      check.fail(path, "feature block name '" + b.name + "' must be non-empty and contain no '/'");
    }
    if (b.name == kFeatureNamesList) {
      check.fail(path, "feature block name '" + b.name + "' is reserved (the list of block names)");
    }
    if (std::find(seen.begin(), seen.end(), b.name) != seen.end()) check.fail(path, "duplicate feature block");
    seen.push_back(b.name);
    BlockChecker{check, b, path}.all(rows, owner);
  }
}

}  // namespace

void validate(const Dataset& ds, const std::string& where) {
  Checker check{where};
  std::vector<std::string> seen;
  for (const Domain& d : ds.domains) {
    const std::string base = "/domains/" + d.name;
    if (d.name.empty() || d.name.find('/') != std::string::npos) {
      check.fail(base, "domain name must be non-empty and contain no '/'");
    }
    if (std::find(seen.begin(), seen.end(), d.name) != seen.end()) check.fail(base, "duplicate domain");
    seen.push_back(d.name);

    const Interactions& x = d.interactions;
    if (x.item.size() != x.user.size()) {
      check.fail(base + "/interactions/item", "length " + std::to_string(x.item.size()) +
                                                  " differs from user length " + std::to_string(x.user.size()));
    }
    check.in_range(x.user, ds.num_users(), base + "/interactions/user");
    check.in_range(x.item, d.num_items(), base + "/interactions/item");
    check.optional_length(x.time.size(), x.size(), base + "/interactions/time");
    check.optional_length(x.behavior.size(), x.size(), base + "/interactions/behavior");
    check.optional_length(x.weight.size(), x.size(), base + "/interactions/weight");
    check.in_range(x.behavior, kNumBehaviors, base + "/interactions/behavior");
    for (size_t i = 0; i < x.weight.size(); ++i) {
      if (!(x.weight[i] == x.weight[i])) check.fail(base + "/interactions/weight", "NaN at index " + std::to_string(i));
    }

    if (d.has_categories()) {
      const auto& off = d.item_category_offsets;
      if (static_cast<int64_t>(off.size()) != d.num_items() + 1) {
        check.fail(base + "/items/category_offsets", "length " + std::to_string(off.size()) +
                                                         " is not items + 1 = " + std::to_string(d.num_items() + 1));
      }
      if (off.front() != 0 || off.back() != static_cast<int64_t>(d.item_category.size()) ||
          !std::is_sorted(off.begin(), off.end())) {
        check.fail(base + "/items/category_offsets", "not a valid CSR offset array");
      }
      check.in_range(d.item_category, d.num_categories(), base + "/items/category");
    } else if (!d.item_category.empty()) {
      check.fail(base + "/items/category", "categories without offsets");
    }
    validate_blocks(check, d.item_features, base + "/features/items", d.num_items(),
                    "domain '" + d.name + "' has " + std::to_string(d.num_items()) + " items");
    validate_blocks(check, d.user_features, base + "/features/users", ds.num_users(),
                    "the dataset has " + std::to_string(ds.num_users()) + " users");
  }

  for (const Split& s : ds.splits) {
    for (const DomainSplit& p : s.parts) {
      const std::string base = "/splits/" + s.name + "/" + p.domain;
      const Domain* d = ds.find_domain(p.domain);
      if (!d) check.fail(base, "split refers to unknown domain '" + p.domain + "'");
      const int64_t n = static_cast<int64_t>(d->interactions.size());
      check.in_range(p.train, n, base + "/train");
      check.in_range(p.valid, n, base + "/valid");
      check.in_range(p.test, n, base + "/test");
      check.in_range(p.cold_start_users, ds.num_users(), base + "/cold_start_users");
      if (p.negatives_per_case < 0) check.fail(base, "negatives_per_case is negative");
      const auto k = static_cast<size_t>(p.negatives_per_case);
      if (p.valid_negatives.size() != (k ? p.valid.size() * k : 0) && !p.valid_negatives.empty()) {
        check.fail(base + "/valid_negatives", "expected " + std::to_string(p.valid.size()) + " x " +
                                                   std::to_string(k) + " entries");
      }
      if (p.test_negatives.size() != (k ? p.test.size() * k : 0) && !p.test_negatives.empty()) {
        check.fail(base + "/test_negatives", "expected " + std::to_string(p.test.size()) + " x " +
                                                  std::to_string(k) + " entries");
      }
      check.in_range(p.valid_negatives, d->num_items(), base + "/valid_negatives");
      check.in_range(p.test_negatives, d->num_items(), base + "/test_negatives");
    }
  }
}

}  // namespace graft::io
