// `graft run | sweep | report | transfer | keys` and the internal `graft trial`: YAML experiments
// through experiments/config.h, trials through experiments/runner.h, tables through
// experiments/report.h.
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <set>

#include "experiments/cli.h"
#include "experiments/config.h"
#include "experiments/parallel_run.h"
#include "experiments/report.h"
#include "experiments/report_reproduction.h"
#include "experiments/report_sources.h"
#include "experiments/runner.h"
#include "experiments/sweep.h"
#include "experiments/trial.h"
#include "graph_io/errors.h"
#include "graph_io/files.h"
#include "graph_io/stats.h"
#include "transfer/transfer.h"

namespace graft::cli {

namespace {

namespace fs = std::filesystem;
using exp::Settings;

struct SweepArgs {
  std::string file, runs = "runs", shard = "1/1";
  std::vector<std::string> sets;
  size_t jobs = 1;
  bool dry_run = false;
};

std::string self_binary() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("cannot find the graft binary to start trial processes (/proc/self/exe)");
  return self.string();
}

// Loads each dataset the trials use once, checks that their domains and splits exist, and writes
// the statistics the report shows (datasets.txt beside spec.json).
void check_and_describe_data(const exp::Sweep& sweep, const std::string& dir) {
  std::set<std::string> described, checked;
  std::string text;
  for (const exp::Trial& trial : sweep.trials) {
    const std::string data = exp::describe_data(trial.settings).dump();
    const std::string request = data + trial.settings.at("source").value.dump() +
                                trial.settings.at("target").value.dump() + trial.settings.at("split").value.dump();
    if (checked.count(request)) continue;
    checked.insert(request);
    const auto dataset = exp::load_trial_data(trial.settings);
    // The dataset's own errors list the valid names; the origin says where the name was set.
    auto check = [&](const char* key, const std::function<void(const std::string&)>& lookup) {
      const exp::Setting& s = trial.settings.at(key);
      try {
        lookup(s.value.get<std::string>());
      } catch (const io::UsageError& e) {
        exp::fail_at(s.origin, std::string(key) + ": " + e.what());
      }
    };
    check("source", [&](const std::string& names) {  // one domain, or several comma-separated
      for (const std::string& name : io::split_names(names)) dataset->domain(name);
    });
    check("target", [&](const std::string& name) { dataset->domain(name); });
    check("split", [&](const std::string& name) { dataset->split(name); });
    if (described.insert(data).second) {
      text += "data " + data + "\n" + io::format_stats_table(io::compute_stats(*dataset)) + "\n";
    }
  }
  const std::string path = dir + "/datasets.txt";
  if (!fs::exists(path)) io::write_text_atomically(path, text);
}

void run_sweep_command(const SweepArgs& args, std::optional<size_t> only_trial) {
  const exp::ExperimentSpec spec = exp::load_experiment(args.file, args.sets);
  const exp::Sweep sweep = exp::expand(spec);
  exp::RunnerOptions options;
  options.runs_root = args.runs;
  options.jobs = args.jobs;
  options.shard = exp::parse_shard(args.shard);
  options.only_trial = only_trial;
  if (args.dry_run) {
    std::cout << exp::format_trials(sweep, options.shard);
    return;
  }
  const std::string dir = (fs::path(args.runs) / sweep.name).string();
  fs::create_directories(dir);
  check_and_describe_data(sweep, dir);
  const exp::RunSummary summary = exp::run_sweep(sweep, options, exp::process_trials(self_binary()));
  std::cerr << sweep.name << ": " << summary.ran << " trials run, " << summary.skipped << " already done, "
            << summary.failures.size() << " failed, of " << summary.selected << " selected; results in "
            << summary.dir << "\n";
  for (const std::string& failure : summary.failures) std::cerr << "  failed " << failure << "\n";
  if (!summary.failures.empty()) {
    throw std::runtime_error(std::to_string(summary.failures.size()) +
                             " trials failed; run the same command again to retry them");
  }
  if (only_trial) std::cout << exp::read_text(summary.dir + "/" + sweep.trials.front().id + "/report.txt");
}

void add_sweep_options(CLI::App* cmd, SweepArgs& args) {
  cmd->add_option("FILE", args.file, "Experiment YAML file")->required();
  cmd->add_option("--set", args.sets, "Override a key: --set adapt.epochs=5 (repeatable; highest priority)");
  cmd->add_option("--runs", args.runs, "Directory of runs; results go to RUNS/<experiment>/")->capture_default_str();
}

struct TransferArgs {
  std::string data, source, target, split, method, json, device;
  std::vector<std::string> sets;
  ParallelArgs parallel;
};

void set_flag(Settings& settings, const std::string& key, const std::string& flag, const std::string& value) {
  if (value.empty()) return;
  exp::Origin origin{"", 0, flag + " " + value};
  const exp::KeySpec& spec = *exp::find_key(key);
  exp::check_value(spec, value, origin);
  settings[key] = exp::Setting{value, origin};
}

void run_transfer_command(const TransferArgs& args) {
  Settings settings = exp::default_settings();
  set_flag(settings, "data.path", "--data", args.data);
  exp::apply_sets(settings, args.sets);
  set_flag(settings, "source", "--source", args.source);
  set_flag(settings, "target", "--target", args.target);
  set_flag(settings, "split", "--split", args.split);
  set_flag(settings, "method", "--method", args.method);
  set_flag(settings, "device", "--device", args.device);
  exp::check_data(settings);
  const std::shared_ptr<gnn::Communicator> group = start_or_join(args.parallel);
  const QuietUnlessRankZero quiet(group.get());
  const exp::TrialOutcome outcome = exp::run_trial_in_process(settings, 0, group);
  std::cout << outcome.text;
  if (!args.json.empty() && gnn::writes_outputs(group.get())) {
    io::write_text_atomically(args.json, outcome.report.dump(2) + "\n");
    std::cerr << "wrote " << args.json << "\n";
  }
}

}  // namespace

