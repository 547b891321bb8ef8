// add_split: checks the options against the dataset, runs the builder of the kind, draws the
// sampled negatives and stores the split. Split::params records the kind and every option that
// kind uses, so a stored split says how to make it again.
#include "graph_io/splits.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "graph_io/behavior_names.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "graph_io/split_builders.h"

namespace graft::io {

namespace {

// leave_one_out: the param, per domain, counting the users it cannot evaluate.
const std::string kTooFewKey = "users_too_few_interactions.";

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "(none)" : out;
}

// Shortest text that reads back as the same double.
std::string format_number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::vector<std::string> domain_names(const Dataset& dataset) {
  std::vector<std::string> names;
  for (const Domain& d : dataset.domains) names.push_back(d.name);
  return names;
}

const Domain& known_domain(const Dataset& dataset, const std::string& name, const std::string& flag) {
  if (const Domain* d = dataset.find_domain(name)) return *d;
  throw UsageError(flag + ": unknown domain '" + name + "'; the dataset has: " + join(domain_names(dataset)));
}

std::vector<const Domain*> selected_domains(const Dataset& dataset, const SplitOptions& options) {
  std::vector<const Domain*> out;
  if (options.domains.empty()) {
    for (const Domain& d : dataset.domains) out.push_back(&d);
    return out;
  }
  for (const std::string& name : options.domains) {
    const Domain* d = &known_domain(dataset, name, "--domain");
    if (std::find(out.begin(), out.end(), d) != out.end()) throw UsageError("--domain '" + name + "' given twice");
    out.push_back(d);
  }
  return out;
}

void check_ratios(const SplitOptions& options) {
  const auto check_one = [](const std::string& flag, double ratio) {
    if (!(ratio >= 0.0 && ratio < 1.0)) {
      throw UsageError(flag + " must be in [0, 1), got " + format_number(ratio));
    }
  };
  check_one("--valid-ratio", options.valid_ratio);
  check_one("--test-ratio", options.test_ratio);
  if (!(options.valid_ratio + options.test_ratio < 1.0)) {
    throw UsageError("--valid-ratio + --test-ratio must be below 1, got " + format_number(options.valid_ratio) +
                     " + " + format_number(options.test_ratio));
  }
}

int32_t category_index(const Domain& domain, const std::string& category) {
  if (!domain.has_categories()) {
    throw UsageError("new_category: domain '" + domain.name + "' has no categories");
  }
  const auto& names = domain.category_names;
  const auto it = std::find(names.begin(), names.end(), category);
  if (it == names.end()) {
    // Real catalogues have thousands of categories; name the first few.
    constexpr size_t kShown = 20;
    std::vector<std::string> shown(names.begin(), names.begin() + std::min(names.size(), kShown));
    if (names.size() > kShown) shown.push_back("... (" + std::to_string(names.size()) + " in all)");
    throw UsageError("--category: domain '" + domain.name + "' has no category '" + category +
                     "'; its categories: " + join(shown));
  }
  return static_cast<int32_t>(it - names.begin());
}

// Distinct items of the interactions `rows` of `domain`.
int64_t distinct_items(const Domain& domain, const std::vector<int64_t>& rows) {
  std::vector<int64_t> items;
  for (const int64_t k : rows) items.push_back(domain.interactions.item[k]);
  std::sort(items.begin(), items.end());
  return std::unique(items.begin(), items.end()) - items.begin();
}

// new_items: how many items each domain holds out for validation and for test.
void record_held_out_items(const Dataset& dataset, const std::vector<DomainSplit>& parts,
                           std::map<std::string, std::string>& params) {
  for (const DomainSplit& p : parts) {
    const Domain& d = dataset.domain(p.domain);
    params["new_items." + d.name + ".valid"] = std::to_string(distinct_items(d, p.valid));
    params["new_items." + d.name + ".test"] = std::to_string(distinct_items(d, p.test));
  }
}

uint64_t domain_seed(uint64_t seed, const std::string& domain) { return derive_seed(seed, "split/" + domain); }

// --cold-start-fraction, checked and recorded in `params`.
double cold_start_fraction(const SplitOptions& options, std::map<std::string, std::string>& params) {
  const double fraction = options.cold_start_fraction;
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    throw UsageError("--cold-start-fraction must be in (0, 1], got " + format_number(fraction));
  }
  params["cold_start_fraction"] = format_number(fraction);
  return fraction;
}

