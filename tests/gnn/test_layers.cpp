// Message-passing layers: each against a dense reference written with dense torch ops, gradients
// (inputs, weights, GAT's attention path) against finite differences, invariance to the COO
// edge order, edge softmax stability, the relation-typed layer on a typed graph, and running a
// layer with explicitly passed weight matrices.
#include "tests/support/error_text.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "gnn/layers.h"
#include "tests/support/gradcheck.h"

namespace graft::gnn {
namespace {

namespace F = functional;
using testing::gradcheck;

constexpr int64_t kNodes = 7;

struct Coo {
  torch::Tensor row, col, value;
};

// About 3 edges per row, every third row without edges, float64 values in [0.5, 1.5).
Coo random_coo(int64_t n, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t edges = 3 * n;
  torch::Tensor row = torch::randint(n, {edges}, gen, torch::kInt64);
  row = torch::where(row % 3 == 0, (row + 1) % n, row);
  return {row, torch::randint(n, {edges}, gen, torch::kInt64), torch::rand({edges}, gen, torch::kFloat64) + 0.5};
}

SparseGraph random_graph(int64_t n, uint64_t seed, Normalization normalization = Normalization::kSymmetric) {
  const Coo coo = random_coo(n, seed);
  return normalize(SparseGraph::from_coo(n, n, coo.row, coo.col, coo.value), normalization, false);
}

torch::Tensor randn(std::vector<int64_t> shape, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn(shape, gen, torch::kFloat64);
}

bool has_empty_row(const SparseGraph& g) {
  const torch::Tensor row_ptr = g.csr().row_ptr;
  return (row_ptr.slice(0, 1) == row_ptr.slice(0, 0, g.rows())).any().item<bool>();
}

using graft::testing::error_of;

// Dense GAT: masked scores, row softmax (empty rows stay zero), heads concatenated or averaged.
torch::Tensor dense_gat(const torch::Tensor& a, const torch::Tensor& x, const torch::Tensor& w,
                        const torch::Tensor& att_src, const torch::Tensor& att_dst, const torch::Tensor& bias,
                        bool concat) {
  const int64_t heads = att_src.size(0), out = att_src.size(1);
  const torch::Tensor mask = a != 0;
  std::vector<torch::Tensor> ys;
  for (int64_t k = 0; k < heads; ++k) {
    const torch::Tensor h = x.mm(w.narrow(1, k * out, out));
    const torch::Tensor s = torch::leaky_relu(h.mv(att_dst[k]).unsqueeze(1) + h.mv(att_src[k]).unsqueeze(0), 0.2);
    const torch::Tensor e = torch::where(mask, s.exp(), torch::zeros_like(s));
    const torch::Tensor sum = e.sum(1, true);
    ys.push_back((e / torch::where(sum > 0, sum, torch::ones_like(sum))).mm(h));
  }
  return (concat ? torch::cat(ys, 1) : torch::stack(ys).mean(0)) + bias;
}

TEST(Layers, TestGraphsHaveEmptyRows) { EXPECT_TRUE(has_empty_row(random_graph(kNodes, 1))); }

TEST(Layers, LightGcnConvMatchesDense) {
  const SparseGraph g = random_graph(kNodes, 2);
  const torch::Tensor x = randn({kNodes, 4}, 3);
  EXPECT_TRUE(torch::allclose(LightGCNConv()->forward(g, x), g.to_dense().mm(x), 1e-12, 1e-12));
  EXPECT_TRUE(LightGCNConv()->parameters().empty());
}

TEST(Layers, GcnConvMatchesDense) {
  const SparseGraph g = normalize(random_graph(kNodes, 4, Normalization::kNone), Normalization::kSymmetric, true);
  for (int64_t out : {2, 6}) {  // narrowing and widening take different product orders
    GCNConv conv(GCNConvOptions(4, out).seed(5));
    conv->to(torch::kFloat64);
    torch::NoGradGuard no_grad;
    conv->bias.normal_();
    const torch::Tensor x = randn({kNodes, 4}, 6);
    EXPECT_TRUE(torch::allclose(conv->forward(g, x), g.to_dense().mm(x).mm(conv->weight) + conv->bias, 1e-12, 1e-12))
        << "out=" << out;
  }
}

TEST(Layers, SageConvMatchesDenseMeanOfNeighbours) {
  const SparseGraph g = random_graph(kNodes, 7);
  SAGEConv conv(SAGEConvOptions(4, 3).seed(8));
  conv->to(torch::kFloat64);
  const torch::Tensor x = randn({kNodes, 4}, 9);
  // The pattern, not the values: symmetric normalisation zeroes edges into nodes without out-edges.
  const torch::Tensor pattern = g.with_values(torch::ones({g.nnz()}, torch::kFloat64)).to_dense();
  const torch::Tensor degree = pattern.sum(1, true);
  const torch::Tensor mean = pattern.mm(x) / torch::where(degree > 0, degree, torch::ones_like(degree));
  EXPECT_TRUE(torch::allclose(conv->forward(g, x), x.mm(conv->weight_self) + mean.mm(conv->weight_neigh), 1e-12,
                              1e-12));
  // The graph's values are ignored: random-walk and symmetric normalisations give the same mean.
  EXPECT_TRUE(torch::allclose(conv->forward(random_graph(kNodes, 7, Normalization::kRandomWalk), x),
                              conv->forward(g, x), 1e-12, 1e-12));
}

TEST(Layers, GatConvMatchesDenseForConcatAndMeanHeads) {
  const SparseGraph g = random_graph(kNodes, 10, Normalization::kNone);
  const torch::Tensor x = randn({kNodes, 4}, 11);
  for (bool concat : {true, false}) {
    GATConv conv(GATConvOptions(4, 3).heads(2).concat(concat).seed(12));
    conv->to(torch::kFloat64);
    torch::NoGradGuard no_grad;
    conv->bias.normal_();
    const torch::Tensor y = conv->forward(g, x);
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{kNodes, concat ? 6 : 3}));
    EXPECT_TRUE(torch::allclose(
        y, dense_gat(g.to_dense(), x, conv->weight, conv->att_src, conv->att_dst, conv->bias, concat), 1e-12, 1e-12))
        << "concat=" << concat;
  }
}

