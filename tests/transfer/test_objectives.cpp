// The parts of the adaptation loop: each objective part against a direct computation (value and
// gradient) on a tiny task, and each fine-tuning mode training exactly the parameter groups it
// claims, at the learning rates it claims.
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "tests/transfer/cold_start_world.h"
#include "transfer/adaptation.h"
#include "transfer/alignment_losses.h"
#include "transfer/domain_discriminator.h"
#include "transfer/gradient_reversal.h"
#include "transfer/variational_bottleneck.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace graft::transfer {
namespace {

const io::Dataset& tiny_world() {
  static const io::Dataset dataset = testing::cold_start_world({200, {80, 60}, {10.0, 4.0}, 0.2, 5, 20, 2});
  return dataset;
}

TransferOptions tiny_options(const std::string& layer = "lightgcn") {
  TransferOptions o;
  o.method = "finetune";
  o.source = "source";
  o.target = "target";
  o.split = "cold";
  o.encoder.dim = 8;
  o.encoder.layers = 2;
  o.encoder.layer = layer;
  o.adapt.batch_size = 1 << 20;  // one batch, so one epoch is one optimiser step
  o.adapt.eval_every = 1000;     // validate only at the last epoch, so it is the one kept
  o.adapt.lr = 0.01;
  o.threads = 1;
  return o;
}

std::shared_ptr<const TransferTask> tiny_task(const TransferOptions& options) {
  return std::make_shared<const TransferTask>(make_task(tiny_world(), options));
}

// ---- objective parts against direct computations -----------------------------------------------

// A step over fixed random representations (leaves that require grad) and the first 64 triples
// of an epoch of each domain.
struct StepFixture {
  std::shared_ptr<const TransferTask> task = tiny_task(tiny_options());
  CrossDomainModel model{task};
  std::mt19937_64 rng{7};
  Step step{*task, model, {}, {}, {}, {}, {}, {}, 0.5, rng};

  StepFixture() {
    torch::manual_seed(3);
    const int64_t d = 8;
    step.target = {torch::randn({task->num_users, d}).requires_grad_(), torch::randn({task->target_items, d}).requires_grad_()};
    step.source = {torch::randn({task->num_users, d}).requires_grad_(), torch::randn({task->source_items, d}).requires_grad_()};
    step.target_batch = first(task->target_sampler->sample_epoch(1), 64);
    step.source_batch = first(task->source_sampler->sample_epoch(2), 64);
    torch::NoGradGuard no_grad;
    const_cast<torch::Tensor&>(model.target_item_bias()).uniform_(-1, 1);
    const_cast<torch::Tensor&>(model.source_item_bias()).uniform_(-1, 1);
  }
  static gnn::Triples first(const gnn::Triples& t, int64_t n) {
    return {t.users.narrow(0, 0, n), t.positives.narrow(0, 0, n), t.negatives.narrow(0, 0, n)};
  }
  std::vector<torch::Tensor> leaves() const { return {step.target.users, step.target.items, step.source.users, step.source.items}; }
};

// BPR of one (user, positive, negative) row under user rows `users`, item rows `items`, biases `bias`.
torch::Tensor bpr_row(const torch::Tensor& users, const torch::Tensor& items, const torch::Tensor& bias, int64_t u,
                      int64_t p, int64_t n) {
  const torch::Tensor pos = (users[u] * items[p]).sum() + bias[p];
  const torch::Tensor neg = (users[u] * items[n]).sum() + bias[n];
  return torch::softplus(neg - pos);
}

// L2 of the LightGCN objective over the batch's layer-0 rows: wd · ½ · Σ‖e‖² / B.
torch::Tensor l2_direct(const torch::Tensor& users, const torch::Tensor& items, const gnn::Triples& b, double wd) {
  torch::Tensor sum = torch::zeros({});
  for (int64_t k = 0; k < b.size(); ++k) {
    sum = sum + users[b.users[k].item<int64_t>()].pow(2).sum() + items[b.positives[k].item<int64_t>()].pow(2).sum() +
          items[b.negatives[k].item<int64_t>()].pow(2).sum();
  }
  return wd * 0.5 * sum / static_cast<double>(b.size());
}

// Mean BPR over the rows of `b` whose user passes `keep` (undefined when none does).
torch::Tensor mean_bpr(const torch::Tensor& users, const torch::Tensor& items, const torch::Tensor& bias,
                       const gnn::Triples& b, const std::function<bool(int64_t)>& keep,
                       const std::vector<float>& weights = {}) {
  torch::Tensor sum = torch::zeros({});
  int64_t rows = 0;
  for (int64_t k = 0; k < b.size(); ++k) {
    const int64_t u = b.users[k].item<int64_t>();
    if (!keep(u)) continue;
    const double w = weights.empty() ? 1.0 : weights[static_cast<size_t>(u)];
    sum = sum + w * bpr_row(users, items, bias, u, b.positives[k].item<int64_t>(), b.negatives[k].item<int64_t>());
    ++rows;
  }
  return rows == 0 ? torch::Tensor() : sum / static_cast<double>(rows);
}

// The part's loss and the direct one agree in value and in their gradients w.r.t. every
// representation tensor.
void expect_same_loss_and_gradients(const torch::Tensor& part, const torch::Tensor& direct,
                                    const std::vector<torch::Tensor>& leaves, const std::string& what) {
  ASSERT_TRUE(part.defined() && direct.defined()) << what;
  EXPECT_NEAR(part.item<double>(), direct.item<double>(), 1e-5 * (1 + std::abs(direct.item<double>()))) << what;
  std::vector<torch::Tensor> inputs;
  for (const auto& leaf : leaves) inputs.push_back(leaf);
  const auto grad_part = torch::autograd::grad({part}, inputs, {}, true, false, true);
  const auto grad_direct = torch::autograd::grad({direct}, inputs, {}, true, false, true);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const torch::Tensor a = grad_part[k].defined() ? grad_part[k] : torch::zeros_like(inputs[k]);
    const torch::Tensor b = grad_direct[k].defined() ? grad_direct[k] : torch::zeros_like(inputs[k]);
    EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-6)) << what << ": gradient of input " << k << " differs by "
                                                   << (a - b).abs().max().item<double>();
  }
}

