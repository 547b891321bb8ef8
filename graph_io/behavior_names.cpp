#include "graph_io/behavior_names.h"

#include <set>

#include "graph_io/errors.h"

namespace graft::io {

namespace {

constexpr const char* kMapFlag = "--behaviour-map";

}  // namespace

std::string behavior_codes() {
  std::string out;
  for (int b = 0; b < kNumBehaviors; ++b) out += std::string(b ? ", " : "") + behavior_name(static_cast<Behavior>(b));
  return out;
}

Behavior parse_behavior_code(const std::string& code, const std::string& flag) {
  if (const auto behavior = parse_behavior(code)) return *behavior;
  throw UsageError(flag + ": unknown behaviour code '" + code + "'; valid codes: " + behavior_codes());
}

BehaviorNames::BehaviorNames(const std::vector<std::pair<std::string, std::string>>& map)
    : codes_{{"view", Behavior::kView},    {"pv", Behavior::kView},       {"click", Behavior::kView},
             {"cart", Behavior::kCart},    {"collect", Behavior::kFavorite}, {"fav", Behavior::kFavorite},
             {"buy", Behavior::kBuy},      {"purchase", Behavior::kBuy}} {
  std::set<std::string> given;
  for (const auto& [name, code] : map) {
    if (name.empty()) throw UsageError(std::string(kMapFlag) + " expects name=code, got '=" + code + "'");
    if (!given.insert(name).second) throw UsageError(std::string(kMapFlag) + ": '" + name + "' is mapped twice");
    codes_[name] = parse_behavior_code(code, std::string(kMapFlag) + " " + name + "=" + code);
  }
}

Behavior BehaviorNames::code_of(const std::string& name, const std::string& what) const {
  const auto it = codes_.find(name);
  if (it != codes_.end()) return it->second;
  std::string valid;
  for (const auto& entry : codes_) valid += (valid.empty() ? "" : ", ") + entry.first;
  throw UsageError(what + " names no known behaviour; valid names: " + valid + "; map another with " + kMapFlag +
                   " " + name + "=<code> (codes: " + behavior_codes() + ")");
}

}  // namespace graft::io
