// The one declaration of every TransferOptions key: its dotted name, type, doc, default, range or
// valid names, and the field it binds to. Both checks of a value read it:
//   - experiments/config_schema.cpp builds its key table from it, so a bad value in a YAML file
//     is reported with the file, line and key where it is read;
//   - validate(TransferOptions) (declared in transfer/transfer_options.h) walks it for options
//     filled in code, then checks what relates several keys (source ≠ target, heads | dim, ...).
// Plain data and nlohmann::json, no LibTorch.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph_io/errors.h"
#include "transfer/transfer_options.h"

namespace graft::transfer {

enum class ValueType { kBool, kInt, kFloat, kString, kIntList, kFloatList };
const char* type_name(ValueType type);  // "bool", "int", "float", "string", "int list", "float list"

struct OptionRule {
  std::string key;  // dotted: "adapt.lr"
  ValueType type = ValueType::kString;
  std::string doc;
  nlohmann::json default_value;  // bound rules: the field of a default-constructed TransferOptions
  // Numbers and list elements: bounds, open or closed.
  std::optional<double> min, max;
  bool min_open = false, max_open = false;
  // Strings: the valid values (a function, so registries like method_names() stay the truth).
  std::function<std::vector<std::string>()> choices;
  // Part of a trial's identity (experiments/: its id hash and config.json). False for threads and
  // verbosity, which never change results.
  bool identity = true;
  // The field the key names. Both empty for a rule of a key outside TransferOptions (the
  // experiment-level keys experiments/ declares with unbound_rule()).
  std::function<nlohmann::json(const TransferOptions&)> get;
  std::function<void(const nlohmann::json&, TransferOptions&)> set;

  // Modifiers, chained where the rule is declared.
  OptionRule& at_least(double v);
  OptionRule& above(double v);
  OptionRule& at_most(double v);
  OptionRule& below(double v);
  OptionRule& one_of(std::function<std::vector<std::string>()> names);
  OptionRule& one_of(std::vector<std::string> names);
  OptionRule& not_identity();

  bool in_range(double v) const;
  // "must be >= 1", "must be > 0", "must be in (0, 1]"; "" without bounds.
  std::string range_text() const;
  // Numbers and lists: "must be >= 1, got 0" for the first value out of range; "" when all are in.
  std::string range_violation(const nlohmann::json& value) const;
};

// A rule for a key that is not a TransferOptions field (no get/set).
OptionRule unbound_rule(std::string key, ValueType type, nlohmann::json default_value, std::string doc);

// Every TransferOptions field, one rule each, in the order `graft keys` lists them.
const std::vector<OptionRule>& option_rules();
const OptionRule* find_option_rule(const std::string& key);  // nullptr when unknown

// What validate() throws: a UsageError that also names the keys it is about, the offending one
// first, so that experiments/ can prefix where a key was set.
class OptionError : public io::UsageError {
 public:
  OptionError(std::vector<std::string> keys, const std::string& what)
      : io::UsageError(what), keys_(std::move(keys)) {}
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  std::vector<std::string> keys_;
};

}  // namespace graft::transfer