TEST(ObjectiveParts, TargetRankingIsBprPlusTheL2OfTheBatchsEmbeddings) {
  StepFixture f;
  const torch::Tensor part = parts::target_ranking()->loss(f.step);
  const auto& b = f.step.target_batch;
  const torch::Tensor direct =
      mean_bpr(f.step.target.users, f.step.target.items, f.model.target_item_bias(), b, [](int64_t) { return true; }) +
      l2_direct(f.model.users(), f.model.target_items(), b, f.task->options.adapt.weight_decay);
  expect_same_loss_and_gradients(part, direct, f.leaves(), "target_ranking");
}

TEST(ObjectiveParts, SourceRankingIsWeightedPerUser) {
  StepFixture f;
  std::vector<float> weights(static_cast<size_t>(f.task->num_users));
  for (size_t u = 0; u < weights.size(); ++u) weights[u] = 0.5f + static_cast<float>(u % 3);
  const torch::Tensor part = parts::source_ranking(0.7, weights)->loss(f.step);
  const auto& b = f.step.source_batch;
  // The weighted mean divides by the number of pairs, not by the sum of weights.
  const torch::Tensor direct =
      0.7 * (mean_bpr(f.step.source.users, f.step.source.items, f.model.source_item_bias(), b,
                      [](int64_t) { return true; }, weights) +
             l2_direct(f.model.users(), f.model.source_items(), b, f.task->options.adapt.weight_decay));
  expect_same_loss_and_gradients(part, direct, f.leaves(), "source_ranking");
}

TEST(ObjectiveParts, TheBridgeScoresSharedUsersFromTheOtherGraph) {
  StepFixture f;
  std::set<int64_t> shared(f.task->shared_users.begin(), f.task->shared_users.end());
  const auto is_shared = [&](int64_t u) { return shared.count(u) > 0; };
  const torch::Tensor forward = parts::bridge(*f.task, 3.0)->loss(f.step);
  expect_same_loss_and_gradients(forward,
                                 3.0 * mean_bpr(f.step.source.users, f.step.target.items, f.model.target_item_bias(),
                                                f.step.target_batch, is_shared),
                                 f.leaves(), "bridge");
  const torch::Tensor reverse = parts::reverse_bridge(*f.task, 2.0)->loss(f.step);
  expect_same_loss_and_gradients(reverse,
                                 2.0 * mean_bpr(f.step.target.users, f.step.source.items, f.model.source_item_bias(),
                                                f.step.source_batch, is_shared),
                                 f.leaves(), "reverse_bridge");
}

