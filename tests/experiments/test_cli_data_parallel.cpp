// Data-parallel `graft train` through the built binary: --nproc 2 gives one process's losses and
// metrics; a worker killed mid-run makes the run fail with a message naming it (under graft's
// launcher at once; between workers a launcher like srun started, through the collective's
// error), never a hang; bad launcher environments and options are usage errors naming the
// variable; an unreachable rendezvous times out with a message.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"

namespace graft {
namespace {

using Clock = std::chrono::steady_clock;
using testing::run_graft;
using testing::run_graft_with_env;
using testing::slurp;

// `graft <args>` in the background with extra environment variables, its output to `log`.
class Background {
 public:
  Background(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env,
             std::string log)
      : log_(std::move(log)) {
    pid_ = fork();
    if (pid_ == 0) {
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      std::FILE* out = std::freopen(log_.c_str(), "w", stdout);
      if (out == nullptr || dup2(fileno(stdout), STDERR_FILENO) < 0) _exit(126);
      std::vector<char*> argv{const_cast<char*>(GRAFT_BINARY)};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(GRAFT_BINARY, argv.data());
      _exit(127);
    }
  }
  ~Background() {
    if (running_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }
  std::string output() const { return slurp(log_); }

  // Waits until the output contains `text`; false after `seconds`.
  bool wait_for_output(const std::string& text, double seconds) const {
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline) {
      if (output().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // The exit status once it ended, or nullopt when it still runs after `seconds`.
  std::optional<int> wait(double seconds) {
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        running_ = false;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool running_ = true;
};

// The children of `parent` whose environment holds `variable` (e.g. "GRAFT_RANK=1").
std::vector<pid_t> children_with(pid_t parent, const std::string& variable) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::istringstream stat(slurp(entry.path() / "stat"));
    std::string pid, comm, state;
    pid_t ppid = 0;
    stat >> pid >> comm >> state >> ppid;
    if (ppid != parent) continue;
    std::string environ = slurp(entry.path() / "environ");
    std::replace(environ.begin(), environ.end(), '\0', '\n');
    if (("\n" + environ).find("\n" + variable + "\n") != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

class CliDataParallel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    data_ = dir_->file("scale.h5");
    std::string output;
    ASSERT_EQ(run_graft("data generate --preset scale --interactions 20K -o " + data_, &output), 0) << output;
    ASSERT_EQ(run_graft("data split " + data_ + " --kind ratio --negatives 0 --seed 0", &output), 0) << output;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string train_args(int epochs) {
    return "train --data " + data_ + " --domain main --split ratio --model lightgcn --dim 8 --layers 2 --epochs " +
           std::to_string(epochs) + " --batch-size 999 --lr 0.01 --threads 1 --eval-every 1";
  }
  static std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  }

  static testing::TempDir* dir_;
  static std::string data_;
};

testing::TempDir* CliDataParallel::dir_ = nullptr;
std::string CliDataParallel::data_;

TEST_F(CliDataParallel, TwoProcessesGiveOneProcesssLossesAndMetrics) {
  std::string output;
  for (const std::string graph : {"full", "sampled"}) {
    const std::string one = dir_->file("one_" + graph + ".json"), two = dir_->file("two_" + graph + ".json");
    ASSERT_EQ(run_graft(train_args(3) + " --graph " + graph + " --json " + one, &output), 0) << output;
    ASSERT_EQ(run_graft(train_args(3) + " --graph " + graph + " --nproc 2 --json " + two, &output), 0) << output;
    EXPECT_NE(output.find("data parallel: 2 workers"), std::string::npos) << output;
    EXPECT_EQ(output.find("graft[rank 1/2]"), std::string::npos) << "rank 1 spoke:\n" << output;
    const nlohmann::json a = nlohmann::json::parse(slurp(one)), b = nlohmann::json::parse(slurp(two));
    EXPECT_EQ(b["training"]["processes"], 2);
    ASSERT_EQ(a["history"].size(), b["history"].size());
    for (size_t e = 0; e < a["history"].size(); ++e) {
      EXPECT_NEAR(b["history"][e]["loss"].get<double>(), a["history"][e]["loss"].get<double>(), 1e-5) << graph << " epoch " << e + 1;
      EXPECT_GT(b["history"][e]["communication_seconds"].get<double>(), 0.0);
    }
    for (const auto& [name, value] : a["test"].items()) {
      EXPECT_NEAR(b["test"][name].get<double>(), value.get<double>(), 1e-4) << graph << " " << name;
    }
  }
}

TEST_F(CliDataParallel, TransferOnTwoProcessesGivesOneProcesssReport) {
  const std::string args = "transfer --set data.generate=two-platform --source source --target target --method finetune "
                           "--set pretrain.epochs=3 --set adapt.epochs=2 --set threads=1 --json ";
  std::string output;
  ASSERT_EQ(run_graft(args + dir_->file("transfer1.json"), &output), 0) << output;
  ASSERT_EQ(run_graft(args + dir_->file("transfer2.json") + " --nproc 2", &output), 0) << output;
  const nlohmann::json a = nlohmann::json::parse(slurp(dir_->file("transfer1.json")));
  const nlohmann::json b = nlohmann::json::parse(slurp(dir_->file("transfer2.json")));
  int compared = 0;
  for (const std::string group : {"overall", "cold_start", "warm"}) {
    if (!a.contains(group) || !a[group].is_object()) continue;
    for (const auto& [name, value] : a[group].items()) {
      if (!value.is_number()) continue;
      EXPECT_NEAR(b[group][name].get<double>(), value.get<double>(), 1e-6) << group << "." << name;
      ++compared;
    }
  }
  EXPECT_GT(compared, 3) << a.dump(2);
}

TEST_F(CliDataParallel, AKilledWorkerStopsTheRunWithAMessage) {
  Background run(words(train_args(100000) + " --nproc 2"), {}, dir_->file("killed.log"));
  ASSERT_TRUE(run.wait_for_output("epoch 1/", 120)) << run.output();
  const std::vector<pid_t> rank1 = children_with(run.pid(), "GRAFT_RANK=1");
  ASSERT_EQ(rank1.size(), 1u) << "no worker of rank 1 under the launcher";
  kill(rank1[0], SIGKILL);
  const std::optional<int> status = run.wait(30);
  ASSERT_TRUE(status) << "the run did not end within 30 s of a worker's death:\n" << run.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << run.output();
  EXPECT_NE(run.output().find("worker 1 of 2 (pid " + std::to_string(rank1[0]) + ") was killed by signal 9"),
            std::string::npos)
      << run.output();
}

TEST_F(CliDataParallel, WorkersOfAnotherLauncherFailWhenAPeerDies) {
  // As srun would start them: rank and size in the environment, no graft launcher above.
  const std::string port = std::to_string(20000 + getpid() % 20000);
  const auto env = [&](int rank) {
    return std::vector<std::pair<std::string, std::string>>{
        {"SLURM_PROCID", std::to_string(rank)}, {"SLURM_NTASKS", "2"}, {"MASTER_PORT", port}};
  };
  Background rank0(words(train_args(100000) + " --dist-timeout 60"), env(0), dir_->file("rank0.log"));
  Background rank1(words(train_args(100000) + " --dist-timeout 60"), env(1), dir_->file("rank1.log"));
  ASSERT_TRUE(rank0.wait_for_output("epoch 1/", 120)) << rank0.output();
  kill(rank1.pid(), SIGKILL);
  ASSERT_TRUE(rank1.wait(10));
  const std::optional<int> status = rank0.wait(60);
  ASSERT_TRUE(status) << "rank 0 still waits after its peer died:\n" << rank0.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << rank0.output();
  EXPECT_NE(rank0.output().find("graft[rank 0/2]: error: data-parallel all-reduce failed"), std::string::npos)
      << rank0.output();
}

TEST_F(CliDataParallel, BadLauncherInputIsAUsageErrorNamingIt) {
  std::string output;
  EXPECT_EQ(run_graft(train_args(1) + " --nproc 0", &output), 2) << output;
  EXPECT_NE(output.find("--nproc must be at least 1, got 0"), std::string::npos) << output;
  EXPECT_EQ(run_graft_with_env("RANK=2 WORLD_SIZE=2", train_args(1), &output), 2) << output;
  EXPECT_NE(output.find("RANK=2 is outside [0, WORLD_SIZE=2)"), std::string::npos) << output;
  EXPECT_EQ(run_graft_with_env("SLURM_PROCID=one SLURM_NTASKS=2", train_args(1), &output), 2) << output;
  EXPECT_NE(output.find("SLURM_PROCID='one' is not a whole number"), std::string::npos) << output;
  EXPECT_EQ(run_graft_with_env("OMPI_COMM_WORLD_RANK=0", train_args(1), &output), 2) << output;
  EXPECT_NE(output.find("OMPI_COMM_WORLD_SIZE is not"), std::string::npos) << output;
  EXPECT_EQ(run_graft_with_env("SLURM_PROCID=0 SLURM_NTASKS=4 SLURM_JOB_NUM_NODES=2", train_args(1), &output), 2) << output;
  EXPECT_NE(output.find("needs MASTER_ADDR"), std::string::npos) << output;
  EXPECT_EQ(run_graft_with_env("SLURM_PROCID=0 SLURM_NTASKS=1", train_args(1) + " --nproc 2", &output), 2) << output;
  EXPECT_NE(output.find("leave --nproc out"), std::string::npos) << output;
}

TEST_F(CliDataParallel, AnUnreachableRendezvousTimesOut) {
  std::string output;
  const auto start = Clock::now();
  EXPECT_EQ(run_graft_with_env("RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=1", train_args(1) + " --dist-timeout 2",
                               &output),
            1)
      << output;
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 30.0);
  EXPECT_NE(output.find("could not reach it (check MASTER_ADDR and MASTER_PORT) within 2 s"), std::string::npos) << output;
}

}  // namespace
}  // namespace graft
