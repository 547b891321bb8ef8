// The sweep runner. Worker threads take trials in index order; each trial's files depend only on
// its configuration, so the order in which trials finish changes nothing on disk but timings.
#include "experiments/runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "experiments/child_process.h"
#include "graph_io/build_info.h"
#include "graph_io/errors.h"
#include "graph_io/files.h"

namespace graft::exp {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

ordered_json read_json(const std::string& path) {
  try {
    return ordered_json::parse(read_text(path));
  } catch (const ordered_json::parse_error& e) {
    throw io::DataError(path + ": not valid JSON (" + e.what() + ")");
  }
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? name : "unknown";
}

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char out[32];
  if (s >= 3600) std::snprintf(out, sizeof out, "%lldh%02lldm", s / 3600, s / 60 % 60);
  else std::snprintf(out, sizeof out, "%lldm%02llds", s / 60, s % 60);
  return out;
}

// The identity written to spec.json: a runs directory belongs to one spec id.
void claim_directory(const Sweep& sweep, const std::string& dir) {
  const std::string path = dir + "/spec.json";
  if (fs::exists(path)) {
    const ordered_json existing = read_json(path);
    const std::string id = existing.value("spec_id", "");
    if (id != sweep.spec_id) {
      throw io::UsageError("runs directory " + dir + " was written by a different spec (spec " + id + ", this one " +
                           sweep.spec_id + "); use another --runs directory, or delete " + dir +
                           " to start afresh");
    }
    return;
  }
  const Settings defaults = default_settings();
  ordered_json fixed = ordered_json::object();
  ordered_json trials = ordered_json::array();
  for (const Trial& trial : sweep.trials) trials.push_back(trial.id);
  if (!sweep.trials.empty()) {
    const nlohmann::json first = identity_json(sweep.trials.front().settings);
    for (const auto& [key, value] : first.items()) {
      const bool varying = std::find(sweep.varying.begin(), sweep.varying.end(), key) != sweep.varying.end();
      if (!varying && value != defaults.at(key).value) fixed[key] = value;
    }
  }
  const ordered_json spec = {{"experiment", sweep.name}, {"spec_id", sweep.spec_id}, {"varying", sweep.varying},
                             {"fixed", fixed},           {"trials", trials}};
  io::write_text_atomically(path, spec.dump(2) + "\n");
}

ordered_json provenance(const ResolvedTrial& t) {
  return {{"graft_version", GRAFT_VERSION},
          {"git_commit", io::git_commit()},
          {"host", host_name()},
          {"trial", t.trial->id},
          {"seed", t.trial->settings.at("seed").value},
          {"threads", t.threads},
          {"data", describe_data(t.trial->settings)}};
}

// A progress bar with ETA on stderr: redrawn in place on a terminal, a line per trial otherwise.
class Progress {
 public:
  Progress(const std::string& name, size_t todo, bool enabled)
      : name_(name), todo_(todo), enabled_(enabled), tty_(isatty(STDERR_FILENO)), start_(Clock::now()) {}

  void finished(bool ok) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    if (!ok) ++failed_;
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double eta = elapsed / static_cast<double>(done_) * static_cast<double>(todo_ - done_);
    constexpr size_t kWidth = 30;
    const size_t filled = todo_ == 0 ? kWidth : kWidth * done_ / todo_;
    std::ostringstream line;
    line << name_ << " [" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << done_ << "/"
         << todo_ << " trials";
    if (failed_ > 0) line << ", " << failed_ << " failed";
    line << ", " << format_duration(elapsed) << " elapsed";
    if (done_ < todo_) line << ", ETA " << format_duration(eta);
    std::cerr << (tty_ ? "\r" : "") << line.str() << (tty_ && done_ < todo_ ? "" : "\n") << std::flush;
  }

 private:
  std::string name_;
  size_t todo_, done_ = 0, failed_ = 0;
  bool enabled_, tty_;
  Clock::time_point start_;
  std::mutex mutex_;
};

void write_trial(const ResolvedTrial& t, TrialOutcome outcome, double seconds, const std::string& started) {
  ordered_json timings = split_timings(outcome.report);
  timings["trial_seconds"] = seconds;
  timings["started"] = started;
  timings["finished"] = utc_now();
  io::write_text_atomically(t.dir + "/metrics.json", outcome.report.dump(2) + "\n");
  io::write_text_atomically(t.dir + "/timings.json", timings.dump(2) + "\n");
  io::write_text_atomically(t.dir + "/provenance.json", provenance(t).dump(2) + "\n");
  io::write_text_atomically(t.dir + "/report.txt", outcome.text);
  for (const auto& [name, content] : outcome.files) io::write_text_atomically(t.dir + "/" + name, content);
  io::write_text_atomically(t.dir + "/done", t.trial->id + "\n");
}

