// Training end to end on a tiny planted dataset: BPR-MF and LightGCN learn it, runs are
// reproducible, early stopping restores the best epoch, checkpoints round-trip and refuse
// another model or shape. Plus the model factory and LightGCN's propagation maths.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "gnn/checkpoint.h"
#include "gnn/models.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "tests/gnn/planted_dataset.h"
#include "tests/support/error_text.h"
#include "tests/support/test_support.h"

namespace graft::gnn {
namespace {

class Training : public ::testing::Test {
 protected:
  const io::Dataset data = planted_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  const NegativeSampler sampler = NegativeSampler::for_split(data, "shop", part);

  std::shared_ptr<Recommender> model(const std::string& name, int64_t dim = 16, uint64_t seed = 0) {
    ModelOptions options;
    options.name = name;
    options.dim = dim;
    options.layers = 2;
    options.seed = seed;
    return make_recommender(options, data, "shop", part);
  }

  static TrainOptions options(int64_t epochs) {
    TrainOptions o;
    o.epochs = epochs;
    o.batch_size = 128;
    o.lr = 0.05;
    o.weight_decay = 1e-4;
    o.threads = 2;
    o.metric = "recall@5";
    return o;
  }

  double test_recall(Recommender& m) {
    return make_evaluator("full", data, "shop", part, EvalSet::kTest, {{5}, 0})->evaluate(m).at("recall@5");
  }
};

TEST_F(Training, BprMfAndLightGcnLearnThePlantedClusters) {
  for (const std::string name : {"bprmf", "lightgcn"}) {
    auto m = model(name);
    const double before = test_recall(*m);
    const TrainResult result = train(*m, sampler, options(15));
    const double after = test_recall(*m);
    EXPECT_LT(before, 0.2) << name;
    EXPECT_GT(after, 0.35) << name;
    EXPECT_LT(result.history.back().loss, result.history.front().loss) << name;
    EXPECT_EQ(result.best_epoch, 15) << name;
  }
}

TEST_F(Training, SameSeedGivesIdenticalLosses) {
  const auto losses = [&](uint64_t seed) {
    auto m = model("lightgcn");
    TrainOptions o = options(3);
    o.seed = seed;
    std::vector<double> out;
    for (const auto& record : train(*m, sampler, o).history) out.push_back(record.loss);
    return out;
  };
  const std::vector<double> first = losses(3);
  EXPECT_EQ(first, losses(3));
  EXPECT_NE(first, losses(4));
}

// With a learning rate too small to move the model, an epoch's loss is its starting value: the
// main BPR term (≈ ln 2 for near-zero scores) plus weight × the auxiliary one (≈ ln 2 again).
TEST_F(Training, AnAuxiliaryTaskAddsItsWeightedLossOnTheSameBatches) {
  TrainOptions o = options(2);
  o.lr = 1e-9;
  o.weight_decay = 0.0;
  const double main_only = train(*model("lightgcn"), sampler, o).history[0].loss;
  EXPECT_NEAR(main_only, std::log(2.0), 0.02);
  const std::vector<AuxiliaryTask> aux = {{"again", &sampler, 0.5}};
  const TrainResult with_aux = train(*model("lightgcn"), sampler, o, {}, {}, aux);
  EXPECT_NEAR(with_aux.history[0].loss - main_only, 0.5 * std::log(2.0), 0.02);
  EXPECT_EQ(with_aux.history[1].loss, train(*model("lightgcn"), sampler, o, {}, {}, aux).history[1].loss)
      << "seeded like the main task";
  // An auxiliary task changes what is learnt (same main triples, one more objective).
  const auto trained = [&](const std::vector<AuxiliaryTask>& tasks) {
    auto m = model("lightgcn");
    train(*m, sampler, options(2), {}, {}, tasks);
    return m->represent().users;
  };
  EXPECT_FALSE(torch::equal(trained({}), trained(aux)));

  const auto error = [&](std::vector<AuxiliaryTask> tasks) {
    return testing::error_of([&] { train(*model("bprmf"), sampler, options(1), {}, {}, tasks); });
  };
  EXPECT_NE(error({{"pv", nullptr, 1.0}}).find("'pv' has no sampler"), std::string::npos);
  EXPECT_NE(error({{"pv", &sampler, 0.0}}).find("weight must be positive, got 0"), std::string::npos);
  EXPECT_NE(error({{"pv", &sampler, 1.0}, {"pv", &sampler, 2.0}}).find("'pv' is given twice"), std::string::npos);
}

TEST_F(Training, EarlyStoppingRestoresTheBestEvaluatedParameters) {
  auto m = model("bprmf");
  const std::vector<double> recalls = {0.1, 0.3, 0.2, 0.25, 0.9};
  std::vector<torch::Tensor> seen;
  Monitor monitor;
  monitor.evaluate = [&](Recommender& r) {
    seen.push_back(r.represent().users.detach().clone());
    return Metrics{{"recall@5", recalls[seen.size() - 1]}};
  };
  TrainOptions o = options(5);
  o.eval_every = 1;
  o.patience = 2;
  std::vector<int64_t> reported;
  const TrainResult result =
      train(*m, sampler, o, monitor, [&](const EpochRecord& record, double) { reported.push_back(record.epoch); });
  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(result.history.size(), 4u);  // epochs 3 and 4 do not improve on epoch 2
  EXPECT_EQ(reported, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(result.best_epoch, 2);
  EXPECT_DOUBLE_EQ(result.best_metrics.at("recall@5"), 0.3);
  EXPECT_TRUE(torch::equal(m->represent().users, seen[1]));
  EXPECT_FALSE(torch::equal(seen[3], seen[1]));
}

TEST_F(Training, WithoutModelSelectionTheFinalParametersStay) {
  auto m = model("bprmf");
  int calls = 0;
  Monitor monitor;
  monitor.evaluate = [&](Recommender&) { return Metrics{{"recall@5", calls++ == 0 ? 0.9 : 0.1}}; };
  monitor.select_best = false;
  TrainOptions o = options(4);
  o.eval_every = 2;
  const TrainResult result = train(*m, sampler, o, monitor);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(result.best_epoch, 4);
  EXPECT_DOUBLE_EQ(result.best_metrics.at("recall@5"), 0.1);
  EXPECT_TRUE(result.history[0].metrics.empty());
  EXPECT_EQ(result.history[1].metrics.size(), 1u);
}

// Cosine: lr_min + ½(lr − lr_min)(1 + cos(π(e−1)/E)); with E = 4, lr 0.05, floor 0.01:
// 0.05, 0.01 + 0.02(1 + cos π/4) = 0.044142, 0.03, 0.015858. A different schedule trains differently.
TEST_F(Training, CosineScheduleSetsEachEpochsLearningRate) {
  TrainOptions o = options(4);
  o.lr_schedule = "cosine";
  o.lr_min = 0.01;
  const TrainResult cosine = train(*model("bprmf"), sampler, o);
  const std::vector<double> expected = {0.05, 0.0441421356, 0.03, 0.0158578644};
  ASSERT_EQ(cosine.history.size(), 4u);
  for (size_t e = 0; e < 4; ++e) EXPECT_NEAR(cosine.history[e].lr, expected[e], 1e-9) << "epoch " << e + 1;
  const TrainResult constant = train(*model("bprmf"), sampler, options(4));
  EXPECT_EQ(constant.history[3].lr, 0.05);
  EXPECT_EQ(constant.history[0].loss, cosine.history[0].loss) << "epoch 1 trains at lr either way";
  EXPECT_NE(constant.history[3].loss, cosine.history[3].loss);
  o.lr_min = 0.05;
  EXPECT_THROW(train(*model("bprmf"), sampler, o), io::UsageError);
  o.lr_min = 0.0;
  o.lr_schedule = "step";
  EXPECT_THROW(train(*model("bprmf"), sampler, o), io::UsageError);
}

TEST_F(Training, RejectsBadOptionsAndUnknownMetrics) {
  auto m = model("bprmf");
  TrainOptions o = options(1);
  o.batch_size = 0;
  try {
    train(*m, sampler, o);
    FAIL() << "batch_size 0 must be rejected";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("batch_size"), std::string::npos) << e.what();
  }
  o = options(1);
  o.loss = "hinge";
  EXPECT_THROW(train(*m, sampler, o), io::UsageError);
  o = options(1);
  o.metric = "mrr";
  Monitor monitor;
  monitor.evaluate = [](Recommender&) { return Metrics{{"recall@5", 0.5}}; };
  try {
    train(*m, sampler, o, monitor);
    FAIL() << "an unreported metric must be rejected";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("available: recall@5"), std::string::npos) << e.what();
  }
}

TEST_F(Training, CheckpointRoundTrip) {
  testing::TempDir dir;
  const std::string path = dir.file("model.pt");
  auto trained = model("lightgcn");
  TrainOptions o = options(2);
  o.checkpoint = path;
  train(*trained, sampler, o);
  auto fresh = model("lightgcn", 16, /*seed=*/9);
  ASSERT_FALSE(torch::equal(fresh->represent().items, trained->represent().items));
  load_checkpoint(*fresh, path);
  EXPECT_TRUE(torch::equal(fresh->represent().users, trained->represent().users));
  EXPECT_TRUE(torch::equal(fresh->represent().items, trained->represent().items));
}

TEST_F(Training, CheckpointOfAnotherModelOrShapeIsAClearError) {
  testing::TempDir dir;
  const std::string path = dir.file("bprmf.pt");
  save_checkpoint(*model("bprmf"), path);
  auto narrow = model("bprmf", 8);
  try {
    load_checkpoint(*narrow, path);
    FAIL() << "a dim-16 checkpoint must not load into a dim-8 model";
  } catch (const io::DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("[120, 16]"), std::string::npos) << what;
    EXPECT_NE(what.find("[120, 8]"), std::string::npos) << what;
    EXPECT_NE(what.find(path), std::string::npos) << what;
  }
  try {
    load_checkpoint(*model("lightgcn"), path);
    FAIL() << "a bprmf checkpoint must not load into lightgcn";
  } catch (const io::DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'bprmf'"), std::string::npos) << what;
    EXPECT_NE(what.find("'lightgcn'"), std::string::npos) << what;
  }
  EXPECT_THROW(load_checkpoint(*narrow, dir.file("missing.pt")), io::DataError);
  EXPECT_THROW(load_checkpoint(*narrow, dir.write("garbage.pt", "not a checkpoint")), io::DataError);
}

