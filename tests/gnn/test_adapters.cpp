// Parameter-efficient fine-tuning of the Encoder: adapters and LoRA leave the output unchanged
// bit for bit until trained, training them moves nothing else, gradients against finite
// differences, parameter counts against the formulas, groups, cloning and errors; LowRankUpdate
// alone.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gnn/encoder.h"
#include "gnn/layers.h"
#include "gnn/low_rank.h"
#include "gnn/typed_graph.h"
#include "tests/support/error_text.h"
#include "tests/support/gradcheck.h"

namespace graft::gnn {
namespace {

using graft::testing::error_of;
using graft::testing::gradcheck;

constexpr int64_t kUsers = 4, kItems = 5, kCategories = 2, kNodes = kUsers + kItems + kCategories, kDim = 4;

// Users 0–3, items 4–8, categories 9–10; views and purchases as two relations, and categories.
TypedGraph typed_graph(bool self_loops) {
  const std::vector<RelationEdges> edges = {{"user-item/view", {0, 0, 1, 2, 3}, {4, 5, 5, 6, 8}, {}},
                                            {"user-item/buy", {0, 2, 3}, {4, 7, 8}, {}},
                                            {"item-category", {4, 5, 6, 7, 8}, {9, 9, 10, 10, 9}, {}}};
  GraphOptions options;
  options.self_loops = self_loops;
  return build_typed_graph({kUsers, kItems, kCategories}, edges, options);
}

EncoderOptions options(const std::string& layer, const std::string& combine = "mean") {
  EncoderOptions o;
  o.dim = kDim;
  o.layers = 2;
  o.layer = layer;
  o.combine = combine;
  o.heads = layer == "gat" ? 2 : 1;
  o.relations = {"user-item/view", "user-item/buy", "item-category"};
  o.seed = 11;
  return o;
}

torch::Tensor features(uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn({kNodes, kDim}, gen);
}

// The encoder's outputs: typed, and untyped on the full graph (not for the relational layer).
std::vector<torch::Tensor> outputs(Encoder& encoder, const torch::Tensor& x) {
  const TypedGraph g = typed_graph(encoder->options().layer == "gcn" || encoder->options().layer == "gat");
  std::vector<torch::Tensor> out = {encoder->forward(g, x)};
  if (encoder->options().layer != "relational") out.push_back(encoder->forward(g.full, x));
  return out;
}

bool all_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (!torch::equal(a[k], b[k])) return false;
  }
  return true;
}

// Fills every parameter of `encoder` whose name ends with `suffix` with `value`; returns how many.
int fill(Encoder& encoder, const std::string& suffix, double value) {
  torch::NoGradGuard no_grad;
  int count = 0;
  for (auto& p : encoder->named_parameters()) {
    const std::string& name = p.key();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      p.value().fill_(value);
      ++count;
    }
  }
  return count;
}

const std::vector<std::string> kLayers = {"lightgcn", "gcn", "sage", "gat", "relational"};

TEST(Adapters, AdaptersAndLoraStartAsTheIdentityBitForBit) {
  const torch::Tensor x = features(1);
  for (const std::string& layer : kLayers) {
    for (const std::string& combine : std::vector<std::string>{"mean", "concat"}) {
      for (int which = 0; which < 3; ++which) {  // adapters, LoRA, both
        Encoder encoder(options(layer, combine));
        const std::vector<torch::Tensor> before = outputs(encoder, x);
        if (which != 1) encoder->add_adapters(3);
        if (which != 0) encoder->add_lora(2);
        EXPECT_TRUE(all_equal(outputs(encoder, x), before)) << layer << " " << combine << " " << which;
      }
    }
  }
}

TEST(Adapters, TrainedUpProjectionOrLoraFactorChangesTheOutput) {
  const torch::Tensor x = features(2);
  for (const std::string& layer : std::vector<std::string>{"lightgcn", "gcn", "relational"}) {
    Encoder adapted(options(layer));
    const std::vector<torch::Tensor> before = outputs(adapted, x);
    adapted->add_adapters(3);
    EXPECT_EQ(fill(adapted, "up_weight", 0.1), 3);  // two layers and the head
    EXPECT_FALSE(all_equal(outputs(adapted, x), before)) << layer;

    Encoder lora(options(layer));
    lora->add_lora(2);
    EXPECT_EQ(fill(lora, ".B", 0.1), layer == "lightgcn" ? 1 : layer == "gcn" ? 3 : 2 * 4 + 1) << layer;
    EXPECT_FALSE(all_equal(outputs(lora, x), before)) << layer;
  }
}

