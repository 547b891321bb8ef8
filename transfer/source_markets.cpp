#include "transfer/source_markets.h"

#include "graph_io/errors.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace graft::transfer {
namespace {

// The interactions of `domain` the split trains on: its part's training rows, or every row when
// the split has no part for it.
std::vector<int64_t> training_rows(const io::Domain& domain, const io::Split& split) {
  if (const io::DomainSplit* part = split.part(domain.name)) return part->train;
  std::vector<int64_t> rows(domain.interactions.size());
  for (size_t k = 0; k < rows.size(); ++k) rows[k] = static_cast<int64_t>(k);
  return rows;
}

// Grows the merged domain source by source: items and categories by external id and name.
class DomainMerger {
 public:
  explicit DomainMerger(std::string name, bool time, bool behavior, bool weight) {
    merged_.name = std::move(name);
    keep_time_ = time, keep_behavior_ = behavior, keep_weight_ = weight;
  }

  void add(const io::Domain& domain, const std::vector<int64_t>& rows) {
    std::vector<int64_t> item_map(static_cast<size_t>(domain.num_items()));
    for (int64_t i = 0; i < domain.num_items(); ++i) item_map[i] = item(domain.item_ids[i]);
    if (domain.has_categories()) add_categories(domain, item_map);
    const io::Interactions& x = domain.interactions;
    io::Interactions& out = merged_.interactions;
    for (const int64_t k : rows) {
      out.user.push_back(x.user[k]);
      out.item.push_back(item_map[x.item[k]]);
      if (keep_time_) out.time.push_back(x.time[k]);
      if (keep_behavior_) out.behavior.push_back(x.behavior[k]);
      if (keep_weight_) out.weight.push_back(x.weight[k]);
    }
  }

  io::Domain finish() && {
    if (!item_categories_.empty()) {
      merged_.item_category_offsets.assign(1, 0);
      for (const std::set<int32_t>& categories : item_categories_) {
        merged_.item_category.insert(merged_.item_category.end(), categories.begin(), categories.end());
        merged_.item_category_offsets.push_back(static_cast<int64_t>(merged_.item_category.size()));
      }
    }
    return std::move(merged_);
  }

 private:
  int64_t item(const std::string& id) {
    const auto [it, added] = items_.emplace(id, merged_.num_items());
    if (added) {
      merged_.item_ids.push_back(id);
      if (!item_categories_.empty()) item_categories_.emplace_back();
    }
    return it->second;
  }

  void add_categories(const io::Domain& domain, const std::vector<int64_t>& item_map) {
    item_categories_.resize(static_cast<size_t>(merged_.num_items()));
    for (int64_t i = 0; i < domain.num_items(); ++i) {
      for (int64_t c = domain.item_category_offsets[i]; c < domain.item_category_offsets[i + 1]; ++c) {
        const std::string& name = domain.category_names[domain.item_category[c]];
        const auto [it, added] = categories_.emplace(name, static_cast<int32_t>(merged_.category_names.size()));
        if (added) merged_.category_names.push_back(name);
        item_categories_[item_map[i]].insert(it->second);
      }
    }
  }

  io::Domain merged_;
  bool keep_time_ = false, keep_behavior_ = false, keep_weight_ = false;
  std::unordered_map<std::string, int64_t> items_;
  std::unordered_map<std::string, int32_t> categories_;
  std::vector<std::set<int32_t>> item_categories_;  // empty while no source has categories
};

}  // namespace

bool needs_merged_sources(const io::Dataset& dataset, const TransferOptions& options) {
  const std::vector<std::string> names = io::split_names(options.source);
  if (names.size() != 1) return true;
  const io::Split* split = dataset.find_split(options.split);
  return split != nullptr && split->part(names.front()) == nullptr;
}

MergedSources merge_sources(const io::Dataset& dataset, const TransferOptions& options) {
  MergedSources out;
  out.names = io::split_names(options.source);
  const io::Split& split = dataset.split(options.split);
  std::vector<const io::Domain*> sources;
  for (const std::string& name : out.names) sources.push_back(&dataset.domain(name));
  if (sources.size() > 1 && options.features.items != "id") {
    throw io::UsageError("features.items = " + options.features.items + " reads item features, but several source "
                         "domains (" + options.source + ") are merged without their feature blocks; use one source");
  }
  const auto all_have = [&](auto has) { return std::all_of(sources.begin(), sources.end(), has); };
  DomainMerger merger("", all_have([](const io::Domain* d) { return d->interactions.has_time(); }),
                      all_have([](const io::Domain* d) { return d->interactions.has_behavior(); }),
                      all_have([](const io::Domain* d) { return d->interactions.has_weight(); }));
  for (const io::Domain* source : sources) {
    out.source_name += (out.source_name.empty() ? "" : "+") + source->name;
    const std::vector<int64_t> rows = training_rows(*source, split);
    merger.add(*source, rows);
  }
  io::Domain merged = std::move(merger).finish();
  merged.name = out.source_name;

  io::Split derived;
  derived.name = split.name;
  derived.kind = split.kind;
  derived.params = split.params;
  io::DomainSplit& source_part = derived.part_or_add(out.source_name);
  source_part.train.resize(merged.interactions.size());
  for (size_t k = 0; k < source_part.train.size(); ++k) source_part.train[k] = static_cast<int64_t>(k);
  if (const io::DomainSplit* target_part = split.part(options.target)) derived.part_or_add(options.target) = *target_part;

  out.dataset.user_ids = dataset.user_ids;
  out.dataset.domains = {std::move(merged), dataset.domain(options.target)};
  out.dataset.splits = {std::move(derived)};
  out.dataset.provenance = dataset.provenance;
  return out;
}

}  // namespace graft::transfer
