// Sampled-subgraph training: blocks with every neighbour give the seeds' full-graph
// representations and gradients, and a run of sampled steps equals a run of full-graph steps; the
// frontiers nest with the seeds first; fan-outs keep k neighbours per row with the row rescaled;
// draws are reproducible whatever the thread count; bad options are refused by name.
#include <gtest/gtest.h>

#include <cmath>

#include "gnn/models.h"
#include "gnn/neighbor_sampler.h"
#include "gnn/row_adam.h"
#include "gnn/spmm.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "tests/gnn/planted_lightgcn.h"
#include "tests/support/test_support.h"

namespace graft::gnn {
namespace {

class SampledTraining : public PlantedLightGcn {
 protected:
  static TrainOptions options(const std::string& graph, std::vector<int64_t> fanouts = {}) {
    TrainOptions o;
    o.epochs = 2;
    o.batch_size = 100;
    o.lr = 0.05;
    o.threads = 2;
    o.graph = graph;
    o.fanouts = std::move(fanouts);
    return o;
  }
};

TEST_F(SampledTraining, EveryNeighbourGivesTheFullGraphRepresentationsAndGradients) {
  auto full = model(), sampled = model();
  const NeighborSampler neighbors(*full->propagation_graph(), {0, 0, 0});
  ASSERT_TRUE(neighbors.exact());
  const SampledBlocks blocks = neighbors.sample(seeds(), 7);
  const Representations reps = full->represent();
  const torch::Tensor all = torch::cat({reps.users, reps.items});
  const torch::Tensor expected = all.index_select(0, seeds());
  const torch::Tensor got = sampled->represent_seeds(blocks);
  EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-6)) << (got - expected).abs().max();

  const torch::Tensor weights = torch::randn(expected.sizes());
  (expected * weights).sum().backward();
  (got * weights).sum().backward();
  const torch::Tensor g_full = full->parameters()[0].grad(), g_sampled = sampled->parameters()[0].grad();
  EXPECT_GT(g_full.abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(g_sampled, g_full, 1e-5, 1e-7)) << (g_sampled - g_full).abs().max();
}

TEST_F(SampledTraining, FrontiersNestWithTheSeedsFirst) {
  auto m = model();
  const NeighborSampler neighbors(*m->propagation_graph(), {0, 0, 0});
  const SampledBlocks blocks = neighbors.sample(seeds(), 7);
  ASSERT_EQ(blocks.sizes.size(), 4u);
  ASSERT_EQ(blocks.blocks.size(), 3u);
  EXPECT_EQ(blocks.seeds(), 5);
  EXPECT_TRUE(torch::equal(blocks.nodes.narrow(0, 0, 5), seeds()));
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_GE(blocks.sizes[l], blocks.sizes[l + 1]);
    EXPECT_EQ(blocks.blocks[l].rows(), blocks.sizes[l + 1]);
    EXPECT_EQ(blocks.blocks[l].cols(), blocks.sizes[l]);
  }
  // The seeds' neighbours: user 3 took 5 items, items are taken by about 10 users each.
  const SparseGraph& graph = *m->propagation_graph();
  const torch::Tensor degree = graph.csr().row_ptr.narrow(0, 1, graph.rows()) - graph.csr().row_ptr.narrow(0, 0, graph.rows());
  EXPECT_EQ(blocks.blocks[2].nnz(), degree.index_select(0, seeds()).sum().item<int64_t>());
  EXPECT_LE(blocks.nodes.size(0), graph.rows());
}