// A few Adam steps on the parameters `added` of an encoder whose pretrained weights are frozen:
// every added tensor moves, every pretrained one stays bit for bit.
void expect_only_added_parameters_train(const std::string& layer, const std::function<void(Encoder&)>& add,
                                        const std::function<std::vector<torch::Tensor>(Encoder&)>& added) {
  Encoder encoder(options(layer));
  std::map<std::string, torch::Tensor> pretrained;
  for (const auto& p : encoder->named_parameters()) {
    p.value().requires_grad_(false);
    pretrained[p.key()] = p.value().detach().clone();
  }
  add(encoder);
  std::vector<torch::Tensor> initial;
  for (const auto& p : added(encoder)) initial.push_back(p.detach().clone());
  ASSERT_FALSE(initial.empty());
  torch::optim::Adam optimizer(added(encoder), torch::optim::AdamOptions(0.05));
  const TypedGraph g = typed_graph(layer == "gcn");
  const torch::Tensor x = features(3), target = features(4);
  for (int step = 0; step < 3; ++step) {
    optimizer.zero_grad();
    (encoder->forward(g, x) - target).pow(2).sum().backward();
    optimizer.step();
  }
  for (const auto& p : encoder->named_parameters()) {
    const auto it = pretrained.find(p.key());
    if (it != pretrained.end()) {
      EXPECT_TRUE(torch::equal(p.value(), it->second)) << layer << " " << p.key();
    }
  }
  const std::vector<torch::Tensor> now = added(encoder);
  for (size_t k = 0; k < now.size(); ++k) EXPECT_FALSE(torch::equal(now[k], initial[k])) << layer << " #" << k;
}

TEST(Adapters, TrainingAdaptersMovesOnlyAdapters) {
  for (const std::string& layer : std::vector<std::string>{"lightgcn", "gcn", "relational"}) {
    expect_only_added_parameters_train(
        layer, [](Encoder& e) { e->add_adapters(3); }, [](Encoder& e) { return e->adapter_parameters(); });
  }
}

TEST(Adapters, TrainingLoraMovesOnlyLora) {
  for (const std::string& layer : std::vector<std::string>{"lightgcn", "gcn", "relational"}) {
    expect_only_added_parameters_train(
        layer, [](Encoder& e) { e->add_lora(2); }, [](Encoder& e) { return e->lora_parameters(); });
  }
}

torch::Tensor randn(std::vector<int64_t> shape, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn(shape, gen, torch::kFloat64);
}

TEST(Adapters, AdapterGradients) {
  const torch::Tensor y = randn({6, 4}, 5).requires_grad_();
  const torch::Tensor down = randn({4, 3}, 6).requires_grad_(), down_bias = randn({3}, 7).requires_grad_();
  const torch::Tensor up = randn({3, 4}, 8).requires_grad_(), up_bias = randn({4}, 9).requires_grad_();
  EXPECT_TRUE(gradcheck([](const auto& in) { return functional::adapter(in[0], in[1], in[2], in[3], in[4]); },
                        {y, down, down_bias, up, up_bias}));
  // The module is the functional form of its parameters.
  Adapter adapter(AdapterOptions(4, 3).seed(1));
  adapter->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    adapter->up_weight.normal_();
  }
  EXPECT_TRUE(torch::equal(adapter->forward(y), functional::adapter(y, adapter->down_weight, adapter->down_bias,
                                                                    adapter->up_weight, adapter->up_bias)));
}

