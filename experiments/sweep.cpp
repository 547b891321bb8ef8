// Sweep expansion, trial ids and shards. Random axes draw with graph_io's seeded helpers, which
// give the same numbers with every standard library.
#include "experiments/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::exp {

namespace {

using nlohmann::json;

using Assignment = std::vector<std::pair<std::string, Setting>>;

json values_json(const std::vector<Setting>& values) {
  json out = json::array();
  for (const Setting& v : values) out.push_back(v.value);
  return out;
}

json axes_json(const SweepAxes& sweep) {
  json out = json::object();
  for (const auto* group : {&sweep.grid, &sweep.zip}) {
    json axes = json::array();
    for (const AxisValues& axis : *group) axes.push_back(json::array({axis.key, values_json(axis.values)}));
    out[group == &sweep.grid ? "grid" : "zip"] = axes;
  }
  if (sweep.random_n) {
    json space = json::array();
    for (const RandomAxis& axis : sweep.random) {
      space.push_back(json::array({axis.key, axis.choices.empty()
                                                 ? json{{"min", axis.min}, {"max", axis.max}, {"log", axis.log}}
                                                 : values_json(axis.choices)}));
    }
    out["random"] = {{"n", *sweep.random_n}, {"seed", sweep.random_seed}, {"space", space}};
  }
  if (sweep.seeds) out["seeds"] = values_json(*sweep.seeds);
  return out;
}

double draw_unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

Setting draw(const RandomAxis& axis, std::mt19937_64& rng) {
  if (!axis.choices.empty()) return axis.choices[io::draw_below(rng, axis.choices.size())];
  const KeySpec& spec = *find_key(axis.key);
  if (spec.type == ValueType::kInt) {
    const auto lo = static_cast<int64_t>(axis.min), hi = static_cast<int64_t>(axis.max);
    if (!axis.log) return Setting{lo + static_cast<int64_t>(io::draw_below(rng, static_cast<uint64_t>(hi - lo + 1))), axis.origin};
    const double x = std::exp(std::log(axis.min) + draw_unit(rng) * (std::log(axis.max) - std::log(axis.min)));
    return Setting{std::clamp<int64_t>(std::llround(x), lo, hi), axis.origin};
  }
  const double u = draw_unit(rng);
  const double x = axis.log ? std::exp(std::log(axis.min) + u * (std::log(axis.max) - std::log(axis.min)))
                            : axis.min + u * (axis.max - axis.min);
  return Setting{std::clamp(x, axis.min, axis.max), axis.origin};
}

void require_values(size_t count, const Origin& origin, const std::string& what) {
  if (count == 0) fail_at(origin, what + " has no values: the sweep has zero trials");
}

// Every axis's assignments, outermost first; their cartesian product is the sweep.
std::vector<std::vector<Assignment>> axis_levels(const SweepAxes& sweep) {
  std::vector<std::vector<Assignment>> levels;
  for (const AxisValues& axis : sweep.grid) {
    require_values(axis.values.size(), axis.origin, "sweep.grid " + axis.key);
    std::vector<Assignment> level;
    for (const Setting& v : axis.values) level.push_back({{axis.key, v}});
    levels.push_back(std::move(level));
  }
  if (!sweep.zip.empty()) {
    require_values(sweep.zip.front().values.size(), sweep.zip_origin, "sweep.zip");
    std::vector<Assignment> level(sweep.zip.front().values.size());
    for (const AxisValues& axis : sweep.zip) {
      for (size_t i = 0; i < axis.values.size(); ++i) level[i].push_back({axis.key, axis.values[i]});
    }
    levels.push_back(std::move(level));
  }
  if (sweep.random_n) {
    require_values(static_cast<size_t>(*sweep.random_n), sweep.random_origin, "sweep.random (n = 0)");
    std::mt19937_64 rng(io::derive_seed(sweep.random_seed, "sweep/random"));
    std::vector<Assignment> level(static_cast<size_t>(*sweep.random_n));
    for (Assignment& sample : level) {
      for (const RandomAxis& axis : sweep.random) sample.push_back({axis.key, draw(axis, rng)});
    }
    levels.push_back(std::move(level));
  }
  if (sweep.seeds) {
    require_values(sweep.seeds->size(), sweep.seeds_origin, "sweep.seeds");
    std::vector<Assignment> level;
    for (const Setting& seed : *sweep.seeds) level.push_back({{"seed", seed}});
    levels.push_back(std::move(level));
  }
  return levels;
}

std::string describe_assignment(const Settings& settings, const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& key : keys) out += (out.empty() ? "" : ", ") + key + "=" + show_value(settings.at(key).value);
  return out;
}

}  // namespace