// Random-walk normalisation: every full row sums to 1, so every rescaled sampled row must too.
TEST_F(SampledTraining, FanoutsKeepKNeighboursAndRescaleTheRow) {
  const torch::Tensor users = torch::tensor(data.domains[0].interactions.user, torch::kInt64);
  const torch::Tensor items = torch::tensor(data.domains[0].interactions.item, torch::kInt64) + kUsers;
  const int64_t n = kUsers + kClusters * kItemsPerCluster;
  const SparseGraph adjacency = SparseGraph::from_coo(n, n, torch::cat({users, items}), torch::cat({items, users}),
                                                      torch::ones({2 * users.size(0)}));
  const SparseGraph walk = normalize(adjacency, Normalization::kRandomWalk, false);
  const NeighborSampler neighbors(walk, {2, 3, 4});
  const SampledBlocks blocks = neighbors.sample(seeds(), 11);
  const std::vector<int64_t> fanouts = {2, 3, 4};
  for (size_t l = 0; l < 3; ++l) {
    const SparseGraph& b = blocks.blocks[l];
    const torch::Tensor row_nnz = b.csr().row_ptr.narrow(0, 1, b.rows()) - b.csr().row_ptr.narrow(0, 0, b.rows());
    EXPECT_LE(row_nnz.max().item<int64_t>(), fanouts[l]) << "layer " << l;
    const torch::Tensor sums = spmm(b, torch::ones({b.cols(), 1})).squeeze(1);
    EXPECT_TRUE(torch::allclose(sums, torch::ones({b.rows()}), 1e-5, 1e-6)) << "layer " << l << ": " << sums;
  }
  const NeighborSampler all(walk, {0, 0, 0});
  EXPECT_LT(blocks.edges(), all.sample(seeds(), 11).edges());
}

TEST_F(SampledTraining, DrawsAreReproducibleWhateverTheThreads) {
  auto m = model();
  const NeighborSampler neighbors(*m->propagation_graph(), {2, 2, 2});
  set_num_threads(1);
  const SampledBlocks one = neighbors.sample(seeds(), 5);
  set_num_threads(2);
  const SampledBlocks two = neighbors.sample(seeds(), 5);
  const SampledBlocks other = neighbors.sample(seeds(), 6);
  EXPECT_TRUE(torch::equal(one.nodes, two.nodes));
  for (size_t l = 0; l < 3; ++l) EXPECT_TRUE(torch::equal(one.blocks[l].csr().col, two.blocks[l].csr().col));
  EXPECT_FALSE(torch::equal(one.nodes, other.nodes) && one.edges() == other.edges() &&
               torch::equal(one.blocks[0].csr().col, other.blocks[0].csr().col));
}

TEST_F(SampledTraining, UnlimitedSampledStepsTrainAsFullGraphSteps) {
  auto full = model(), sampled = model();
  const TrainResult a = train(*full, sampler, options("full"));
  const TrainResult b = train(*sampled, sampler, options("sampled"));
  ASSERT_EQ(a.history.size(), b.history.size());
  EXPECT_EQ(a.history[0].nodes_per_step, 0.0);
  EXPECT_GT(b.history[0].nodes_per_step, 0.0);
  EXPECT_LE(b.history[0].nodes_per_step, static_cast<double>(kUsers + kClusters * kItemsPerCluster));
  for (size_t e = 0; e < a.history.size(); ++e) EXPECT_NEAR(a.history[e].loss, b.history[e].loss, 1e-5) << e;
  const torch::Tensor pa = full->parameters()[0], pb = sampled->parameters()[0];
  EXPECT_TRUE(torch::allclose(pa, pb, 1e-4, 1e-5)) << (pa - pb).abs().max();
}

TEST_F(SampledTraining, SampledStepsWithFanoutsLearnThePlantedClusters) {
  auto m = model();
  TrainOptions o = options("sampled", {5, 5, 5});
  o.epochs = 30;
  std::vector<int64_t> batches_seen;
  Monitor monitor;
  monitor.on_batch = [&](int64_t epoch, int64_t done, int64_t batches, double) {
    if (epoch == 1) batches_seen.push_back(done * 100 + batches);
  };
  train(*m, sampler, o, monitor);
  EXPECT_EQ(batches_seen, (std::vector<int64_t>{106, 206, 306, 406, 506, 606}));  // 600 triples, batch 100
  const double recall = make_evaluator("full", data, "shop", part, EvalSet::kTest, {{5}, 0})->evaluate(*m).at("recall@5");
  EXPECT_GT(recall, 0.3);  // random ranking ≈ 0.09
}