TEST(Layers, EdgeSoftmaxSumsToOnePerRowAndIsStable) {
  const SparseGraph g = random_graph(kNodes, 13);
  const torch::Tensor scores = randn({g.nnz(), 2}, 14) * 1000;  // exp would overflow unshifted
  const torch::Tensor alpha = F::edge_softmax(g, scores);
  ASSERT_TRUE(torch::isfinite(alpha).all().item<bool>());
  const torch::Tensor row = g.row_indices().to(torch::kInt64);
  const torch::Tensor sums = torch::zeros({kNodes, 2}, torch::kFloat64).index_add(0, row, alpha);
  const torch::Tensor nonempty = torch::zeros({kNodes}, torch::kBool).index_fill(0, row, true);
  EXPECT_TRUE(torch::allclose(sums.index({nonempty}), torch::ones({nonempty.sum().item<int64_t>(), 2},
                                                                  torch::kFloat64)));
  EXPECT_EQ(sums.index({~nonempty}).abs().sum().item<double>(), 0.0);
}

TEST(Layers, GcnGradients) {
  const SparseGraph g = normalize(random_graph(kNodes, 15, Normalization::kNone), Normalization::kSymmetric, true);
  const torch::Tensor x = randn({kNodes, 3}, 16).requires_grad_();
  const torch::Tensor w = randn({3, 2}, 17).requires_grad_(), b = randn({2}, 18).requires_grad_();
  EXPECT_TRUE(gradcheck([&](const auto& in) { return F::gcn_conv(g, in[0], in[1], in[2]); }, {x, w, b}));
}

TEST(Layers, SageGradients) {
  const SparseGraph g = random_graph(kNodes, 19);
  const torch::Tensor x = randn({kNodes, 3}, 20).requires_grad_();
  const torch::Tensor ws = randn({3, 2}, 21).requires_grad_(), wn = randn({3, 2}, 22).requires_grad_();
  const torch::Tensor b = randn({2}, 23).requires_grad_();
  EXPECT_TRUE(gradcheck([&](const auto& in) { return F::sage_conv(g, in[0], in[1], in[2], in[3]); }, {x, ws, wn, b}));
}

TEST(Layers, GatGradientsThroughTheAttention) {
  const SparseGraph g = random_graph(kNodes, 24, Normalization::kNone);
  const torch::Tensor x = randn({kNodes, 3}, 25).requires_grad_();
  const torch::Tensor w = randn({3, 4}, 26).requires_grad_();
  const torch::Tensor src = randn({2, 2}, 27).requires_grad_(), dst = randn({2, 2}, 28).requires_grad_();
  for (bool concat : {true, false}) {
    const torch::Tensor b = randn({concat ? 4 : 2}, 29).requires_grad_();
    EXPECT_TRUE(gradcheck(
        [&](const auto& in) { return F::gat_conv(g, in[0], in[1], in[2], in[3], in[4], concat, 0.2); },
        {x, w, src, dst, b}))
        << "concat=" << concat;
  }
  // The attention path alone: scores → edge softmax.
  const torch::Tensor scores = randn({g.nnz(), 2}, 30).requires_grad_();
  EXPECT_TRUE(gradcheck([&](const auto& in) { return F::edge_softmax(g, in[0]); }, {scores}));
}

