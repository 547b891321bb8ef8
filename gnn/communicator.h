// Data-parallel training's process group: PyTorch's own distributed layer (c10d), Gloo on the
// CPU (NCCL where LibTorch has it, for CUDA tensors). Every rank holds the whole model; the
// trainer gives each rank a shard of every mini-batch and sums the gradients here before the
// optimiser step, so all ranks take the same step.
//
// Rendezvous: rank 0 serves a c10d TCPStore at master_addr:master_port, the others connect.
// Every collective waits at most `timeout`: a rank that dies or hangs makes the others fail with
// a message naming the collective and the peer, never wait forever.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace graft::gnn {

struct ProcessGroupOptions {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::chrono::seconds timeout{300};  // rendezvous and every collective
  std::string backend = "gloo";       // "gloo" | "nccl"
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // In place: every rank ends with the element-wise sum over ranks. One dtype and device.
  virtual void all_reduce_sum(torch::Tensor& tensor) = 0;
  // In place: every rank ends with `root`'s values.
  virtual void broadcast(torch::Tensor& tensor, int root) = 0;
  // Every rank's `mine` (same shape and dtype on every rank), in rank order.
  virtual std::vector<torch::Tensor> all_gather(const torch::Tensor& mine) = 0;
  virtual void barrier() = 0;
};

// Joins the process group of `options` (blocks until every rank arrived, at most the timeout).
// UsageError for a rank outside [0, world_size) or an unknown backend; std::runtime_error naming
// master_addr:master_port when the rendezvous fails or times out.
std::shared_ptr<Communicator> join_process_group(const ProcessGroupOptions& options);

// Sums a list of tensors (say, every parameter's gradient) in one collective: flattened into one
// buffer, reduced, copied back. Undefined tensors are left alone.
void all_reduce_sum(Communicator& communicator, const std::vector<torch::Tensor>& tensors);

// Every rank gets rank 0's values of `tensors` (say, freshly initialised parameters).
void broadcast_from_rank0(Communicator& communicator, const std::vector<torch::Tensor>& tensors);

// A row-sparse gradient: distinct rows of a table and their gradient rows [rows, d].
struct RowGradient {
  torch::Tensor rows, grad;
};

// The sum over the ranks of each rank's row-sparse gradient (any rows, any count per rank,
// possibly none): the union of the rows, each with its gradient rows summed, in ascending row
// order on every rank. Sends each rank's rows only, never the table.
RowGradient all_reduce_rows(Communicator& communicator, const RowGradient& mine);

// A TCP port on 127.0.0.1 that no one listens on now (the kernel's pick for port 0), for a
// rendezvous on this machine. std::runtime_error when there is none.
int free_local_port();

// Whether this process writes a run's files and speaks for it: alone, or rank 0 of its group.
inline bool writes_outputs(const Communicator* communicator) {
  return communicator == nullptr || communicator->rank() == 0;
}

// Rows [first, last) of `count` rows that rank `rank` of `world_size` takes: contiguous, in rank
// order, sizes differing by at most one.
std::pair<int64_t, int64_t> shard_range(int64_t count, int rank, int world_size);

}  // namespace graft::gnn
