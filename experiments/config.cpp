// YAML → typed settings. Every value is converted by its key's type and checked against its range
// right where it is read, so an error can name the file and line the value came from.
#include "experiments/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "graph_io/errors.h"
#include "graph_io/files.h"
#include "graph_io/synthetic.h"

namespace graft::exp {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Origin at(const std::string& file, const YAML::Node& node) { return Origin{file, node.Mark().line + 1, ""}; }

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "'" + node.Scalar() + "'";
  }
}

[[noreturn]] void wrong_type(const KeySpec& spec, const YAML::Node& node, const Origin& origin) {
  fail_at(origin, spec.key + ": expected " + (spec.type == ValueType::kInt ? "an " : "a ") + type_name(spec.type) +
                      ", got " + describe(node));
}

// A sequence's elements, or the node itself as a list of one.
std::vector<YAML::Node> as_list(const YAML::Node& node) {
  if (!node.IsSequence()) return {node};
  return std::vector<YAML::Node>(node.begin(), node.end());
}

bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = v;
  return true;
}

bool parse_float(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return false;
  out = v;
  return true;
}

// One scalar of a number type (a list element or a plain value).
json parse_number(const KeySpec& spec, bool integer, const YAML::Node& node, const Origin& origin) {
  if (!node.IsScalar()) wrong_type(spec, node, origin);
  int64_t i = 0;
  double d = 0.0;
  if (integer) {
    if (!parse_int(node.Scalar(), i)) wrong_type(spec, node, origin);
    return i;
  }
  if (!parse_float(node.Scalar(), d)) wrong_type(spec, node, origin);
  return d;
}

// A YAML value as the key's type, checked against its range or choices.
json parse_value(const KeySpec& spec, const YAML::Node& node, const Origin& origin) {
  json value;
  switch (spec.type) {
    case ValueType::kBool: {
      bool b = false;
      if (!node.IsScalar() || !YAML::convert<bool>::decode(node, b)) wrong_type(spec, node, origin);
      value = b;
      break;
    }
    case ValueType::kInt:
    case ValueType::kFloat:
      value = parse_number(spec, spec.type == ValueType::kInt, node, origin);
      break;
    case ValueType::kString:
      if (node.IsNull()) {
        value = "";
      } else {
        if (!node.IsScalar()) wrong_type(spec, node, origin);
        value = node.Scalar();
      }
      break;
    case ValueType::kIntList:
    case ValueType::kFloatList: {
      const bool integer = spec.type == ValueType::kIntList;
      value = json::array();
      if (node.IsSequence()) {
        for (const YAML::Node& x : node) value.push_back(parse_number(spec, integer, x, origin));
      } else if (!node.IsNull()) {
        value.push_back(parse_number(spec, integer, node, origin));  // a single value is a list of one
      }
      break;
    }
  }
  check_value(spec, value, origin);
  return value;
}

const KeySpec& known_key(const std::string& key, const Origin& origin) {
  const KeySpec* spec = find_key(key);
  if (!spec) fail_at(origin, "unknown key '" + key + "'" + suggest_key(key));
  return *spec;
}

YAML::Node load_yaml_file(const std::string& file) {
  io::require_readable_file(file);
  try {
    return YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    fail_at(Origin{file, e.mark.is_null() ? 1 : e.mark.line + 1, ""}, "malformed YAML: " + e.msg);
  }
}

// Reads files layer by layer into the settings and sweep axes.
class Loader {
 public:
  Loader(Settings& settings, SweepAxes& sweep) : settings_(settings), sweep_(sweep) {}

  void load(const std::string& file) {
    const std::string canonical = fs::weakly_canonical(file).string();
    if (std::find(stack_.begin(), stack_.end(), canonical) != stack_.end()) {
      throw io::UsageError(file + ": include cycle");
    }
    stack_.push_back(canonical);
    const YAML::Node root = load_yaml_file(file);
    if (!root.IsNull() && !root.IsMap()) fail_at(at(file, root), "an experiment file must be a mapping of keys");
    if (const YAML::Node includes = root.IsMap() ? root["include"] : YAML::Node(); includes) {
      for (const YAML::Node& inc : as_list(includes)) {
        if (!inc.IsScalar()) fail_at(at(file, inc), "include: expected a file name, got " + describe(inc));
        const fs::path path = fs::path(file).parent_path() / inc.Scalar();
        if (!fs::is_regular_file(path)) {
          fail_at(at(file, inc), "include '" + inc.Scalar() + "' not found (looked for " + path.string() + ")");
        }
        load(path.string());
      }
    }
    std::map<std::string, long long> seen;
    if (root.IsMap()) read_map(file, root, "", seen);
    stack_.pop_back();
  }