// Every row in every step: row-wise Adam is Adam.
TEST(RowAdam, OnEveryRowItIsAdam) {
  torch::manual_seed(3);
  const torch::Tensor start = torch::randn({5, 3}, torch::kFloat64);
  torch::Tensor dense = start.clone().requires_grad_();
  const torch::Tensor rows = start.clone();
  torch::optim::Adam adam({dense}, torch::optim::AdamOptions(0.1));
  RowAdam row_adam(rows, 0.1);
  const torch::Tensor all = torch::arange(5);
  for (int k = 0; k < 4; ++k) {
    const torch::Tensor grad = torch::randn({5, 3}, torch::kFloat64);
    adam.zero_grad();
    (dense * grad).sum().backward();  // the gradient is `grad`
    adam.step();
    row_adam.step(all.flip(0), grad.flip(0));  // any row order
  }
  EXPECT_TRUE(torch::allclose(rows, dense.detach(), 1e-12, 1e-12)) << rows - dense;
}

TEST(RowAdam, RowsOutsideTheStepKeepValueAndMoments) {
  const torch::Tensor table = torch::ones({4, 2}, torch::kFloat64);
  RowAdam adam(table, 0.5);
  adam.step(torch::tensor({int64_t{1}, int64_t{3}}), torch::ones({2, 2}, torch::kFloat64));
  EXPECT_TRUE(torch::equal(table[0], torch::ones({2}, torch::kFloat64)));
  EXPECT_TRUE(torch::equal(table[2], torch::ones({2}, torch::kFloat64)));
  EXPECT_TRUE(torch::allclose(table[1], torch::full({2}, 0.5, torch::kFloat64)));  // the first step moves by lr
  adam.step(torch::tensor({int64_t{0}}), -torch::ones({1, 2}, torch::kFloat64));
  // Row 0's first moments at step 2, bias-corrected by the steps taken (as SparseAdam):
  // m = −0.1 / (1 − 0.9²), v = 0.001 / (1 − 0.999²).
  const double expected = 1.0 + 0.5 * (0.1 / (1 - 0.81)) / (std::sqrt(0.001 / (1 - 0.998001)) + 1e-8);
  EXPECT_TRUE(torch::allclose(table[0], torch::full({2}, expected, torch::kFloat64), 1e-12, 1e-12)) << table[0];
  EXPECT_TRUE(torch::allclose(table[1], torch::full({2}, 0.5, torch::kFloat64)));  // untouched by step 2
}

TEST_F(SampledTraining, LazyAdamLearnsThePlantedClustersTouchingOnlyTheStepsRows) {
  auto m = model();
  TrainOptions o = options("sampled", {5, 5, 5});
  o.optimizer = "lazy_adam";
  o.epochs = 30;
  train(*m, sampler, o);
  const double recall = make_evaluator("full", data, "shop", part, EvalSet::kTest, {{5}, 0})->evaluate(*m).at("recall@5");
  EXPECT_GT(recall, 0.3);  // random ranking ≈ 0.09
}

TEST_F(SampledTraining, BadOptionsAreRefusedByName) {
  {
    auto m = model();
    TrainOptions o = options("full");
    o.optimizer = "lazy_adam";
    EXPECT_THROW(train(*m, sampler, o), io::UsageError);  // needs graph sampled
    o = options("sampled");
    o.optimizer = "sgd";
    EXPECT_THROW(train(*m, sampler, o), io::UsageError);
  }
  auto m = model();
  EXPECT_THROW(train(*m, sampler, options("half")), io::UsageError);
  EXPECT_THROW(train(*m, sampler, options("sampled", {5, -1, 5})), io::UsageError);
  EXPECT_THROW(train(*m, sampler, options("full", {5, 5, 5})), io::UsageError);
  EXPECT_THROW(train(*m, sampler, options("sampled", {5, 5})), io::UsageError);  // 3 layers
  EXPECT_THROW(train(*model("bprmf"), sampler, options("sampled")), io::UsageError);
  EXPECT_THROW(NeighborSampler(*m->propagation_graph(), {}), io::UsageError);
  const NeighborSampler neighbors(*m->propagation_graph(), {1});
  EXPECT_THROW(neighbors.sample(torch::tensor({int64_t{100000}}), 0), std::invalid_argument);
  EXPECT_EQ(describe_fanouts({0, 0}), "all");
  EXPECT_EQ(describe_fanouts({25, 10, 0}), "25,10,all");
}

}  // namespace
}  // namespace graft::gnn
