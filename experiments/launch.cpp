#include "experiments/launch.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gnn/communicator.h"
#include "graph_io/errors.h"

namespace graft::cli {

namespace {

// One launcher's rank and size variables.
struct RankVariables {
  const char* name;
  const char* rank;
  std::vector<const char*> sizes;  // the first one set is used
};

const std::vector<RankVariables>& launchers() {
  static const std::vector<RankVariables> all = {
      {"graft --nproc", "GRAFT_RANK", {"GRAFT_WORLD_SIZE"}},
      {"torchrun-style", "RANK", {"WORLD_SIZE"}},
      {"srun", "SLURM_PROCID", {"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"}},
      {"Open MPI", "OMPI_COMM_WORLD_RANK", {"OMPI_COMM_WORLD_SIZE"}},
      {"MPICH", "PMI_RANK", {"PMI_SIZE"}},
  };
  return all;
}

int whole_number(const char* variable, const char* text) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno != 0 || value < INT32_MIN || value > INT32_MAX) {
    throw io::UsageError(std::string("environment variable ") + variable + "='" + text + "' is not a whole number");
  }
  return static_cast<int>(value);
}

// Whether the launcher's variables say the run spans more than one node.
bool spans_nodes(const Getenv& getenv, const RankVariables& launcher, int world_size) {
  const auto number = [&](const char* name) {
    const char* text = getenv(name);
    return text ? whole_number(name, text) : 0;
  };
  if (std::strcmp(launcher.rank, "SLURM_PROCID") == 0) {
    return std::max(number("SLURM_STEP_NUM_NODES"), number("SLURM_JOB_NUM_NODES")) > 1;
  }
  if (std::strcmp(launcher.rank, "OMPI_COMM_WORLD_RANK") == 0) {
    const int local = number("OMPI_COMM_WORLD_LOCAL_SIZE");
    return local > 0 && local < world_size;
  }
  return false;
}

std::string describe(const RankVariables& launcher, const char* size_variable) {
  return std::string(launcher.name) + " (" + launcher.rank + ", " + size_variable + ")";
}

std::vector<std::string>& program_arguments() {
  static std::vector<std::string> arguments;
  return arguments;
}

// In the child: the worker's environment, then this program again. Never returns.
[[noreturn]] void exec_worker(int rank, int nproc, int port) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);  // a launcher that dies takes its workers along
  setenv("GRAFT_RANK", std::to_string(rank).c_str(), 1);
  setenv("GRAFT_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
  setenv("MASTER_ADDR", "127.0.0.1", 1);
  setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  std::vector<char*> argv;
  for (std::string& a : program_arguments()) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  std::cerr << "graft: --nproc: could not start worker " << rank << ": " << std::strerror(errno) << "\n";
  _exit(127);
}

struct Worker {
  int rank;
  pid_t pid;
  bool running = true;
};

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

// SIGTERM to every worker still running, SIGKILL to those still there after 5 s; reaps them.
void stop_workers(std::vector<Worker>& workers) {
  for (const Worker& w : workers) {
    if (w.running) kill(w.pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (Worker& w : workers) {
    while (w.running) {
      int status = 0;
      if (waitpid(w.pid, &status, WNOHANG) == w.pid) {
        w.running = false;
      } else if (std::chrono::steady_clock::now() > deadline) {
        kill(w.pid, SIGKILL);
        waitpid(w.pid, &status, 0);
        w.running = false;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
}

}  // namespace

std::optional<Placement> placement_from_environment(const Getenv& getenv) {
  for (const RankVariables& launcher : launchers()) {
    const char* rank_text = getenv(launcher.rank);
    if (rank_text == nullptr) continue;
    const char* size_variable = nullptr;
    for (const char* name : launcher.sizes) {
      if (getenv(name) != nullptr) {
        size_variable = name;
        break;
      }
    }
    if (size_variable == nullptr) {
      throw io::UsageError(std::string("environment variable ") + launcher.rank + " is set but " + launcher.sizes[0] +
                           " is not: the world size of the " + launcher.name + " run is unknown");
    }
    Placement p;
    p.launcher = describe(launcher, size_variable);
    p.rank = whole_number(launcher.rank, rank_text);
    p.world_size = whole_number(size_variable, getenv(size_variable));
    if (p.world_size < 1) {
      throw io::UsageError(std::string("environment variable ") + size_variable + "=" + std::to_string(p.world_size) +
                           ": the world size must be at least 1");
    }
    if (p.rank < 0 || p.rank >= p.world_size) {
      throw io::UsageError(std::string("environment variable ") + launcher.rank + "=" + std::to_string(p.rank) +
                           " is outside [0, " + size_variable + "=" + std::to_string(p.world_size) + ")");
    }
    if (const char* addr = getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') {
      p.master_addr = addr;
    } else if (p.world_size > 1 && spans_nodes(getenv, launcher, p.world_size)) {
      throw io::UsageError("a " + std::string(launcher.name) + " run over several nodes needs MASTER_ADDR, the address of rank 0's node (scripts/slurm_train.sh sets it)");
    }
    if (const char* port = getenv("MASTER_PORT"); port != nullptr) {
      p.master_port = whole_number("MASTER_PORT", port);
      if (p.master_port < 1 || p.master_port > 65535) {
        throw io::UsageError("environment variable MASTER_PORT=" + std::to_string(p.master_port) + " is outside [1, 65535]");
      }
    }
    return p;
  }
  return std::nullopt;
}

std::optional<Placement> placement_from_environment() {
  return placement_from_environment([](const char* name) { return std::getenv(name); });
}

std::string process_label() {
  try {
    const std::optional<Placement> p = placement_from_environment();
    if (p && p->world_size > 1) return "graft[rank " + std::to_string(p->rank) + "/" + std::to_string(p->world_size) + "]";
  } catch (const std::exception&) {
  }
  return "graft";
}

void set_program_arguments(int argc, char** argv) { program_arguments().assign(argv, argv + argc); }

int launch_local_workers(int nproc) {
  const int port = gnn::free_local_port();
  std::cerr << "graft: starting " << nproc << " workers (c10d rendezvous 127.0.0.1:" << port << ")\n";
  std::vector<Worker> workers;
  for (int rank = 0; rank < nproc; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) {
      stop_workers(workers);
      throw std::runtime_error(std::string("--nproc: fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) exec_worker(rank, nproc, port);
    workers.push_back({rank, pid});
  }
  for (size_t finished = 0; finished < workers.size();) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (Worker& w : workers) {
      if (w.pid != pid || !w.running) continue;
      w.running = false;
      ++finished;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;
      std::cerr << "graft: worker " << w.rank << " of " << nproc << " (pid " << pid << ") " << how_it_ended(status)
                << "; stopping the other workers\n";
      stop_workers(workers);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
  }
  return 0;
}

}  // namespace graft::cli