std::string log_tail(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string out;
  for (const std::string& line : last_lines(text.str(), 5)) out += "\n    " + line;
  return out;
}

}  // namespace

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io::DataError(path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TrialFunction in_process_trials() {
  return [](const ResolvedTrial& t) { return run_trial_in_process(t.trial->settings, t.threads); };
}

TrialFunction process_trials(const std::string& graft_binary) {
  return [graft_binary](const ResolvedTrial& t) {
    const std::string log = t.dir + "/log.txt";
    // verbose is not part of a trial's identity, so config.json does not carry it: pass it on.
    const auto verbose = t.trial->settings.find("verbose");
    const bool progress = verbose != t.trial->settings.end() && verbose->second.value == true;
    std::vector<std::string> argv = {graft_binary, "trial", t.dir, "--threads", std::to_string(t.threads)};
    if (progress) argv.push_back("--verbose");
    const ChildExit exit = run_child(argv, log);
    if (!exit.ok()) throw std::runtime_error("trial process " + exit.describe() + "; end of " + log + ":" + log_tail(log));
    const std::string outcome_path = t.dir + "/outcome.json";
    const ordered_json outcome = read_json(outcome_path);
    fs::remove(outcome_path);
    return TrialOutcome{outcome.at("report"), outcome.at("text").get<std::string>(),
                        outcome.at("files").get<std::map<std::string, std::string>>()};
  };
}

RunSummary run_sweep(const Sweep& sweep, const RunnerOptions& options, const TrialFunction& run) {
  if (options.jobs == 0) throw io::UsageError("--jobs must be >= 1");
  RunSummary summary;
  summary.dir = (fs::path(options.runs_root) / sweep.name).string();
  fs::create_directories(summary.dir);
  claim_directory(sweep, summary.dir);

  std::vector<const Trial*> todo;
  for (const Trial& trial : sweep.trials) {
    const bool selected = options.only_trial ? trial.index == *options.only_trial : options.shard.contains(trial.index);
    if (!selected) continue;
    ++summary.selected;
    if (fs::exists(summary.dir + "/" + trial.id + "/done")) {
      ++summary.skipped;
    } else {
      todo.push_back(&trial);
    }
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const int default_threads = static_cast<int>(std::max<size_t>(1, cores / options.jobs));
  Progress progress(sweep.name, todo.size(), options.progress);
  std::mutex mutex;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < todo.size(); i = next++) {
      const Trial& trial = *todo[i];
      ResolvedTrial t{&trial, summary.dir + "/" + trial.id, default_threads};
      if (const int64_t threads = trial.settings.at("threads").value.get<int64_t>(); threads > 0) {
        t.threads = static_cast<int>(threads);
      }
      bool ok = true;
      try {
        fs::remove_all(t.dir);  // what a killed run left behind
        fs::create_directories(t.dir);
        io::write_text_atomically(t.dir + "/config.json", identity_json(trial.settings).dump(2) + "\n");
        const std::string started = utc_now();
        const Clock::time_point start = Clock::now();
        TrialOutcome outcome = run(t);
        write_trial(t, std::move(outcome), std::chrono::duration<double>(Clock::now() - start).count(), started);
      } catch (const std::exception& e) {
        ok = false;
        std::lock_guard<std::mutex> lock(mutex);
        summary.failures.push_back(trial.id + ": " + e.what());
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (ok) ++summary.ran;
      }
      progress.finished(ok);
    }
  };
  std::vector<std::thread> workers;
  for (size_t j = 1; j < std::min(options.jobs, todo.size()); ++j) workers.emplace_back(worker);
  worker();
  for (std::thread& w : workers) w.join();
  std::sort(summary.failures.begin(), summary.failures.end());
  return summary;
}

void run_trial_directory(const std::string& dir, int threads, bool verbose) {
  const std::string path = dir + "/config.json";
  const ordered_json config = read_json(path);
  Settings settings = default_settings();
  for (const auto& [key, value] : config.items()) {
    auto it = settings.find(key);
    if (it == settings.end()) throw io::DataError(path + ": unknown key '" + key + "'");
    it->second = Setting{value, Origin{path, 1, ""}};
  }
  if (verbose) settings.at("verbose") = Setting{true, Origin{"", 0, "--verbose"}};
  const TrialOutcome outcome = run_trial_in_process(settings, threads);
  const ordered_json out = {{"report", outcome.report}, {"text", outcome.text}, {"files", outcome.files}};
  io::write_text_atomically(dir + "/outcome.json", out.dump() + "\n");
}

}  // namespace graft::exp