TEST(Adapters, LoraWrappedLayerGradients) {
  const TypedGraph g = [] {
    TypedGraph t = typed_graph(false);
    for (Relation& r : t.relations) r.graph = r.graph.with_value_dtype(torch::kFloat64);
    return t;
  }();
  RelationalConv conv(RelationalConvOptions(3, 2, {"user-item/view", "user-item/buy", "item-category"}).seed(12));
  conv->to(torch::kFloat64);
  const std::vector<torch::Tensor> w = conv->weight_matrices();
  std::vector<torch::Tensor> inputs = {randn({kNodes, 3}, 13).requires_grad_()};
  for (size_t i = 0; i < w.size(); ++i) {  // A [3, 2], B [2, 2] per matrix, B non-zero
    inputs.push_back(randn({3, 2}, 20 + i).requires_grad_());
    inputs.push_back(randn({2, 2}, 30 + i).requires_grad_());
  }
  const auto wrapped = [&](const std::vector<torch::Tensor>& in) {
    std::vector<torch::Tensor> matrices;
    for (size_t i = 0; i < w.size(); ++i) matrices.push_back(w[i].detach() + in[1 + 2 * i].mm(in[2 + 2 * i]));
    return conv->forward_with(g, in[0], matrices);
  };
  EXPECT_TRUE(gradcheck(wrapped, inputs));
  // LowRankUpdate::apply is that W + A·B.
  LowRankUpdate update(3, 2, 2, 14);
  update->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    update->B.copy_(inputs[2]);
  }
  EXPECT_TRUE(torch::equal(update->apply(w[0]), w[0] + update->A.mm(update->B)));
}

int64_t numel(const std::vector<torch::Tensor>& tensors) {
  int64_t n = 0;
  for (const auto& t : tensors) n += t.numel();
  return n;
}

TEST(Adapters, ParameterCountsFollowTheFormulas) {
  const int64_t b = 3, r = 2;
  // Weight matrices per layer: gcn 1, sage 2, gat 1 (not the attention vectors), relational 1 + 3.
  const std::map<std::string, int64_t> matrices = {
      {"lightgcn", 0}, {"gcn", 1}, {"sage", 2}, {"gat", 1}, {"relational", 4}};
  for (const auto& [layer, per_layer] : matrices) {
    for (const std::string& combine : std::vector<std::string>{"mean", "concat"}) {
      Encoder encoder(options(layer, combine));
      const int64_t before = numel(encoder->parameters());
      encoder->add_adapters(b);
      encoder->add_lora(r);
      const int64_t head = encoder->out_dim();  // kDim, or 3·kDim for concat
      const auto site = [&](int64_t width) { return 2 * width * b + b + width; };
      EXPECT_EQ(numel(encoder->adapter_parameters()), 2 * site(kDim) + site(head)) << layer << " " << combine;
      EXPECT_EQ(numel(encoder->lora_parameters()), 2 * per_layer * r * (kDim + kDim) + r * (head + head))
          << layer << " " << combine;
      EXPECT_EQ(numel(encoder->parameters()),
                before + numel(encoder->adapter_parameters()) + numel(encoder->lora_parameters()));
    }
  }
  // Without a head: no head adapter, no head update.
  EncoderOptions headless = options("gcn");
  headless.head = false;
  Encoder encoder(headless);
  encoder->add_adapters(b);
  encoder->add_lora(r);
  EXPECT_EQ(numel(encoder->adapter_parameters()), 2 * (2 * kDim * b + b + kDim));
  EXPECT_EQ(numel(encoder->lora_parameters()), 2 * r * (kDim + kDim));
}

TEST(Adapters, GroupsKeepPretrainedWeightsApart) {
  Encoder encoder(options("sage"));
  const std::vector<torch::Tensor> layer0 = encoder->layer_parameters(0), head = encoder->head_parameters();
  encoder->add_adapters(2);
  encoder->add_lora(2);
  const auto same = [](const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k) {
      if (!a[k].is_same(b[k])) return false;
    }
    return true;
  };
  EXPECT_TRUE(same(encoder->layer_parameters(0), layer0));
  EXPECT_TRUE(same(encoder->head_parameters(), head));
  std::set<const void*> seen;
  size_t count = 0;
  std::vector<std::vector<torch::Tensor>> groups = {encoder->head_parameters(), encoder->adapter_parameters(),
                                                    encoder->lora_parameters()};
  for (int64_t k = 0; k < encoder->num_layers(); ++k) groups.push_back(encoder->layer_parameters(k));
  for (const auto& group : groups) {
    for (const auto& p : group) {
      seen.insert(p.data_ptr());
      ++count;
    }
  }
  EXPECT_EQ(seen.size(), count);                   // disjoint
  EXPECT_EQ(count, encoder->parameters().size());  // and covering
}

