// RelationalConv in each of its variants (weights separate / shared / none × combine sum /
// learned / attention) against dense references, its gradients, and the relation stack it runs on.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "gnn/layers.h"
#include "gnn/relation_stack.h"
#include "tests/support/error_text.h"
#include "tests/support/gradcheck.h"

namespace graft::gnn {
namespace {

namespace F = functional;
using graft::testing::error_of;
using graft::testing::gradcheck;

const std::vector<std::string> kRelations = {"item-category", "user-item", "user-item/buy"};

torch::Tensor randn(std::vector<int64_t> shape, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn(shape, gen, torch::kFloat64);
}

// 2 users, 3 items, 1 category: user–item edges (0,2) (0,3) (1,4), item–category (2,5) (4,5),
// relation graphs in float64. "user-item/buy" is absent.
TypedGraph small_typed_graph() {
  const std::vector<RelationEdges> edges = {{"user-item", {0, 0, 1}, {2, 3, 4}, {}},
                                            {"item-category", {2, 4}, {5, 5}, {}}};
  TypedGraph g = build_typed_graph({2, 3, 1}, edges, GraphOptions{});
  g.full = g.full.with_value_dtype(torch::kFloat64);
  for (Relation& r : g.relations) r.graph = r.graph.with_value_dtype(torch::kFloat64);
  return g;
}

// The dense Â_r of kRelations over the small graph (zeros for the absent relation).
std::vector<torch::Tensor> dense_relations(const TypedGraph& g) {
  std::vector<torch::Tensor> out;
  for (const std::string& name : kRelations) {
    const Relation* r = g.find(name);
    out.push_back(r != nullptr ? r->graph.to_dense() : torch::zeros({6, 6}, torch::kFloat64));
  }
  return out;
}

// Dense RelationalConv straight from the definition in layers.h, node by node for attention.
torch::Tensor dense_relational(const RelationalConvImpl& conv, const TypedGraph& g, const torch::Tensor& x) {
  const std::vector<torch::Tensor> a = dense_relations(g);
  const std::string weights = conv.options.weights(), combine = conv.options.combine();
  std::vector<torch::Tensor> m;
  for (size_t r = 0; r < a.size(); ++r) m.push_back(a[r].mm(weights == "separate" ? x.mm(conv.weights[r]) : x));
  torch::Tensor c = torch::zeros_like(m[0]);
  for (int64_t v = 0; v < x.size(0); ++v) {
    std::vector<double> share(a.size(), 1.0);
    if (combine != "sum") {
      double total = 0;
      for (size_t r = 0; r < a.size(); ++r) {
        const bool present = combine == "learned" ? a[r].abs().sum().item<double>() > 0
                                                  : a[r][v].abs().sum().item<double>() > 0;
        const double score = combine == "learned" ? conv.relation_logits[r].item<double>()
                                                  : (m[r][v] * conv.attention[r]).sum().item<double>();
        share[r] = present ? std::exp(score) : 0.0;
        total += share[r];
      }
      for (double& s : share) s = total > 0 ? s / total : 0.0;
    }
    for (size_t r = 0; r < a.size(); ++r) c[v] += share[r] * m[r][v];
  }
  if (weights == "none") return c;
  if (weights == "shared") c = c.mm(conv.weights[0]);
  return x.mm(conv.weight_self) + c + conv.bias;
}

RelationalConv make_conv(const std::string& weights, const std::string& combine, int64_t in, int64_t out) {
  RelationalConv conv(RelationalConvOptions(in, out, kRelations).weights(weights).combine(combine).seed(38));
  conv->to(torch::kFloat64);
  torch::NoGradGuard no_grad;
  // Away from the zero start, so that the combinations are not plain means.
  for (torch::Tensor t : std::vector<torch::Tensor>{conv->bias, conv->relation_logits, conv->attention}) {
    if (t.defined()) t.copy_(randn(t.sizes().vec(), 39));
  }
  return conv;
}

TEST(RelationalConv, EveryVariantMatchesItsDenseDefinition) {
  const TypedGraph g = small_typed_graph();
  const torch::Tensor x = randn({6, 4}, 40);
  for (const std::string& weights : relational_weight_names()) {
    for (const std::string& combine : relational_combine_names()) {
      SCOPED_TRACE(weights + " / " + combine);
      const int64_t out = weights == "none" ? 4 : 3;
      RelationalConv conv = make_conv(weights, combine, 4, out);
      EXPECT_TRUE(torch::allclose(conv->forward(g, x), dense_relational(*conv, g, x), 1e-12, 1e-12));
    }
  }
}

TEST(RelationalConv, ParametersFollowTheVariant) {
  const auto names = [](const RelationalConv& conv) {
    std::vector<std::string> out;
    for (const auto& item : conv->named_parameters()) out.push_back(item.key());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(make_conv("separate", "sum", 4, 3)), (V{"weight_self", "weight_0", "weight_1", "weight_2", "bias"}));
  EXPECT_EQ(names(make_conv("shared", "learned", 4, 3)), (V{"weight_self", "weight_shared", "bias", "relation_logits"}));
  EXPECT_EQ(names(make_conv("none", "attention", 4, 4)), (V{"attention"}));
  EXPECT_TRUE(make_conv("none", "sum", 4, 4)->weight_matrices().empty());
  EXPECT_EQ(make_conv("shared", "sum", 4, 3)->weight_matrices().size(), 2u);
  // Learned logits and attention vectors start at zero: the mean over the relations present.
  RelationalConv fresh(RelationalConvOptions(4, 4, kRelations).weights("none").combine("learned"));
  EXPECT_TRUE(torch::equal(fresh->relation_logits, torch::zeros({3})));
  // A clone keeps the variant (clone() re-registers every parameter from scratch).
  const auto clone = std::dynamic_pointer_cast<RelationalConvImpl>(make_conv("none", "sum", 4, 4)->clone());
  EXPECT_TRUE(clone->parameters().empty());
  EXPECT_FALSE(clone->weight_self.defined());
}

TEST(RelationalConv, SeparateSumIsRgcnWithSeededWeights) {
  RelationalConv conv = make_conv("separate", "sum", 4, 3);
  const RelationalConv again(RelationalConvOptions(4, 3, kRelations).seed(38));
  EXPECT_TRUE(torch::equal(conv->weights[1], again->weights[1].to(torch::kFloat64)));
  EXPECT_FALSE(torch::equal(conv->weights[0], conv->weights[1]));
  EXPECT_LE(conv->weights[2].abs().max().item<double>(), std::sqrt(6.0 / (4 + 3)));
}

TEST(RelationalConv, RejectsUnknownRelationsAndBadOptions) {
  const TypedGraph g = small_typed_graph();
  RelationalConv conv(RelationalConvOptions(4, 3, {"user-item"}));
  conv->to(torch::kFloat64);
  EXPECT_EQ(error_of([&] { conv->forward(g, randn({6, 4}, 40)); }),
            "RelationalConv: the graph's relation 'item-category' has no weights (relations: user-item)");
  EXPECT_EQ(error_of([] { RelationalConv(RelationalConvOptions(4, 3, {})); }),
            "RelationalConv: relations must not be empty");
  EXPECT_EQ(error_of([] { RelationalConv(RelationalConvOptions(4, 3, {"a", "b", "a"})); }),
            "RelationalConv: relation 'a' is named twice");
  EXPECT_EQ(error_of([] { RelationalConv(RelationalConvOptions(0, 3, {"a"})); }),
            "RelationalConv: in_channels must be positive, got 0");
  EXPECT_EQ(error_of([] { RelationalConv(RelationalConvOptions(4, 3, {"a"}).weights("tied")); }),
            "RelationalConv: unknown weights 'tied' (valid: separate, shared, none)");
  EXPECT_EQ(error_of([] { RelationalConv(RelationalConvOptions(4, 3, {"a"}).combine("max")); }),
            "RelationalConv: unknown combine 'max' (valid: sum, learned, attention)");
  EXPECT_EQ(error_of([] { RelationalConv(RelationalConvOptions(4, 3, {"a"}).weights("none")); }),
            "RelationalConv: weights 'none' keeps the width, so in_channels (4) must equal out_channels (3)");
  EXPECT_EQ(error_of([&] { conv->forward_with(g, randn({6, 4}, 41), {conv->weight_self}); }),
            "RelationalConv: expected 2 weight matrices, got 1");
}

// gradcheck of functional::relational_conv in every variant, over x and every parameter.
TEST(RelationalConv, Gradients) {
  const TypedGraph g = small_typed_graph();
  const std::vector<const SparseGraph*> graphs = {&g.find(kRelations[0])->graph, &g.find(kRelations[1])->graph,
                                                  nullptr};
  const RelationStack stack = stack_relations(6, graphs);
  const auto leaf = [](std::vector<int64_t> shape, uint64_t seed) { return randn(shape, seed).requires_grad_(); };
  for (const std::string& weights : relational_weight_names()) {
    for (const std::string& combine : relational_combine_names()) {
      SCOPED_TRACE(weights + " / " + combine);
      const int64_t out = weights == "none" ? 3 : 2;
      std::vector<torch::Tensor> inputs = {leaf({6, 3}, 42)};
      if (weights != "none") inputs.push_back(leaf({3, out}, 43));                  // weight_self
      const size_t first_weight = inputs.size();
      const size_t count = weights == "separate" ? 3 : weights == "shared" ? 1 : 0;
      for (size_t r = 0; r < count; ++r) inputs.push_back(leaf({3, out}, 44 + r));  // weights
      if (weights != "none") inputs.push_back(leaf({out}, 47));                      // bias
      if (combine == "learned") inputs.push_back(leaf({3}, 48));
      if (combine == "attention") inputs.push_back(leaf({3, weights == "separate" ? out : 3}, 49));  // message width
      const auto fn = [&](const std::vector<torch::Tensor>& in) {
        F::RelationalParameters p;
        size_t k = 1;
        if (weights != "none") p.weight_self = in[k++];
        for (size_t r = 0; r < count; ++r) p.weights.push_back(in[first_weight + r]);
        k = first_weight + count;
        if (weights != "none") p.bias = in[k++];
        if (combine == "learned") p.relation_logits = in[k++];
        if (combine == "attention") p.attention = in[k++];
        return F::relational_conv(graphs, stack, in[0], p);
      };
      EXPECT_TRUE(gradcheck(fn, inputs));
    }
  }
}

TEST(RelationStack, InterleavesTheRelationsNodeMajor) {
  const TypedGraph g = small_typed_graph();
  const std::vector<torch::Tensor> a = dense_relations(g);
  const RelationStack& stack = g.stacked(kRelations);
  ASSERT_EQ(stack.relations, 3);
  const torch::Tensor dense = stack.graph.to_dense();  // [6, 18], column u·3 + r
  ASSERT_EQ(dense.sizes(), (std::vector<int64_t>{6, 18}));
  for (int64_t r = 0; r < 3; ++r) {
    EXPECT_TRUE(torch::equal(dense.slice(1, r, 18, 3), a[static_cast<size_t>(r)])) << kRelations[r];
  }
  // Built once per list of names; a copy, whose relations may then change, builds its own.
  EXPECT_EQ(&g.stacked(kRelations), &stack);
  TypedGraph copy = g;
  EXPECT_NE(&copy.stacked(kRelations), &stack);
  EXPECT_TRUE(torch::equal(copy.stacked(kRelations).graph.to_dense(), dense));
  copy.relations.pop_back();
  TypedGraph edited = copy;
  EXPECT_EQ(edited.stacked(kRelations).graph.nnz(), g.find("user-item")->graph.nnz());
  EXPECT_NE(&g.stacked({"user-item"}), &stack);
  EXPECT_EQ(g.stacked({"user-item"}).graph.cols(), 6);
}

}  // namespace
}  // namespace graft::gnn
