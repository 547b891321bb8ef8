// Data-parallel training in one test process: ranks are threads, each joining a real c10d Gloo
// group over a TCPStore on localhost. A group's run equals one process's (same losses, same
// parameters up to float summation order, for full-graph and exact sampled steps, with an empty
// shard in the last batch); every rank ends with the same parameters; sharded evaluation gives
// the whole set's metrics; the negative sampler's shares sum to the epoch; what cannot be
// sharded is refused by name.
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "gnn/communicator.h"
#include "gnn/models.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "tests/gnn/planted_dataset.h"

namespace graft::gnn {
namespace {

// Runs body(communicator) on `world` threads, one rank each; rethrows the first failure.
void in_group(int world, const std::function<void(const std::shared_ptr<Communicator>&)>& body) {
  const int port = free_local_port();
  std::vector<std::thread> ranks;
  std::vector<std::exception_ptr> failures(world);
  for (int r = 0; r < world; ++r) {
    ranks.emplace_back([&, r] {
      try {
        ProcessGroupOptions options;
        options.rank = r;
        options.world_size = world;
        options.master_port = port;
        options.timeout = std::chrono::seconds(60);
        body(join_process_group(options));
      } catch (...) {
        failures[r] = std::current_exception();
      }
    });
  }
  for (auto& t : ranks) t.join();
  for (const auto& f : failures) {
    if (f) std::rethrow_exception(f);
  }
}

class DataParallel : public ::testing::Test {
 protected:
  const io::Dataset data = planted_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  const NegativeSampler sampler = NegativeSampler::for_split(data, "shop", part);

  std::shared_ptr<Recommender> model() const {
    ModelOptions options;
    options.name = "lightgcn";
    options.dim = 8;
    options.layers = 2;
    return make_recommender(options, data, "shop", part);
  }

  // 600 training triples in batches of 199: the last batch has 3 rows, so with 4 ranks one
  // shard is empty.
  static TrainOptions options(const std::string& graph = "full") {
    TrainOptions o;
    o.epochs = 3;
    o.batch_size = 199;
    o.lr = 0.05;
    o.threads = 1;
    o.graph = graph;
    return o;
  }

  struct Run {
    std::vector<double> losses;
    std::vector<torch::Tensor> parameters;
  };

  Run train_alone(const TrainOptions& o) const {
    auto m = model();
    const TrainResult result = train(*m, sampler, o);
    return {losses(result), snapshot(*m)};
  }

  // Each rank's run.
  std::vector<Run> train_in_group(int world, TrainOptions o) const {
    std::vector<Run> runs(world);
    in_group(world, [&](const std::shared_ptr<Communicator>& group) {
      TrainOptions mine = o;
      mine.communicator = group;
      auto m = model();
      const TrainResult result = train(*m, sampler, mine);
      runs[group->rank()] = {losses(result), snapshot(*m)};
    });
    return runs;
  }

  static std::vector<double> losses(const TrainResult& result) {
    std::vector<double> out;
    for (const auto& r : result.history) out.push_back(r.loss);
    return out;
  }

  static std::vector<torch::Tensor> snapshot(Recommender& m) {
    std::vector<torch::Tensor> out;
    for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
    return out;
  }