// The users an alignment part draws: align.batch_users source-active then target-active users.
std::pair<torch::Tensor, torch::Tensor> drawn(const StepFixture& f, std::mt19937_64 rng) {
  const int64_t n = f.task->options.align.batch_users;
  std::vector<int64_t> s, t;
  const auto& su = f.task->source_sampler->active_users();
  const auto& tu = f.task->target_sampler->active_users();
  for (int64_t k = 0; k < n; ++k) s.push_back(su[io::draw_below(rng, su.size())]);
  for (int64_t k = 0; k < n; ++k) t.push_back(tu[io::draw_below(rng, tu.size())]);
  return {f.step.source.users.index_select(0, as_index(s)), f.step.target.users.index_select(0, as_index(t))};
}

TEST(ObjectiveParts, StatisticAlignmentIsTheWeightedStatisticOfTheDrawnUsers) {
  for (const std::string kind : {"mmd", "coral"}) {
    StepFixture f;
    const std::mt19937_64 before = f.rng;
    const torch::Tensor part = parts::alignment(kind, *f.task, 8)->loss(f.step);
    const auto [hs, ht] = drawn(f, before);
    const AlignOptions& o = f.task->options.align;
    const torch::Tensor direct = o.weight * (kind == "mmd" ? mmd_loss(hs, ht, o.bandwidths) : coral_loss(hs, ht));
    expect_same_loss_and_gradients(part, direct, f.leaves(), kind);
  }
}

TEST(ObjectiveParts, TheAdversaryReversesTheDiscriminatorsGradientOnRepresentations) {
  StepFixture f;
  const std::mt19937_64 before = f.rng;
  auto part = parts::alignment("adversarial", *f.task, 8);
  const torch::Tensor loss = part->loss(f.step);
  const auto [hs, ht] = drawn(f, before);
  // The same discriminator (a function of its options and seed) without the reversal: its BCE,
  // each set's mean weighted ½, sources labelled 1.
  DomainDiscriminator twin(DomainDiscriminatorOptions(8, f.task->options.align.hidden)
                               .seed(io::derive_seed(f.task->options.seed, "discriminator")));
  const auto bce = [&](const torch::Tensor& h, double label) {
    const torch::Tensor logits = twin->forward(h);
    return torch::binary_cross_entropy_with_logits(logits, torch::full_like(logits, label));
  };
  const torch::Tensor plain = 0.5 * bce(hs, 1.0) + 0.5 * bce(ht, 0.0);
  const double lambda = grl_lambda(0.5, f.task->options.align.gamma, f.task->options.align.weight);
  ASSERT_GT(lambda, 0.0);
  const std::vector<torch::Tensor> reps = {f.step.source.users, f.step.target.users};
  const auto g_part = torch::autograd::grad({loss}, reps, {}, true, false, true);
  // GRL is the identity forward, so the value is the plain BCE.
  EXPECT_NEAR(loss.item<double>(), plain.item<double>(), 1e-6);
  const auto g_plain = torch::autograd::grad({plain}, reps, {}, true, false, true);
  for (size_t k = 0; k < reps.size(); ++k) {
    EXPECT_TRUE(torch::allclose(g_part[k], -lambda * g_plain[k], 1e-4, 1e-7)) << "representation set " << k;
  }
}

TEST(ObjectiveParts, L2SpIsZeroAtItsAnchorAndQuadraticAroundIt) {
  StepFixture f;
  auto part = parts::l2sp(f.model, 0.25);
  EXPECT_EQ(part->loss(f.step).item<double>(), 0.0);
  torch::Tensor delta;
  {
    torch::NoGradGuard no_grad;
    delta = 0.01 * torch::randn(f.model.users().sizes());
    const_cast<torch::Tensor&>(f.model.users()).add_(delta);
    const_cast<torch::Tensor&>(f.model.target_items()).add_(1.0);  // item tables are exempt
  }
  const torch::Tensor loss = part->loss(f.step);
  EXPECT_NEAR(loss.item<double>(), 0.25 * delta.pow(2).sum().item<double>(), 1e-6);
  const torch::Tensor grad = torch::autograd::grad({loss}, {f.model.users()})[0];
  EXPECT_TRUE(torch::allclose(grad, 0.5 * delta, 1e-4, 1e-7));
}