TEST(Layers, InvariantToCooEdgeOrder) {
  const Coo coo = random_coo(kNodes, 31);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(32);
  const torch::Tensor order = torch::randperm(coo.row.numel(), gen, torch::kInt64);
  const auto build = [&](const torch::Tensor& perm) {
    return normalize(SparseGraph::from_coo(kNodes, kNodes, coo.row.index_select(0, perm), coo.col.index_select(0, perm),
                                           coo.value.index_select(0, perm)),
                     Normalization::kSymmetric, true);
  };
  const SparseGraph a = build(torch::arange(coo.row.numel())), b = build(order);
  const torch::Tensor x = randn({kNodes, 4}, 33);
  GCNConv gcn(GCNConvOptions(4, 4));
  SAGEConv sage(SAGEConvOptions(4, 4));
  GATConv gat(GATConvOptions(4, 2).heads(2));
  for (torch::nn::Module* m : std::vector<torch::nn::Module*>{gcn.get(), sage.get(), gat.get()}) m->to(torch::kFloat64);
  EXPECT_TRUE(torch::equal(LightGCNConv()->forward(a, x), LightGCNConv()->forward(b, x)));
  EXPECT_TRUE(torch::equal(gcn->forward(a, x), gcn->forward(b, x)));
  EXPECT_TRUE(torch::equal(sage->forward(a, x), sage->forward(b, x)));
  EXPECT_TRUE(torch::equal(gat->forward(a, x), gat->forward(b, x)));
}

TEST(Layers, SeededInitialisation) {
  EXPECT_TRUE(torch::equal(GCNConv(GCNConvOptions(4, 3).seed(1))->weight, GCNConv(GCNConvOptions(4, 3).seed(1))->weight));
  EXPECT_FALSE(torch::equal(GCNConv(GCNConvOptions(4, 3).seed(1))->weight, GCNConv(GCNConvOptions(4, 3).seed(2))->weight));
  GATConv gat(GATConvOptions(4, 3).heads(2).seed(3));
  const double bound = std::sqrt(6.0 / (4 + 6));
  EXPECT_LE(gat->weight.abs().max().item<double>(), bound);
  EXPECT_EQ(gat->bias.abs().sum().item<double>(), 0.0);
}

TEST(Layers, RejectsBadChannelsAndInputs) {
  EXPECT_EQ(error_of([] { GCNConv(GCNConvOptions(0, 3)); }), "GCNConv: in_channels must be positive, got 0");
  EXPECT_EQ(error_of([] { SAGEConv(SAGEConvOptions(2, -1)); }), "SAGEConv: out_channels must be positive, got -1");
  EXPECT_EQ(error_of([] { GATConv(GATConvOptions(2, 2).heads(0)); }), "GATConv: heads must be positive, got 0");
  GCNConv conv(GCNConvOptions(4, 3));
  const SparseGraph g = random_graph(kNodes, 34).with_value_dtype(torch::kFloat32);
  EXPECT_EQ(error_of([&] { conv->forward(g, torch::zeros({kNodes, 5})); }), "GCNConv: x must be [7, 4], got [7, 5]");
}

TEST(Layers, ForwardWithOwnMatricesIsForward) {
  const SparseGraph g = normalize(random_graph(kNodes, 50, Normalization::kNone), Normalization::kSymmetric, true);
  const torch::Tensor x = randn({kNodes, 4}, 51);
  GCNConv gcn(GCNConvOptions(4, 4));
  SAGEConv sage(SAGEConvOptions(4, 4));
  GATConv gat(GATConvOptions(4, 2).heads(2));
  for (torch::nn::Module* m : std::vector<torch::nn::Module*>{gcn.get(), sage.get(), gat.get()}) m->to(torch::kFloat64);
  EXPECT_EQ(sage->weight_matrices().size(), 2u);
  EXPECT_EQ(gat->weight_matrices().size(), 1u);  // not the attention vectors
  EXPECT_TRUE(LightGCNConv()->weight_matrices().empty());
  EXPECT_TRUE(torch::equal(gcn->forward_with(g, x, gcn->weight_matrices()), gcn->forward(g, x)));
  EXPECT_TRUE(torch::equal(sage->forward_with(g, x, sage->weight_matrices()), sage->forward(g, x)));
  EXPECT_TRUE(torch::equal(gat->forward_with(g, x, gat->weight_matrices()), gat->forward(g, x)));
  // Other matrices in their place: the same maths with those.
  const torch::Tensor w = randn({4, 4}, 52);
  EXPECT_TRUE(torch::equal(gcn->forward_with(g, x, {w}), F::gcn_conv(g, x, w, gcn->bias)));
  EXPECT_EQ(error_of([&] { gcn->forward_with(g, x, {}); }), "GCNConv: expected 1 weight matrices, got 0");
}

}  // namespace
}  // namespace graft::gnn