std::string hash_hex(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string trial_id(const Settings& settings) { return hash_hex(identity_json(settings).dump()); }

std::string show_value(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

Sweep expand(const ExperimentSpec& spec) {
  Sweep sweep;
  sweep.name = spec.name;
  sweep.spec_id = hash_hex(json{{"base", identity_json(spec.base)}, {"axes", axes_json(spec.sweep)}}.dump());
  const std::vector<std::vector<Assignment>> levels = axis_levels(spec.sweep);
  for (const auto& level : levels) {
    for (const auto& [key, value] : level.front()) {
      if (std::find(sweep.varying.begin(), sweep.varying.end(), key) == sweep.varying.end()) sweep.varying.push_back(key);
    }
  }
  std::set<std::string> seen;
  std::vector<size_t> position(levels.size(), 0);
  for (bool more = true; more;) {
    Trial trial;
    trial.settings = spec.base;
    for (size_t l = 0; l < levels.size(); ++l) {
      for (const auto& [key, value] : levels[l][position[l]]) trial.settings[key] = value;
    }
    trial.id = trial_id(trial.settings);
    try {
      check_data(trial.settings);
      to_transfer_options(trial.settings);
    } catch (const io::UsageError& e) {
      const std::string which = sweep.varying.empty() ? "" : " (" + describe_assignment(trial.settings, sweep.varying) + ")";
      throw io::UsageError("trial " + std::to_string(sweep.trials.size() + sweep.duplicates) + which + ": " + e.what());
    }
    if (seen.insert(trial.id).second) {
      trial.index = sweep.trials.size();
      sweep.trials.push_back(std::move(trial));
    } else {
      ++sweep.duplicates;
    }
    // Odometer step, the innermost level fastest.
    more = false;
    for (size_t l = levels.size(); l-- > 0;) {
      if (++position[l] < levels[l].size()) {
        more = true;
        break;
      }
      position[l] = 0;
    }
  }
  return sweep;
}

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  auto number = [](const std::string& s, size_t& out) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9) return false;
    out = std::stoul(s);
    return true;
  };
  Shard shard;
  if (slash == std::string::npos || !number(text.substr(0, slash), shard.index) ||
      !number(text.substr(slash + 1), shard.count) || shard.count == 0 || shard.index == 0 ||
      shard.index > shard.count) {
    throw io::UsageError("--shard: expected i/n with 1 <= i <= n, got '" + text + "'");
  }
  return shard;
}

std::string format_trials(const Sweep& sweep, const Shard& shard) {
  std::string out;
  size_t selected = 0;
  for (const Trial& trial : sweep.trials) {
    if (!shard.contains(trial.index)) continue;
    ++selected;
    out += std::to_string(trial.index) + "  " + trial.id + "  " + describe_assignment(trial.settings, sweep.varying) + "\n";
  }
  out += std::to_string(selected) + " of " + std::to_string(sweep.trials.size()) + " trials of '" + sweep.name + "'" +
         (shard.count > 1 ? " in shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) : "") +
         " (spec " + sweep.spec_id + ")";
  if (sweep.duplicates > 0) out += "; " + std::to_string(sweep.duplicates) + " duplicate trials dropped";
  return out + "\n";
}

}  // namespace graft::exp
