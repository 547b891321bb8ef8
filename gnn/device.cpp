#include "gnn/device.h"

#include "graph_io/errors.h"

namespace graft::gnn {

std::string device_problem(const std::string& text) {
  if (text == "cpu") return "";
  int64_t ordinal = -1;
  if (text.rfind("cuda:", 0) == 0) {
    const std::string digits = text.substr(5);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) {
      return "expected cpu, cuda or cuda:N with N a GPU's ordinal";
    }
    ordinal = std::stoll(digits);
  } else if (text != "cuda") {
    return "expected cpu, cuda or cuda:N";
  }
  if (!torch::cuda::is_available()) {
    return "no CUDA device is usable: this graft is built against a LibTorch without CUDA (Debian's libtorch-dev is "
           "CPU-only) or no GPU is visible; build against a CUDA LibTorch on a GPU machine, or use cpu";
  }
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (ordinal >= count) {
    return "this machine has " + std::to_string(count) + " CUDA device(s), cuda:0 to cuda:" + std::to_string(count - 1);
  }
  return "";
}

torch::Device resolve_device(const std::string& text, const std::string& option) {
  if (const std::string problem = device_problem(text); !problem.empty()) {
    throw io::UsageError(option + " '" + text + "': " + problem);
  }
  return torch::Device(text);
}

torch::Device device_of(const torch::nn::Module& model) {
  const auto parameters = model.parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

}  // namespace graft::gnn
