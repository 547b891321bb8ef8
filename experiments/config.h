// Loading an experiment: YAML files layered in a fixed priority order, checked once against the
// key table (experiments/config_schema.h) with errors that name the file, line and key.
//
// Priority, lowest first: built-in defaults < files named by `include:` (paths relative to the
// including file; a later include overrides an earlier one, and a file overrides its includes)
// < the experiment file < `--set key=value` on the command line (value parsed as YAML, so
// `--set ks=[5,10]` gives a list). Keys may be nested mappings or dotted (`adapt: {lr: 0.01}` and
// `adapt.lr: 0.01` are the same key).
//
// The `sweep:` block holds the axes (experiments/sweep.h expands them):
//   sweep:
//     grid:   {method: [target_only, finetune], adapt.lr: [0.01, 0.001]}   # cartesian
//     zip:    {source: [a, b], target: [b, a]}                             # advanced together
//     random: {n: 8, seed: 0, space: {adapt.lr: {min: 1e-4, max: 1e-2, log: true},
//                                     encoder.layers: [1, 2, 3]}}
//     seeds:  [0, 1, 2]                                                    # sets `seed`
// Sweep blocks of included files merge by axis: a grid key, the zip group, the random block and
// the seeds are each replaced by a later layer. A key given with --set is pinned: it is removed
// from every axis (`--set seed=3` drops the seeds axis); `--set sweep.seeds=[..]` replaces them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "experiments/config_schema.h"

namespace graft::exp {

struct AxisValues {
  std::string key;
  std::vector<Setting> values;
  Origin origin;  // where the key was written
};

struct RandomAxis {
  std::string key;
  std::vector<Setting> choices;  // drawn uniformly, or else a range:
  double min = 0.0, max = 0.0;
  bool log = false;              // log-uniform range
  Origin origin;
};

struct SweepAxes {
  std::vector<AxisValues> grid;  // in the order written; the last key varies fastest
  std::vector<AxisValues> zip;   // all of one length
  Origin zip_origin;
  std::optional<int64_t> random_n;
  uint64_t random_seed = 0;
  std::vector<RandomAxis> random;
  Origin random_origin;
  std::optional<std::vector<Setting>> seeds;
  Origin seeds_origin;
};

struct ExperimentSpec {
  std::string file;  // the experiment file; empty when built from the command line alone
  std::string name;  // experiment.name, or the file's stem
  Settings base;     // every key resolved through the layers
  SweepAxes sweep;
};

// Throws UsageError "FILE:LINE: ..." for malformed YAML, an unknown key (with a suggestion), a
// wrong type or a value out of range, a missing include; DataError naming a missing data file.
ExperimentSpec load_experiment(const std::string& file, const std::vector<std::string>& sets);

// Applies `--set key=value` arguments to settings (no sweep keys), as `graft transfer` does.
void apply_sets(Settings& settings, const std::vector<std::string>& sets);

// UsageError unless exactly one of data.path / data.generate is set; DataError naming the file
// (and where data.path was set) when data.path is not a readable file.
void check_data(const Settings& settings);

}  // namespace graft::exp