TEST(Adapters, CloneKeepsAdaptersAndLora) {
  Encoder encoder(options("gcn", "concat"));
  encoder->add_adapters(3);
  encoder->add_lora(2);
  fill(encoder, "up_weight", 0.2);
  fill(encoder, ".B", -0.1);
  const auto copy = std::dynamic_pointer_cast<EncoderImpl>(encoder->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->adapter_bottleneck(), 3);
  EXPECT_EQ(copy->lora_rank(), 2);
  const TypedGraph g = typed_graph(true);
  const torch::Tensor x = features(15);
  EXPECT_TRUE(torch::equal(copy->forward(g, x), encoder->forward(g, x)));
  EXPECT_NE(copy->adapter_parameters()[0].data_ptr(), encoder->adapter_parameters()[0].data_ptr());
}

TEST(Adapters, PrettyPrintAndErrors) {
  Encoder encoder(options("gcn"));
  encoder->add_adapters(3);
  encoder->add_lora(2);
  std::ostringstream text;
  encoder->pretty_print(text);
  EXPECT_NE(text.str().find(", adapters=3, lora_rank=2)"), std::string::npos) << text.str();
  EXPECT_EQ(error_of([&] { encoder->add_adapters(4); }),
            "Encoder::add_adapters: the encoder already has adapters (bottleneck 3)");
  EXPECT_EQ(error_of([&] { encoder->add_lora(2); }),
            "Encoder::add_lora: the encoder already has LoRA updates (rank 2)");
  Encoder fresh(options("gcn"));
  EXPECT_EQ(error_of([&] { fresh->add_adapters(0); }), "Encoder::add_adapters: bottleneck must be at least 1, got 0");
  EXPECT_EQ(error_of([&] { fresh->add_lora(-1); }), "Encoder::add_lora: rank must be at least 1, got -1");
  EXPECT_TRUE(fresh->adapter_parameters().empty());
  EXPECT_TRUE(fresh->lora_parameters().empty());
}

TEST(Adapters, NewParametersFollowTheEncodersDtype) {
  Encoder encoder(options("gcn"));
  encoder->to(torch::kFloat64);
  encoder->add_adapters(2);
  encoder->add_lora(2);
  std::vector<torch::Tensor> added = encoder->adapter_parameters();
  const std::vector<torch::Tensor> lora = encoder->lora_parameters();
  added.insert(added.end(), lora.begin(), lora.end());
  for (const auto& p : added) EXPECT_EQ(p.scalar_type(), torch::kFloat64);
}

TEST(LowRankUpdate, StartsAtZeroAndIsSeeded) {
  LowRankUpdate update(5, 3, 2, 7);
  EXPECT_EQ(update->A.sizes(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(update->B.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(update->B.abs().sum().item<float>(), 0.0f);
  EXPECT_GT(update->A.abs().sum().item<float>(), 0.0f);
  EXPECT_LE(update->A.abs().max().item<double>(), 1.0 / std::sqrt(5.0));
  const torch::Tensor w = torch::randn({5, 3});
  EXPECT_TRUE(torch::equal(update->apply(w), w));
  EXPECT_TRUE(torch::equal(LowRankUpdate(5, 3, 2, 7)->A, update->A));
  EXPECT_FALSE(torch::equal(LowRankUpdate(5, 3, 2, 8)->A, update->A));
  EXPECT_EQ(error_of([&] {
              update->apply(torch::zeros({3, 5}));
            }),
            "LowRankUpdate: the weight must be [5, 3], got [3, 5]");
  EXPECT_EQ(error_of([] { LowRankUpdate(5, 3, 0, 7); }), "LowRankUpdate: rank must be positive, got 0");
}

}  // namespace
}  // namespace graft::gnn
