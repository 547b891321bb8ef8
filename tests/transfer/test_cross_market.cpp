// Cross-market transfer: markets share products (the same external item id), not customers.
// Several source markets merge into one source domain, linked items are one node of the union
// graph and start fine-tuning from their source rows, alignment can work on linked items, and
// transfer from the other markets must beat the small market trained alone.
#include "graph_io/errors.h"
#include "tests/transfer/cold_start_world.h"
#include "tests/transfer/market_world.h"
#include "transfer/adaptation.h"
#include "transfer/cross_domain_model.h"
#include "transfer/source_markets.h"
#include "transfer/transfer.h"
#include "transfer/transfer_task.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace graft::transfer {
namespace {

using testing::market_options;
using testing::market_world;

const io::Dataset& world() {
  static const io::Dataset dataset = market_world();
  return dataset;
}

void expect_usage_error(const io::Dataset& dataset, const TransferOptions& options, const std::string& fragment) {
  try {
    run_transfer(dataset, options);
    ADD_FAILURE() << "expected an error mentioning '" << fragment << "'";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(CrossMarket, SeveralSourcesMergeIntoOneDomainWithLinkedItemsAsOne) {
  const MergedSources merged = merge_sources(world(), market_options("joint"));
  EXPECT_EQ(merged.source_name, "ca+uk+de");
  EXPECT_EQ(merged.names, (std::vector<std::string>{"ca", "uk", "de"}));
  const io::Domain& source = merged.dataset.domain("ca+uk+de");
  std::set<std::string> ids;
  size_t training = 0;
  for (const std::string& name : merged.names) {
    const io::Domain& market = world().domain(name);
    ids.insert(market.item_ids.begin(), market.item_ids.end());
    training += world().split("loo").part(name)->train.size();
  }
  EXPECT_EQ(source.item_ids.size(), ids.size());  // one item per external id
  EXPECT_LT(ids.size(), static_cast<size_t>(600 + 500 + 400));
  EXPECT_EQ(source.interactions.size(), training);  // the sources' training rows, nothing held out
  EXPECT_EQ(merged.dataset.split("loo").part("ca+uk+de")->train.size(), training);
  EXPECT_EQ(merged.dataset.split("loo").part("jp")->test, world().split("loo").part("jp")->test);
}

TEST(CrossMarket, ASourceTheSplitDoesNotCoverTrainsOnAllItsInteractions) {
  io::Dataset dataset = market_world();
  io::SplitOptions split;
  split.name = "jp_only";
  split.kind = "leave_one_out";
  split.domains = {"jp"};
  split.negatives = 99;
  io::add_split(dataset, split);
  TransferOptions o = market_options("joint", "uk");
  o.split = "jp_only";
  ASSERT_TRUE(needs_merged_sources(dataset, o));
  const MergedSources merged = merge_sources(dataset, o);
  EXPECT_EQ(merged.dataset.domain("uk").interactions.size(), dataset.domain("uk").interactions.size());
}

TEST(CrossMarket, TheUnionGraphHasOneNodePerLinkedPair) {
  const auto task = std::make_shared<const TransferTask>(make_task(world(), market_options("joint")));
  const int64_t linked = task->num_linked_items();
  EXPECT_EQ(linked, static_cast<int64_t>(task->bridges.shared_items.size()));
  EXPECT_GT(linked, task->target_items / 2);
  EXPECT_EQ(task->union_graph.layout.items, task->source_items + task->target_items - linked);

  CrossDomainModel model(task);
  model.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor items = model.represent(GraphKind::kUnion).items;
  ASSERT_EQ(items.size(0), task->source_items + task->target_items);
  int64_t checked = 0;
  for (const auto& [s, t] : task->bridges.shared_items) {
    ASSERT_TRUE(torch::equal(items[task->source_items + t], items[s])) << "target item " << t;
    ++checked;
  }
  EXPECT_EQ(checked, linked);

  TransferOptions apart = market_options("joint");
  apart.link_items = false;
  const TransferTask unlinked = make_task(world(), apart);
  EXPECT_EQ(unlinked.union_graph.layout.items, task->source_items + task->target_items);
  EXPECT_FALSE(unlinked.union_item_node.defined());
}

TEST(CrossMarket, FineTuningStartsLinkedTargetItemsFromTheSource) {
  const auto task = std::make_shared<const TransferTask>(make_task(world(), market_options("finetune")));
  CrossDomainModel model(task);
  const torch::Tensor before = model.target_items().detach().clone();
  model.start_linked_items_from_source();
  std::vector<uint8_t> is_linked(static_cast<size_t>(task->target_items), 0);
  for (const auto& [s, t] : task->bridges.shared_items) {
    is_linked[t] = 1;
    EXPECT_TRUE(torch::equal(model.target_items()[t], model.source_items()[s]));
    EXPECT_EQ(model.target_item_bias()[t].item<float>(), model.source_item_bias()[s].item<float>());
  }
  for (int64_t t = 0; t < task->target_items; ++t) {
    if (!is_linked[t]) {
      EXPECT_TRUE(torch::equal(model.target_items()[t], before[t])) << t;
    }
  }
}

// Trains. The small market alone cannot tell its users' tastes apart within 4 purchases; the
// big markets sell mostly the same products to customers of the same tastes.
TEST(CrossMarket, TransferFromTheOtherMarketsBeatsTheSmallMarketAlone) {
  const TransferReport alone = run_transfer(world(), market_options("target_only"));
  const double base = alone.overall.at("ndcg@10");
  for (const std::string method : {"joint", "finetune", "forec", "multi_source"}) {
    const TransferReport report = run_transfer(world(), market_options(method));
    EXPECT_GT(report.overall.at("ndcg@10"), base + 0.01) << method << " vs target_only " << base;
    EXPECT_TRUE(report.cold_start.empty()) << method;  // every jp user trains in jp
  }
  const TransferReport launch_day = run_transfer(world(), market_options("source_popularity"));
  EXPECT_GT(launch_day.overall.at("hr@10"), 0.1);  // popular abroad is popular here, far above chance
}

std::set<std::string> phases_of(const TransferReport& report) {
  std::set<std::string> phases;
  for (const EpochLog& e : report.history) phases.insert(e.phase);
  return phases;
}

bool has_note_starting(const TransferReport& report, const std::string& start) {
  for (const std::string& note : report.notes) {
    if (note.rfind(start, 0) == 0) return true;
  }
  return false;
}

// Trains. The biggest market, its product ids shuffled, links its products to the wrong ones
// abroad: its purchases are as consistent as ever but pretrain the linked items the wrong way.
// Its expert validates worse than the one from the market that shares the target's products,
// so the greedy selection on validation weighs it less.
TEST(CrossMarket, ValidationChosenWeightsFavourTheMarketThatSharesTheProducts) {
  io::Dataset dataset = market_world();
  std::vector<std::string>& ids = dataset.domain("ca").item_ids;
  std::mt19937_64 rng(7);
  std::shuffle(ids.begin(), ids.end(), rng);
  TransferOptions o = market_options("multi_source", "ca,uk");
  o.multi_source.weights = "validation";
  const TransferReport report = run_transfer(dataset, o);
  ASSERT_EQ(report.source_weights.size(), 2u);
  EXPECT_LT(report.source_weights.at("ca"), report.source_weights.at("uk"));
  EXPECT_LE(report.source_weights.at("ca") + report.source_weights.at("uk"), 1.0 + 1e-9);
  EXPECT_EQ(phases_of(report), (std::set<std::string>{"pretrain", "target_alone", "from_ca", "from_uk"}));
  EXPECT_TRUE(has_note_starting(report, "leave-one-source-out, validation"));
  EXPECT_TRUE(has_note_starting(report, "mixture weights (validation, experts sources): target "));
}

// Weights of the mixture are shares: with equal weights, the target alone and each of three
// sources 1/4.
TEST(CrossMarket, EqualWeightsGiveEveryExpertTheSameShare) {
  TransferOptions o = market_options("multi_source");
  o.multi_source.weights = "equal";
  o.adapt.epochs = 2;
  const TransferReport report = run_transfer(world(), o);
  EXPECT_EQ(report.source_weights, (std::map<std::string, double>{{"ca", 0.25}, {"uk", 0.25}, {"de", 0.25}}));
  EXPECT_EQ(phases_of(report), (std::set<std::string>{"pretrain", "target_alone", "from_ca", "from_uk", "from_de"}));
}

// Further target-alone experts join the sources' as equals; only the sources get source weights.
TEST(CrossMarket, SeedExpertsJoinTheSourcesExperts) {
  TransferOptions o = market_options("multi_source", "ca,uk");
  o.multi_source.weights = "equal";
  o.multi_source.seed_experts = 1;
  o.adapt.epochs = 2;
  const TransferReport report = run_transfer(world(), o);
  EXPECT_EQ(report.source_weights, (std::map<std::string, double>{{"ca", 0.25}, {"uk", 0.25}}));
  EXPECT_EQ(phases_of(report), (std::set<std::string>{"pretrain", "target_alone", "from_ca", "from_uk", "alone_seed_3"}));
  EXPECT_TRUE(has_note_starting(report, "mixture weights (equal, experts sources + 1 seeds): target 0.250, ca 0.250, "
                                        "uk 0.250, seed_3 0.250"));
}

// A step budget sets the pretraining epochs: the fewest whole epochs holding that many batches.
TEST(CrossMarket, PretrainingStepsSetTheEpochs) {
  EXPECT_EQ(pretrain_epochs(PhaseOptions{}, 1000), PhaseOptions{}.epochs);
  PhaseOptions phase;
  phase.batch_size = 8;
  phase.steps = 30;
  EXPECT_EQ(pretrain_epochs(phase, 100), 3);  // 13 batches an epoch
  phase.steps = 26;
  EXPECT_EQ(pretrain_epochs(phase, 100), 2);
  phase.steps = 1;
  EXPECT_EQ(pretrain_epochs(phase, 3), 1);

  TransferOptions o = market_options("finetune", "ca");
  o.adapt.epochs = 1;
  o.pretrain.steps = 7;
  const int64_t interactions = make_task(world(), o).source_sampler->num_interactions();
  const int64_t expected = pretrain_epochs(o.pretrain, interactions);
  ASSERT_NE(expected, o.pretrain.epochs);
  const TransferReport report = run_transfer(world(), o);
  const auto pretrain_epochs_run = std::count_if(report.history.begin(), report.history.end(),
                                                 [](const EpochLog& e) { return e.phase == "pretrain"; });
  EXPECT_EQ(pretrain_epochs_run, expected);
  EXPECT_TRUE(has_note_starting(report, "pretraining: 7 steps = " + std::to_string(expected) + " epochs"));
}

// The control trains as many experts, all on the target alone: nothing is pretrained and no
// source gets a weight.
TEST(CrossMarket, TheSeedsControlTrainsOnTheTargetAlone) {
  TransferOptions o = market_options("multi_source", "ca,uk");
  o.multi_source.experts = "seeds";
  o.adapt.epochs = 2;
  const TransferReport report = run_transfer(world(), o);
  EXPECT_TRUE(report.source_weights.empty());
  EXPECT_EQ(phases_of(report), (std::set<std::string>{"target_alone", "alone_ca", "alone_uk"}));
}

TEST(CrossMarket, AlignmentWorksOnLinkedItemsWhenNoCustomerIsShared) {
  const TransferTask task = make_task(world(), market_options("mmd"));
  EXPECT_EQ(task.options.align.on, "items");
  TransferOptions o = market_options("adversarial");
  o.adapt.epochs = 2;
  const TransferReport report = run_transfer(world(), o);
  ASSERT_TRUE(report.history.back().metrics.count("disc_acc"));
  EXPECT_GE(report.history.back().metrics.at("disc_acc"), 0.0);
}

TEST(CrossMarket, SameSeedGivesIdenticalResults) {
  TransferOptions o = market_options("multi_source");
  o.adapt.epochs = 2;
  const TransferReport a = run_transfer(world(), o);
  const TransferReport b = run_transfer(world(), o);
  EXPECT_EQ(a.overall, b.overall);
  EXPECT_EQ(a.source_weights, b.source_weights);
}

TEST(CrossMarket, BadRequestsNameTheProblem) {
  TransferOptions o = market_options("joint", "ca,xx");
  expect_usage_error(world(), o, "unknown domain 'xx'");
  expect_usage_error(world(), o, "ca, uk, de, jp");
  o = market_options("joint", "ca,jp");
  expect_usage_error(world(), o, "same domain 'jp'");
  o = market_options("joint", "ca,uk,ca");
  expect_usage_error(world(), o, "names domain 'ca' twice");

  // Two platforms whose item ids never match: methods that carry knowledge through shared items
  // say how many items each side has.
  const io::Dataset platforms = testing::cold_start_world({300, {200, 150}, {10.0, 4.0}});
  TransferOptions forec = market_options("forec", "source");
  forec.target = "target";
  forec.split = "cold";
  expect_usage_error(platforms, forec, "0 shared items (same external id; of 200 source / 150 target items)");
}

}  // namespace
}  // namespace graft::transfer