TEST_F(Training, FactoryValidatesNamesAndSizes) {
  ModelOptions o;
  o.name = "ngcf";
  try {
    make_recommender(o, data, "shop", part);
    FAIL() << "unknown model";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'ngcf'; valid models: bprmf, lightgcn, encoder"), std::string::npos) << e.what();
  }
  o.name = "lightgcn";
  o.dim = 0;
  EXPECT_THROW(make_recommender(o, data, "shop", part), io::UsageError);
  o.dim = 4;
  o.layers = -1;
  EXPECT_THROW(make_recommender(o, data, "shop", part), io::UsageError);
  o.layers = 0;
  EXPECT_THROW(make_recommender(o, data, "books", part), io::UsageError);
}

TEST_F(Training, LightGcnWithoutLayersIsMatrixFactorisation) {
  ModelOptions o;
  o.name = "lightgcn";
  o.layers = 0;
  o.seed = 5;
  auto lightgcn = make_recommender(o, data, "shop", part);
  o.name = "bprmf";
  auto mf = make_recommender(o, data, "shop", part);
  EXPECT_TRUE(torch::equal(lightgcn->represent().users, mf->represent().users));
  EXPECT_TRUE(torch::equal(lightgcn->represent().items, mf->represent().items));
  const torch::Tensor u = torch::tensor({0, 3}), i = torch::tensor({1, 2}), j = torch::tensor({7, 7});
  EXPECT_TRUE(torch::allclose(lightgcn->batch_l2(u, i, j), mf->batch_l2(u, i, j)));
}

