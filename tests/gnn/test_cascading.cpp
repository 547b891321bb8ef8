// The cascading multi-behaviour recommender: one stage is LightGCN on that behaviour's graph,
// two stages compose exactly as documented, the transforms train, and bad cascades are named.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "gnn/cascading.h"
#include "gnn/negative_sampler.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "tests/support/error_text.h"

namespace graft::gnn {
namespace {

// 6 users × 5 items: every user views 3 items, carts 1 of them and buys 1; all training.
io::Dataset behaviour_shop() {
  io::Dataset ds;
  io::Domain d;
  d.name = "shop";
  for (int i = 0; i < 5; ++i) d.item_ids.push_back("i" + std::to_string(i));
  io::DomainSplit part;
  part.domain = "shop";
  const auto add = [&](int64_t u, int64_t i, io::Behavior b) {
    part.train.push_back(static_cast<int64_t>(d.interactions.size()));
    d.interactions.user.push_back(u);
    d.interactions.item.push_back(i);
    d.interactions.behavior.push_back(static_cast<int8_t>(b));
  };
  for (int64_t u = 0; u < 6; ++u) {
    ds.user_ids.push_back("u" + std::to_string(u));
    for (int64_t k = 0; k < 3; ++k) add(u, (u + k) % 5, io::Behavior::kView);
    add(u, (u + 1) % 5, io::Behavior::kCart);
    add(u, (u + 2) % 5, io::Behavior::kBuy);
  }
  ds.domains.push_back(d);
  io::Split split;
  split.name = "given";
  split.parts.push_back(part);
  ds.splits.push_back(split);
  return ds;
}

ModelOptions cascading(std::vector<std::string> stages) {
  ModelOptions o;
  o.name = "cascading";
  o.dim = 4;
  o.layers = 2;
  o.seed = 3;
  o.cascade = std::move(stages);
  return o;
}

// The split's training interactions of one behaviour.
std::vector<int64_t> of_behaviour(const io::Dataset& ds, io::Behavior b) {
  std::vector<int64_t> out;
  for (const int64_t k : ds.splits[0].parts[0].train) {
    if (ds.domains[0].interactions.behavior[static_cast<size_t>(k)] == static_cast<int8_t>(b)) out.push_back(k);
  }
  return out;
}

TEST(Cascading, OneStageIsLightGcnOnThatBehavioursGraph) {
  const io::Dataset ds = behaviour_shop();
  const auto model = make_recommender(cascading({"buy"}), ds, "shop", ds.splits[0].parts[0]);
  io::DomainSplit buys = ds.splits[0].parts[0];
  buys.train = of_behaviour(ds, io::Behavior::kBuy);
  ModelOptions lightgcn = cascading({});
  lightgcn.name = "lightgcn";
  const auto reference = make_recommender(lightgcn, ds, "shop", buys);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(model->represent().users, reference->represent().users));
  EXPECT_TRUE(torch::allclose(model->represent().items, reference->represent().items));
}

TEST(Cascading, TwoStagesAddTheSecondStagePropagatingTheFirstsOutput) {
  const io::Dataset ds = behaviour_shop();
  const auto model = make_recommender(cascading({"pv", "buy"}), ds, "shop", ds.splits[0].parts[0]);
  const SparseGraph views = build_domain_graph(ds, "shop", of_behaviour(ds, io::Behavior::kView), {});
  const SparseGraph buys = build_domain_graph(ds, "shop", of_behaviour(ds, io::Behavior::kBuy), {});
  torch::NoGradGuard no_grad;
  const auto parameters = model->named_parameters();
  const torch::Tensor e = parameters["embedding"];
  const torch::Tensor wu = parameters["user_transform_1"], wi = parameters["item_transform_1"];
  const torch::Tensor h0 = lightgcn_propagate(views, e, 2);
  const torch::Tensor input = torch::cat({h0.narrow(0, 0, 6).mm(wu), h0.narrow(0, 6, 5).mm(wi)});
  const torch::Tensor h = h0 + lightgcn_propagate(buys, input, 2);
  const Representations r = model->represent();
  EXPECT_TRUE(torch::allclose(torch::cat({r.users, r.items}), h, 1e-5, 1e-6));
  // Users and items have their own transforms, seeded, small (N(0, 0.01²) as in MBCGCN.py).
  EXPECT_FALSE(torch::equal(wu, wi));
  EXPECT_LT(wu.abs().max().item<double>(), 0.06);
  const auto again = make_recommender(cascading({"pv", "buy"}), ds, "shop", ds.splits[0].parts[0]);
  EXPECT_TRUE(torch::equal(again->named_parameters()["item_transform_1"], wi));
}

TEST(Cascading, TrainingMovesTheTransformsAndLowersTheLoss) {
  const io::Dataset ds = behaviour_shop();
  const auto model = make_recommender(cascading({"pv", "cart", "buy"}), ds, "shop", ds.splits[0].parts[0]);
  io::DomainSplit buys = ds.splits[0].parts[0];
  buys.train = of_behaviour(ds, io::Behavior::kBuy);
  TrainOptions t;
  t.epochs = 40;
  t.batch_size = 6;
  t.lr = 0.01;
  t.threads = 1;
  t.eval_every = 40;
  const torch::Tensor before = model->named_parameters()["user_transform_2"].clone();
  const TrainResult result = train(*model, NegativeSampler::for_split(ds, "shop", buys), t);
  EXPECT_LT(result.history.back().loss, result.history.front().loss);
  EXPECT_FALSE(torch::equal(model->named_parameters()["user_transform_2"], before));
}

TEST(Cascading, TheL2CoversTheBatchsEmbeddingsAndEveryTransform) {
  const io::Dataset ds = behaviour_shop();
  const auto model = make_recommender(cascading({"pv", "cart", "buy"}), ds, "shop", ds.splits[0].parts[0]);
  torch::NoGradGuard no_grad;
  auto parameters = model->named_parameters();
  const torch::Tensor e = parameters["embedding"];
  double expected = (e[2].pow(2).sum() + e[6 + 1].pow(2).sum() + e[6 + 4].pow(2).sum()).item<double>();
  for (const char* name : {"user_transform_1", "item_transform_1", "user_transform_2", "item_transform_2"}) {
    expected += parameters[name].pow(2).sum().item<double>();
  }
  const torch::Tensor one = torch::tensor({1}, torch::kInt64);
  EXPECT_NEAR(model->batch_l2(torch::tensor({2}, torch::kInt64), one, torch::tensor({4}, torch::kInt64)).item<double>(),
              expected, 1e-6);
}

TEST(Cascading, BadCascadesAreNamed) {
  const io::Dataset ds = behaviour_shop();
  const io::DomainSplit& part = ds.splits[0].parts[0];
  const auto error = [&](std::vector<std::string> stages) {
    return testing::error_of([&] { make_recommender(cascading(std::move(stages)), ds, "shop", part); });
  };
  EXPECT_NE(error({"pv", "sale"}).find("unknown behaviour 'sale'"), std::string::npos);
  EXPECT_NE(error({"pv", "pv"}).find("'pv' appears twice"), std::string::npos);
  EXPECT_NE(error({"fav"}).find("'fav' has no training interactions"), std::string::npos);
  io::Dataset untyped = ds;
  untyped.domains[0].interactions.behavior.clear();
  const std::string message =
      testing::error_of([&] { make_recommender(cascading({"buy"}), untyped, "shop", untyped.splits[0].parts[0]); });
  EXPECT_NE(message.find("no behaviour column"), std::string::npos) << message;
}

}  // namespace
}  // namespace graft::gnn
