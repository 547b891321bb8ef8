// The sweep runner with an injected trial function: files per trial, resume, rerun of trials
// killed half-way, identical results interrupted or not and parallel or serial, and refusal of a
// runs directory written by another spec.
#include <gtest/gtest.h>

#include <filesystem>

#include "experiments/runner.h"
#include "graph_io/errors.h"
#include "tests/experiments/fake_trials.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

const std::string kSweep =
    "experiment.name: demo\ndata.generate: two-platform\nsource: source\ntarget: target\n"
    "sweep:\n  grid:\n    method: [target_only, finetune, mapping]\n  seeds: [0, 1]\n";

exp::Sweep demo_sweep(const testing::TempDir& dir, const std::vector<std::string>& sets = {}) {
  return exp::expand(exp::load_experiment(dir.write("demo.yaml", kSweep), sets));
}

exp::RunnerOptions options(const std::string& runs, size_t jobs = 1) {
  exp::RunnerOptions o;
  o.runs_root = runs;
  o.jobs = jobs;
  o.progress = false;
  return o;
}

TEST(Runner, WritesEveryFileAndSkipsDoneTrials) {
  testing::TempDir dir;
  const exp::Sweep sweep = demo_sweep(dir);
  std::atomic<int> calls{0};
  const exp::RunSummary first = exp::run_sweep(sweep, options(dir.file("runs")), testing::fake_trials(&calls));
  EXPECT_EQ(first.ran, 6u);
  EXPECT_EQ(calls, 6);
  EXPECT_TRUE(first.failures.empty());
  const fs::path trial = fs::path(first.dir) / sweep.trials[0].id;
  for (const char* f : {"config.json", "metrics.json", "timings.json", "provenance.json", "report.txt", "done"}) {
    EXPECT_TRUE(fs::exists(trial / f)) << f;
  }
  const auto metrics = nlohmann::json::parse(testing::slurp(trial / "metrics.json"));
  EXPECT_FALSE(metrics.contains("phase_seconds"));
  EXPECT_FALSE(metrics["history"][0].contains("seconds"));
  EXPECT_EQ(metrics["method"], "target_only");
  const auto timings = nlohmann::json::parse(testing::slurp(trial / "timings.json"));
  EXPECT_EQ(timings["epoch_seconds"].size(), 2u);
  EXPECT_TRUE(timings.contains("trial_seconds"));
  EXPECT_GT(timings.at("peak_memory_mb").get<double>(), 1.0);
  const auto provenance = nlohmann::json::parse(testing::slurp(trial / "provenance.json"));
  EXPECT_EQ(provenance["graft_version"], GRAFT_VERSION);
  EXPECT_EQ(provenance["data"]["generate"], "two-platform");
  EXPECT_GE(provenance["threads"].get<int>(), 1);
  const auto config = nlohmann::json::parse(testing::slurp(trial / "config.json"));
  EXPECT_EQ(exp::hash_hex(config.dump()), sweep.trials[0].id);

  const exp::RunSummary second = exp::run_sweep(sweep, options(dir.file("runs")), testing::fake_trials(&calls));
  EXPECT_EQ(second.ran, 0u);
  EXPECT_EQ(second.skipped, 6u);
  EXPECT_EQ(calls, 6);
}

TEST(Runner, InterruptedThenResumedEqualsUninterrupted) {
  testing::TempDir dir;
  const exp::Sweep sweep = demo_sweep(dir);
  exp::run_sweep(sweep, options(dir.file("clean")), testing::fake_trials());

  // A first attempt dies in two trials (their directories are left without `done`), and a third
  // trial directory looks like a kill -9 mid-write.
  const exp::TrialFunction crashing = [&](const exp::ResolvedTrial& t) {
    if (t.trial->index == 1 || t.trial->index == 4) throw std::runtime_error("killed");
    return testing::fake_trials()(t);
  };
  const exp::RunSummary broken = exp::run_sweep(sweep, options(dir.file("resumed")), crashing);
  EXPECT_EQ(broken.failures.size(), 2u);
  EXPECT_FALSE(fs::exists(fs::path(broken.dir) / sweep.trials[1].id / "done"));
  EXPECT_TRUE(fs::exists(fs::path(broken.dir) / sweep.trials[1].id / "config.json"));
  const fs::path half = fs::path(broken.dir) / sweep.trials[2].id;
  fs::remove(half / "done");
  dir.write("resumed/demo/" + sweep.trials[2].id + "/metrics.json", "{\"trunc");

  std::atomic<int> calls{0};
  const exp::RunSummary resumed = exp::run_sweep(sweep, options(dir.file("resumed")), testing::fake_trials(&calls));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(resumed.skipped, 3u);
  EXPECT_TRUE(resumed.failures.empty());
  EXPECT_EQ(testing::deterministic_files(dir.file("resumed")), testing::deterministic_files(dir.file("clean")));
}

TEST(Runner, ParallelEqualsSerial) {
  testing::TempDir dir;
  const exp::Sweep sweep = demo_sweep(dir);
  exp::run_sweep(sweep, options(dir.file("serial"), 1), testing::fake_trials());
  const exp::RunSummary parallel = exp::run_sweep(sweep, options(dir.file("parallel"), 3), testing::fake_trials());
  EXPECT_EQ(parallel.ran, 6u);
  const auto files = testing::deterministic_files(dir.file("serial"));
  EXPECT_EQ(files.size(), 1u + 6u * 3u);  // spec.json; config.json, metrics.json, done per trial
  EXPECT_EQ(testing::deterministic_files(dir.file("parallel")), files);
}

TEST(Runner, ShardsTogetherRunEveryTrialOnce) {
  testing::TempDir dir;
  const exp::Sweep sweep = demo_sweep(dir);
  std::atomic<int> calls{0};
  for (const char* shard : {"1/4", "2/4", "3/4", "4/4"}) {
    exp::RunnerOptions o = options(dir.file("runs"));
    o.shard = exp::parse_shard(shard);
    exp::run_sweep(sweep, o, testing::fake_trials(&calls));
  }
  EXPECT_EQ(calls, 6);
  for (const auto& t : sweep.trials) EXPECT_TRUE(fs::exists(dir.file("runs/demo/" + t.id + "/done")));
}

TEST(Runner, RefusesARunsDirectoryOfAnotherSpec) {
  testing::TempDir dir;
  exp::run_sweep(demo_sweep(dir), options(dir.file("runs")), testing::fake_trials());
  try {
    exp::run_sweep(demo_sweep(dir, {"adapt.epochs=3"}), options(dir.file("runs")), testing::fake_trials());
    FAIL() << "a runs directory of another spec was accepted";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("runs directory " + dir.file("runs/demo") + " was written by a different spec"),
              std::string::npos)
        << e.what();
  }
  // Threads are not part of the spec: a different --jobs or --set threads resumes.
  EXPECT_NO_THROW(exp::run_sweep(demo_sweep(dir, {"threads=1"}), options(dir.file("runs"), 2), testing::fake_trials()));
  dir.write("runs/demo/spec.json", "{not json");
  EXPECT_THROW(exp::run_sweep(demo_sweep(dir), options(dir.file("runs")), testing::fake_trials()), io::DataError);
}

}  // namespace
}  // namespace graft