TEST(LightGcnPropagate, IsTheMeanOfThePowersOfTheGraph) {
  // Path graph 0 - 1 - 2 with weights 0.5.
  const SparseGraph graph = SparseGraph::from_coo(3, 3, torch::tensor({0, 1, 1, 2}), torch::tensor({1, 0, 2, 1}),
                                                  torch::full({4}, 0.5f));
  const torch::Tensor x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}).view({3, 2});
  const torch::Tensor a = graph.to_dense();
  const torch::Tensor expected = (x + a.mm(x) + a.mm(a.mm(x))) / 3;
  EXPECT_TRUE(torch::allclose(lightgcn_propagate(graph, x, 2), expected));
  EXPECT_TRUE(torch::equal(lightgcn_propagate(graph, x, 0), x));
}

TEST(LightGcnOptions, GraphMustMatchTheEmbeddingTables) {
  const SparseGraph graph =
      SparseGraph::from_coo(3, 3, torch::tensor({0, 1}), torch::tensor({1, 0}), torch::ones({2}));
  EXPECT_THROW(LightGcn(EmbeddingOptions(2, 2).dim(4), 1, graph), c10::Error);
  EXPECT_NO_THROW(LightGcn(EmbeddingOptions(1, 2).dim(4), 1, graph));
}

}  // namespace
}  // namespace graft::gnn