 private:
  void read_map(const std::string& file, const YAML::Node& map, const std::string& prefix,
                std::map<std::string, long long>& seen) {
    for (const auto& entry : map) {
      const Origin origin = at(file, entry.first);
      const std::string key = prefix.empty() ? entry.first.Scalar() : prefix + "." + entry.first.Scalar();
      if (const auto [it, fresh] = seen.emplace(key, origin.line); !fresh) {
        fail_at(origin, "key '" + key + "' given twice (first at line " + std::to_string(it->second) + ")");
      }
      if (key == "include") continue;  // read before the file's own keys
      if (key == "sweep") {
        read_sweep(file, entry.second, origin);
      } else if (const KeySpec* spec = find_key(key)) {
        settings_[key] = Setting{parse_value(*spec, entry.second, at(file, entry.second)), at(file, entry.second)};
      } else if (is_section(key) && entry.second.IsMap()) {
        read_map(file, entry.second, key, seen);
      } else {
        fail_at(origin, "unknown key '" + key + "'" + suggest_key(key));
      }
    }
  }

  std::vector<Setting> read_values(const std::string& file, const KeySpec& spec, const YAML::Node& list,
                                   const std::string& axis) {
    if (!list.IsSequence()) fail_at(at(file, list), axis + " " + spec.key + ": expected a list of values, got " + describe(list));
    std::vector<Setting> values;
    for (const YAML::Node& x : list) values.push_back(Setting{parse_value(spec, x, at(file, x)), at(file, x)});
    return values;
  }

  std::vector<AxisValues> read_axes(const std::string& file, const YAML::Node& block, const std::string& axis) {
    if (!block.IsMap()) fail_at(at(file, block), "sweep." + axis + ": expected a mapping of key: [values]");
    std::vector<AxisValues> axes;
    for (const auto& entry : block) {
      const KeySpec& spec = known_key(entry.first.Scalar(), at(file, entry.first));
      axes.push_back(AxisValues{spec.key, read_values(file, spec, entry.second, "sweep." + axis), at(file, entry.first)});
    }
    return axes;
  }

  void read_sweep(const std::string& file, const YAML::Node& block, const Origin& origin) {
    if (!block.IsMap()) fail_at(origin, "sweep: expected a mapping with grid, zip, random or seeds");
    for (const auto& entry : block) {
      const std::string name = entry.first.Scalar();
      const Origin where = at(file, entry.first);
      if (name == "grid") {
        for (AxisValues& axis : read_axes(file, entry.second, "grid")) {
          auto same = std::find_if(sweep_.grid.begin(), sweep_.grid.end(), [&](const AxisValues& a) { return a.key == axis.key; });
          if (same != sweep_.grid.end()) {
            *same = std::move(axis);
          } else {
            sweep_.grid.push_back(std::move(axis));
          }
        }
      } else if (name == "zip") {
        sweep_.zip = read_axes(file, entry.second, "zip");
        sweep_.zip_origin = where;
        for (const AxisValues& axis : sweep_.zip) {
          if (axis.values.size() != sweep_.zip.front().values.size()) {
            fail_at(where, "sweep.zip: lists must have one length; " + sweep_.zip.front().key + " has " +
                               std::to_string(sweep_.zip.front().values.size()) + " values, " + axis.key + " has " +
                               std::to_string(axis.values.size()));
          }
        }
      } else if (name == "random") {
        read_random(file, entry.second, where);
      } else if (name == "seeds") {
        sweep_.seeds = read_values(file, *find_key("seed"), entry.second, "sweep.seeds");
        sweep_.seeds_origin = where;
      } else {
        fail_at(where, "unknown key 'sweep." + name + "'" + did_you_mean(name, {"grid", "zip", "random", "seeds"}));
      }
    }
  }

  void read_random(const std::string& file, const YAML::Node& block, const Origin& where) {
    if (!block.IsMap()) fail_at(where, "sweep.random: expected a mapping with n, seed and space");
    sweep_.random_origin = where;
    sweep_.random.clear();
    sweep_.random_seed = 0;
    sweep_.random_n.reset();
    for (const auto& entry : block) {
      const std::string name = entry.first.Scalar();
      const Origin origin = at(file, entry.second);
      int64_t v = 0;
      if (name == "n" || name == "seed") {
        if (!entry.second.IsScalar() || !parse_int(entry.second.Scalar(), v) || v < 0) {
          fail_at(origin, "sweep.random." + name + ": expected an int >= 0, got " + describe(entry.second));
        }
        if (name == "n") sweep_.random_n = v;
        else sweep_.random_seed = static_cast<uint64_t>(v);
      } else if (name == "space") {
        if (!entry.second.IsMap()) fail_at(origin, "sweep.random.space: expected a mapping of key: [values] or {min, max}");
        for (const auto& axis : entry.second) sweep_.random.push_back(read_random_axis(file, axis.first, axis.second));
      } else {
        fail_at(at(file, entry.first),
                "unknown key 'sweep.random." + name + "'" + did_you_mean(name, {"n", "seed", "space"}));
      }
    }
    if (!sweep_.random_n) fail_at(where, "sweep.random: n (the number of samples) is required");
    if (sweep_.random.empty()) fail_at(where, "sweep.random: space names no keys");
  }

