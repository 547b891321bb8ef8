// What the report tables share: the completed trials of a runs directory and number formatting.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace graft::exp {

struct TrialResult {
  nlohmann::ordered_json config, metrics;
  std::string id;  // the trial's directory under the runs directory
};

// DataError naming the file when it is not valid JSON.
nlohmann::ordered_json read_json_file(const std::string& path);
// The completed trials among `ids` (runs_dir/<id>/done), in that order; DataError when none is.
std::vector<TrialResult> read_completed_trials(const std::string& runs_dir, const std::vector<std::string>& ids);

// Mean and sample standard deviation (n − 1; 0 for fewer than two values) of xs, which is non-empty.
std::pair<double, double> mean_and_std(const std::vector<double>& xs);

std::string fixed4(double v);    // "0.1234"
std::string format_p(double p);  // fixed4, or "<0.0001"

}  // namespace graft::exp
