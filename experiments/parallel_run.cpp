#include "experiments/parallel_run.h"

#include <iostream>

#include "experiments/launch.h"
#include "graph_io/errors.h"

namespace graft::cli {

void add_parallel_options(CLI::App& cmd, ParallelArgs& args) {
  cmd.add_option("--nproc", args.nproc,
                 "Data-parallel workers on this machine (c10d, Gloo): each takes a shard of every batch; "
                 "under srun or mpirun leave it out, the launcher's variables say the rank")
      ->capture_default_str();
  cmd.add_option("--dist-timeout", args.timeout_seconds,
                 "Data parallel: seconds to wait for the rendezvous and for each collective before failing")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

std::shared_ptr<gnn::Communicator> start_or_join(const ParallelArgs& args, const std::string& backend) {
  if (args.nproc < 1) throw io::UsageError("--nproc must be at least 1, got " + std::to_string(args.nproc));
  const std::optional<Placement> placement = placement_from_environment();
  if (!placement) {
    if (args.nproc > 1) throw ExitStatus{launch_local_workers(args.nproc)};
    return nullptr;
  }
  const bool ours = placement->launcher.rfind("graft", 0) == 0;
  if (args.nproc > 1 && !(ours && placement->world_size == args.nproc)) {
    throw io::UsageError("--nproc " + std::to_string(args.nproc) + " starts local workers, but this process already is "
                         "worker " + std::to_string(placement->rank) + " of " + std::to_string(placement->world_size) +
                         " of a " + placement->launcher + " run; leave --nproc out");
  }
  if (placement->world_size == 1) return nullptr;
  gnn::ProcessGroupOptions options;
  options.rank = placement->rank;
  options.world_size = placement->world_size;
  options.master_addr = placement->master_addr;
  options.master_port = placement->master_port;
  options.timeout = std::chrono::seconds(args.timeout_seconds);
  options.backend = backend;
  std::shared_ptr<gnn::Communicator> group = gnn::join_process_group(options);
  if (group->rank() == 0) {
    std::cerr << "data parallel: " << group->world_size() << " workers (" << placement->launcher << ", " << backend
              << ", rendezvous " << options.master_addr << ":" << options.master_port << ")\n";
  }
  return group;
}

QuietUnlessRankZero::QuietUnlessRankZero(const gnn::Communicator* communicator) {
  if (gnn::writes_outputs(communicator)) return;
  out_ = std::cout.rdbuf(&discard_);
  err_ = std::cerr.rdbuf(&discard_);
}

QuietUnlessRankZero::~QuietUnlessRankZero() {
  if (out_ != nullptr) std::cout.rdbuf(out_);
  if (err_ != nullptr) std::cerr.rdbuf(err_);
}

}  // namespace graft::cli
