// Running a sweep's trials, resumably, under <runs>/<experiment>/.
//
// Layout:
//   spec.json                  the spec's identity (spec id, trial ids, varying and fixed keys);
//                              a directory written by another spec id is refused
//   <trial id>/config.json     the resolved configuration (identity keys, sorted)
//             /metrics.json    the transfer report without wall-clock fields (deterministic)
//             /timings.json    wall-clock: trial, phases, epochs
//             /provenance.json graft version and commit, host, threads, seed, data file checksum
//             /report.txt      the human-readable report
//             /log.txt         the trial process's stderr (process trials)
//             /done            written last: the trial is complete
// Every file is written atomically. A trial directory without `done` (a trial killed half-way,
// even by kill -9) is cleared and run again; trials with `done` are skipped. Trials run
// `jobs` at a time, each with max(1, cores / jobs) intra-op threads unless `threads` is set.
//
// How a trial runs is pluggable (TrialFunction): `graft sweep` runs each in a child process
// (`graft trial DIR`), which isolates LibTorch's process-global state (thread pool, RNG) and
// dies with the sweep; tests inject a function.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sweep.h"
#include "experiments/trial.h"

namespace graft::exp {

struct ResolvedTrial {
  const Trial* trial = nullptr;
  std::string dir;   // the trial's directory, existing and empty but for config.json
  int threads = 1;   // intra-op threads for this trial
};

using TrialFunction = std::function<TrialOutcome(const ResolvedTrial&)>;

// transfer::run_transfer in this process.
TrialFunction in_process_trials();
// A child process `<graft> trial DIR --threads N` per trial, its output in DIR/log.txt.
TrialFunction process_trials(const std::string& graft_binary);

struct RunnerOptions {
  std::string runs_root = "runs";
  size_t jobs = 1;
  Shard shard;
  std::optional<size_t> only_trial;  // run just this trial index (`graft run`)
  bool progress = true;              // progress bar and ETA on stderr
};

struct RunSummary {
  std::string dir;                   // <runs>/<experiment>
  size_t selected = 0, skipped = 0, ran = 0;
  std::vector<std::string> failures;  // "<id>: <message>"
};

// Runs the selected trials that are not done. Throws UsageError when the runs directory holds
// another spec, DataError when its spec.json is unreadable; failed trials are listed in the
// summary (and rerun next time).
RunSummary run_sweep(const Sweep& sweep, const RunnerOptions& options, const TrialFunction& run);

// The body of `graft trial DIR`: reads DIR/config.json, runs in process, writes DIR/outcome.json.
// `verbose` (not in config.json: it does not change results) prints progress into the trial's log.
void run_trial_directory(const std::string& dir, int threads, bool verbose = false);

std::string read_text(const std::string& path);  // DataError naming the file when unreadable

}  // namespace graft::exp
