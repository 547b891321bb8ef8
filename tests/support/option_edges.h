// Values at the edges of an option rule's range (transfer/option_rules.h), for tests that check
// both checks of a value agree: for each bound, the nearest value just outside it and one just
// inside, typed as the rule's key (a list key gets a list of one).
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "transfer/option_rules.h"

namespace graft::testing {

struct EdgeValue {
  nlohmann::json value;
  bool inside = false;
  std::string edge;  // "min" or "max", for failure messages
};

// Empty for keys without a range (strings, bools, unbounded numbers).
inline std::vector<EdgeValue> edge_values(const transfer::OptionRule& rule) {
  using transfer::ValueType;
  const bool integer = rule.type == ValueType::kInt || rule.type == ValueType::kIntList;
  const bool list = rule.type == ValueType::kIntList || rule.type == ValueType::kFloatList;
  auto typed = [&](double v) {
    const nlohmann::json x = integer ? nlohmann::json(static_cast<int64_t>(v)) : nlohmann::json(v);
    return list ? nlohmann::json::array({x}) : x;
  };
  // A step below the resolution of any bound in the table, above that of doubles near it.
  auto step = [&](double bound) { return integer ? 1.0 : 1e-6 * std::max(1.0, std::abs(bound)); };
  std::vector<EdgeValue> out;
  if (rule.type == ValueType::kString || rule.type == ValueType::kBool) return out;
  if (rule.min) {
    const double m = *rule.min;
    out.push_back({typed(rule.min_open ? m : m - step(m)), false, "min"});
    out.push_back({typed(rule.min_open ? m + step(m) : m), true, "min"});
  }
  if (rule.max) {
    const double m = *rule.max;
    out.push_back({typed(rule.max_open ? m : m + step(m)), false, "max"});
    out.push_back({typed(rule.max_open ? m - step(m) : m), true, "max"});
  }
  return out;
}

// Whether rule's field in `options` holds exactly `value`: not so for a negative value set on an
// unsigned field (json's == would call them equal, comparing them as signed).
inline bool holds(const transfer::OptionRule& rule, const transfer::TransferOptions& options,
                  const nlohmann::json& value) {
  return rule.get(options).dump() == value.dump();
}

}  // namespace graft::testing
