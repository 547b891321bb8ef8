// The cuSPARSE backend against graft's CPU kernel, in one run: the forward product Â·X (F = 64,
// float32) on the Gowalla-sized graph of gowalla_like_graph.h (70,839 nodes, 2 × 810,128 stored
// entries), with int32 and int64 indices:
//   SpmmCpu/index_bits:N       gnn::spmm on the CPU with every core (the baseline)
//   SpmmCusparse/index_bits:N  gnn::cuda::csr_spmm on GPU 0, operands already on the device, each
//                              product timed with CUDA events (manual time)
// Both report GFLOP/s = 2·nnz·F / time. SpmmCusparse also reports cpu_GFLOP/s (the CPU kernel on
// the same graph in the same process, median of 5 runs), gpu/cpu (the ratio of the two rates) and
// max_abs_diff (the largest difference between the two results). Without a CUDA device it says
// so and exits 0. It needs no CUDA LibTorch: the device side is the backend's raw-pointer API.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/gowalla_like_graph.h"
#include "gnn/cuda/cusparse_spmm.h"
#include "gnn/sparse_graph.h"
#include "gnn/spmm.h"

namespace {

using graft::gnn::SparseGraph;
namespace backend = graft::gnn::cuda;

constexpr int64_t kFeatures = 64;
constexpr int kDevice = 0;

void check(cudaError_t error, const char* what) {
  if (error != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(error));
}

SparseGraph graph_with_index_bits(int64_t bits) {
  const SparseGraph& graph = graft::bench::gowalla_like_graph();
  return bits == 32 ? graph.with_index_dtype(torch::kInt32) : graph;
}

const torch::Tensor& features() {
  static const torch::Tensor x = [] {
    torch::manual_seed(7);
    return torch::randn({graft::bench::gowalla_like_graph().cols(), kFeatures});
  }();
  return x;
}

double product_flops(const SparseGraph& g) { return 2.0 * static_cast<double>(g.nnz()) * kFeatures; }

torch::Tensor cpu_product(const SparseGraph& g) {
  torch::NoGradGuard no_grad;
  return graft::gnn::spmm(g, features());
}

// Seconds per CPU product, median of 5 after a warm-up; measured once per index width, since
// Google Benchmark calls a benchmark several times while it sizes the iteration count.
double cpu_seconds(const SparseGraph& g) {
  static std::map<torch::Dtype, double> measured;
  const auto found = measured.find(g.index_dtype());
  if (found != measured.end()) return found->second;
  graft::gnn::set_num_threads(0);
  cpu_product(g);
  std::vector<double> seconds;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(cpu_product(g).data_ptr());
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + 2, seconds.end());
  return measured[g.index_dtype()] = seconds[2];
}

// A copy of a CPU tensor in device memory, freed on destruction.
class DeviceCopy {
 public:
  explicit DeviceCopy(const torch::Tensor& host) : bytes_(host.numel() * host.element_size()) {
    const torch::Tensor contiguous = host.contiguous();
    check(cudaMalloc(&data_, bytes_), "cudaMalloc");
    check(cudaMemcpy(data_, contiguous.data_ptr(), bytes_, cudaMemcpyHostToDevice), "cudaMemcpy to device");
  }
  ~DeviceCopy() { cudaFree(data_); }
  DeviceCopy(const DeviceCopy&) = delete;
  DeviceCopy& operator=(const DeviceCopy&) = delete;
  void* data() const { return data_; }
  void copy_to(torch::Tensor& host) const {
    check(cudaMemcpy(host.data_ptr(), data_, bytes_, cudaMemcpyDeviceToHost), "cudaMemcpy to host");
  }

 private:
  size_t bytes_;
  void* data_ = nullptr;
};

// Records an event pair around work on the legacy default stream and reads the time between them.
class EventTimer {
 public:
  EventTimer() {
    check(cudaEventCreate(&start_), "cudaEventCreate");
    check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  void start() { check(cudaEventRecord(start_, nullptr), "cudaEventRecord"); }
  double stop_seconds() {
    check(cudaEventRecord(stop_, nullptr), "cudaEventRecord");
    check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return ms * 1e-3;
  }

 private:
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

void BM_SpmmCpu(benchmark::State& state) {
  graft::gnn::set_num_threads(0);
  const SparseGraph g = graph_with_index_bits(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(cpu_product(g).data_ptr());
  state.counters["GFLOP/s"] =
      benchmark::Counter(product_flops(g) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SpmmCusparse(benchmark::State& state) {
  const SparseGraph g = graph_with_index_bits(state.range(0));
  const auto& csr = g.csr();
  check(cudaSetDevice(kDevice), "cudaSetDevice");
  const DeviceCopy row_ptr(csr.row_ptr), col(csr.col), value(csr.value), x(features());
  torch::Tensor y = torch::empty({g.rows(), kFeatures});
  const DeviceCopy y_device(y);
  backend::CsrView a;
  a.rows = g.rows();
  a.cols = g.cols();
  a.nnz = g.nnz();
  a.row_ptr = row_ptr.data();
  a.col = col.data();
  a.value = value.data();
  a.index_type = g.index_dtype() == torch::kInt32 ? backend::IndexType::kInt32 : backend::IndexType::kInt64;
  a.value_type = backend::ValueType::kFloat32;

  backend::csr_spmm(a, x.data(), y_device.data(), kFeatures, kDevice, nullptr);  // warm-up: handle, workspace
  check(cudaDeviceSynchronize(), "the warm-up product");
  EventTimer timer;
  double total_seconds = 0;
  for (auto _ : state) {
    timer.start();
    backend::csr_spmm(a, x.data(), y_device.data(), kFeatures, kDevice, nullptr);
    const double seconds = timer.stop_seconds();
    state.SetIterationTime(seconds);
    total_seconds += seconds;
  }

  const double gpu_rate = product_flops(g) * static_cast<double>(state.iterations()) / total_seconds;
  const double cpu_rate = product_flops(g) / cpu_seconds(g);
  y_device.copy_to(y);
  state.counters["GFLOP/s"] = gpu_rate * 1e-9;
  state.counters["cpu_GFLOP/s"] = cpu_rate * 1e-9;
  state.counters["gpu/cpu"] = gpu_rate / cpu_rate;
  state.counters["max_abs_diff"] = (y - cpu_product(g)).abs().max().item<double>();
}

}  // namespace

BENCHMARK(BM_SpmmCpu)->ArgName("index_bits")->Arg(32)->Arg(64)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SpmmCusparse)
    ->ArgName("index_bits")
    ->Arg(32)
    ->Arg(64)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  int devices = 0;
  const cudaError_t error = cudaGetDeviceCount(&devices);
  if (error != cudaSuccess || devices == 0) {
    std::printf("bench_gnn_cusparse: no CUDA device (%s); nothing measured\n",
                error != cudaSuccess ? cudaGetErrorString(error) : "0 devices");
    return 0;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