TEST(ObjectiveParts, BottleneckKlSamplesTheUsersAndChargesTheKlOfTheScoredOnes) {
  StepFixture f;
  f.model.train();
  const std::vector<torch::Tensor> leaves = f.leaves();
  const torch::Tensor h_target = f.step.target.users, h_source = f.step.source.users;
  auto part = parts::bottleneck_kl(*f.task, 8);
  part->prepare(f.step);
  EXPECT_FALSE(torch::equal(f.step.target.users, h_target)) << "training samples z = h + σε";
  const torch::Tensor loss = part->loss(f.step);
  // log σ = log(init_sigma) everywhere at the start: KL = ½ Σ_d (h² + σ² − 1 − 2 log σ).
  const double sigma = f.task->options.bottleneck.init_sigma;
  const auto kl = [&](const torch::Tensor& h) {
    return 0.5 * (h.pow(2) + sigma * sigma - 1.0 - 2.0 * std::log(sigma)).sum(1);
  };
  std::set<int64_t> shared(f.task->shared_users.begin(), f.task->shared_users.end());
  std::vector<int64_t> shared_rows;
  const auto& b = f.step.target_batch;
  for (int64_t k = 0; k < b.size(); ++k) {
    if (shared.count(b.users[k].item<int64_t>())) shared_rows.push_back(b.users[k].item<int64_t>());
  }
  ASSERT_FALSE(shared_rows.empty());
  const torch::Tensor direct =
      f.task->options.bottleneck.beta *
      (kl(h_target).index_select(0, b.users).mean() + kl(h_source).index_select(0, f.step.source_batch.users).mean() +
       kl(h_source).index_select(0, as_index(shared_rows)).mean());
  expect_same_loss_and_gradients(loss, direct, leaves, "bottleneck_kl");
}

TEST(ObjectiveParts, InfoNceTiesTheDrawnSharedUsersTwoRepresentations) {
  StepFixture f;
  std::mt19937_64 rng = f.rng;
  const torch::Tensor loss = parts::info_nce(*f.task, 0.4)->loss(f.step);
  // The same draw: a partial Fisher–Yates shuffle of the shared users.
  std::vector<int64_t> users = f.task->shared_users;
  const size_t n = std::min(users.size(), static_cast<size_t>(f.task->options.align.batch_users));
  for (size_t k = 0; k < n; ++k) std::swap(users[k], users[k + io::draw_below(rng, users.size() - k)]);
  users.resize(n);
  const torch::Tensor a = torch::nn::functional::normalize(f.step.source.users.index_select(0, as_index(users)),
                                                           torch::nn::functional::NormalizeFuncOptions().dim(1));
  const torch::Tensor c = torch::nn::functional::normalize(f.step.target.users.index_select(0, as_index(users)),
                                                           torch::nn::functional::NormalizeFuncOptions().dim(1));
  const torch::Tensor logits = a.mm(c.t()) / f.task->options.bottleneck.temperature;
  const torch::Tensor direct = 0.4 * 0.5 *
                               (-torch::log_softmax(logits, 1).diagonal().mean() -
                                torch::log_softmax(logits.t(), 1).diagonal().mean());
  expect_same_loss_and_gradients(loss, direct, f.leaves(), "info_nce");
}

// ---- fine-tuning modes ---------------------------------------------------------------------------

// The group a named parameter of CrossDomainModel belongs to.
std::string group_of(const std::string& name) {
  if (name.find("lora") != std::string::npos) return "lora";
  if (name.find("adapter") != std::string::npos) return "adapters";
  if (name == "target_items" || name == "target_item_bias") return "target";
  if (name == "users" || name == "source_items" || name == "source_item_bias" || name == "categories") {
    return "embeddings";
  }
  if (name.rfind("encoder.head", 0) == 0) return "head";
  if (name.rfind("encoder.layer_", 0) == 0) return name.substr(8, 7);  // "layer_0"
  return "unknown:" + name;
}

