// Node features as the encoder's input: the conversion into one feature space (exact values), the
// projection and the ID/feature combination (exact, and as the identity when adapters or LoRA are
// added), what each fine-tuning mode trains of the projection, and zero-shot transfer to a newly
// launched category through the content bridge on planted data.
#include "gnn/feature_input.h"
#include "gnn/node_features.h"
#include "graph_io/category_domain.h"
#include "graph_io/errors.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic.h"
#include "transfer/adaptation.h"
#include "transfer/transfer.h"
#include "transfer/transfer_task.h"

#include <gtest/gtest.h>

#include <cmath>

namespace graft::transfer {
namespace {

io::FeatureBlock dense(const std::string& name, int64_t rows, int64_t width, std::vector<float> values) {
  io::FeatureBlock b;
  b.name = name;
  b.kind = io::FeatureKind::kDense;
  b.rows = rows;
  b.width = width;
  b.values = std::move(values);
  return b;
}

TEST(SharedFeatureSpace, StandardisesDenseColumnsOverEveryDomainsRows) {
  io::FeatureBlock a = dense("x", 2, 1, {1.0f, 3.0f});
  io::FeatureBlock b = dense("x", 2, 1, {5.0f, 7.0f});
  b.missing = {0, 1};  // 7 is not a value: pooled mean of 1, 3, 5 is 3, std √(8/3)
  const auto space = gnn::shared_feature_space({{&a}, {&b}});
  const double sd = std::sqrt(8.0 / 3.0);
  EXPECT_NEAR(space[0].blocks[0].x[0][0].item<double>(), -2.0 / sd, 1e-6);
  EXPECT_NEAR(space[0].blocks[0].x[1][0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(space[1].blocks[0].x[0][0].item<double>(), 2.0 / sd, 1e-6);
  EXPECT_EQ(space[1].blocks[0].x[1][0].item<double>(), 0.0);  // missing: the mean
}

TEST(SharedFeatureSpace, SparseRowsGetUnitNormAndScalarsALogValueAndAMissingFlag) {
  io::FeatureBlock tags;
  tags.name = "tags";
  tags.kind = io::FeatureKind::kSparse;
  tags.rows = 2;
  tags.width = 4;
  tags.offsets = {0, 2, 2};
  tags.indices = {1, 3};
  tags.values = {3.0f, 4.0f};
  const auto sparse = gnn::shared_feature_space({{&tags}});
  const torch::Tensor rows = sparse[0].blocks[0].x.to_dense();
  EXPECT_TRUE(torch::allclose(rows, torch::tensor({{0.0f, 0.6f, 0.0f, 0.8f}, {0.0f, 0.0f, 0.0f, 0.0f}})));

  io::FeatureBlock price = dense("price", 3, 1, {std::exp(1.0f) - 1.0f, std::exp(3.0f) - 1.0f, 0.0f});
  price.kind = io::FeatureKind::kScalar;
  price.missing = {0, 0, 1};
  const auto scalar = gnn::shared_feature_space({{&price}});
  const torch::Tensor x = scalar[0].blocks[0].x;  // log1p values 1 and 3: mean 2, std 1
  EXPECT_EQ(scalar[0].blocks[0].width, 2);
  EXPECT_TRUE(torch::allclose(x, torch::tensor({{-1.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 1.0f}}), 1e-5, 1e-5));
}

TEST(SharedFeatureSpace, RefusesBlocksThatAreNotOneSpace) {
  io::FeatureBlock a = dense("x", 1, 2, {1, 2});
  io::FeatureBlock b = dense("x", 1, 1, {1});
  try {
    gnn::shared_feature_space({{&a}, {&b}});
    FAIL() << "expected a UsageError";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("widths differ"), std::string::npos) << e.what();
  }
}

gnn::NodeFeatures two_blocks() {
  io::FeatureBlock a = dense("a", 3, 2, {1, 0, 0, 1, 1, 1});
  io::FeatureBlock b = dense("b", 3, 1, {1, 2, 3});
  return gnn::shared_feature_space({{&a, &b}})[0];
}

TEST(FeatureProjection, SumsEachBlockTimesItsWeightAndStartsAdaptersAndLoraAsTheIdentity) {
  const gnn::NodeFeatures f = two_blocks();
  gnn::FeatureProjection projection(f, 4, 0.1, 7);
  const auto w = projection->projection_parameters();
  ASSERT_EQ(w.size(), 2u);
  const torch::Tensor expected = f.blocks[0].x.mm(w[0]) + f.blocks[1].x.mm(w[1]);
  const torch::Tensor before = projection->forward(f);
  EXPECT_TRUE(torch::allclose(before, expected));
  projection->add_adapter(2, 1);
  projection->add_lora(2, 1);
  EXPECT_TRUE(torch::equal(projection->forward(f), before));
  EXPECT_FALSE(projection->adapter_parameters().empty());
  EXPECT_EQ(projection->lora_parameters().size(), 4u);  // A, B per block
}

TEST(NodeInput, ItemsWithoutATrainedIdAndDroppedIdsStandOnTheirFeatures) {
  const gnn::NodeFeatures f = two_blocks();
  gnn::NodeInputOptions o;
  o.source = "both";
  o.dim = 4;
  o.id_dropout = 1.0;
  gnn::NodeInput input(o, f);
  const torch::Tensor ids = torch::ones({3, 4});
  const torch::Tensor has_id = torch::tensor({true, false, true});
  const torch::Tensor projected = input->projection()->forward(f);
  input->eval();
  const torch::Tensor eval = input->forward(ids, f, has_id);
  EXPECT_TRUE(torch::allclose(eval[0], projected[0] + 1.0f));
  EXPECT_TRUE(torch::allclose(eval[1], projected[1]));  // no trained ID
  input->train();
  EXPECT_TRUE(torch::allclose(input->forward(ids, f, has_id), projected));  // every ID dropped

  o.combine = "concat";
  o.id_dropout = 0.0;
  gnn::NodeInput concat(o, f);
  concat->eval();
  const torch::Tensor sum = ids + concat->projection()->forward(f);
  EXPECT_TRUE(torch::allclose(concat->forward(ids, f, {}), sum, 1e-6, 1e-6));  // C starts as [I; I]

  o.source = "id";
  gnn::NodeInput id_only(o, gnn::NodeFeatures{});
  EXPECT_TRUE(torch::equal(id_only->forward(ids, f, has_id), ids));
}

// The multi-category shop, scaled down, with the new category carved at budget k.
io::Dataset new_category_world(int64_t k_shot) {
  io::SyntheticOptions o = io::synthetic_preset("multi-category");
  o.users = 800;
  o.items_per_domain = {800};
  o.seed = 5;
  io::Dataset dataset = io::generate_synthetic(o);
  io::SplitOptions split;
  split.name = "launch";
  split.kind = "new_category";
  split.category = "new";
  split.k_shot = k_shot;
  split.negatives = 0;
  io::add_split(dataset, split);
  return io::carve_category_domain(dataset, "shop", "new", "launch");
}

TransferOptions launch_options(const std::string& method, const std::string& items) {
  TransferOptions o;
  o.method = method;
  o.source = "shop";
  o.target = "new";
  o.split = "launch";
  o.encoder.dim = 32;
  o.features.items = items;
  o.features.id_dropout = items == "both" ? 0.5 : 0.0;
  o.graph.categories = false;  // features alone carry the new category here
  o.pretrain.epochs = 15;
  o.pretrain.lr = 0.01;
  o.adapt.epochs = 4;
  o.adapt.lr = 0.01;
  o.adapt.eval_every = 2;
  o.compare_to_target_only = false;
  o.threads = 1;
  return o;
}

TEST(ContentBridge, FeaturesRankANewCategoryAtBudgetZeroWhereIdsCannot) {
  const io::Dataset world = new_category_world(0);
  const double floor = run_transfer(world, launch_options("popularity", "id")).overall.at("recall@20");
  const double ids = run_transfer(world, launch_options("finetune", "id")).overall.at("recall@20");
  const double content = run_transfer(world, launch_options("finetune", "both")).overall.at("recall@20");
  EXPECT_LT(ids, floor + 0.05) << "ID embeddings of items nobody took carry nothing";
  EXPECT_GT(content, 1.5 * floor + 0.03) << "floor " << floor << ", ids " << ids << ", content " << content;
}

// After adapting in `mode` for an epoch from a fresh model: whether the projection weights moved.
bool projection_moved(const io::Dataset& world, const std::string& mode) {
  TransferOptions o = launch_options("finetune", "both");
  o.adapt.epochs = 1;
  auto task = std::make_shared<const TransferTask>(make_task(world, o));
  CrossDomainModel model(task);
  std::vector<torch::Tensor> before;
  for (const auto& p : model.feature_parameters()) before.push_back(p.detach().clone());
  Recipe recipe;
  recipe.mode = mode;
  recipe.objective.push_back(parts::target_ranking());
  FitLog log;
  adapt(model, *task, recipe, log);
  bool projection = false;
  const auto after = model.feature_parameters();
  for (size_t k = 0; k < after.size(); ++k) projection = projection || !torch::equal(after[k], before[k]);
  return projection;
}

TEST(ContentBridge, ModesTrainExactlyTheirPartOfTheProjection) {
  const io::Dataset world = new_category_world(5);
  EXPECT_TRUE(projection_moved(world, "full"));
  EXPECT_TRUE(projection_moved(world, "discriminative"));
  EXPECT_FALSE(projection_moved(world, "frozen_encoder"));
  EXPECT_FALSE(projection_moved(world, "adapter"));  // its adapter trains instead
  EXPECT_FALSE(projection_moved(world, "lora"));     // its low-rank updates train instead
}

TEST(ContentBridge, ReadingFeaturesThatTheDomainsDoNotShareIsAnErrorNamingThem) {
  io::Dataset world = new_category_world(0);
  world.domain("new").item_features.clear();
  try {
    make_task(world, launch_options("finetune", "features"));
    FAIL() << "expected a UsageError";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("share no item feature block"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("content"), std::string::npos) << e.what();
  }
  TransferOptions named = launch_options("finetune", "features");
  named.features.blocks = "title";
  try {
    make_task(new_category_world(0), named);
    FAIL() << "expected a UsageError";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no item feature block 'title'"), std::string::npos) << e.what();
  }
}

TEST(UserFeatures, TheTargetsUserBlocksFeedTheUserInputAndTrain) {
  io::Dataset world = new_category_world(5);
  io::FeatureBlock profile = dense("profile", world.num_users(), 2, {});
  for (int64_t u = 0; u < world.num_users(); ++u) {
    profile.values.push_back(static_cast<float>(u % 7));
    profile.values.push_back(static_cast<float>(u % 3));
  }
  world.domain("new").user_features.push_back(profile);
  TransferOptions o = launch_options("finetune", "id");
  o.features.users = "both";
  auto task = std::make_shared<const TransferTask>(make_task(world, o));
  ASSERT_EQ(task->user_features.blocks.size(), 1u);
  CrossDomainModel model(task);
  std::vector<torch::Tensor> before;
  for (const auto& p : model.feature_parameters()) before.push_back(p.detach().clone());
  ASSERT_FALSE(before.empty()) << "the user projection is a feature parameter";
  Recipe recipe;
  recipe.mode = "full";
  recipe.objective.push_back(parts::target_ranking());
  FitLog log;
  adapt(model, *task, recipe, log);
  const auto after = model.feature_parameters();
  bool moved = false;
  for (size_t k = 0; k < after.size(); ++k) moved = moved || !torch::equal(after[k], before[k]);
  EXPECT_TRUE(moved);
  const TransferReport r = run_transfer(world, o);
  EXPECT_GT(r.overall.at("recall@20"), 0.0);

  world.domain("new").user_features.clear();
  try {
    make_task(world, o);
    FAIL() << "expected a UsageError";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("features.users"), std::string::npos) << e.what();
  }
}

// Ranking the new category's test items among every item: the same target scores meet more
// candidates, so no user's metrics can rise, for every kind of method that scores source items.
TEST(RankAllItems, RanksTheTargetsTestItemsAmongTheSourcesItemsToo) {
  const io::Dataset world = new_category_world(5);
  for (const auto& [method, items] : std::vector<std::pair<std::string, std::string>>{
           {"popularity", "id"}, {"finetune", "both"}, {"source_only", "both"}, {"joint", "id"}}) {
    TransferOptions o = launch_options(method, items);
    o.rank_all_items = true;
    o.ks = {20, 400};
    const TransferReport r = run_transfer(world, o);
    ASSERT_FALSE(r.all_items.empty()) << method;
    EXPECT_EQ(r.all_items_users, r.cold_start_cases + r.warm_cases) << method;
    EXPECT_LE(r.all_items.at("recall@20"), r.overall.at("recall@20") + 1e-12) << method;
    EXPECT_LE(r.all_items.at("ndcg@400"), r.overall.at("ndcg@400") + 1e-12) << method;
    EXPECT_DOUBLE_EQ(r.overall.at("recall@400"), 1.0) << "400 candidates hold every new item";
    if (method == "popularity") {
      EXPECT_LT(r.all_items.at("recall@400"), 1.0) << "the source's items sell more";
    }
    EXPECT_NE(format_report(r).find("all items"), std::string::npos);
  }
  TransferOptions o = launch_options("target_only", "id");
  o.rank_all_items = true;
  const TransferReport target_only = run_transfer(world, o);
  EXPECT_TRUE(target_only.all_items.empty()) << "target_only never trains source items";
  EXPECT_NE(target_only.notes.back().find("does not score source items"), std::string::npos);
}

TEST(RankAllItems, AtBudgetZeroWithoutFeaturesEveryItemTiesAndSourceItemsComeFirst) {
  TransferOptions o = launch_options("finetune", "id");
  o.rank_all_items = true;
  const TransferReport r = run_transfer(new_category_world(0), o);
  EXPECT_GT(r.overall.at("recall@50"), 0.0);
  EXPECT_EQ(r.all_items.at("recall@50"), 0.0) << "ties break by item index, and the source's items come first";
}

TEST(RankAllItems, IsAFullRankingProtocol) {
  const io::Dataset world = new_category_world(0);
  TransferOptions o = launch_options("popularity", "id");
  o.rank_all_items = true;
  o.protocol = "sampled";
  try {
    make_task(world, o);
    FAIL() << "expected a UsageError";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("rank_all_items"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sampled"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graft::transfer
