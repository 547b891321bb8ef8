// The data-parallel options of `graft train` and `graft transfer` (--nproc, --dist-timeout) and
// what a command does with them: start local workers (experiments/launch.h), or, in a worker,
// join the c10d process group (gnn/communicator.h) and keep ranks other than 0 quiet.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <streambuf>
#include <string>

#include "gnn/communicator.h"

namespace graft::cli {

struct ParallelArgs {
  int nproc = 1;              // local workers to start; 1: this process alone (or a launcher's worker)
  int timeout_seconds = 300;  // rendezvous and every collective
};

void add_parallel_options(CLI::App& cmd, ParallelArgs& args);

// Where `nproc` > 1 asks for local workers and this process is not one: starts them, waits and
// throws ExitStatus with the run's exit code. In a worker (ours, srun's, mpirun's): joins the
// group and returns it. Alone: nullptr. `backend`: "gloo" or "nccl". UsageError for --nproc
// below 1, or --nproc under another launcher.
std::shared_ptr<gnn::Communicator> start_or_join(const ParallelArgs& args, const std::string& backend = "gloo");

// While alive, a rank other than 0 prints nothing on stdout or stderr (its errors still reach
// main(), which prints them after this is gone): rank 0 speaks for the run.
class QuietUnlessRankZero {
 public:
  explicit QuietUnlessRankZero(const gnn::Communicator* communicator);
  ~QuietUnlessRankZero();
  QuietUnlessRankZero(const QuietUnlessRankZero&) = delete;
  QuietUnlessRankZero& operator=(const QuietUnlessRankZero&) = delete;

 private:
  struct Discard : std::streambuf {
    int overflow(int c) override { return c; }
  } discard_;
  std::streambuf* out_ = nullptr;
  std::streambuf* err_ = nullptr;
};

}  // namespace graft::cli
