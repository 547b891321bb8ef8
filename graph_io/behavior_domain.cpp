#include "graph_io/behavior_domain.h"

#include <algorithm>
#include <utility>

#include "graph_io/carve_parts.h"
#include "graph_io/errors.h"

namespace graft::io {
namespace {

using carving::kDropped;
using carving::kSource;
using carving::kTarget;

// The behaviours of `domain` other than `target`, in code order.
std::vector<Behavior> other_behaviors(const Domain& domain, Behavior target) {
  std::vector<bool> present(kNumBehaviors, false);
  for (const int8_t b : domain.interactions.behavior) present[static_cast<size_t>(b)] = true;
  std::vector<Behavior> out;
  for (int b = 0; b < kNumBehaviors; ++b) {
    if (present[static_cast<size_t>(b)] && b != static_cast<int>(target)) out.push_back(static_cast<Behavior>(b));
  }
  return out;
}

std::string names_of(const std::vector<Behavior>& behaviors) {
  std::string out;
  for (const Behavior b : behaviors) out += (out.empty() ? "" : ", ") + std::string(behavior_name(b));
  return out;
}

// The side of each behaviour code: kTarget for `target`, kSource for `sources`, else kDropped.
std::vector<int> behavior_sides(Behavior target, const std::vector<Behavior>& sources) {
  std::vector<int> side(kNumBehaviors, kDropped);
  for (const Behavior b : sources) side[static_cast<size_t>(b)] = kSource;
  side[static_cast<size_t>(target)] = kTarget;
  return side;
}

// A copy of `from` without its interactions, named `name`.
Domain without_interactions(const Domain& from, const std::string& name) {
  Domain to;
  to.name = name;
  to.item_ids = from.item_ids;
  to.category_names = from.category_names;
  to.item_category = from.item_category;
  to.item_category_offsets = from.item_category_offsets;
  to.item_features = from.item_features;
  to.user_features = from.user_features;
  return to;
}

}  // namespace

std::string behavior_domain_name(const std::string& domain, Behavior target) {
  return domain + "_" + behavior_name(target);
}

Dataset carve_behavior_domain(const Dataset& dataset, const std::string& domain_name, Behavior target,
                              const std::vector<Behavior>& sources_asked, const std::string& split_name) {
  const Domain& domain = dataset.domain(domain_name);
  const std::string what = "carving '" + std::string(behavior_name(target)) + "' out of '" + domain_name + "'";
  if (!domain.interactions.has_behavior()) throw UsageError(what + ": the domain has no behaviour column");
  const Split& split = dataset.split(split_name);
  const DomainSplit* part = split.part(domain_name);
  if (part == nullptr) throw UsageError("split '" + split_name + "' has no part for domain '" + domain_name + "'");
  const std::vector<Behavior> sources = sources_asked.empty() ? other_behaviors(domain, target) : sources_asked;
  if (std::find(sources.begin(), sources.end(), target) != sources.end()) {
    throw UsageError(what + ": the target behaviour cannot also be a source behaviour");
  }

  Domain out[2] = {without_interactions(domain, domain_name),
                   without_interactions(domain, behavior_domain_name(domain_name, target))};
  const std::vector<int> side_of = behavior_sides(target, sources);
  const Interactions& x = domain.interactions;
  carving::Moves moves{std::vector<int>(x.size()), std::vector<int64_t>(x.size(), -1)};
  for (size_t k = 0; k < x.size(); ++k) {
    const int side = side_of[static_cast<size_t>(x.behavior[k])];
    moves.side[k] = side;
    if (side == kDropped) continue;
    moves.index[k] = static_cast<int64_t>(out[side].interactions.size());
    carving::append_interaction(x, static_cast<int64_t>(k), x.item[k], out[side].interactions);
  }
  if (out[kSource].interactions.size() == 0) throw UsageError(what + ": no interaction of " + names_of(sources));
  if (out[kTarget].interactions.size() == 0) throw UsageError(what + ": the domain has no such interaction");

  Split carved = carving::carve_split(split, *part, moves, out);
  carved.params["carved_from"] = domain_name;
  carved.params["carved_target_behaviour"] = behavior_name(target);
  carved.params["carved_source_behaviours"] = names_of(sources);
  return carving::carved_dataset(dataset, out, std::move(carved));
}

}  // namespace graft::io
