// The fixture of the sampled-training tests: the planted dataset, its split and negative
// sampler, LightGCN models over it, and a few seed nodes (users and items) to sample around.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gnn/models.h"
#include "gnn/negative_sampler.h"
#include "tests/gnn/planted_dataset.h"

namespace graft::gnn {

class PlantedLightGcn : public ::testing::Test {
 protected:
  const io::Dataset data = planted_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  const NegativeSampler sampler = NegativeSampler::for_split(data, "shop", part);

  std::shared_ptr<Recommender> model(const std::string& name = "lightgcn", int64_t layers = 3) {
    ModelOptions options;
    options.name = name;
    options.dim = 8;
    options.layers = layers;
    return make_recommender(options, data, "shop", part);
  }

  // Users 3, 50, 117 and items 0, 31 (node ids after the users).
  static torch::Tensor seeds() { return torch::tensor({int64_t{3}, int64_t{50}, int64_t{117}, kUsers, kUsers + 31}); }
};

}  // namespace graft::gnn
