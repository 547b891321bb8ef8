// A fake trial function for runner and report tests: a deterministic TransferReport computed from
// the trial's method and seed (metrics from a table when given, then with a verdict against the
// table's target_only at the same seed), with wall-clock fields that
// differ on every call, so tests can check what must and must not be deterministic.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "experiments/runner.h"
#include "experiments/trial.h"
#include "tests/support/test_support.h"

namespace graft::testing {

// (method, seed) → cold-start mrr and hr@10.
using MetricTable = std::map<std::pair<std::string, int64_t>, std::pair<double, double>>;

inline exp::TrialFunction fake_trials(std::atomic<int>* calls = nullptr, MetricTable table = {}) {
  return [calls, table](const exp::ResolvedTrial& t) {
    if (calls) ++*calls;
    static std::atomic<int> clock{0};
    const std::string method = t.trial->settings.at("method").value.get<std::string>();
    const int64_t seed = t.trial->settings.at("seed").value.get<int64_t>();
    const int64_t epochs = t.trial->settings.at("adapt.epochs").value.get<int64_t>();
    transfer::TransferReport r;
    r.method = method;
    r.seed = static_cast<uint64_t>(seed);
    const auto it = table.find({method, seed});
    const double mrr = it != table.end() ? it->second.first : 0.01 * static_cast<double>(seed + method.size());
    const double hr = it != table.end() ? it->second.second : 0.5 + 0.001 * static_cast<double>(epochs);
    r.cold_start = {{"mrr", mrr}, {"hr@10", hr}, {"hr@5", hr / 2}};
    r.warm = {{"mrr", mrr / 2}};
    r.overall = {{"mrr", mrr / 3}};
    const auto reference = table.find({"target_only", seed});
    if (method != "target_only" && it != table.end() && reference != table.end()) {
      const double difference = mrr - reference->second.first;
      r.verdict = transfer::Verdict{"mrr (cold-start users)", mrr, reference->second.first, difference, "fake verdict"};
    }
    r.phase_seconds = {{"adapt", 0.001 * ++clock}};
    for (int64_t e = 1; e <= 2; ++e) r.history.push_back({"adapt", e, 1.0 / static_cast<double>(e), {{"mrr", mrr}}, 0.01 * ++clock});
    return exp::TrialOutcome{exp::report_json(r), method + " seed " + std::to_string(seed) + "\n", {}};
  };
}

// Every file of a runs directory whose content must be deterministic, relative path → content
// (report.txt is not: it shows wall-clock times, as timings.json does).
inline std::map<std::string, std::string> deterministic_files(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "config.json" || name == "metrics.json" || name == "done" || name == "spec.json") {
      files[std::filesystem::relative(entry.path(), dir).string()] = slurp(entry.path());
    }
  }
  return files;
}

}  // namespace graft::testing
