// The target-behaviour view of a split part (PROTOCOLS.md, multi-behaviour): a model reads every
// behaviour's training interactions as its graph, but trains on and is evaluated against the
// target behaviour: positives and the items masked from a user's ranking are the user's training
// purchases only, so an item the user viewed or carted stays a candidate (buying it is what is
// predicted).
#pragma once

#include "graph_io/dataset.h"

namespace graft::io {

// The interactions among `indices` whose behaviour is `behavior`, in order. The domain must have
// a behaviour column.
std::vector<int64_t> of_behavior(const Domain& domain, const std::vector<int64_t>& indices, Behavior behavior);

// `part` with its training interactions restricted to `target`. Valid and test (and their
// negatives) are kept as they are and must all be `target` interactions: UsageError otherwise,
// naming the domain, the behaviour and the count, and when the domain has no behaviour column.
DomainSplit target_behavior_part(const Domain& domain, const DomainSplit& part, Behavior target);

}  // namespace graft::io
