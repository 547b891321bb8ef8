// One trial in this process: its dataset (read from data.path, or generated from a synthetic
// preset with the split made in memory, cached per process), the transfer run, and the report
// as JSON — the one serializer behind metrics.json and `graft transfer --json`.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

#include "experiments/config_schema.h"
#include "graph_io/dataset.h"
#include "transfer/transfer_report.h"

namespace graft::gnn {
class Communicator;
}

namespace graft::exp {

// The dataset a trial's settings name. Generated data is made once per (preset, seed, split
// options) in a process and shared; a file is read once per path.
std::shared_ptr<const io::Dataset> load_trial_data(const Settings& settings);

// For provenance: {"path", "size", "crc32"} of a file, or {"generate", "seed", "split"}.
nlohmann::ordered_json describe_data(const Settings& settings);

// The full report, keys in a fixed order. Wall-clock fields ("phase_seconds", each history
// entry's "seconds") and the process's peak resident memory so far ("peak_memory_mb") are
// included; split_timings moves them out.
nlohmann::ordered_json report_json(const transfer::TransferReport& report);

// Removes the wall-clock and memory fields from a report_json object and returns them as
// {"phase_seconds": {...}, "peak_memory_mb": x, "epoch_seconds": [...]}, so what stays is
// deterministic.
nlohmann::ordered_json split_timings(nlohmann::ordered_json& report);

struct TrialOutcome {
  nlohmann::ordered_json report;  // report_json
  std::string text;               // transfer::format_report
  std::map<std::string, std::string> files;  // further files for the trial directory, name → content
};

// Runs transfer::run_transfer for the settings with `threads` intra-op threads (the settings'
// `threads` when non-zero).
TrialOutcome run_trial_in_process(const Settings& settings, int threads,
                                  std::shared_ptr<gnn::Communicator> communicator = nullptr);

}  // namespace graft::exp
