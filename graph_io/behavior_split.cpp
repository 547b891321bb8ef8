#include "graph_io/behavior_split.h"

#include <algorithm>

#include "graph_io/errors.h"

namespace graft::io {
namespace {

int64_t count_other(const Domain& domain, const std::vector<int64_t>& cases, Behavior target) {
  return std::count_if(cases.begin(), cases.end(), [&](int64_t k) {
    return domain.interactions.behavior.at(static_cast<size_t>(k)) != static_cast<int8_t>(target);
  });
}

}  // namespace

std::vector<int64_t> of_behavior(const Domain& domain, const std::vector<int64_t>& indices, Behavior behavior) {
  std::vector<int64_t> out;
  for (const int64_t k : indices) {
    if (domain.interactions.behavior.at(static_cast<size_t>(k)) == static_cast<int8_t>(behavior)) out.push_back(k);
  }
  return out;
}

DomainSplit target_behavior_part(const Domain& domain, const DomainSplit& part, Behavior target) {
  const std::string name = behavior_name(target);
  if (!domain.interactions.has_behavior()) {
    throw UsageError("target behaviour " + name + ": domain '" + domain.name + "' has no behaviour column");
  }
  for (const auto* cases : {&part.valid, &part.test}) {
    const int64_t other = count_other(domain, *cases, target);
    if (other > 0) {
      throw UsageError("target behaviour " + name + ": " + std::to_string(other) + " of the " +
                       (cases == &part.valid ? "validation" : "test") + " cases of domain '" + domain.name +
                       "' are other behaviours; evaluate a split whose held-out cases are " + name +
                       " (the given split of behaviour-lists, or cold_start_buyers)");
    }
  }
  DomainSplit out = part;
  out.train = of_behavior(domain, part.train, target);
  return out;
}

}  // namespace graft::io