void add_experiment_commands(CLI::App& app) {
  auto sweep = std::make_shared<SweepArgs>();
  auto* sweep_cmd = app.add_subcommand("sweep", "Run every trial of an experiment's sweep (resumable)");
  add_sweep_options(sweep_cmd, *sweep);
  sweep_cmd->add_option("--jobs", sweep->jobs, "Trials run at once; each gets max(1, cores / jobs) threads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sweep_cmd->add_option("--shard", sweep->shard, "Run only trials with index % n == i-1 (e.g. a Slurm array task)")
      ->capture_default_str();
  sweep_cmd->add_flag("--dry-run", sweep->dry_run, "List the trials (index, id, varying keys) and exit");
  sweep_cmd->callback([sweep] { run_sweep_command(*sweep, std::nullopt); });

  auto run = std::make_shared<SweepArgs>();
  auto* run_cmd = app.add_subcommand("run", "Run an experiment's first trial and print its report");
  add_sweep_options(run_cmd, *run);
  run_cmd->callback([run] { run_sweep_command(*run, size_t{0}); });

  auto report = std::make_shared<std::pair<std::string, exp::ReportOptions>>();
  auto output = std::make_shared<std::string>();
  auto* report_cmd = app.add_subcommand("report", "Tabulate a runs directory: mean ± std over seeds, best marked");
  report_cmd->add_option("DIR", report->first, "A runs directory: RUNS/<experiment>")->required();
  report_cmd->add_option("--format", report->second.format, "md, csv, latex, json (the tables as data) or html (a self-contained results page with the figures)")->capture_default_str();
  report_cmd->add_option("--rows", report->second.rows, "Configuration key whose values are the rows")
      ->capture_default_str();
  report_cmd->add_option("--metrics", report->second.metrics,
                         "Columns: group.metric, a group (cold_start, warm, overall, all_items, best_valid) or a cold-start metric");
  report_cmd->add_option("--baseline", report->second.baseline, "Row to test every other row against (paired t-test)");
  report_cmd->add_flag("--source-effects", report->second.source_effects,
                       "Per target: each source alone against --baseline (default target_only) and "
                       "leave-one-source-out from the largest source set, paired t-tests, harmful sources named");
  report_cmd->add_option("--reproduction", report->second.reproduction,
                         "Instead of the tables: the reproduction table against the reference values in this YAML "
                         "file (configs/reproductions.yaml)");
  report_cmd->add_option("-o,--output", *output, "Write the report to this file (atomically) instead of stdout");
  report_cmd->callback([report, output] {
    const auto& [dir, options] = *report;
    const std::string text = !options.reproduction.empty()
                                 ? exp::make_reproduction_report(dir, options.reproduction, options.format)
                             : options.source_effects ? exp::make_source_effects_report(dir, options)
                                                      : exp::make_report(dir, options);
    if (output->empty()) {
      std::cout << text;
    } else {
      io::write_text_atomically(*output, text);
      std::cerr << "wrote " << *output << "\n";
    }
  });

  auto transfer = std::make_shared<TransferArgs>();
  auto* transfer_cmd = app.add_subcommand("transfer", "Train and evaluate one transfer method and print its report");
  transfer_cmd->add_option("--data", transfer->data, "dataset.h5 to read (or --set data.generate=PRESET)");
  transfer_cmd->add_option("--source", transfer->source, "Source domain");
  transfer_cmd->add_option("--target", transfer->target, "Target domain");
  transfer_cmd->add_option("--split", transfer->split, "Split (default: cold_start)");
  std::string methods;
  for (const std::string& m : transfer::method_names()) methods += (methods.empty() ? "" : ", ") + m;
  transfer_cmd->add_option("--method", transfer->method, "Method: " + methods);
  transfer_cmd->add_option("--set", transfer->sets, "Any configuration key: --set adapt.epochs=5 (see graft keys)");
  transfer_cmd->add_option("--json", transfer->json, "Write the report as JSON to this file");
  transfer_cmd->add_option("--device", transfer->device, "Where the run's tensors live: cpu, cuda or cuda:N (the key device)");
  add_parallel_options(*transfer_cmd, transfer->parallel);
  transfer_cmd->callback([transfer] { run_transfer_command(*transfer); });

  auto* keys_cmd = app.add_subcommand("keys", "List every configuration key with its type, default and meaning");
  keys_cmd->callback([] { std::cout << exp::format_schema(); });

  auto trial = std::make_shared<std::pair<std::string, int>>("", 1);
  auto* trial_cmd = app.add_subcommand("trial", "Internal: run the trial in DIR (started by graft sweep)");
  trial_cmd->group("");  // hidden from --help
  trial_cmd->add_option("DIR", trial->first, "Trial directory with config.json")->required();
  trial_cmd->add_option("--threads", trial->second, "Intra-op threads")->required();
  auto verbose = std::make_shared<bool>(false);
  trial_cmd->add_flag("--verbose", *verbose, "A progress line per epoch on stderr (the trial's log.txt)");
  trial_cmd->callback([trial, verbose] { exp::run_trial_directory(trial->first, trial->second, *verbose); });
}

}  // namespace graft::cli
