// c10d's TCPStore and ProcessGroupGloo (and ProcessGroupNCCL where LibTorch was built with it)
// behind gnn/communicator.h. The only translation unit that includes c10d.
// ProcessGroupGloo.hpp declares its class only under this macro, which LibTorch sets for its own build.
#define USE_C10D_GLOO 1

#include "gnn/communicator.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "graph_io/errors.h"

namespace graft::gnn {

namespace {

std::string where(const ProcessGroupOptions& o) {
  return "rank " + std::to_string(o.rank) + " of " + std::to_string(o.world_size) + ", rendezvous " + o.master_addr +
         ":" + std::to_string(o.master_port);
}

// c10::Error's what() carries a C++ backtrace; a worker's last line needs the message only.
std::string message_of(const std::exception& e) {
  if (const auto* error = dynamic_cast<const c10::Error*>(&e)) return error->what_without_backtrace();
  return e.what();
}

// Runs one collective and waits for it; a failure (a peer that died, a timeout) is rethrown
// naming the collective, so the worker's last line says what it was doing.
template <typename Start>
void wait_for(const char* collective, const ProcessGroupOptions& o, Start&& start) {
  try {
    start()->wait(std::chrono::milliseconds(o.timeout));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("data-parallel ") + collective + " failed (" + where(o) +
                             "): another worker died, hung or timed out after " + std::to_string(o.timeout.count()) +
                             " s: " + message_of(e));
  }
}

class ProcessGroupCommunicator : public Communicator {
 public:
  ProcessGroupCommunicator(ProcessGroupOptions options, c10::intrusive_ptr<c10d::Store> store,
                           c10::intrusive_ptr<c10d::ProcessGroup> group)
      : options_(std::move(options)), store_(std::move(store)), group_(std::move(group)) {}

  int rank() const override { return options_.rank; }
  int world_size() const override { return options_.world_size; }

  void all_reduce_sum(torch::Tensor& tensor) override {
    std::vector<at::Tensor> tensors{tensor};
    wait_for("all-reduce", options_, [&] { return group_->allreduce(tensors); });
  }

  void broadcast(torch::Tensor& tensor, int root) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    wait_for("broadcast", options_, [&] { return group_->broadcast(tensors, options); });
  }

  std::vector<torch::Tensor> all_gather(const torch::Tensor& mine) override {
    std::vector<std::vector<at::Tensor>> out(1);
    for (int r = 0; r < options_.world_size; ++r) out[0].push_back(torch::empty_like(mine));
    std::vector<at::Tensor> in{mine.contiguous()};
    wait_for("all-gather", options_, [&] { return group_->allgather(out, in); });
    return out[0];
  }

  void barrier() override {
    wait_for("barrier", options_, [&] { return group_->barrier(); });
  }

 private:
  ProcessGroupOptions options_;
  c10::intrusive_ptr<c10d::Store> store_;  // the group reads it while it lives
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
};

c10::intrusive_ptr<c10d::Store> rendezvous(const ProcessGroupOptions& o) {
  c10d::TCPStoreOptions store;
  store.port = static_cast<uint16_t>(o.master_port);
  store.isServer = o.rank == 0;
  store.numWorkers = o.world_size;
  store.waitWorkers = true;
  store.timeout = o.timeout;
  try {
    return c10::make_intrusive<c10d::TCPStore>(o.master_addr, store);
  } catch (const std::exception& e) {
    throw std::runtime_error("data-parallel rendezvous failed (" + where(o) + "): " +
                             (o.rank == 0 ? "could not serve it or not every worker arrived"
                                          : "could not reach it (check MASTER_ADDR and MASTER_PORT)") +
                             " within " + std::to_string(o.timeout.count()) + " s: " + message_of(e));
  }
}

c10::intrusive_ptr<c10d::ProcessGroup> gloo_group(const ProcessGroupOptions& o,
                                                   const c10::intrusive_ptr<c10d::Store>& store) {
  auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(o.timeout));
  // The interface that reaches the master is the one the peers reach each other on.
  options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(o.master_addr));
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, o.rank, o.world_size, options);
}