// mode → {group → learning rate} it claims (lr 0.01, K = 2 gcn layers, last_k = 1, decay 0.3).
std::map<std::string, double> claimed(const std::string& mode) {
  const double lr = 0.01, d = 0.3;
  if (mode == "frozen_encoder") return {{"target", lr}, {"head", lr}};
  if (mode == "last_k") return {{"target", lr}, {"head", lr}, {"layer_1", lr}};
  if (mode == "discriminative") {
    return {{"target", lr}, {"head", lr}, {"layer_0", lr * d * d}, {"layer_1", lr * d}, {"embeddings", lr * d * d * d}};
  }
  if (mode == "adapter") return {{"target", lr}, {"adapters", lr}};
  if (mode == "lora") return {{"target", lr}, {"lora", lr}};
  return {{"target", lr}, {"head", lr}, {"layer_0", lr}, {"layer_1", lr}, {"embeddings", lr}};  // full, l2sp
}

// Records every parameter of the model at the first step, after the mode created its own.
class RecordStart : public ObjectivePart {
 public:
  std::string name() const override { return "record_start"; }
  void prepare(Step& step) override {
    if (!start.empty()) return;
    for (const auto& p : step.model.named_parameters()) start[p.key()] = p.value().detach().clone();
  }
  torch::Tensor loss(const Step&) override { return {}; }
  std::map<std::string, torch::Tensor> start;
};

// Trains `mode` for `epochs` one-step epochs; returns {name → max |Δ|} over every parameter.
std::map<std::string, double> train_mode(const std::string& mode, int64_t epochs) {
  TransferOptions o = tiny_options("gcn");
  o.finetune.mode = mode;
  o.adapt.epochs = epochs;
  const auto task = tiny_task(o);
  CrossDomainModel model(task);
  Recipe recipe;
  recipe.mode = mode;
  auto record = std::make_unique<RecordStart>();
  RecordStart* start = record.get();
  recipe.objective.push_back(std::move(record));
  recipe.objective.push_back(parts::target_ranking());
  recipe.objective.push_back(parts::source_ranking(1.0));
  recipe.objective.push_back(parts::bridge(*task, 1.0));
  if (mode == "l2sp") recipe.objective.push_back(parts::l2sp(model, 1e-3));
  FitLog log;
  adapt(model, *task, recipe, log);
  std::map<std::string, double> change;
  for (const auto& p : model.named_parameters()) {
    change[p.key()] = (p.value().detach() - start->start.at(p.key())).abs().max().item<double>();
  }
  EXPECT_EQ(change.size(), start->start.size());
  return change;
}

TEST(FinetuneModes, EachModeTrainsExactlyTheGroupsItClaimsAtTheirLearningRates) {
  for (const std::string& mode : finetune_modes()) {
    const std::map<std::string, double> claims = claimed(mode);
    // Three steps: every claimed parameter moves (an adapter's down-projection and a LoRA A
    // receive gradient only once their zero-initialised partner has moved), nothing else does.
    std::set<std::string> moved_groups;
    for (const auto& [name, change] : train_mode(mode, 3)) {
      const std::string group = group_of(name);
      if (claims.count(group)) {
        EXPECT_GT(change, 0.0) << mode << ": " << name << " should train";
        moved_groups.insert(group);
      } else {
        EXPECT_EQ(change, 0.0) << mode << ": " << name << " should stay frozen";
      }
    }
    // One step: Adam's first step moves each coordinate by lr·g/(|g| + ε), so the largest move in
    // a group is its learning rate.
    std::map<std::string, double> largest;
    for (const auto& [name, change] : train_mode(mode, 1)) {
      double& m = largest[group_of(name)];
      m = std::max(m, change);
    }
    EXPECT_EQ(moved_groups.size(), claims.size()) << mode;
    for (const auto& [group, lr] : claims) {
      EXPECT_GT(largest[group], 0.95 * lr) << mode << " " << group;
      EXPECT_LT(largest[group], 1.001 * lr) << mode << " " << group;
    }
  }
}

