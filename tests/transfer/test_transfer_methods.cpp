// Transfer methods end to end on planted synthetic data: transfer must beat target_only for
// cold-start users where the domains share preferences, the verdict must call out negative
// transfer where they share nothing, every registered method must run through run_transfer,
// and bad requests must get errors that name the problem.
#include "graph_io/errors.h"
#include "tests/transfer/cold_start_world.h"
#include "transfer/method.h"
#include "transfer/scoring.h"
#include "transfer/transfer.h"
#include "transfer/transfer_task.h"

#include <gtest/gtest.h>

#include <cmath>

namespace graft::transfer {
namespace {

// A smaller two-platform world (planted shared tastes unless `shift` = 1) whose cold users are
// ranked against 99 stored negatives.
io::Dataset planted_world(double shift) {
  return testing::cold_start_world({1200, {600, 400}, {25.0, 5.0}, shift});
}

TransferOptions quick_options(const std::string& method) {
  TransferOptions o;
  o.method = method;
  o.source = "source";
  o.target = "target";
  o.split = "cold";
  o.encoder.dim = 32;
  o.encoder.layers = 2;
  o.pretrain.epochs = 15;
  o.pretrain.batch_size = 1024;
  o.pretrain.lr = 5e-3;
  o.adapt.epochs = 15;
  o.adapt.batch_size = 1024;
  o.adapt.lr = 5e-3;
  o.adapt.eval_every = 5;
  o.compare_to_target_only = false;
  o.threads = 2;
  return o;
}

// The world and the runs several tests look at, each trained on first use (ctest runs every
// test in its own process, so a test pays only for what it reads).
class Transfer : public ::testing::Test {
 protected:
  static const io::Dataset& world() {
    static const io::Dataset dataset = planted_world(0.2);
    return dataset;
  }
  static const TransferReport& baseline() {
    static const TransferReport report = run_transfer(world(), quick_options("target_only"));
    return report;
  }
  static const TransferReport& finetune() {
    static const TransferReport report = [] {
      TransferOptions o = quick_options("finetune");
      o.compare_to_target_only = true;
      return run_transfer(world(), o);
    }();
    return report;
  }
  static const TransferReport& adversarial() {
    static const TransferReport report = run_transfer(world(), quick_options("adversarial"));
    return report;
  }
};

TEST_F(Transfer, TargetOnlyScoresColdStartUsersByPopularityAndSaysSo) {
  ASSERT_FALSE(baseline().cold_start.empty());
  EXPECT_GT(baseline().cold_start_cases, 50);
  bool said = false;
  for (const auto& note : baseline().notes) said = said || note.find("popularity") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_FALSE(baseline().verdict.has_value());
}

TEST_F(Transfer, FineTuningAndAdversarialAlignmentBeatTargetOnlyForColdStartUsers) {
  const double reference = baseline().cold_start.at("mrr");
  for (const std::string method : {"finetune", "adversarial", "joint", "mapping", "vib", "shared_neighbours",
                                    "cooccurrence", "itemknn", "ease", "gfcf"}) {
    TransferOptions options = quick_options(method);
    options.similarity.rank = 16;  // gfcf: the low-pass term of a world of a few hundred items
    const TransferReport report = method == "finetune"      ? finetune()
                                  : method == "adversarial" ? adversarial()
                                                            : run_transfer(world(), options);
    const double mrr = report.cold_start.at("mrr");
    EXPECT_GT(mrr, 1.15 * reference) << method << " cold-start MRR " << mrr << " vs target_only " << reference;
    EXPECT_GT(report.cold_start.at("hr@10"), baseline().cold_start.at("hr@10")) << method;
    const bool training_free = method == "cooccurrence" || method == "itemknn" || method == "ease" || method == "gfcf";
    EXPECT_EQ(report.after.has_value(), !training_free) << method << " (the counting methods have no user representations to compare)";
  }
}

// The discriminator's balanced accuracy, logged after every adaptation epoch on fresh draws: it
// starts untrained near chance, learns to tell the graphs apart, and is then driven back toward
// chance (0.5) as gradient reversal aligns the two graphs' user representations.
TEST_F(Transfer, AdversarialAlignmentDrivesTheDiscriminatorTowardChance) {
  const TransferReport& report = adversarial();
  std::vector<double> accuracy;
  for (const auto& epoch : report.history) {
    if (epoch.phase == "adapt") accuracy.push_back(epoch.metrics.at("disc_acc"));
  }
  ASSERT_EQ(accuracy.size(), 15u);
  for (size_t k = 0; k < accuracy.size(); ++k) std::printf("epoch %zu  disc_acc %.3f\n", k + 1, accuracy[k]);
  double peak = 0.0;
  for (const double a : accuracy) peak = std::max(peak, std::abs(a - 0.5));
  const double last = (std::abs(accuracy[12] - 0.5) + std::abs(accuracy[13] - 0.5) + std::abs(accuracy[14] - 0.5)) / 3;
  EXPECT_GT(peak, 0.05) << "the discriminator must first learn to separate the graphs";
  EXPECT_LT(last, 0.3 * peak) << "distance from chance: at most " << peak << ", last three epochs " << last;
  ASSERT_TRUE(report.before && report.after);
}

// SharedNeighbourhood against a dense loop over the source graph: for every user, the sum over
// its n source items that some shared user also took of 1/√n · 1/√|S_v| · Σ_{s ∈ S_v} h_s.
TEST_F(Transfer, SharedNeighbourhoodPropagatesFromTheSharedUsersOfAUsersSourceItems) {
  const TransferTask task = make_task(world(), quick_options("shared_neighbours"));
  const int64_t U = task.num_users, I = task.source_items, d = 4;
  const torch::Tensor adjacency = task.source_graph.full.to_dense().ne(0);
  const auto adj = adjacency.accessor<bool, 2>();
  std::vector<bool> shared(static_cast<size_t>(U), false);
  for (const int64_t s : task.shared_users) shared[static_cast<size_t>(s)] = true;
  std::vector<std::vector<int64_t>> item_shared(static_cast<size_t>(I));
  for (int64_t v = 0; v < I; ++v) {
    for (int64_t s = 0; s < U; ++s) {
      if (shared[static_cast<size_t>(s)] && adj[U + v][s]) item_shared[static_cast<size_t>(v)].push_back(s);
    }
  }
  torch::manual_seed(11);
  const torch::Tensor h = torch::randn({U, d});
  const auto hs = h.accessor<float, 2>();
  const torch::Tensor actual = SharedNeighbourhood(task)(h);
  ASSERT_EQ(actual.sizes(), h.sizes());
  torch::Tensor expected = torch::zeros({U, d});
  auto out = expected.accessor<float, 2>();
  int64_t reached = 0, cold_reached = 0;
  for (int64_t u = 0; u < U; ++u) {
    std::vector<double> sum(static_cast<size_t>(d), 0.0);
    int64_t items = 0;
    for (int64_t v = 0; v < I; ++v) {
      const auto& users = item_shared[static_cast<size_t>(v)];
      if (!adj[u][U + v] || users.empty()) continue;
      for (const int64_t s : users) {
        for (int64_t k = 0; k < d; ++k) sum[static_cast<size_t>(k)] += hs[s][k] / std::sqrt(static_cast<double>(users.size()));
      }
      ++items;
    }
    for (int64_t k = 0; k < d && items > 0; ++k) {
      out[u][k] = static_cast<float>(sum[static_cast<size_t>(k)] / std::sqrt(static_cast<double>(items)));
    }
    reached += items > 0;
    cold_reached += items > 0 && task.cold[static_cast<size_t>(u)];
  }
  EXPECT_GT(cold_reached, 100) << "the check must cover cold-start users that reach shared users";
  EXPECT_GT(reached, cold_reached);
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-6)) << (actual - expected).abs().max();
}

