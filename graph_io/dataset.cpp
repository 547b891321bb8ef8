#include "graph_io/dataset.h"

#include <algorithm>
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
