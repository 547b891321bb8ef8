// The layer-wise node budget of sampled subgraphs: no layer adds more nodes than the budget; a
// budget above the candidates changes nothing; budgeted blocks stay unbiased, so the mean of many
// budgeted LightGCN propagations is the full-graph representation; draws are reproducible; a run
// with a budget learns; bad budgets are refused by name.
#include <gtest/gtest.h>

#include "gnn/models.h"
#include "gnn/neighbor_sampler.h"
#include "gnn/spmm.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "tests/gnn/planted_lightgcn.h"

namespace graft::gnn {
namespace {

class NodeBudget : public PlantedLightGcn {};

TEST_F(NodeBudget, NoLayerAddsMoreThanTheBudget) {
  auto m = model();
  const NeighborSampler unbounded(*m->propagation_graph(), {0, 0, 0});
  const NeighborSampler budgeted(*m->propagation_graph(), {0, 0, 0}, 7);
  EXPECT_FALSE(budgeted.exact());
  const SampledBlocks all = unbounded.sample(seeds(), 3), some = budgeted.sample(seeds(), 3);
  ASSERT_GT(all.sizes[2] - all.sizes[3], 7);  // the budget binds
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_LE(some.sizes[l] - some.sizes[l + 1], 7) << "layer " << l;
    EXPECT_EQ(some.blocks[l].rows(), some.sizes[l + 1]);
    EXPECT_EQ(some.blocks[l].cols(), some.sizes[l]);
  }
  EXPECT_TRUE(torch::equal(some.nodes.narrow(0, 0, 5), seeds()));
  EXPECT_LE(some.nodes.size(0), 5 + 3 * 7);
}

TEST_F(NodeBudget, ABudgetAboveTheCandidatesChangesNothing) {
  auto m = model();
  const NeighborSampler unbounded(*m->propagation_graph(), {3, 3, 3});
  const NeighborSampler generous(*m->propagation_graph(), {3, 3, 3}, 1'000'000);
  const SampledBlocks a = unbounded.sample(seeds(), 9), b = generous.sample(seeds(), 9);
  EXPECT_TRUE(torch::equal(a.nodes, b.nodes));
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(torch::equal(a.blocks[l].csr().col, b.blocks[l].csr().col));
    EXPECT_TRUE(torch::equal(a.blocks[l].csr().value, b.blocks[l].csr().value));
  }
}

// Each budgeted block is unbiased given its frontier, and the propagation is linear in the blocks,
// so its mean over draws is the full-graph representation of the seeds.
TEST_F(NodeBudget, TheMeanOfBudgetedPropagationsIsTheFullGraphRepresentation) {
  auto m = model();
  const Representations reps = m->represent();
  const torch::Tensor expected = torch::cat({reps.users, reps.items}).index_select(0, seeds()).detach();
  const NeighborSampler budgeted(*m->propagation_graph(), {0, 0, 0}, 6);
  const torch::Tensor table = m->node_table().detach();
  torch::NoGradGuard no_grad;
  const int draws = 4000;
  torch::Tensor sum = torch::zeros_like(expected);
  double biggest_miss = 0.0;
  for (int d = 0; d < draws; ++d) {
    const SampledBlocks blocks = budgeted.sample(seeds(), static_cast<uint64_t>(d));
    const torch::Tensor one = m->propagate_seeds(blocks, table.index_select(0, blocks.nodes));
    biggest_miss = std::max(biggest_miss, (one - expected).norm().item<double>());
    sum += one;
  }
  const double error = ((sum / draws) - expected).norm().item<double>() / expected.norm().item<double>();
  EXPECT_LT(error, 0.03);  // without the max(1, τ / w) scale: 0.33
  EXPECT_GT(biggest_miss / expected.norm().item<double>(), 0.1);  // one draw alone is far off
}

TEST_F(NodeBudget, DrawsAreReproducibleWhateverTheThreads) {
  auto m = model();
  const NeighborSampler budgeted(*m->propagation_graph(), {4, 4, 4}, 5);
  set_num_threads(1);
  const SampledBlocks one = budgeted.sample(seeds(), 5);
  set_num_threads(2);
  const SampledBlocks two = budgeted.sample(seeds(), 5);
  EXPECT_TRUE(torch::equal(one.nodes, two.nodes));
  for (size_t l = 0; l < 3; ++l) EXPECT_TRUE(torch::equal(one.blocks[l].csr().value, two.blocks[l].csr().value));
}

TEST_F(NodeBudget, StepsWithinABudgetLearnThePlantedClusters) {
  auto m = model();
  TrainOptions o;
  o.epochs = 30;
  o.batch_size = 100;
  o.lr = 0.05;
  o.threads = 2;
  o.graph = "sampled";
  o.fanouts = {5, 5, 5};
  o.node_budget = 40;
  o.optimizer = "lazy_adam";
  const TrainResult result = train(*m, sampler, o);
  const double nodes = result.history.at(0).nodes_per_step;
  EXPECT_GT(nodes, 40.0);
  EXPECT_LE(nodes, 3 * 100 + 3 * 40);  // at most 3 seeds a triple and 40 new nodes a layer
  const double recall = make_evaluator("full", data, "shop", part, EvalSet::kTest, {{5}, 0})->evaluate(*m).at("recall@5");
  EXPECT_GT(recall, 0.3);  // random ranking ≈ 0.09
}

TEST_F(NodeBudget, BadBudgetsAreRefusedByName) {
  TrainOptions o;
  o.graph = "sampled";
  o.node_budget = -1;
  EXPECT_THROW(validate(o), io::UsageError);
  o.graph = "full";
  o.node_budget = 100;
  try {
    validate(o);
    FAIL() << "a node budget on full-graph steps was accepted";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("node_budget"), std::string::npos) << e.what();
  }
  EXPECT_EQ(describe_node_budget(0), "none");
  EXPECT_EQ(describe_node_budget(2048), "2048");
}

}  // namespace
}  // namespace graft::gnn
