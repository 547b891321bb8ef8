#include "experiments/report_reproduction.h"

#include "experiments/report_trials.h"
#include "graph_io/errors.h"
#include "graph_io/files.h"

#include <glob.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>

namespace graft::exp {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct Reference {
  std::string model, metric, source;
  std::vector<std::pair<std::string, std::string>> match;  // key, value as YAML scalar text
  std::string files;    // a glob of `graft train --json` outputs instead of `match`
  std::optional<int64_t> epoch;
  bool best_epoch = false;  // epoch: best — the best value over the evaluated epochs
  double value = 0.0;
  std::optional<double> seconds_per_epoch, seconds;
};

[[noreturn]] void fail(const std::string& file, const YAML::Node& node, const std::string& what) {
  throw io::UsageError(file + ":" + std::to_string(node.Mark().line + 1) + ": " + what);
}

double number(const std::string& file, const YAML::Node& node, const std::string& key) {
  try {
    return node.as<double>();
  } catch (const YAML::Exception&) {
    fail(file, node, "'" + key + "' must be a number");
  }
}

Reference parse_reference(const std::string& file, const YAML::Node& entry) {
  static const std::set<std::string> kKeys = {"model", "match", "files", "metric", "epoch", "reference",
                                              "reference_seconds_per_epoch", "reference_seconds", "source"};
  if (!entry.IsMap()) fail(file, entry, "each reproduction is a mapping");
  for (const auto& kv : entry) {
    const std::string key = kv.first.as<std::string>();
    if (!kKeys.count(key)) fail(file, kv.first, "unknown key '" + key + "' of a reproduction");
  }
  for (const char* required : {"model", "metric", "reference"}) {
    if (!entry[required]) fail(file, entry, std::string("a reproduction needs '") + required + "'");
  }
  if (!entry["match"] == !entry["files"]) fail(file, entry, "a reproduction needs one of 'match' (sweep trials) and 'files'");
  Reference r;
  r.model = entry["model"].as<std::string>();
  r.metric = entry["metric"].as<std::string>();
  r.value = number(file, entry["reference"], "reference");
  if (entry["source"]) r.source = entry["source"].as<std::string>();
  if (entry["epoch"] && entry["epoch"].IsScalar() && entry["epoch"].Scalar() == "best") {
    r.best_epoch = true;
  } else if (entry["epoch"]) {
    r.epoch = static_cast<int64_t>(number(file, entry["epoch"], "epoch"));
  }
  if (entry["files"]) r.files = entry["files"].as<std::string>();
  if (entry["reference_seconds_per_epoch"]) {
    r.seconds_per_epoch = number(file, entry["reference_seconds_per_epoch"], "reference_seconds_per_epoch");
  }
  if (entry["reference_seconds"]) r.seconds = number(file, entry["reference_seconds"], "reference_seconds");
  if (entry["match"] && !entry["match"].IsMap()) {
    fail(file, entry["match"], "'match' is a mapping of configuration keys to values");
  }
  for (const auto& kv : entry["match"]) r.match.emplace_back(kv.first.as<std::string>(), kv.second.as<std::string>());
  if (!r.epoch && !r.best_epoch && r.metric.find('.') == std::string::npos) {
    fail(file, entry["metric"], "'metric' is group.metric (cold_start.mrr) unless 'epoch' reads the history");
  }
  return r;
}

std::vector<Reference> read_references(const std::string& file) {
  io::require_readable_file(file);
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw io::UsageError(file + ":" + std::to_string(e.mark.is_null() ? 1 : e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  if (!root.IsMap() || !root["reproductions"] || !root["reproductions"].IsSequence()) {
    throw io::UsageError(file + ":1: expected a list under 'reproductions'");
  }
  std::vector<Reference> refs;
  for (const YAML::Node& entry : root["reproductions"]) refs.push_back(parse_reference(file, entry));
  return refs;
}

// A config value as the YAML scalar would write it ("cdrib", "0", "0.001", "true").
std::string scalar_text(const ordered_json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool matches(const TrialResult& trial, const Reference& r) {
  for (const auto& [key, value] : r.match) {
    const auto it = trial.config.find(key);
    if (it == trial.config.end()) return false;
    if (scalar_text(*it) != value && !(it->is_number() && std::stod(value) == it->get<double>())) return false;
  }
  return true;
}

// The reference's metric of one run's results (a trial's metrics.json or a `graft train` JSON).
std::optional<double> read_metric(const ordered_json& results, const Reference& r) {
  if (r.epoch || r.best_epoch) {
    std::optional<double> found;
    const ordered_json history = results.value("history", ordered_json::array());
    for (const ordered_json& e : history) {
      if (r.epoch && e.value("epoch", int64_t{-1}) != *r.epoch) continue;
      const ordered_json m = e.value("metrics", ordered_json::object());
      if (!m.contains(r.metric)) continue;
      const double v = m.at(r.metric).get<double>();
      if (!found || v > *found) found = v;
    }
    return found;
  }
  const size_t dot = r.metric.find('.');
  const ordered_json group = results.value(r.metric.substr(0, dot), ordered_json::object());
  const std::string name = r.metric.substr(dot + 1);
  if (!group.is_object() || !group.contains(name)) return std::nullopt;
  return group.at(name).get<double>();
}

struct Timing {
  double total = 0.0, mean_epoch = 0.0;
};

Timing read_timing(const std::string& runs_dir, const std::string& id) {
  const std::string path = runs_dir + "/" + id + "/timings.json";
  Timing t;
  if (!fs::exists(path)) return t;
  const ordered_json timings = read_json_file(path);
  const ordered_json phases = timings.value("phase_seconds", ordered_json::object());
  for (const auto& [phase, seconds] : phases.items()) t.total += seconds.get<double>();
  const ordered_json epochs = timings.value("epoch_seconds", ordered_json::array());
  for (const ordered_json& e : epochs) t.mean_epoch += e.value("seconds", 0.0) / static_cast<double>(epochs.size());
  return t;
}

Timing train_timing(const ordered_json& results) {
  return {results.value("seconds", 0.0), results.value("seconds_per_training_epoch", 0.0)};
}

// One run's results and timing: a sweep trial, or a `graft train --json` output.
struct RunResult {
  ordered_json results;
  Timing timing;
};

std::vector<RunResult> runs_of(const Reference& r, const std::string& runs_dir, const std::vector<TrialResult>& trials) {
  std::vector<RunResult> runs;
  if (!r.files.empty()) {
    glob_t found{};
    if (glob(r.files.c_str(), 0, nullptr, &found) == 0) {
      for (size_t k = 0; k < found.gl_pathc; ++k) {
        ordered_json results = read_json_file(found.gl_pathv[k]);
        const Timing timing = train_timing(results);
        runs.push_back({std::move(results), timing});
      }
    }
    globfree(&found);
    return runs;
  }
  for (const TrialResult& trial : trials) {
    if (matches(trial, r)) runs.push_back({trial.metrics, read_timing(runs_dir, trial.id)});
  }
  return runs;
}

std::string ratio_text(const std::vector<double>& graft, std::optional<double> reference) {
  if (!reference || graft.empty() || *reference <= 0) return "–";
  std::ostringstream out;
  out.precision(3);
  out << mean_and_std(graft).first / *reference;
  return out.str();
}

}  // namespace

std::string make_reproduction_report(const std::string& runs_dir, const std::string& references_file,
                                     const std::string& format) {
  if (format != "md" && format != "csv") throw io::UsageError("--format: the reproduction table is md or csv, got '" + format + "'");
  const std::vector<Reference> refs = read_references(references_file);
  std::vector<TrialResult> trials;
  if (std::any_of(refs.begin(), refs.end(), [](const Reference& r) { return r.files.empty(); })) {
    const std::string spec_path = runs_dir + "/spec.json";
    if (!fs::exists(spec_path)) throw io::DataError(runs_dir + ": no spec.json here; not a runs directory of graft sweep");
    trials = read_completed_trials(runs_dir, read_json_file(spec_path).at("trials").get<std::vector<std::string>>());
  }

  const bool md = format == "md";
  std::ostringstream out;
  out << (md ? "| model | metric | reference | graft (mean ± std, n) | difference | in graft stds | time ratio |\n"
               "|---|---|---|---|---|---|---|\n"
             : "model,metric,reference,graft_mean,graft_std,n,difference,difference_in_stds,time_ratio\n");
  for (const Reference& r : refs) {
    std::vector<double> values, epoch_seconds, total_seconds;
    for (const RunResult& run : runs_of(r, runs_dir, trials)) {
      const std::optional<double> v = read_metric(run.results, r);
      if (!v) continue;
      values.push_back(*v);
      epoch_seconds.push_back(run.timing.mean_epoch);
      total_seconds.push_back(run.timing.total);
    }
    const std::string metric = r.best_epoch ? "best epoch " + r.metric
                               : r.epoch    ? "epoch " + std::to_string(*r.epoch) + " " + r.metric
                                            : r.metric;
    const std::string ratio = r.seconds_per_epoch ? ratio_text(epoch_seconds, r.seconds_per_epoch)
                                                  : ratio_text(total_seconds, r.seconds);
    if (values.empty()) {
      out << (md ? "| " + r.model + " | " + metric + " | " + fixed4(r.value) + " | no trials | – | – | – |\n"
                 : r.model + "," + metric + "," + fixed4(r.value) + ",,,0,,,\n");
      continue;
    }
    const auto [mean, std] = mean_and_std(values);
    const double diff = mean - r.value;
    const std::string in_stds = std > 0 ? fixed4(diff / std) : "–";
    const std::string n = std::to_string(values.size());
    if (md) {
      out << "| " << r.model << " | " << metric << " | " << fixed4(r.value) << " | " << fixed4(mean) << " ± "
          << fixed4(std) << " (" << n << ") | " << (diff >= 0 ? "+" : "") << fixed4(diff) << " | " << in_stds << " | "
          << ratio << " |\n";
    } else {
      out << r.model << "," << metric << "," << fixed4(r.value) << "," << fixed4(mean) << "," << fixed4(std) << "," << n
          << "," << fixed4(diff) << "," << in_stds << "," << ratio << "\n";
    }
  }
  if (md) {
    out << "\nTime ratio: graft's mean seconds per epoch (or per run) over the reference's; below 1 is faster.\n";
    // Each source once, with the models it gives values for.
    std::vector<std::pair<std::string, std::vector<std::string>>> sources;
    for (const Reference& r : refs) {
      if (r.source.empty()) continue;
      auto it = std::find_if(sources.begin(), sources.end(), [&](const auto& s) { return s.first == r.source; });
      if (it == sources.end()) it = sources.insert(sources.end(), {r.source, {}});
      if (std::find(it->second.begin(), it->second.end(), r.model) == it->second.end()) it->second.push_back(r.model);
    }
    for (const auto& [source, models] : sources) {
      out << "- " << source << ":";
      for (const std::string& m : models) out << (&m == &models.front() ? " " : ", ") << m;
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace graft::exp
