// How a `graft train` or `graft transfer` process takes part in a data-parallel run, and the
// local launcher behind --nproc. This header needs no LibTorch: the process group itself is
// gnn/communicator.h.
//
// A worker learns its rank, the world size and the rendezvous from the environment, the way
// PyTorch's launchers say it:
//   GRAFT_RANK, GRAFT_WORLD_SIZE         graft's own --nproc launcher
//   RANK, WORLD_SIZE                     torchrun and most schedulers' wrappers
//   SLURM_PROCID, SLURM_STEP_NUM_TASKS   srun (SLURM_NTASKS where the step count is missing)
//   OMPI_COMM_WORLD_RANK, _SIZE          Open MPI's mpirun
//   PMI_RANK, PMI_SIZE                   MPICH's and Intel MPI's mpirun
// and MASTER_ADDR (rank 0's host; 127.0.0.1 by default, required when the launcher says the
// run spans several nodes) and MASTER_PORT (29500 by default).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace graft::cli {

struct Placement {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string launcher;  // which variables said so, e.g. "srun (SLURM_PROCID, SLURM_STEP_NUM_TASKS)"
};

using Getenv = std::function<const char*(const char*)>;

// The placement the environment describes, or nullopt when no launcher's variables are set.
// UsageError naming the variable for a value that is not a whole number, a world size below 1,
// a rank outside [0, world size), a port outside [1, 65535], or a multi-node run without MASTER_ADDR.
std::optional<Placement> placement_from_environment(const Getenv& getenv);
std::optional<Placement> placement_from_environment();  // of this process

// "graft" alone, "graft[rank 1/2]" in a data-parallel worker: how messages name their process.
std::string process_label();

// Remembers main()'s arguments, which the launcher re-executes.
void set_program_arguments(int argc, char** argv);

// Starts this program again as `nproc` (≥ 1, checked by the caller) workers on this machine (GRAFT_RANK, GRAFT_WORLD_SIZE,
// MASTER_ADDR=127.0.0.1 and a free MASTER_PORT), waits for them and returns the run's exit code:
// 0 when all succeeded; when one fails or is killed, a message naming it, the others stopped
// (SIGTERM, then SIGKILL after 5 s) and its exit code (1 for a signal).
int launch_local_workers(int nproc);

// Thrown by a command that wants main() to return `code` (the launcher's, say).
struct ExitStatus {
  int code;
};

}  // namespace graft::cli
