// The one table of configuration keys: every dotted key an experiment may set, its type, its
// allowed values or range, its default and what it does. Config loading (experiments/config.h)
// checks every value against it once, and to_transfer_options turns a resolved configuration
// into the typed options of transfer/ and gnn/. Defaults of transfer keys are read from a
// default-constructed transfer::TransferOptions, so they cannot drift from the library.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "transfer/transfer_options.h"

namespace graft::exp {

enum class ValueType { kBool, kInt, kFloat, kString, kIntList, kFloatList };
const char* type_name(ValueType type);  // "bool", "int", "float", "string", "int list", "float list"

// Where a value came from: "FILE:LINE", "--set KEY=VALUE", or the built-in defaults.
struct Origin {
  std::string file;   // empty: built-in default (or --set when `set` is non-empty)
  long long line = 0;  // 1-based
  std::string set;    // the --set argument as typed
  std::string str() const;
};

// UsageError "<origin>: <what>".
[[noreturn]] void fail_at(const Origin& origin, const std::string& what);

struct Setting {
  nlohmann::json value;
  Origin origin;
};

// A resolved configuration: every schema key → its value and where the value came from.
using Settings = std::map<std::string, Setting>;

struct KeySpec {
  std::string key;
  ValueType type = ValueType::kString;
  std::string doc;
  nlohmann::json default_value;
  // Numbers (and list elements): bounds, open or closed.
  std::optional<double> min, max;
  bool min_open = false, max_open = false;
  // Strings: the valid values (a function, so registries like method_names() stay the truth).
  std::function<std::vector<std::string>()> choices;
  // Part of a trial's identity (its id hash and config.json). False for threads and verbosity,
  // which never change results.
  bool identity = true;
  // Copies the value into the transfer options; empty for experiment-level keys.
  std::function<void(const nlohmann::json&, transfer::TransferOptions&)> apply;
};

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

// The typed options of one run. Throws UsageError for a missing source/target or bad options.
transfer::TransferOptions to_transfer_options(const Settings& settings);

// The identity of a resolved configuration: {key: value} over identity keys, keys sorted.
nlohmann::json identity_json(const Settings& settings);

// `graft keys`: one line per key with type, default and doc.
std::string format_schema();

}  // namespace graft::exp
