// The one table of configuration keys: every dotted key an experiment may set, its type, its
// allowed values or range, its default and what it does. The transfer keys are the rules of
// transfer/option_rules.h, so a value is checked by the same rule here (where the error can name
// the file and line) as by transfer::validate; only experiment-level keys (experiment.*, data.*,
// encoder.seed) are declared here. Config loading (experiments/config.h) checks every value
// against the table once, and to_transfer_options turns a resolved configuration into the typed
// options of transfer/ and gnn/.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "transfer/option_rules.h"
#include "transfer/transfer_options.h"

namespace graft::exp {

using transfer::type_name;
using transfer::ValueType;

// Where a value came from: "FILE:LINE", "--set KEY=VALUE", or the built-in defaults.
struct Origin {
  std::string file;   // empty: built-in default (or --set when `set` is non-empty)
  long long line = 0;  // 1-based
  std::string set;    // the --set argument as typed
  std::string str() const;
  bool is_default() const { return file.empty() && set.empty(); }
};

// UsageError "<origin>: <what>".
[[noreturn]] void fail_at(const Origin& origin, const std::string& what);

struct Setting {
  nlohmann::json value;
  Origin origin;
};

// A resolved configuration: every schema key → its value and where the value came from.
using Settings = std::map<std::string, Setting>;

// A key's rule. Transfer keys are bound to their TransferOptions field (get/set); experiment-level
// keys are not.
using KeySpec = transfer::OptionRule;

const std::vector<KeySpec>& config_schema();
const KeySpec* find_key(const std::string& key);  // nullptr when unknown

// True when `prefix` names a section ("adapt", "data.split") of some key.
bool is_section(const std::string& prefix);

// " (did you mean 'adapt.epochs'?)" for the nearest key by edit distance, or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);
std::string suggest_key(const std::string& key);

// Checks a typed value against the key's range or choices; UsageError at `origin` naming the key
// and the value otherwise.
void check_value(const KeySpec& spec, const nlohmann::json& value, const Origin& origin);

// Every key at its default, with origin "defaults".
Settings default_settings();

// The typed options of one run. Throws UsageError for a missing source/target or bad options;
// one that transfer::validate finds about a key is prefixed with where that key was set.
transfer::TransferOptions to_transfer_options(const Settings& settings);

// The identity of a resolved configuration: {key: value} over identity keys, keys sorted.
nlohmann::json identity_json(const Settings& settings);

// `graft keys`: one line per key with type, default and doc.
std::string format_schema();

}  // namespace graft::exp
