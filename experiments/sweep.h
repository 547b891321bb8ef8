// Expanding an experiment's sweep axes into trials, each a fully resolved configuration.
//
// Order (stable, so indices and shards are reproducible): grid combinations (the last grid key
// varies fastest) × zip positions × random samples × seeds, seeds innermost. A trial's id is the
// first 16 hex digits of FNV-1a-64 over the canonical JSON of its identity keys
// (identity_json: keys sorted, threads and verbosity left out), so the same configuration has
// the same id in every sweep and every process. Trials with an id already seen are dropped.
// The spec id hashes the resolved base configuration together with the axes as written: every
// shard of a sweep, and `graft run` of its first trial, share it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace graft::exp {

struct Trial {
  size_t index = 0;  // position in the expansion
  std::string id;
  Settings settings;
};

struct Sweep {
  std::string name;                  // the experiment's name
  std::string spec_id;
  std::vector<std::string> varying;  // keys set by some axis, in axis order
  std::vector<Trial> trials;
  size_t duplicates = 0;             // trials dropped because their id repeated
};

std::string hash_hex(const std::string& text);  // 16 hex digits of FNV-1a-64
std::string trial_id(const Settings& settings);

// Expands and validates every trial (data settings, transfer options): a UsageError names the
// trial. Zero trials (an empty axis, random n = 0, no seeds) → UsageError naming the axis.
Sweep expand(const ExperimentSpec& spec);

// `--shard i/n`: the trials with index % n == i − 1.
struct Shard {
  size_t index = 1, count = 1;  // 1-based i of n
  bool contains(size_t trial_index) const { return trial_index % count == index - 1; }
};
Shard parse_shard(const std::string& text);  // UsageError unless "i/n" with 1 ≤ i ≤ n

// "value" of a setting for listings: strings bare, everything else as JSON.
std::string show_value(const nlohmann::json& value);

// `--dry-run`: one line per trial: index, id, and the varying keys' values.
std::string format_trials(const Sweep& sweep, const Shard& shard);

}  // namespace graft::exp
