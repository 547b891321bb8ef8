// spmm as an autograd function, plus the checks and the device dispatch in front of the
// kernels of spmm_kernels.h. The backward pass multiplies by the stored transpose instead of
// scattering with atomics, so it is as deterministic and as parallel as the forward pass.
#include "gnn/spmm.h"

#include <dlfcn.h>

#include <thread>

#include "gnn/spmm_kernels.h"

namespace graft::gnn {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

torch::Tensor csr_spmm(const Csr& a, int64_t rows, const torch::Tensor& x) {
  return x.is_cuda() ? detail::csr_spmm_cuda(a, rows, x) : detail::csr_spmm_cpu(a, rows, x);
}

torch::Tensor csr_sddmm(const Csr& a, int64_t rows, const torch::Tensor& dy, const torch::Tensor& x) {
  return x.is_cuda() ? detail::csr_sddmm_cuda(a, rows, dy, x) : detail::csr_sddmm_cpu(a, rows, dy, x);
}

// Y = A · X where A has the graph's pattern and `values` (CSR order) as entries.
class SpmmFunction : public torch::autograd::Function<SpmmFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const SparseGraph& graph, const torch::Tensor& x,
                               const torch::Tensor& values) {
    const Csr& a = graph.csr();
    const Csr& at = graph.csr_transpose();
    ctx->saved_data["rows"] = graph.rows();
    ctx->saved_data["cols"] = graph.cols();
    ctx->saved_data["row_ptr"] = a.row_ptr;
    ctx->saved_data["col"] = a.col;
    ctx->saved_data["t_row_ptr"] = at.row_ptr;
    ctx->saved_data["t_col"] = at.col;
    if (x.requires_grad()) {
      // The graph's own values already exist in transpose order; other values are permuted once.
      ctx->saved_data["t_value"] =
          values.is_same(a.value) ? at.value : values.index_select(0, graph.transpose_permutation());
    }
    // X is only needed for the gradient of the values.
    ctx->save_for_backward({values.requires_grad() ? x : torch::Tensor(), values});
    return csr_spmm({a.row_ptr, a.col, values}, graph.rows(), x);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const torch::Tensor dy = grad_outputs[0].contiguous();
    const variable_list saved = ctx->get_saved_variables();
    torch::Tensor dx, dvalues;
    if (ctx->needs_input_grad(0)) {
      const Csr at{ctx->saved_data["t_row_ptr"].toTensor(), ctx->saved_data["t_col"].toTensor(),
                   ctx->saved_data["t_value"].toTensor()};
      dx = csr_spmm(at, ctx->saved_data["cols"].toInt(), dy);
    }
    if (ctx->needs_input_grad(1)) {
      const Csr a{ctx->saved_data["row_ptr"].toTensor(), ctx->saved_data["col"].toTensor(), saved[1]};
      dvalues = csr_sddmm(a, ctx->saved_data["rows"].toInt(), dy, saved[0]);
    }
    return {torch::Tensor(), dx, dvalues};
  }
};

}  // namespace

torch::Tensor spmm(const SparseGraph& graph, const torch::Tensor& x, const torch::Tensor& edge_values) {
  TORCH_CHECK(graph.csr().row_ptr.defined(), "spmm: the graph is empty (default-constructed)");
  TORCH_CHECK(x.defined() && x.dim() == 2, "spmm: x must be a 2-D tensor [cols, F], got ",
              x.defined() ? x.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(x.size(0) == graph.cols(), "spmm: x has ", x.size(0), " rows but the graph has ", graph.cols(),
              " columns");
  TORCH_CHECK(x.device() == graph.device(), "spmm: x is on ", x.device(), " but the graph is on ",
              graph.device());
  TORCH_CHECK(x.device().is_cpu() || x.device().is_cuda(), "spmm: unsupported device ", x.device().type());
  TORCH_CHECK(x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64,
              "spmm: unsupported dtype ", x.scalar_type(), " (float32 and float64 are supported)");
  const torch::Tensor values = edge_values.defined() ? edge_values : graph.csr().value;
  if (edge_values.defined()) {
    TORCH_CHECK(edge_values.dim() == 1 && edge_values.numel() == graph.nnz(),
                "spmm: edge_values must hold one value per edge (nnz = ", graph.nnz(), "), got shape ",
                edge_values.sizes());
    TORCH_CHECK(edge_values.device() == graph.device(), "spmm: edge_values are on ", edge_values.device(),
                " but the graph is on ", graph.device());
  }
  TORCH_CHECK(values.scalar_type() == x.scalar_type(), "spmm: x has dtype ", x.scalar_type(), " but the ",
              edge_values.defined() ? "edge values have" : "graph's values have", " dtype ", values.scalar_type());
  return SpmmFunction::apply(graph, x.contiguous(), values.contiguous());
}

namespace {

// OpenBLAS (Debian's libopenblas0-pthread, behind LibTorch's dense products) keeps its own thread
// pool beside LibTorch's OpenMP one, and on few cores the two pools spin against each other. With
// one BLAS thread, measured on Tmall (2 cores, 3 layers, dim 64): a LightGCN epoch 3.48 → 2.58 s,
// full-ranking evaluation 3.23 → 1.72 s, a relational epoch 17.5 → 10.1 s. Looked up at run time
// so that any other BLAS works unchanged.
void single_threaded_blas() {
  using SetThreads = void (*)(int);
  static const auto set_blas_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set_blas_threads != nullptr) set_blas_threads(1);
}

}  // namespace

void set_num_threads(int threads) {
  TORCH_CHECK(threads >= 0, "set_num_threads: threads must be non-negative, got ", threads);
  const unsigned all = std::thread::hardware_concurrency();
  at::set_num_threads(threads > 0 ? threads : static_cast<int>(all > 0 ? all : 1));
  single_threaded_blas();
}

}  // namespace graft::gnn
