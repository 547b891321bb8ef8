// Steps shared by the feature importers (import_formats.h): the dataset they add to, its domain,
// and the new block's name.
#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/import_formats.h"

namespace graft::io {

void require_into(const ImportOptions& options) {
  if (options.into.empty()) {
    throw UsageError(options.format + ": --into is required (the dataset.h5 whose items get the features)");
  }
}

Dataset read_into_dataset(const ImportOptions& options) {
  require_into(options);
  return read_dataset(options.into);
}

Domain& feature_domain(Dataset& dataset, const ImportOptions& options) {
  if (!options.domain.empty()) return dataset.domain(options.domain);
  if (dataset.domains.size() == 1) return dataset.domains.front();
  std::vector<std::string> names;
  for (const Domain& d : dataset.domains) names.push_back(d.name);
  throw UsageError(options.into + " has " + std::to_string(names.size()) + " domains (" + join(names) +
                   "): choose one with --domain");
}

void require_new_item_block(const Domain& domain, const std::string& name, const ImportOptions& options) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." || name == kFeatureNamesList) {
    throw UsageError(options.format + ": feature block name '" + name +
                     "' must be non-empty, contain no '/' and not be '" + kFeatureNamesList + "'");
  }
  if (domain.find_item_features(name)) {
    throw UsageError(options.into + ": domain '" + domain.name + "' already has an item feature block '" + name + "'");
  }
}

}  // namespace graft::io