// cooccurrence's score of (u, g) against counting by hand: Σ over u's source items v with shared
// users S_v of 1/√n_u · 1/√|S_v| · #{s ∈ S_v : s took g in the target}, plus 1e-3·log(1 + pop_g).
TEST_F(Transfer, CooccurrenceCountsCoOccurrencesThroughSharedUsers) {
  const auto shared_task = std::make_shared<const TransferTask>(make_task(world(), quick_options("cooccurrence")));
  const TransferTask& task = *shared_task;
  const int64_t U = task.num_users, I = task.source_items, J = task.target_items;
  const torch::Tensor source = task.source_graph.full.to_dense().ne(0), target = task.target_graph.full.to_dense().ne(0);
  const auto src = source.accessor<bool, 2>(), tgt = target.accessor<bool, 2>();
  std::vector<bool> shared(static_cast<size_t>(U), false);
  for (const int64_t s : task.shared_users) shared[static_cast<size_t>(s)] = true;
  std::vector<std::vector<int64_t>> item_shared(static_cast<size_t>(I));
  for (int64_t v = 0; v < I; ++v) {
    for (int64_t s = 0; s < U; ++s) {
      if (shared[static_cast<size_t>(s)] && src[U + v][s]) item_shared[static_cast<size_t>(v)].push_back(s);
    }
  }
  auto method = make_method("cooccurrence");
  FitLog log;
  method->fit(shared_task, log);
  int64_t checked = 0;
  for (int64_t u = 0; u < U && checked < 20; ++u) {
    if (!task.cold[static_cast<size_t>(u)]) continue;
    std::vector<double> expected(static_cast<size_t>(J), 0.0);
    int64_t items = 0;
    for (int64_t v = 0; v < I; ++v) {
      const auto& users = item_shared[static_cast<size_t>(v)];
      if (!src[u][U + v] || users.empty()) continue;
      ++items;
      for (const int64_t s : users) {
        for (int64_t g = 0; g < J; ++g) {
          if (tgt[s][U + g]) expected[static_cast<size_t>(g)] += 1.0 / std::sqrt(static_cast<double>(users.size()));
        }
      }
    }
    if (items == 0) continue;
    ++checked;
    const torch::Tensor scores = method->score(torch::full({J}, u, torch::kInt64), torch::arange(J));
    for (int64_t g = 0; g < J; ++g) {
      const double want = expected[static_cast<size_t>(g)] / std::sqrt(static_cast<double>(items)) +
                          1e-3 * std::log1p(task.target_popularity[static_cast<size_t>(g)]);
      ASSERT_NEAR(scores[g].item<double>(), want, 1e-4 * (1 + want)) << "user " << u << " item " << g;
    }
  }
  EXPECT_EQ(checked, 20);
}