  static void expect_same_run(const Run& alone, const Run& rank) {
    ASSERT_EQ(rank.losses.size(), alone.losses.size());
    for (size_t e = 0; e < alone.losses.size(); ++e) EXPECT_NEAR(rank.losses[e], alone.losses[e], 1e-5) << "epoch " << e + 1;
    ASSERT_EQ(rank.parameters.size(), alone.parameters.size());
    for (size_t k = 0; k < alone.parameters.size(); ++k) {
      EXPECT_TRUE(torch::allclose(rank.parameters[k], alone.parameters[k], 1e-4, 1e-5))
          << "parameter " << k << " differs by " << (rank.parameters[k] - alone.parameters[k]).abs().max();
    }
  }
};

TEST(ShardRange, SplitsRowsContiguouslyInRankOrder) {
  EXPECT_EQ(shard_range(10, 0, 3), std::make_pair(int64_t{0}, int64_t{3}));
  EXPECT_EQ(shard_range(10, 1, 3), std::make_pair(int64_t{3}, int64_t{6}));
  EXPECT_EQ(shard_range(10, 2, 3), std::make_pair(int64_t{6}, int64_t{10}));
  EXPECT_EQ(shard_range(2, 0, 4), std::make_pair(int64_t{0}, int64_t{0}));
  EXPECT_EQ(shard_range(2, 3, 4), std::make_pair(int64_t{1}, int64_t{2}));
  EXPECT_EQ(shard_range(7, 0, 1), std::make_pair(int64_t{0}, int64_t{7}));
}

TEST_F(DataParallel, SamplerSharesSumToTheWholeEpoch) {
  const Triples whole = sampler.sample_epoch(11);
  Triples sum{torch::zeros_like(whole.users), torch::zeros_like(whole.positives), torch::zeros_like(whole.negatives)};
  for (int shard = 0; shard < 3; ++shard) {
    const Triples share = sampler.sample_epoch_shard(11, shard, 3);
    sum.users += share.users;
    sum.positives += share.positives;
    sum.negatives += share.negatives;
  }
  EXPECT_TRUE(torch::equal(sum.users, whole.users));
  EXPECT_TRUE(torch::equal(sum.positives, whole.positives));
  EXPECT_TRUE(torch::equal(sum.negatives, whole.negatives));
}

TEST_F(DataParallel, TwoRanksTrainAsOneProcessFullGraph) {
  const Run alone = train_alone(options());
  const std::vector<Run> ranks = train_in_group(2, options());
  for (const Run& rank : ranks) expect_same_run(alone, rank);
  // The ranks step on the same summed gradients: their parameters are bitwise equal.
  for (size_t k = 0; k < ranks[0].parameters.size(); ++k) EXPECT_TRUE(torch::equal(ranks[0].parameters[k], ranks[1].parameters[k]));
}

TEST_F(DataParallel, FourRanksWithAnEmptyShardTrainAsOneProcessSampled) {
  const Run alone = train_alone(options("sampled"));
  for (const Run& rank : train_in_group(4, options("sampled"))) expect_same_run(alone, rank);
}

TEST_F(DataParallel, ShardedEvaluationGivesTheWholeSetsMetrics) {
  auto m = model();
  const auto test = make_evaluator("full", data, "shop", part, EvalSet::kTest, {{5, 10}, 0});
  const Metrics whole = test->evaluate(*m);
  std::vector<Metrics> got(3);
  in_group(3, [&](const std::shared_ptr<Communicator>& group) {
    auto mine = model();  // the same seed: the same parameters
    got[group->rank()] = test->evaluate(*mine, group.get());
  });
  for (const Metrics& metrics : got) {
    ASSERT_EQ(metrics.size(), whole.size());
    for (const auto& [name, value] : whole) EXPECT_NEAR(metrics.at(name), value, 1e-12) << name;
  }
}

TEST_F(DataParallel, RowWiseAdamOverRanksExchangesRowsAndTrainsAsOneProcess) {
  TrainOptions o = options("sampled");
  o.optimizer = "lazy_adam";
  const Run alone = train_alone(o);
  for (const Run& rank : train_in_group(4, o)) expect_same_run(alone, rank);
}

TEST(AllReduceRows, SumsTheUnionOfEachRanksRows) {
  std::vector<RowGradient> got(3);
  in_group(3, [&](const std::shared_ptr<Communicator>& group) {
    const int r = group->rank();
    // rank 0: rows 5, 1; rank 1: none; rank 2: rows 1, 9, 2.
    const std::vector<std::vector<int64_t>> rows = {{5, 1}, {}, {1, 9, 2}};
    const auto n = static_cast<int64_t>(rows[r].size());
    const torch::Tensor grad = torch::arange(n * 2, torch::kFloat32).view({n, 2}) + 10.0 * r;
    got[r] = all_reduce_rows(*group, {torch::tensor(rows[r], torch::kInt64), grad});
  });
  // rank 0's rows [0, 1] / [2, 3]; rank 2's [20, 21] / [22, 23] / [24, 25].
  const torch::Tensor rows = torch::tensor({int64_t{1}, int64_t{2}, int64_t{5}, int64_t{9}});
  const torch::Tensor grad = torch::tensor({{2.f + 20.f, 3.f + 21.f}, {24.f, 25.f}, {0.f, 1.f}, {22.f, 23.f}});
  for (const RowGradient& g : got) {
    EXPECT_TRUE(torch::equal(g.rows, rows)) << g.rows;
    EXPECT_TRUE(torch::equal(g.grad, grad)) << g.grad;
  }
}

TEST_F(DataParallel, RefusesWhatCannotBeSharded) {
  in_group(2, [&](const std::shared_ptr<Communicator>& group) {
    TrainOptions o = options();
    o.communicator = group;
    auto m = model();
    try {
      train(*m, sampler, o, {}, {}, {AuxiliaryTask{"pv", &sampler, 0.5}});
      ADD_FAILURE() << "an auxiliary task over two ranks was accepted";
    } catch (const io::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("auxiliary tasks train in one process only"), std::string::npos) << e.what();
    }
  });
}

TEST(JoinProcessGroup, RefusesARankOutsideTheWorld) {
  ProcessGroupOptions o;
  o.rank = 2;
  o.world_size = 2;
  EXPECT_THROW(join_process_group(o), io::UsageError);
  o.rank = 0;
  o.backend = "mpi";
  EXPECT_THROW(join_process_group(o), io::UsageError);
}

TEST(JoinProcessGroup, AnUnreachableMasterTimesOutWithAMessage) {
  ProcessGroupOptions o;
  o.rank = 1;
  o.world_size = 2;
  o.master_port = free_local_port();  // no one serves it
  o.timeout = std::chrono::seconds(1);
  try {
    join_process_group(o);
    FAIL() << "joined a group whose rendezvous no one serves";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("could not reach it"), std::string::npos) << message;
    EXPECT_NE(message.find("127.0.0.1:" + std::to_string(o.master_port)), std::string::npos) << message;
  }
}

TEST(AllReduceSum, SumsAListInOneBufferAndLeavesUndefinedTensorsAlone) {
  std::vector<std::vector<torch::Tensor>> got(2);
  in_group(2, [&](const std::shared_ptr<Communicator>& group) {
    const double r = group->rank();
    std::vector<torch::Tensor> tensors{torch::full({2, 2}, r + 1.0), torch::Tensor(), torch::full({3}, 10.0 * r)};
    all_reduce_sum(*group, tensors);
    torch::Tensor fresh = torch::full({2}, r);  // rank 0's values win
    broadcast_from_rank0(*group, {fresh});
    got[group->rank()] = {tensors[0], tensors[2], fresh};
  });
  for (const auto& t : got) {
    EXPECT_TRUE(torch::equal(t[0], torch::full({2, 2}, 3.0)));
    EXPECT_TRUE(torch::equal(t[1], torch::full({3}, 10.0)));
    EXPECT_TRUE(torch::equal(t[2], torch::zeros({2})));
  }
}

}  // namespace
}  // namespace graft::gnn
