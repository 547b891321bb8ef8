// The runs directory the report tests tabulate: fake trials of target_only and finetune over
// seeds 0-2 with hand-picked metrics, so means, stds and paired tests are known numbers.
#pragma once

#include <string>

#include "experiments/report.h"
#include "experiments/runner.h"
#include "experiments/sweep.h"
#include "tests/experiments/fake_trials.h"

namespace graft::testing {

// target_only mrr 0.1, 0.2, 0.3 (mean 0.2, std 0.1); finetune 0.3, 0.4, 0.8 (mean 0.5, std
// 0.2646; differences 0.2, 0.2, 0.5: t = 3 with 2 df, p = 1 − 3/√11 = 0.0955). hr@10 is best for
// target_only (differences −0.4, −0.3, −0.2: t = −3√3, p = 1 − √27/√29 = 0.0351).
const MetricTable kTable = {
    {{"target_only", 0}, {0.1, 0.9}}, {{"target_only", 1}, {0.2, 0.9}}, {{"target_only", 2}, {0.3, 0.9}},
    {{"finetune", 0}, {0.3, 0.5}},    {{"finetune", 1}, {0.4, 0.6}},    {{"finetune", 2}, {0.8, 0.7}},
};

inline std::string make_runs(const TempDir& dir, const std::string& extra = "", size_t jobs = 1,
                             const std::string& runs = "runs") {
  const std::string yaml = "experiment.name: table\ndata.generate: two-platform\nsource: source\ntarget: target\n"
                           "adapt.epochs: 3\nsweep:\n  grid:\n    method: [target_only, finetune]\n" + extra +
                           "  seeds: [0, 1, 2]\n";
  exp::RunnerOptions o;
  o.runs_root = dir.file(runs);
  o.jobs = jobs;
  o.progress = false;
  return exp::run_sweep(exp::expand(exp::load_experiment(dir.write("table.yaml", yaml), {})), o,
                        fake_trials(nullptr, kTable))
      .dir;
}

inline exp::ReportOptions format(const std::string& f, const std::string& baseline = "") {
  exp::ReportOptions o;
  o.format = f;
  o.baseline = baseline;
  return o;
}

}  // namespace graft::testing