  RandomAxis read_random_axis(const std::string& file, const YAML::Node& name, const YAML::Node& node) {
    const KeySpec& spec = known_key(name.Scalar(), at(file, name));
    RandomAxis axis;
    axis.key = spec.key;
    axis.origin = at(file, node);
    if (node.IsSequence()) {
      axis.choices = read_values(file, spec, node, "sweep.random.space");
      if (axis.choices.empty()) fail_at(axis.origin, "sweep.random.space " + spec.key + ": no values to draw from");
      return axis;
    }
    if (spec.type != ValueType::kInt && spec.type != ValueType::kFloat) {
      fail_at(axis.origin, "sweep.random.space " + spec.key + ": a " + type_name(spec.type) +
                               " key takes a list of values, not a range");
    }
    if (!node.IsMap() || !node["min"] || !node["max"]) {
      fail_at(axis.origin, "sweep.random.space " + spec.key + ": expected [values] or {min: .., max: .., log: ..}");
    }
    for (const auto& field : node) {
      const std::string f = field.first.Scalar();
      if (f != "min" && f != "max" && f != "log") {
        fail_at(at(file, field.first), "unknown key '" + f + "' in the range of " + spec.key + did_you_mean(f, {"min", "max", "log"}));
      }
    }
    axis.min = parse_value(spec, node["min"], at(file, node["min"])).get<double>();
    axis.max = parse_value(spec, node["max"], at(file, node["max"])).get<double>();
    if (node["log"]) {
      if (!YAML::convert<bool>::decode(node["log"], axis.log)) {
        fail_at(at(file, node["log"]), "log: expected a bool, got " + describe(node["log"]));
      }
    }
    if (!(axis.min <= axis.max)) fail_at(axis.origin, spec.key + ": range min must be <= max");
    if (axis.log && !(axis.min > 0)) fail_at(axis.origin, spec.key + ": a log range needs min > 0");
    return axis;
  }

  Settings& settings_;
  SweepAxes& sweep_;
  std::vector<std::string> stack_;
};

template <typename Axes>
void drop_key(Axes& axes, const std::string& key) {
  axes.erase(std::remove_if(axes.begin(), axes.end(), [&](const auto& a) { return a.key == key; }), axes.end());
}

// Parses one `--set key=value`; returns the key.
std::string apply_set(Settings& settings, SweepAxes* sweep, const std::string& set) {
  const size_t eq = set.find('=');
  const Origin origin{"", 0, set};
  if (eq == std::string::npos || eq == 0) fail_at(origin, "expected key=value");
  const std::string key = set.substr(0, eq);
  YAML::Node node;
  try {
    node = YAML::Load(set.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    fail_at(origin, "malformed value: " + e.msg);
  }
  if (key == "sweep.seeds" && sweep) {
    sweep->seeds = std::vector<Setting>{};
    const KeySpec& seed = *find_key("seed");
    for (const YAML::Node& x : as_list(node)) {
      sweep->seeds->push_back(Setting{parse_value(seed, x, origin), origin});
    }
    sweep->seeds_origin = origin;
    return key;
  }
  const KeySpec& spec = known_key(key, origin);
  settings[key] = Setting{parse_value(spec, node, origin), origin};
  return key;
}

}  // namespace

void apply_sets(Settings& settings, const std::vector<std::string>& sets) {
  for (const std::string& set : sets) apply_set(settings, nullptr, set);
}

void check_data(const Settings& settings) {
  const Setting& path = settings.at("data.path");
  const Setting& generate = settings.at("data.generate");
  const bool has_path = !path.value.get<std::string>().empty();
  const bool has_generate = !generate.value.get<std::string>().empty();
  if (has_path && has_generate) {
    throw io::UsageError("both data.path (" + path.origin.str() + ") and data.generate (" + generate.origin.str() +
                         ") are set; set one");
  }
  if (!has_path && !has_generate) {
    std::string presets;
    for (const auto& p : io::synthetic_presets()) presets += (presets.empty() ? "" : ", ") + p;
    throw io::UsageError("no data: set data.path (a dataset.h5) or data.generate (one of " + presets + ")");
  }
  if (has_path) {
    try {
      io::require_readable_file(path.value.get<std::string>());
    } catch (const io::DataError& e) {
      throw io::DataError(path.origin.str() + ": data.path: " + e.what());
    }
  }
}

ExperimentSpec load_experiment(const std::string& file, const std::vector<std::string>& sets) {
  ExperimentSpec spec;
  spec.file = file;
  spec.base = default_settings();
  Loader(spec.base, spec.sweep).load(file);
  for (const std::string& set : sets) {
    const std::string key = apply_set(spec.base, &spec.sweep, set);
    drop_key(spec.sweep.grid, key);
    drop_key(spec.sweep.zip, key);
    drop_key(spec.sweep.random, key);
    if (key == "seed") spec.sweep.seeds.reset();
  }
  if (spec.sweep.random.empty()) spec.sweep.random_n.reset();
  const Setting& name = spec.base.at("experiment.name");
  spec.name = name.value.get<std::string>();
  if (spec.name.empty()) spec.name = fs::path(file).stem().string();
  if (spec.name.empty() || spec.name.find('/') != std::string::npos || spec.name == "." || spec.name == "..") {
    fail_at(name.origin, "experiment.name must be a plain directory name, got '" + spec.name + "'");
  }
  return spec;
}

}  // namespace graft::exp