// cold_start_buyers: the target behaviour, checked and recorded in `params` with the fraction;
// every domain it splits must have behaviours.
Behavior cold_start_buyers_target(const std::vector<const Domain*>& domains, const SplitOptions& options,
                                  std::map<std::string, std::string>& params) {
  const Behavior target = parse_behavior_code(options.target_behavior, "--target-behaviour");
  for (const Domain* d : domains) {
    if (!d->interactions.has_behavior()) {
      throw UsageError("cold_start_buyers: domain '" + d->name + "' has no behaviours (pv, cart, fav, buy)");
    }
  }
  cold_start_fraction(options, params);
  params["target_behavior"] = behavior_name(target);
  return target;
}

// The parts of a cold_start_users split, recording the options it uses in `params`.
std::vector<DomainSplit> cold_start_parts(const Dataset& dataset, const SplitOptions& options,
                                          std::map<std::string, std::string>& params) {
  if (!options.domains.empty()) {
    throw UsageError("--domain does not apply to cold_start_users; name the domains with --source and --target");
  }
  if (options.source.empty()) throw UsageError("cold_start_users needs --source");
  if (options.target.empty()) throw UsageError("cold_start_users needs --target");
  known_domain(dataset, options.source, "--source");
  known_domain(dataset, options.target, "--target");
  if (options.source == options.target) {
    throw UsageError("--source and --target must differ, both are '" + options.source + "'");
  }
  const double fraction = cold_start_fraction(options, params);
  params["source"] = options.source;
  params["target"] = options.target;
  return cold_start_users_split(dataset, options.source, options.target, fraction,
                                domain_seed(options.seed, options.source + "/" + options.target));
}

// The parts of a kind that splits each selected domain alone, recording the options it uses in
// `params`.
std::vector<DomainSplit> per_domain_parts(const Dataset& dataset, const SplitOptions& options,
                                          std::map<std::string, std::string>& params) {
  const std::string& kind = options.kind;
  const std::vector<const Domain*> domains = selected_domains(dataset, options);
  if (kind == "ratio" || kind == "temporal" || kind == "new_items") {
    check_ratios(options);
    params["valid_ratio"] = format_number(options.valid_ratio);
    params["test_ratio"] = format_number(options.test_ratio);
  }
  std::vector<int32_t> categories;
  if (kind == "new_category") {
    if (options.category.empty()) throw UsageError("new_category needs --category");
    if (options.k_shot < 0) throw UsageError("--k-shot must be >= 0, got " + std::to_string(options.k_shot));
    for (const Domain* d : domains) categories.push_back(category_index(*d, options.category));
    params["category"] = options.category;
    params["k_shot"] = std::to_string(options.k_shot);
  }
  if (kind == "temporal") {
    for (const Domain* d : domains) {
      if (!d->interactions.has_time()) {
        throw UsageError("temporal split: domain '" + d->name + "' has no timestamps");
      }
    }
  }
  std::optional<Behavior> target;
  if (kind == "cold_start_buyers") target = cold_start_buyers_target(domains, options, params);

  std::vector<std::string> names;
  std::vector<DomainSplit> parts;
  for (size_t i = 0; i < domains.size(); ++i) {
    const Domain& d = *domains[i];
    const uint64_t seed = domain_seed(options.seed, d.name);
    names.push_back(d.name);
    if (kind == "leave_one_out") {
      int64_t too_few = 0;
      parts.push_back(leave_one_out_split(d, dataset.num_users(), seed, &too_few));
      params[kTooFewKey + d.name] = std::to_string(too_few) + " (kept in training, not evaluated)";
    } else if (kind == "ratio") {
      parts.push_back(ratio_split(d, dataset.num_users(), options.valid_ratio, options.test_ratio, seed));
    } else if (kind == "temporal") {
      parts.push_back(temporal_split(d, options.valid_ratio, options.test_ratio));
    } else if (kind == "new_items") {
      parts.push_back(new_items_split(d, options.valid_ratio, options.test_ratio, seed));
    } else if (kind == "cold_start_buyers") {
      parts.push_back(cold_start_buyers_split(d, dataset.num_users(), *target, options.cold_start_fraction, seed));
    } else {
      parts.push_back(new_category_split(d, dataset.num_users(), categories[i], options.k_shot, seed));
    }
  }
  params["domains"] = join(names);
  if (kind == "new_items") record_held_out_items(dataset, parts, params);
  return parts;
}