// Adapters and LoRA start as the identity (the model's function is unchanged bit for bit) and
// train the target's own parameters plus exactly the new ones PEFT-style counts give:
// adapter 2·d·b + b + d per site (each layer and the head), LoRA r·(rows + cols) per matrix.
TEST(FinetuneModes, AdaptersAndLoraStartAsTheIdentityAndTrainOnlyTheirOwnParameters) {
  for (const std::string mode : {"adapter", "lora"}) {
    for (const std::string layer : {"lightgcn", "gcn"}) {
      TransferOptions o = tiny_options(layer);
      o.finetune.adapter_bottleneck = 4;
      o.finetune.lora_rank = 2;
      const auto task = tiny_task(o);
      CrossDomainModel model(task);
      torch::NoGradGuard no_grad;
      const gnn::Representations before = model.represent(GraphKind::kTarget);
      const auto groups = trainable_groups(model, mode, o.finetune, 0.01);
      const gnn::Representations after = model.represent(GraphKind::kTarget);
      EXPECT_TRUE(torch::equal(before.users, after.users)) << mode << " " << layer;
      EXPECT_TRUE(torch::equal(before.items, after.items)) << mode << " " << layer;
      int64_t trainable = 0;
      for (const auto& g : groups) {
        for (const auto& p : g.params) trainable += p.numel();
      }
      const int64_t d = 8, K = 2, own = task->target_items * (d + 1);
      const int64_t matrices = layer == "gcn" ? K + 1 : 1;  // a gcn layer's W, and the head's θ
      const int64_t expected =
          mode == "adapter" ? own + (K + 1) * (2 * d * 4 + 4 + d)
                            : own + 2 * ((task->num_users + d) + (task->source_items + d) +
                                         (task->num_categories + d) + matrices * 2 * d);
      EXPECT_EQ(trainable, expected) << mode << " " << layer;
    }
  }
}

TEST(FinetuneModes, LastKRefusesAnEncoderWithoutLayerWeights) {
  TransferOptions o = tiny_options("lightgcn");
  const auto task = tiny_task(o);
  CrossDomainModel model(task);
  try {
    trainable_groups(model, "last_k", o.finetune, 0.01);
    ADD_FAILURE() << "expected an error";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("frozen_encoder"), std::string::npos) << e.what();
  }
}

// ---- the task's typed graphs and bridges -----------------------------------------------------

// The synthetic domains name category k after its theme in both, so all 8 categories bridge:
// one node each, with the item–category edges of both domains in the union graph.
TEST(TypedTask, CategoriesWithTheSameNameAreOneNodeAndTheReportCountsThem) {
  const auto task = tiny_task(tiny_options());
  const io::Domain& source = tiny_world().domain("source");
  EXPECT_EQ(task->num_categories, source.num_categories());
  EXPECT_EQ(task->bridges.shared_categories.size(), static_cast<size_t>(source.num_categories()));
  EXPECT_NE(task->bridges.describe().find("8 shared categories"), std::string::npos) << task->bridges.describe();
  const auto edges = [](const gnn::TypedGraph& g, const char* relation) {
    const gnn::Relation* r = g.find(relation);
    return r ? r->edges : int64_t{-1};
  };
  EXPECT_EQ(task->source_graph.layout.total(), task->num_users + task->source_items + task->num_categories);
  EXPECT_EQ(task->union_graph.layout.total(),
            task->num_users + task->source_items + task->target_items + task->num_categories);
  EXPECT_EQ(edges(task->source_graph, "item-category"), task->source_items);  // one category per item
  EXPECT_EQ(edges(task->union_graph, "item-category"), task->source_items + task->target_items);
  EXPECT_EQ(edges(task->union_graph, "user-item"),
            edges(task->source_graph, "user-item") + edges(task->target_graph, "user-item"));

  TransferOptions plain = tiny_options();
  plain.graph.categories = false;
  const auto untyped = tiny_task(plain);
  EXPECT_EQ(untyped->num_categories, 0);
  EXPECT_EQ(untyped->source_graph.find("item-category"), nullptr);
  EXPECT_EQ(untyped->source_graph.layout.total(), task->num_users + task->source_items);
}

}  // namespace
}  // namespace graft::transfer
