// Encoder: combine modes, the identity-initialised head, activations, parameter groups and
// freezing, seeding, dropout, cloning and option validation, the typed forward; EncoderRecommender
// trained through the factory and gnn::train for every layer type.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "gnn/encoder.h"
#include "gnn/encoder_recommender.h"
#include "gnn/models.h"
#include "gnn/spmm.h"
#include "gnn/trainer.h"
#include "gnn/typed_graph.h"
#include "graph_io/errors.h"
#include "tests/support/error_text.h"

namespace graft::gnn {
namespace {

constexpr int64_t kNodes = 9, kDim = 4;

// A symmetric graph over 9 nodes (a ring plus chords, node 8 isolated), float32, self-loops
// and symmetric normalisation so that every layer type accepts it.
SparseGraph small_graph() {
  std::vector<int64_t> a, b;
  for (int64_t i = 0; i < 8; ++i) {
    a.push_back(i);
    b.push_back((i + 1) % 8);
  }
  a.insert(a.end(), {0, 2, 1});
  b.insert(b.end(), {4, 6, 5});
  const torch::Tensor ta = torch::tensor(a), tb = torch::tensor(b);
  const SparseGraph g = SparseGraph::from_coo(kNodes, kNodes, torch::cat({ta, tb}), torch::cat({tb, ta}),
                                              torch::ones({2 * ta.numel()}));
  return normalize(g, Normalization::kSymmetric, true);
}

// The same graph typed: the ring and the chords as two relations; its full graph is small_graph().
TypedGraph small_typed_graph() {
  const std::vector<RelationEdges> edges = {{"ring", {0, 1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7, 0}, {}},
                                            {"chord", {0, 2, 1}, {4, 6, 5}, {}}};
  GraphOptions options;
  options.self_loops = true;
  return build_typed_graph({kNodes, 0, 0}, edges, options);
}

torch::Tensor features(uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn({kNodes, kDim}, gen);
}

EncoderOptions options(const std::string& layer, int64_t layers = 2) {
  EncoderOptions o;
  o.dim = kDim;
  o.layers = layers;
  o.layer = layer;
  o.heads = layer == "gat" ? 2 : 1;
  if (layer == "relational") o.relations = {"ring", "chord"};
  o.seed = 7;
  return o;
}

// The encoder over the small graph: typed for the relational layer, untyped otherwise.
torch::Tensor encode(Encoder& encoder, const torch::Tensor& x) {
  if (encoder->options().layer == "relational") return encoder->forward(small_typed_graph(), x);
  return encoder->forward(small_graph(), x);
}

std::set<const void*> addresses(const std::vector<torch::Tensor>& tensors) {
  std::set<const void*> out;
  for (const auto& t : tensors) out.insert(t.data_ptr());
  return out;
}

std::string usage_error_of(const EncoderOptions& o) {
  try {
    validate(o);
  } catch (const io::UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Encoder, CombineModesAndOutputWidth) {
  const torch::Tensor x = features(1);
  for (const std::string& layer : layer_names()) {
    for (const std::string& combine : combine_names()) {
      EncoderOptions o = options(layer, 2);
      o.combine = combine;
      Encoder encoder(o);
      const int64_t width = combine == "concat" ? 3 * kDim : kDim;
      EXPECT_EQ(encoder->out_dim(), width);
      EXPECT_EQ(encode(encoder, x).sizes(), (std::vector<int64_t>{kNodes, width})) << layer << " " << combine;
    }
  }
}

TEST(Encoder, ZeroLayersIsTheInputThroughTheHead) {
  EncoderOptions o = options("gcn", 0);
  o.combine = "concat";
  EXPECT_TRUE(torch::allclose(Encoder(o)->forward(small_graph(), features(2)), features(2)));
}

TEST(Encoder, IdentityHeadStartsAsItsGnn) {
  const SparseGraph g = small_graph();
  const torch::Tensor x = features(3);
  for (const std::string& layer : layer_names()) {
    for (const std::string& combine : combine_names()) {
      EncoderOptions o = options(layer);
      o.combine = combine;
      EncoderOptions without = o;
      without.head = false;
      Encoder plain(without), with_head(o);
      EXPECT_TRUE(plain->head_parameters().empty());
      EXPECT_TRUE(torch::allclose(encode(with_head, x), encode(plain, x), 1e-6, 1e-6)) << layer << " " << combine;
    }
  }
  // LightGCN with mean combine is LightGCN's propagation.
  EXPECT_TRUE(torch::allclose(Encoder(options("lightgcn", 3))->forward(g, x), lightgcn_propagate(g, x, 3), 1e-6,
                              1e-6));
  // last: the K-th layer's output.
  EncoderOptions last = options("lightgcn", 2);
  last.combine = "last";
  EXPECT_TRUE(torch::allclose(Encoder(last)->forward(g, x), spmm(g, spmm(g, x)), 1e-6, 1e-6));
}

TEST(Encoder, ActivationIsAppliedToTheHead) {
  const SparseGraph g = small_graph();
  const torch::Tensor x = features(4);
  const torch::Tensor linear = Encoder(options("sage"))->forward(g, x);
  const std::vector<std::pair<std::string, torch::Tensor>> expected = {
      {"sigmoid", torch::sigmoid(linear)}, {"tanh", torch::tanh(linear)}, {"relu", torch::relu(linear)}};
  for (const auto& [activation, want] : expected) {
    EncoderOptions o = options("sage");
    o.activation = activation;
    EXPECT_TRUE(torch::allclose(Encoder(o)->forward(g, x), want, 1e-6, 1e-6)) << activation;
  }
  EXPECT_LT(linear.min().item<double>(), 0.0);  // so relu visibly changes it
}

TEST(Encoder, ParameterGroupsAreDisjointAndCoverEverything) {
  for (const std::string& layer : layer_names()) {
    Encoder encoder(options(layer, 3));
    std::set<const void*> seen;
    size_t count = 0;
    std::vector<std::vector<torch::Tensor>> groups = {encoder->head_parameters()};
    for (int64_t k = 0; k < encoder->num_layers(); ++k) groups.push_back(encoder->layer_parameters(k));
    for (const auto& group : groups) {
      for (const auto& p : group) {
        EXPECT_TRUE(seen.insert(p.data_ptr()).second) << layer << ": a parameter is in two groups";
        ++count;
      }
    }
    EXPECT_EQ(seen, addresses(encoder->parameters())) << layer;
    EXPECT_EQ(count, encoder->parameters().size()) << layer;
    EXPECT_EQ(encoder->head_parameters().size(), 2u);
    EXPECT_EQ(encoder->layer_parameters(0).empty(), layer == "lightgcn");
  }
  EXPECT_THROW(Encoder(options("gcn", 2))->layer_parameters(2), c10::Error);
}

// Σ‖W‖² over the layers' weight matrices, read by parameter name (weight, weight_self,
// weight_neigh, weight_<r>, weight_shared; never biases or attention vectors).
double layer_weight_squares(Encoder& encoder) {
  double squares = 0.0;
  for (const auto& item : encoder->named_parameters()) {
    const std::string& name = item.key();
    if (name.rfind("layer_", 0) == 0 && name.find(".weight") != std::string::npos) {
      squares += item.value().pow(2).sum().item<double>();
    }
  }
  return squares;
}

TEST(Encoder, WeightPenaltyIsTheHeadsDistanceFromIdentityPlusTheLayerWeights) {
  torch::NoGradGuard no_grad;
  for (const std::string& layer : layer_names()) {
    Encoder encoder(options(layer, 2));
    // θ starts at I and b at 0, so only the layers' weights count; lightgcn has none.
    const double at_start = encoder->weight_penalty().item<double>();
    const double layers = layer_weight_squares(encoder);
    EXPECT_NEAR(at_start, layers, 1e-5 * (1.0 + layers)) << layer;
    EXPECT_EQ(layers > 0.0, layer != "lightgcn") << layer;
    encoder->head_parameters()[0].mul_(2.0);   // θ = 2I: ‖θ − I‖² = dim
    encoder->head_parameters()[1].fill_(0.5);  // ‖b‖² = dim / 4
    EXPECT_NEAR(encoder->weight_penalty().item<double>() - at_start, 1.25 * kDim, 1e-4) << layer;
  }
  EncoderOptions headless = options("gcn");
  headless.head = false;
  Encoder encoder(headless);
  EXPECT_NEAR(encoder->weight_penalty().item<double>(), layer_weight_squares(encoder), 1e-5);
}

TEST(Encoder, FrozenGroupStaysUnchangedByAnOptimiserStep) {
  Encoder encoder(options("gat", 2));
  for (auto& p : encoder->layer_parameters(0)) p.requires_grad_(false);
  std::vector<torch::Tensor> before0, before1;
  for (const auto& p : encoder->layer_parameters(0)) before0.push_back(p.detach().clone());
  for (const auto& p : encoder->layer_parameters(1)) before1.push_back(p.detach().clone());
  torch::optim::Adam optimizer(encoder->parameters(), torch::optim::AdamOptions(0.1));
  const torch::Tensor x = features(5).requires_grad_();
  encoder->forward(small_graph(), x).pow(2).sum().backward();
  optimizer.step();
  for (size_t i = 0; i < before0.size(); ++i) EXPECT_TRUE(torch::equal(encoder->layer_parameters(0)[i], before0[i]));
  bool moved = false;
  for (size_t i = 0; i < before1.size(); ++i) moved |= !torch::equal(encoder->layer_parameters(1)[i], before1[i]);
  EXPECT_TRUE(moved);
}

TEST(Encoder, SameSeedSameOutputsOtherSeedOtherOutputs) {
  const SparseGraph g = small_graph();
  const torch::Tensor x = features(6);
  for (const char* layer : {"gcn", "sage", "gat", "relational"}) {
    EncoderOptions o = options(layer);
    Encoder first(o), same(o);
    const torch::Tensor y = encode(first, x);
    EXPECT_TRUE(torch::equal(y, encode(same, x))) << layer;
    o.seed = 8;
    Encoder other(o);
    EXPECT_FALSE(torch::equal(y, encode(other, x))) << layer;
  }
  // Layers of one encoder draw different weights.
  Encoder encoder(options("gcn"));
  EXPECT_FALSE(torch::equal(encoder->layer_parameters(0)[0], encoder->layer_parameters(1)[0]));
}

TEST(Encoder, DropoutOnlyWhileTraining) {
  EncoderOptions o = options("lightgcn");
  o.dropout = 0.5;
  Encoder encoder(o);
  const SparseGraph g = small_graph();
  const torch::Tensor x = features(7);
  encoder->eval();
  EXPECT_TRUE(torch::allclose(encoder->forward(g, x), lightgcn_propagate(g, x, 2), 1e-6, 1e-6));
  encoder->train();
  torch::manual_seed(0);
  EXPECT_FALSE(torch::allclose(encoder->forward(g, x), lightgcn_propagate(g, x, 2), 1e-6, 1e-6));
}

TEST(Encoder, CloneKeepsParametersAndGroups) {
  Encoder encoder(options("gat"));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : encoder->parameters()) p.add_(0.25);
  }
  const auto copy = std::dynamic_pointer_cast<EncoderImpl>(encoder->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(torch::equal(copy->forward(small_graph(), features(8)), encoder->forward(small_graph(), features(8))));
  EXPECT_EQ(copy->layer_parameters(1).size(), encoder->layer_parameters(1).size());
  EXPECT_NE(copy->layer_parameters(1)[0].data_ptr(), encoder->layer_parameters(1)[0].data_ptr());
}

TEST(Encoder, ValidateNamesTheFieldAndValue) {
  EncoderOptions o = options("gcn");
  EXPECT_EQ(usage_error_of(o), "(no error)");
  o.layer = "gcm";
  EXPECT_EQ(usage_error_of(o), "encoder.layer: unknown layer 'gcm' (valid: lightgcn, gcn, sage, gat, relational)");
  o = options("gcn");
  o.combine = "sum";
  EXPECT_EQ(usage_error_of(o), "encoder.combine: unknown combine mode 'sum' (valid: mean, last, concat)");
  o = options("gcn");
  o.activation = "gelu";
  EXPECT_EQ(usage_error_of(o), "encoder.activation: unknown activation 'gelu' (valid: sigmoid, tanh, relu, identity)");
  o = options("gcn");
  o.dim = 0;
  EXPECT_EQ(usage_error_of(o), "encoder.dim: must be at least 1, got 0");
  o = options("gcn");
  o.layers = -1;
  EXPECT_EQ(usage_error_of(o), "encoder.layers: must be at least 0, got -1");
  o = options("gcn");
  o.dropout = 1.0;
  EXPECT_EQ(usage_error_of(o), "encoder.dropout: must be in [0, 1), got 1");
  o.dropout = -0.5;
  EXPECT_EQ(usage_error_of(o), "encoder.dropout: must be in [0, 1), got -0.5");
  o = options("gat");
  o.heads = 3;
  EXPECT_EQ(usage_error_of(o), "encoder.heads: must be a positive divisor of encoder.dim = 4, got 3");
  o.heads = 0;
  EXPECT_EQ(usage_error_of(o), "encoder.heads: must be a positive divisor of encoder.dim = 4, got 0");
  EXPECT_THROW(Encoder{o}, io::UsageError);
  o = options("relational");
  o.relations.clear();
  EXPECT_EQ(usage_error_of(o), "encoder.relations: layer 'relational' needs at least one relation name");
  o.relations = {"ring", "chord", "ring"};
  EXPECT_EQ(usage_error_of(o), "encoder.relations: relation 'ring' is named twice");
}

TEST(Encoder, TypedForwardOfUntypedLayersIsTheForwardOnTheFullGraph) {
  const TypedGraph typed = small_typed_graph();
  const SparseGraph g = small_graph();
  EXPECT_TRUE(torch::equal(typed.full.to_dense(), g.to_dense()));
  const torch::Tensor x = features(9);
  for (const std::string& layer : std::vector<std::string>{"lightgcn", "gcn", "sage", "gat"}) {
    for (const std::string& combine : combine_names()) {
      EncoderOptions o = options(layer);
      o.combine = combine;
      o.activation = "tanh";
      Encoder encoder(o);
      EXPECT_TRUE(torch::equal(encoder->forward(typed, x), encoder->forward(typed.full, x))) << layer << " " << combine;
    }
  }
}

TEST(Encoder, RelationalReadsRelationsByName) {
  const TypedGraph typed = small_typed_graph();
  const torch::Tensor x = features(10);
  Encoder encoder(options("relational"));
  EXPECT_EQ(graft::testing::error_of([&] { encoder->forward(small_graph(), x); }),
            "Encoder: layer 'relational' needs a typed graph (forward(const TypedGraph&, x))");
  // A relation the encoder knows but the graph lacks contributes nothing: weights are drawn in
  // the order of the names, so the extra last relation leaves the others' weights as they were.
  EncoderOptions more = options("relational");
  more.relations.push_back("user-item/buy");
  Encoder wider(more);
  EXPECT_EQ(wider->layer_parameters(0).size(), encoder->layer_parameters(0).size() + 1);
  EXPECT_TRUE(torch::equal(wider->forward(typed, x), encoder->forward(typed, x)));
  // A relation in the graph the encoder has no weights for is an error naming it.
  EncoderOptions fewer = options("relational");
  fewer.relations = {"ring"};
  Encoder narrow(fewer);
  EXPECT_EQ(graft::testing::error_of([&] { narrow->forward(typed, x); }),
            "RelationalConv: the graph's relation 'chord' has no weights (relations: ring)");
  // Each relation has its own weight: dropping the chords changes the output.
  TypedGraph ring_only = typed;
  ring_only.relations.pop_back();
  EXPECT_FALSE(torch::equal(encoder->forward(ring_only, x), encoder->forward(typed, x)));
}

// 40 users in 2 clusters of 10 items; each user has 6 training interactions in its cluster.
io::Dataset two_cluster_dataset() {
  io::Dataset ds;
  io::Domain d;
  d.name = "shop";
  for (int64_t i = 0; i < 20; ++i) d.item_ids.push_back("i" + std::to_string(i));
  io::Split split;
  split.name = "given";
  split.kind = "given";
  io::DomainSplit& part = split.part_or_add("shop");
  for (int64_t u = 0; u < 40; ++u) {
    ds.user_ids.push_back("u" + std::to_string(u));
    for (int64_t k = 0; k < 7; ++k) {
      (k < 6 ? part.train : part.test).push_back(static_cast<int64_t>(d.interactions.size()));
      d.interactions.user.push_back(u);
      d.interactions.item.push_back((u % 2) * 10 + (u + 3 * k) % 10);
    }
  }
  ds.domains.push_back(d);
  ds.splits.push_back(split);
  return ds;
}

TEST(EncoderRecommender, TrainsThroughTheFactoryForEveryLayer) {
  const io::Dataset data = two_cluster_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  const NegativeSampler sampler = NegativeSampler::for_split(data, "shop", part);
  for (const std::string& layer : layer_names()) {
    ModelOptions o;
    o.name = "encoder";
    o.dim = 8;
    o.layers = 2;
    o.encoder.layer = layer;
    o.encoder.heads = layer == "gat" ? 2 : 1;
    if (layer == "relational") o.encoder.relations = {"user-item"};
    o.encoder.activation = "tanh";
    const auto model = make_recommender(o, data, "shop", part);
    ASSERT_EQ(model->model_name(), "encoder");
    TrainOptions t;
    t.epochs = 5;
    t.batch_size = 64;
    t.lr = 0.02;
    t.threads = 1;
    t.eval_every = 5;
    const TrainResult result = train(*model, sampler, t);
    ASSERT_EQ(result.history.size(), 5u) << layer;
    for (const auto& record : result.history) EXPECT_TRUE(std::isfinite(record.loss)) << layer;
    EXPECT_LT(result.history.back().loss, result.history.front().loss) << layer;
    const Representations r = model->represent();
    EXPECT_EQ(r.users.sizes(), (std::vector<int64_t>{40, 8}));
    EXPECT_EQ(r.items.sizes(), (std::vector<int64_t>{20, 8}));
  }
}

TEST(EncoderRecommender, ScoresAddTheBiasAndRegularisesLayerZero) {
  const io::Dataset data = two_cluster_dataset();
  ModelOptions o;
  o.name = "encoder";
  o.dim = 4;
  o.encoder.layer = "sage";
  const auto model = std::dynamic_pointer_cast<EncoderRecommender>(make_recommender(o, data, "shop",
                                                                                    data.splits[0].parts[0]));
  ASSERT_TRUE(model);
  {
    torch::NoGradGuard no_grad;
    model->named_parameters()["bias"].fill_(0.5);
  }
  const Representations r = model->represent();
  const torch::Tensor users = torch::tensor({0, 3}, torch::kInt64), items = torch::tensor({1, 19}, torch::kInt64);
  const torch::Tensor dots = (r.users.index_select(0, users) * r.items.index_select(0, items)).sum(1);
  EXPECT_TRUE(torch::allclose(model->score_pairs(r, users, items), dots + 0.5));
  EXPECT_TRUE(torch::allclose(model->score_all_items(r, users).index({torch::arange(2), items}), dots + 0.5));
  const torch::Tensor e = model->embedding();
  const double expected = (e[0].pow(2).sum() + e[40 + 1].pow(2).sum() + e[40 + 2].pow(2).sum()).item<double>();
  EXPECT_NEAR(model->batch_l2(torch::tensor({0}, torch::kInt64), torch::tensor({1}, torch::kInt64),
                                   torch::tensor({2}, torch::kInt64)).item<double>(), expected,
              1e-6);
  o.encoder.layer = "gcm";
  EXPECT_THROW(make_recommender(o, data, "shop", data.splits[0].parts[0]), io::UsageError);
}

// ‖θ − I‖ after training the sage encoder on the two clusters, with or without decay_weights.
double head_drift_after_training(bool decay_weights, double weight_decay, double* penalty_in_l2) {
  const io::Dataset data = two_cluster_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  ModelOptions o;
  o.name = "encoder";
  o.dim = 4;
  o.encoder.layer = "sage";
  o.encoder.decay_weights = decay_weights;
  const auto model = std::dynamic_pointer_cast<EncoderRecommender>(make_recommender(o, data, "shop", part));
  const torch::Tensor users = torch::tensor({0, 3}, torch::kInt64), items = torch::tensor({1, 2}, torch::kInt64);
  {
    torch::NoGradGuard no_grad;
    const double rows = (model->embedding().index_select(0, users).pow(2).sum() +
                         2 * model->embedding().index_select(0, items + 40).pow(2).sum())
                            .item<double>();
    *penalty_in_l2 = model->batch_l2(users, items, items).item<double>() - rows;
  }
  TrainOptions t;
  t.epochs = 30;
  t.batch_size = 16;
  t.lr = 0.05;
  t.weight_decay = weight_decay;
  t.threads = 1;
  train(*model, NegativeSampler::for_split(data, "shop", part), t);
  torch::NoGradGuard no_grad;
  return (model->encoder()->head_parameters()[0] - torch::eye(4)).norm().item<double>();
}

TEST(EncoderRecommender, DecayWeightsPutsTheEncoderWeightsUnderTheL2) {
  double with_penalty = 0.0, without_penalty = 0.0;
  const double free_drift = head_drift_after_training(false, 0.1, &without_penalty);
  const double decayed_drift = head_drift_after_training(true, 0.1, &with_penalty);
  EXPECT_NEAR(without_penalty, 0.0, 1e-6);
  // The batch of 2 carries 2 × weight_penalty(), so that the L2 term's division by the batch
  // leaves the weights once per step. At the start θ = I, so that is the sage weights alone.
  ModelOptions o;
  o.name = "encoder";
  o.dim = 4;
  o.encoder.layer = "sage";
  const io::Dataset data = two_cluster_dataset();
  const auto fresh = std::dynamic_pointer_cast<EncoderRecommender>(make_recommender(o, data, "shop", data.splits[0].parts[0]));
  EXPECT_NEAR(with_penalty, 2.0 * fresh->encoder()->weight_penalty().item<double>(), 1e-4);
  EXPECT_GT(with_penalty, 0.0);
  EXPECT_LT(decayed_drift, 0.5 * free_drift) << "free " << free_drift << ", decayed " << decayed_drift;
}

// two_cluster_dataset with items 20 and 21 that nobody took and a dense block "f" [22, 3]
// whose rows 20 and 21 are equal.
io::Dataset featured_cluster_dataset() {
  io::Dataset ds = two_cluster_dataset();
  io::Domain& d = ds.domains[0];
  d.item_ids.push_back("i20");
  d.item_ids.push_back("i21");
  io::FeatureBlock f;
  f.name = "f";
  f.rows = 22;
  f.width = 3;
  for (int64_t i = 0; i < 22; ++i) {
    const float x = static_cast<float>(std::min<int64_t>(i, 20));
    f.values.insert(f.values.end(), {std::sin(x), std::cos(x), x / 22.0f});
  }
  d.item_features.push_back(f);
  return ds;
}

ModelOptions featured_encoder(const std::string& item_input) {
  ModelOptions o;
  o.name = "encoder";
  o.dim = 8;
  o.layers = 2;
  o.item_input = item_input;
  return o;
}

TEST(EncoderRecommender, ItemsNobodyTookStandOnTheirFeatures) {
  const io::Dataset data = featured_cluster_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  torch::NoGradGuard no_grad;
  for (const char* input : {"features", "both"}) {
    const Representations r = make_recommender(featured_encoder(input), data, "shop", part)->represent();
    EXPECT_TRUE(torch::allclose(r.items[20], r.items[21])) << input << ": same features, no trained ID, no edges";
    EXPECT_FALSE(torch::allclose(r.items[19], r.items[20])) << input;
  }
  const Representations ids = make_recommender(featured_encoder("id"), data, "shop", part)->represent();
  EXPECT_FALSE(torch::allclose(ids.items[20], ids.items[21])) << "IDs alone: two random rows";
  ModelOptions unknown = featured_encoder("both");
  unknown.item_blocks = "f,title";
  const std::string error = testing::error_of([&] { make_recommender(unknown, data, "shop", part); });
  EXPECT_NE(error.find("no item feature block 'title' (it has: f)"), std::string::npos) << error;
}

TEST(EncoderRecommender, TrainingMovesTheFeatureProjection) {
  const io::Dataset data = featured_cluster_dataset();
  const io::DomainSplit& part = data.splits[0].parts[0];
  const auto model = make_recommender(featured_encoder("both"), data, "shop", part);
  const torch::Tensor before = model->named_parameters()["item_input.projection.weight_0"].detach().clone();
  TrainOptions t;
  t.epochs = 2;
  t.batch_size = 64;
  t.lr = 0.02;
  t.threads = 1;
  t.eval_every = 2;
  train(*model, NegativeSampler::for_split(data, "shop", part), t);
  EXPECT_FALSE(torch::equal(model->named_parameters()["item_input.projection.weight_0"], before));
}

}  // namespace
}  // namespace graft::gnn