// holdout_valid: each part of the split options.from with validation carved from its training.
std::vector<DomainSplit> holdout_parts(const Dataset& dataset, const SplitOptions& options,
                                       std::map<std::string, std::string>& params) {
  if (options.from.empty()) throw UsageError("holdout_valid needs --from, the split to carve validation from");
  const Split* base = dataset.find_split(options.from);
  if (base == nullptr) {
    std::vector<std::string> names;
    for (const Split& s : dataset.splits) names.push_back(s.name);
    throw UsageError("--from: no split '" + options.from + "' in the dataset; splits: " + join(names));
  }
  if (!(options.valid_ratio > 0.0 && options.valid_ratio < 1.0)) {
    throw UsageError("--valid-ratio must be in (0, 1) for holdout_valid, got " + format_number(options.valid_ratio));
  }
  params["from"] = options.from;
  params["valid_ratio"] = format_number(options.valid_ratio);
  std::vector<DomainSplit> parts;
  for (const DomainSplit& part : base->parts) {
    if (!options.domains.empty() &&
        std::find(options.domains.begin(), options.domains.end(), part.domain) == options.domains.end()) {
      continue;
    }
    const Domain& domain = dataset.domain(part.domain);
    parts.push_back(holdout_valid_split(domain, part, dataset.num_users(), options.valid_ratio,
                                        domain_seed(options.seed, part.domain)));
  }
  return parts;
}

}  // namespace

std::vector<std::string> split_kinds() {
  return {"leave_one_out", "ratio", "temporal", "cold_start_users", "new_category", "new_items", "cold_start_buyers",
          "holdout_valid"};
}

std::vector<std::string> split_notes(const Split& split) {
  std::vector<std::string> notes;
  for (const auto& [key, value] : split.params) {
    if (key.compare(0, kTooFewKey.size(), kTooFewKey) != 0) continue;
    int64_t count = 0;
    std::from_chars(value.data(), value.data() + value.size(), count);
    if (count == 0) continue;
    notes.push_back("note: split '" + split.name + "', domain '" + key.substr(kTooFewKey.size()) + "': " +
                    std::to_string(count) + " user" + (count == 1 ? " has" : "s have") +
                    " fewer than 3 interactions (kept in training, not evaluated)");
  }
  return notes;
}

void add_split(Dataset& dataset, const SplitOptions& options) {
  const std::vector<std::string> kinds = split_kinds();
  if (options.kind.empty()) throw UsageError("--kind is required; valid kinds: " + join(kinds));
  if (std::find(kinds.begin(), kinds.end(), options.kind) == kinds.end()) {
    throw UsageError("--kind: unknown split kind '" + options.kind + "'; valid kinds: " + join(kinds));
  }
  Split split;
  split.name = options.name.empty() ? options.kind : options.name;
  if (split.name.find('/') != std::string::npos) {
    throw UsageError("--name: a split name must not contain '/', got '" + split.name + "'");
  }
  if (options.negatives < 0) {
    throw UsageError("--negatives must be >= 0, got " + std::to_string(options.negatives));
  }
  split.kind = options.kind;
  split.params["kind"] = options.kind;
  split.params["seed"] = std::to_string(options.seed);
  split.parts = options.kind == "cold_start_users" ? cold_start_parts(dataset, options, split.params)
                : options.kind == "holdout_valid"    ? holdout_parts(dataset, options, split.params)
                                                     : per_domain_parts(dataset, options, split.params);
  for (DomainSplit& part : split.parts) {
    for (auto* list : {&part.train, &part.valid, &part.test, &part.cold_start_users}) {
      std::sort(list->begin(), list->end());
    }
  }
  draw_negatives(dataset, split, options.negatives, options.seed);

  if (Split* existing = dataset.find_split(split.name)) {
    *existing = std::move(split);
  } else {
    dataset.splits.push_back(std::move(split));
  }
}

}  // namespace graft::io
