// The training memory model on hand-computed sizes: each term from its bytes per node and per
// interaction, the sampled subgraph bounded by the fan-outs or a node budget, and the peak
// counting the largest of building the graph, training and evaluation.
#include <gtest/gtest.h>

#include "gnn/memory_model.h"

namespace graft::gnn {
namespace {

TEST(MemoryModel, TermsFromBytesPerNodeAndPerInteraction) {
  TrainingSize s;
  s.users = 600;
  s.items = 400;  // 1,000 nodes
  s.train_interactions = 8000;
  s.dataset_interactions = 10000;
  s.dim = 10;  // 40 bytes a row
  const MemoryEstimate m = estimate_training_memory(s);
  EXPECT_EQ(m.parameters, 1000 * 40 * 4);
  EXPECT_EQ(m.propagation, 1000 * 40 * 6);
  EXPECT_EQ(m.graph, 64 * 8000 + 16 * 1000);
  EXPECT_EQ(m.triples, 32 * 8000);
  EXPECT_EQ(m.data, 32 * 10000);
  EXPECT_EQ(m.evaluation, 1024 * 400 * 8);  // larger than propagation here
  EXPECT_EQ(m.construction, 264 * 8000);      // smaller than training here
  EXPECT_EQ(m.total(), m.parameters + m.graph + m.data + m.process + m.evaluation + m.triples);
}

// Many interactions on few nodes: building the graph is the peak, not training.
TEST(MemoryModel, BuildingALargeGraphCanBeThePeak) {
  TrainingSize s;
  s.users = 600;
  s.items = 400;
  s.train_interactions = 100'000;
  s.dataset_interactions = 120'000;
  s.dim = 10;
  const MemoryEstimate m = estimate_training_memory(s);
  EXPECT_GT(m.construction, m.graph + m.evaluation + m.triples);
  EXPECT_EQ(m.total(), m.parameters + m.data + m.process + 264 * 100'000);
  EXPECT_NE(m.describe().find("construction 0.02"), std::string::npos) << m.describe();
}

TEST(MemoryModel, TheEvaluationBatchShrinksWithTheCatalogue) {
  TrainingSize s;
  s.items = 1'000'000;  // 256 MiB of float scores is 67 users of a million items
  EXPECT_EQ(estimate_training_memory(s).evaluation, 67 * 1'000'000LL * 8);
  s.items = 100'000'000;
  EXPECT_EQ(estimate_training_memory(s).evaluation, 16 * 100'000'000LL * 8);
}

TEST(MemoryModel, SampledStepsAreBoundedByTheFanouts) {
  TrainingSize s;
  s.users = 2'000'000;
  s.items = 1'000'000;
  s.train_interactions = 40'000'000;
  s.dim = 64;
  s.sampled = true;
  s.lazy_adam = true;
  s.fanouts = {5, 5, 5};
  s.batch_size = 1000;
  const MemoryEstimate m = estimate_training_memory(s);
  EXPECT_EQ(m.propagation, 3 * 1000 * (1 + 5 + 25 + 125) * 256 * 6);
  EXPECT_EQ(m.parameters, 3'000'000LL * 256 * 3);
  EXPECT_EQ(m.graph, 96 * 40'000'000LL + 24 * 3'000'000LL);
  s.fanouts = {5, 0, 5};  // one unlimited layer: the whole graph
  EXPECT_EQ(estimate_training_memory(s).propagation, 3'000'000LL * 256 * 6);
  EXPECT_NE(m.describe().find("GiB: parameters"), std::string::npos);
}

TEST(MemoryModel, ANodeBudgetBoundsTheSubgraphWhateverTheFanouts) {
  TrainingSize s;
  s.users = 2'000'000;
  s.items = 1'000'000;
  s.dim = 64;
  s.sampled = true;
  s.batch_size = 1000;
  s.fanouts = {0, 0, 0};
  s.node_budget = 10'000;  // seeds + 3 layers of at most 10,000 new nodes
  EXPECT_EQ(estimate_training_memory(s).propagation, (3 * 1000 + 3 * 10'000) * 256 * 6);
  s.fanouts = {2, 2, 2};
  s.node_budget = 100'000;  // the fan-outs bind first: 3,000 × (1 + 2 + 4 + 8)
  EXPECT_EQ(estimate_training_memory(s).propagation, 3 * 1000 * 15 * 256 * 6);
}

}  // namespace
}  // namespace graft::gnn