TEST_F(Transfer, EveryRegisteredMethodRunsAndReportsFiniteMetrics) {
  for (const std::string& method : method_names()) {
    if (method == "source_popularity" || method == "forec") continue;  // shared items only: test_cross_market
    TransferOptions o = quick_options(method);
    o.pretrain.epochs = 1;
    o.adapt.epochs = 1;
    o.meta.meta_epochs = 1;
    o.mapping.epochs = 5;
    o.cdrib.epochs = 1;  // its defaults are the reference's: 100 epochs of 128-wide layers
    o.cdrib.dim = 16;
    o.cdrib.eval_from = 1;
    o.keep_representations = true;
    if (method == "last_k") o.encoder.layer = "gcn";  // LightGCN layers have no weights to train
    const TransferReport report = run_transfer(world(), o);
    if (report.after) {
      ASSERT_TRUE(report.sample_after.has_value()) << method;
      EXPECT_EQ(report.sample_after->rows.size(), report.sample_after->domain.size()) << method;
      EXPECT_GT(report.sample_after->rows.size(), 100u) << method;
    }
    EXPECT_EQ(report.method, method);
    ASSERT_FALSE(report.cold_start.empty()) << method;
    for (const auto& [name, value] : report.overall) EXPECT_TRUE(std::isfinite(value)) << method << " " << name;
    EXPECT_GT(report.phase_seconds.count("evaluate"), 0u) << method;
    EXPECT_NE(format_report(report).find("cold-start"), std::string::npos) << method;
  }
}

TEST_F(Transfer, SameSeedGivesIdenticalResults) {
  TransferOptions o = quick_options("adversarial");
  o.pretrain.epochs = 3;
  o.adapt.epochs = 3;
  const TransferReport a = run_transfer(world(), o);
  const TransferReport b = run_transfer(world(), o);
  EXPECT_EQ(a.overall, b.overall);
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t k = 0; k < a.history.size(); ++k) EXPECT_EQ(a.history[k].loss, b.history[k].loss);
}

