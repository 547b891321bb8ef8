// Several source domains trained as one (multi-source transfer: the other markets of a
// cross-market task). merge_sources derives a dataset of two domains: the sources merged into
// one, named "ca+uk+fr" — users stay global, items with the same external id are one item,
// categories with the same name one category — and a copy of the target; with the split
// (options.split) holding one part for each. A source the split has no part for trains on all of
// its interactions (a source market is never evaluated, so nothing of it needs holding out).
// No LibTorch.
#pragma once

#include "graph_io/dataset.h"
#include "transfer/transfer_options.h"

#include <string>
#include <vector>

namespace graft::transfer {

struct MergedSources {
  io::Dataset dataset;              // domains {source_name, target}, split options.split
  std::string source_name;          // the source domain names joined by '+'
  std::vector<std::string> names;   // the source domains, in the order given
};

// Whether options.source needs merging: several domains, or one the split has no part for.
bool needs_merged_sources(const io::Dataset& dataset, const TransferOptions& options);

// UsageError naming the valid domains for an unknown source, and refusing item features
// (features.items ≠ id) across several sources, which this merge does not carry.
MergedSources merge_sources(const io::Dataset& dataset, const TransferOptions& options);

}  // namespace graft::transfer
