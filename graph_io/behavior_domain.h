// A behaviour of a domain as a target domain of its own: the transfer framing of multi-behaviour
// data (view + cart → buy; PROTOCOLS.md, multi-behaviour). carve_behavior_domain turns
//   domain D with a behaviour column, a target behaviour b, source behaviours S ∌ b, a split s
// into a dataset with two domains over the same users and the same items:
//   D      the interactions of the behaviours in S   (the source)
//   D_b    the interactions of b                      (the target, e.g. "tmall-behaviour_buy")
// and split s with one part per domain: every interaction keeps its role, those of behaviours
// outside S and b leave. The part's cold-start users go to the target's part: under a
// cold_start_buyers split they are the users without a training purchase, so every transfer
// method scores them as it scores cold-start users, and shared users are the bridge.
// Both domains keep D's whole item table (ids, categories, feature blocks); the split's sampled
// negatives are dropped (sample_negatives draws new ones).
#pragma once

#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

// sources empty: every behaviour of D other than b that D has. UsageError naming the domain, split
// or behaviour when D has no behaviour column, the split has no part for D, b is among the
// sources, or a side would have no interaction.
Dataset carve_behavior_domain(const Dataset& dataset, const std::string& domain, Behavior target,
                              const std::vector<Behavior>& sources, const std::string& split);

std::string behavior_domain_name(const std::string& domain, Behavior target);  // "shop", buy → "shop_buy"

}  // namespace graft::io