TEST_F(Transfer, TheVerdictComparesWithTargetOnlyOnTheSameSeed) {
  const TransferReport& report = finetune();
  ASSERT_TRUE(report.verdict.has_value());
  EXPECT_DOUBLE_EQ(report.verdict->target_only, baseline().cold_start.at("mrr"));
  EXPECT_GT(report.verdict->difference, 0.0);
  EXPECT_NE(report.verdict->text.find("positive transfer"), std::string::npos) << report.verdict->text;
}

TEST(TransferUnrelatedDomains, TheVerdictReportsNegativeTransfer) {
  const io::Dataset unrelated = planted_world(1.0);
  TransferOptions o = quick_options("finetune");
  o.compare_to_target_only = true;
  const TransferReport report = run_transfer(unrelated, o);
  ASSERT_TRUE(report.verdict.has_value());
  EXPECT_LT(report.verdict->difference, 0.0) << report.verdict->text;
  EXPECT_NE(report.verdict->text.find("NEGATIVE TRANSFER"), std::string::npos) << report.verdict->text;
}

void expect_usage_error(const io::Dataset& dataset, const TransferOptions& options, const std::string& fragment) {
  try {
    run_transfer(dataset, options);
    ADD_FAILURE() << "expected an error mentioning '" << fragment << "'";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST_F(Transfer, BadRequestsNameTheProblem) {
  TransferOptions o = quick_options("finetune");
  o.method = "fintune";
  expect_usage_error(world(), o, "target_only, source_only, joint");
  o = quick_options("finetune");
  o.target = "source";
  expect_usage_error(world(), o, "same domain 'source'");
  o = quick_options("finetune");
  o.target = "tagret";
  expect_usage_error(world(), o, "tagret");
  o = quick_options("finetune");
  o.split = "nope";
  expect_usage_error(world(), o, "nope");
  o = quick_options("finetune");
  o.finetune.mode = "partial";
  expect_usage_error(world(), o, "finetune.mode");
  o = quick_options("finetune");
  o.encoder.dim = 0;
  expect_usage_error(world(), o, "dim");
  o = quick_options("finetune");
  o.bridge_weight = -1;
  expect_usage_error(world(), o, "bridge_weight");
}

// The XMarket protocol: leave-one-out cases of warm users against 99 stored negatives (only a
// cold_start_users split must have cold-start test users).
TEST(TransferSplits, ALeaveOneOutSplitIsEvaluatedOnWarmUsersAgainstItsNegatives) {
  io::Dataset dataset = planted_world(0.2);
  io::SplitOptions split;
  split.name = "loo";
  split.kind = "leave_one_out";
  split.negatives = 99;
  io::add_split(dataset, split);
  TransferOptions o = quick_options("target_only");
  o.split = "loo";
  o.adapt.epochs = 1;
  const TransferReport report = run_transfer(dataset, o);
  EXPECT_EQ(report.protocol, "sampled");
  EXPECT_TRUE(report.cold_start.empty());
  EXPECT_EQ(report.warm_cases, static_cast<int64_t>(dataset.split("loo").part("target")->test.size()));
}

TEST(TransferSplits, AMethodThatNeedsSharedUsersRefusesDomainsWithoutThem) {
  io::SyntheticOptions s = io::synthetic_preset("two-platform");
  s.users = 400;
  s.items_per_domain = {200, 150};
  s.shared_user_fraction = 0.0;
  io::Dataset dataset = io::generate_synthetic(s);
  io::SplitOptions split;
  split.name = "loo";
  split.kind = "leave_one_out";
  split.negatives = 0;
  io::add_split(dataset, split);
  TransferOptions o = quick_options("finetune");
  o.split = "loo";
  expect_usage_error(dataset, o, "carries knowledge through shared users");
  o.method = "target_only";
  EXPECT_NO_THROW(run_transfer(dataset, o));
}

}  // namespace
}  // namespace graft::transfer
