// The key table: the experiment-level keys declared here, then the transfer rules of
// transfer/option_rules.h, two of them in an experiment-level form.
#include "experiments/config_schema.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "graph_io/errors.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic.h"

namespace graft::exp {

namespace {

using nlohmann::json;
using transfer::OptionRule;
using transfer::TransferOptions;
using transfer::unbound_rule;

std::vector<KeySpec> build_schema() {
  std::vector<KeySpec> k;
  k.push_back(unbound_rule("experiment.name", ValueType::kString, "",
                           "runs go to <runs>/<name>/ (default: the experiment file's name without .yaml)")
                  .not_identity());
  k.push_back(unbound_rule("data.path", ValueType::kString, "", "dataset.h5 to read (relative to the current directory)"));
  k.push_back(unbound_rule("data.generate", ValueType::kString, "",
                           "synthetic preset to generate in memory instead of reading data.path")
                  .one_of(io::synthetic_presets));
  k.push_back(unbound_rule("data.generate_seed", ValueType::kInt, 0, "seed of the synthetic generator").at_least(0));
  k.push_back(unbound_rule("data.split.kind", ValueType::kString, "cold_start_users",
                           "kind of the split made under the name `split` (generated data; data.path: when the file "
                           "has no split of that name)")
                  .one_of(io::split_kinds));
  k.push_back(unbound_rule("data.split.cold_start_fraction", ValueType::kFloat, 0.2,
                           "cold_start_users: fraction of shared users whose target history is held out")
                  .above(0)
                  .below(1));
  k.push_back(unbound_rule("data.split.target_behaviour", ValueType::kString, "buy",
                           "cold_start_buyers: the behaviour withheld from the cold users (pv, cart, fav, buy)"));
  k.push_back(unbound_rule("data.split.category", ValueType::kString, "new", "new_category: the category withheld"));
  k.push_back(unbound_rule("data.split.k_shot", ValueType::kInt, 0,
                           "new_category: interactions per user kept in training (few-shot budget)")
                  .at_least(0));
  k.push_back(unbound_rule("data.split.valid_ratio", ValueType::kFloat, 0.1, "ratio/temporal: validation share")
                  .at_least(0)
                  .below(1));
  k.push_back(unbound_rule("data.split.test_ratio", ValueType::kFloat, 0.1, "ratio/temporal: test share")
                  .at_least(0)
                  .below(1));
  k.push_back(unbound_rule("data.split.negatives", ValueType::kInt, 999, "sampled negatives per valid/test case (0: none)")
                  .at_least(0));
  k.push_back(unbound_rule("data.split.seed", ValueType::kInt, 0, "seed of the split and its negatives").at_least(0));
  k.push_back(unbound_rule("data.carve_category", ValueType::kBool, false,
                           "new-category studies: data.split.category becomes its own target domain (named after the "
                           "category) and the rest of its domain the source, with the split's roles kept"));
  k.push_back(unbound_rule("data.carve_new_items", ValueType::kBool, false,
                           "item cold-start studies (split kind new_items): the held-out items become a target domain "
                           "<domain>_new of their own, ranked among themselves, and the warm items the source"));

  k.push_back(unbound_rule("data.carve_behaviour", ValueType::kString, "",
                           "multi-behaviour transfer: this behaviour (pv, cart, fav, buy) of the first domain with "
                           "behaviours becomes a target domain <domain>_<code> of its own, over the same users and "
                           "items, and the source behaviours the source; the split's cold-start users (cold-start "
                           "buyers) go to the target (empty: no carving)"));
  k.push_back(unbound_rule("data.source_behaviours", ValueType::kString, "",
                           "with data.carve_behaviour: the source's behaviours, comma-separated codes (empty: every "
                           "other behaviour the domain has)"));

  for (OptionRule rule : transfer::option_rules()) {
    if (rule.key == "split") {
      rule.default_value = "cold_start";  // generated data is split under this name
    } else if (rule.key == "encoder.seed") {
      // Set by to_transfer_options, so that by default it follows `seed`.
      rule = unbound_rule("encoder.seed", ValueType::kInt, -1, "seed of layer and head initialisation (-1: `seed`)")
                 .at_least(-1);
    }
    k.push_back(std::move(rule));
  }
  return k;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string show(const json& value) { return value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump(); }

}  // namespace

std::string Origin::str() const {
  if (!file.empty()) return file + ":" + std::to_string(line);
  if (!set.empty()) return "--set " + set;
  return "defaults";
}

void fail_at(const Origin& origin, const std::string& what) { throw io::UsageError(origin.str() + ": " + what); }

const std::vector<KeySpec>& config_schema() {
  static const std::vector<KeySpec> schema = build_schema();
  return schema;
}

const KeySpec* find_key(const std::string& key) {
  for (const KeySpec& spec : config_schema()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

bool is_section(const std::string& prefix) {
  for (const KeySpec& spec : config_schema()) {
    if (spec.key.size() > prefix.size() && spec.key.compare(0, prefix.size(), prefix) == 0 &&
        spec.key[prefix.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (!best || d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  if (best && best_distance <= std::max<size_t>(2, word.size() / 3)) return " (did you mean '" + *best + "'?)";
  // A key given without its section ("epochs" for "adapt.epochs").
  for (const std::string& c : candidates) {
    const size_t dot = c.rfind('.');
    if (dot != std::string::npos && c.substr(dot + 1) == word) return " (did you mean '" + c + "'?)";
  }
  return "";
}

std::string suggest_key(const std::string& key) {
  std::vector<std::string> keys;
  for (const KeySpec& spec : config_schema()) keys.push_back(spec.key);
  return did_you_mean(key, keys);
}

void check_value(const KeySpec& spec, const json& value, const Origin& origin) {
  switch (spec.type) {
    case ValueType::kInt:
    case ValueType::kFloat:
    case ValueType::kIntList:
    case ValueType::kFloatList:
      if (const std::string problem = spec.range_violation(value); !problem.empty()) {
        fail_at(origin, spec.key + " " + problem);
      }
      break;
    case ValueType::kString: {
      const std::string s = value.get<std::string>();
      // An empty string is accepted where the default is empty: the key is unset.
      if (!spec.choices || (s.empty() && spec.default_value == "")) break;
      const std::vector<std::string> valid = spec.choices();
      if (std::find(valid.begin(), valid.end(), s) == valid.end()) {
        fail_at(origin, spec.key + ": unknown value " + show(value) + "; valid: " + join(valid) + did_you_mean(s, valid));
      }
      break;
    }
    case ValueType::kBool:
      break;
  }
}

Settings default_settings() {
  Settings settings;
  for (const KeySpec& spec : config_schema()) settings[spec.key] = Setting{spec.default_value, Origin{}};
  return settings;
}

transfer::TransferOptions to_transfer_options(const Settings& settings) {
  TransferOptions options;
  for (const KeySpec& spec : config_schema()) {
    if (spec.set) spec.set(settings.at(spec.key).value, options);
  }
  const int64_t encoder_seed = settings.at("encoder.seed").value.get<int64_t>();
  options.encoder.seed = encoder_seed < 0 ? options.seed : static_cast<uint64_t>(encoder_seed);
  try {
    transfer::validate(options);
  } catch (const transfer::OptionError& e) {
    // Where the first of its keys that a file or --set gave was set, else the defaults.
    const std::vector<std::string>& keys = e.keys();
    const auto given = std::find_if(keys.begin(), keys.end(), [&](const std::string& key) {
      return !settings.at(key).origin.is_default();
    });
    fail_at(settings.at(given != keys.end() ? *given : keys.front()).origin, e.what());
  }
  return options;
}

json identity_json(const Settings& settings) {
  json out = json::object();
  for (const KeySpec& spec : config_schema()) {
    if (spec.identity) out[spec.key] = settings.at(spec.key).value;
  }
  return out;
}

std::string format_schema() {
  size_t key_width = 0, type_width = 0, default_width = 0;
  for (const KeySpec& spec : config_schema()) {
    key_width = std::max(key_width, spec.key.size());
    type_width = std::max(type_width, std::string(type_name(spec.type)).size());
    default_width = std::max(default_width, spec.default_value.dump().size());
  }
  std::ostringstream out;
  out << std::left << std::setw(key_width + 2) << "key" << std::setw(type_width + 2) << "type"
      << std::setw(default_width + 2) << "default" << "description\n";
  for (const KeySpec& spec : config_schema()) {
    std::string doc = spec.doc;
    if (spec.choices) doc += " [" + join(spec.choices()) + "]";
    out << std::setw(key_width + 2) << spec.key << std::setw(type_width + 2) << type_name(spec.type)
        << std::setw(default_width + 2) << spec.default_value.dump() << doc << "\n";
  }
  return out.str();
}

}  // namespace graft::exp
