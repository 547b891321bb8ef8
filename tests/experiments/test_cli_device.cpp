// The device option through the binary: `graft train --device`, `graft transfer --device` and
// the YAML key refuse what this machine cannot do, naming the option or the file and line.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "tests/support/test_support.h"

namespace graft {
namespace {

using testing::run_graft;

TEST(CliDevice, CudaWithoutAGpuAndBadNamesAreUsageErrors) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has CUDA";
  testing::TempDir dir;
  std::string output;
  const std::string data = dir.file("s.h5");
  ASSERT_EQ(run_graft("data generate --preset scale --interactions 5K -o " + data, &output), 0) << output;
  ASSERT_EQ(run_graft("data split " + data + " --kind ratio --negatives 0", &output), 0) << output;
  const std::string train = "train --data " + data + " --domain main --split ratio --epochs 1 --dim 8 --device ";
  EXPECT_EQ(run_graft(train + "cuda", &output), 2) << output;
  EXPECT_NE(output.find("--device 'cuda': no CUDA device is usable"), std::string::npos) << output;
  EXPECT_EQ(run_graft(train + "tpu", &output), 2) << output;
  EXPECT_NE(output.find("--device 'tpu': expected cpu, cuda or cuda:N"), std::string::npos) << output;
  EXPECT_EQ(run_graft(train + "cpu", &output), 0) << output;

  EXPECT_EQ(run_graft("transfer --set data.generate=two-platform --source source --target target --device cuda:0", &output), 2)
      << output;
  EXPECT_NE(output.find("transfer option device 'cuda:0': no CUDA device is usable"), std::string::npos) << output;

  const std::string spec = dir.write("gpu.yaml",
                                     "experiment:\n  name: gpu\ndata:\n  generate: two-platform\nsource: source\n"
                                     "target: target\nmethod: finetune\ndevice: cuda\n");
  EXPECT_EQ(run_graft("run " + spec + " --runs " + dir.file("runs"), &output), 2) << output;
  EXPECT_NE(output.find("gpu.yaml:8: transfer option device 'cuda'"), std::string::npos) << output;
}

}  // namespace
}  // namespace graft