c10::intrusive_ptr<c10d::ProcessGroup> nccl_group(const ProcessGroupOptions& o,
                                                   const c10::intrusive_ptr<c10d::Store>& store) {
#ifdef USE_C10D_NCCL
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = std::chrono::milliseconds(o.timeout);
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, o.rank, o.world_size, options);
#else
  (void)o;
  (void)store;
  throw io::UsageError("data-parallel backend nccl: this LibTorch was built without NCCL (Debian's is CPU-only); "
                       "use the gloo backend");
#endif
}

}  // namespace

std::shared_ptr<Communicator> join_process_group(const ProcessGroupOptions& o) {
  if (o.world_size < 1) throw io::UsageError("data parallel: world size must be at least 1, got " + std::to_string(o.world_size));
  if (o.rank < 0 || o.rank >= o.world_size) {
    throw io::UsageError("data parallel: rank " + std::to_string(o.rank) + " is outside [0, " +
                         std::to_string(o.world_size) + ")");
  }
  if (o.master_port < 1 || o.master_port > 65535) {
    throw io::UsageError("data parallel: master port must be in [1, 65535], got " + std::to_string(o.master_port));
  }
  if (o.backend != "gloo" && o.backend != "nccl") {
    throw io::UsageError("data parallel: backend must be gloo or nccl, got '" + o.backend + "'");
  }
  c10::intrusive_ptr<c10d::Store> store = rendezvous(o);
  try {
    auto group = o.backend == "gloo" ? gloo_group(o, store) : nccl_group(o, store);
    return std::make_shared<ProcessGroupCommunicator>(o, std::move(store), std::move(group));
  } catch (const io::UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error("data-parallel process group failed to form (" + where(o) + "): " + message_of(e));
  }
}

void all_reduce_sum(Communicator& communicator, const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> flat;
  for (const auto& t : tensors) {
    if (t.defined()) flat.push_back(t.reshape({-1}));
  }
  if (flat.empty()) return;
  torch::Tensor buffer = torch::cat(flat);
  communicator.all_reduce_sum(buffer);
  int64_t offset = 0;
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    if (!t.defined()) continue;
    t.copy_(buffer.narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
}

void broadcast_from_rank0(Communicator& communicator, const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    torch::Tensor buffer = t.detach().contiguous().clone();
    communicator.broadcast(buffer, 0);
    t.copy_(buffer);
  }
}

RowGradient all_reduce_rows(Communicator& communicator, const RowGradient& mine) {
  // Gloo gathers equal shapes: every rank pads its rows to the longest count.
  const int64_t count = mine.rows.size(0), width = mine.grad.size(1);
  int64_t longest = 0;
  for (const torch::Tensor& c : communicator.all_gather(torch::tensor({count}, torch::kInt64))) {
    longest = std::max(longest, c.item<int64_t>());
  }
  const torch::Tensor rows = torch::cat({mine.rows, torch::full({longest - count}, -1, torch::kInt64)});
  const torch::Tensor grad = torch::cat({mine.grad, torch::zeros({longest - count, width}, mine.grad.options())});
  const torch::Tensor all_rows = torch::cat(communicator.all_gather(rows));
  const torch::Tensor all_grad = torch::cat(communicator.all_gather(grad));
  const torch::Tensor real = all_rows.ge(0).nonzero().view({-1});
  const auto [unique, inverse] = at::_unique(all_rows.index_select(0, real), /*sorted=*/true, /*return_inverse=*/true);
  torch::Tensor summed = torch::zeros({unique.size(0), width}, mine.grad.options());
  summed.index_add_(0, inverse, all_grad.index_select(0, real));
  return {unique, summed};
}

int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("no free local port: socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) throw std::runtime_error(std::string("no free local port: ") + std::strerror(errno));
  return ntohs(address.sin_port);
}

std::pair<int64_t, int64_t> shard_range(int64_t count, int rank, int world_size) {
  const auto at = [&](int r) { return count * r / world_size; };
  return {at(rank), at(rank + 1)};
}

}  // namespace graft::gnn
