// The device option: names are checked, CUDA where this build or machine has none is refused
// with the reason, models that cannot move say so, and a LightGCN moved to the CPU trains as before.
#include <gtest/gtest.h>

#include "gnn/device.h"
#include "gnn/models.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "tests/gnn/planted_dataset.h"

namespace graft::gnn {
namespace {

TEST(Device, NamesAreCheckedAndCpuIsAlwaysThere) {
  EXPECT_EQ(device_problem("cpu"), "");
  EXPECT_EQ(resolve_device("cpu", "--device"), torch::Device(torch::kCPU));
  EXPECT_EQ(device_problem("gpu"), "expected cpu, cuda or cuda:N");
  EXPECT_EQ(device_problem("cuda:"), "expected cpu, cuda or cuda:N with N a GPU's ordinal");
  EXPECT_EQ(device_problem("cuda:-1"), "expected cpu, cuda or cuda:N with N a GPU's ordinal");
  try {
    resolve_device("cuda:x", "--device");
    FAIL() << "cuda:x accepted";
  } catch (const io::UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--device 'cuda:x': expected cpu, cuda or cuda:N with N a GPU's ordinal");
  }
}

TEST(Device, CudaWithoutAGpuIsRefusedWithTheReason) {
  if (torch::cuda::is_available()) {
    EXPECT_EQ(device_problem("cuda"), "");
    const int64_t past = static_cast<int64_t>(torch::cuda::device_count());
    EXPECT_NE(device_problem("cuda:" + std::to_string(past)).find("CUDA device(s)"), std::string::npos);
  } else {
    for (const std::string name : {"cuda", "cuda:0", "cuda:3"}) {
      EXPECT_NE(device_problem(name).find("no CUDA device is usable"), std::string::npos) << name;
      EXPECT_THROW(resolve_device(name, "--device"), io::UsageError) << name;
    }
  }
}

TEST(Device, ModelsThatStayOnTheCpuSaySoAndLightGcnMovesToTheCpu) {
  const io::Dataset data = planted_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  ModelOptions options;
  options.name = "itemknn";
  const auto knn = make_recommender(options, data, "shop", part);
  knn->move_to(torch::kCPU);
  try {
    knn->move_to(torch::Device(torch::kCUDA));  // refused before anything touches CUDA
    FAIL() << "itemknn moved to cuda";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("model itemknn runs on the CPU only"), std::string::npos) << e.what();
  }

  options.name = "lightgcn";
  options.dim = 8;
  options.layers = 2;
  const auto moved = make_recommender(options, data, "shop", part), kept = make_recommender(options, data, "shop", part);
  moved->move_to(torch::kCPU);
  EXPECT_EQ(device_of(*moved), torch::Device(torch::kCPU));
  TrainOptions train_options;
  train_options.epochs = 2;
  train_options.batch_size = 100;
  train_options.threads = 1;
  const NegativeSampler sampler = NegativeSampler::for_split(data, "shop", part);
  const TrainResult a = train(*moved, sampler, train_options), b = train(*kept, sampler, train_options);
  EXPECT_EQ(a.history.back().loss, b.history.back().loss);
}

}  // namespace
}  // namespace graft::gnn
