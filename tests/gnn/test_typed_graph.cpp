// TypedGraph: `full` bit-identical to build_domain_graph and to transfer's union graph, node and
// edge counts per relation on a hand-made dataset, the behaviour split, two domains merged into
// one union graph with shared categories, weights and duplicates, and the errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gnn/sparse_graph.h"
#include "gnn/typed_graph.h"
#include "graph_io/errors.h"
#include "tests/support/error_text.h"

namespace graft::gnn {
namespace {

using graft::testing::error_of;

constexpr int8_t kView = 0, kCart = 1, kBuy = 3;

// 3 users, 4 items, 2 categories (item 1 in both, item 3 in none), a behaviour per interaction:
//   u0–i0 view, u0–i0 buy, u0–i1 view, u1–i1 cart, u1–i2 view, u2–i3 buy, u2–i3 buy.
io::Dataset hand_made() {
  io::Dataset ds;
  ds.user_ids = {"u0", "u1", "u2"};
  io::Domain d;
  d.name = "shop";
  d.item_ids = {"i0", "i1", "i2", "i3"};
  d.category_names = {"shoes", "hats"};
  d.item_category_offsets = {0, 1, 3, 4, 4};
  d.item_category = {0, 0, 1, 1};
  d.interactions.user = {0, 0, 0, 1, 1, 2, 2};
  d.interactions.item = {0, 0, 1, 1, 2, 3, 3};
  d.interactions.behavior = {kView, kBuy, kView, kCart, kView, kBuy, kBuy};
  ds.domains.push_back(d);
  return ds;
}

std::vector<int64_t> all_interactions(const io::Domain& d) {
  std::vector<int64_t> out(d.interactions.size());
  for (size_t k = 0; k < out.size(); ++k) out[k] = static_cast<int64_t>(k);
  return out;
}

void expect_same_graph(const SparseGraph& a, const SparseGraph& b, const std::string& what) {
  ASSERT_EQ(a.rows(), b.rows()) << what;
  for (auto [x, y] : {std::pair{a.csr(), b.csr()}, std::pair{a.csr_transpose(), b.csr_transpose()}}) {
    EXPECT_TRUE(torch::equal(x.row_ptr, y.row_ptr)) << what;
    EXPECT_TRUE(torch::equal(x.col, y.col)) << what;
    EXPECT_TRUE(torch::equal(x.value, y.value)) << what;
  }
  EXPECT_TRUE(torch::equal(a.transpose_permutation(), b.transpose_permutation())) << what;
}

// The typed graph of one domain in build_domain_graph's layout.
TypedGraph typed_domain_graph(const io::Dataset& ds, const std::vector<int64_t>& interactions,
                              const GraphOptions& options, bool split_behaviours, NodeLayout* layout) {
  const io::Domain& d = ds.domains[0];
  *layout = {ds.num_users(), d.num_items(), options.include_categories ? d.num_categories() : 0};
  std::vector<RelationEdges> edges;
  append_domain_edges(ds, d, interactions, layout->item_offset(),
                      options.include_categories ? layout->category_offset() : -1, {}, split_behaviours, edges);
  return build_typed_graph(*layout, edges, options);
}

TEST(TypedGraph, FullIsBitIdenticalToBuildDomainGraph) {
  const io::Dataset ds = hand_made();
  const std::vector<int64_t> train = {0, 1, 2, 3, 4, 5, 6};
  for (bool categories : {false, true}) {
    for (bool self_loops : {false, true}) {
      for (bool split : {false, true}) {
        GraphOptions options;
        options.include_categories = categories;
        options.self_loops = self_loops;
        NodeLayout expected_layout, layout;
        const SparseGraph expected = build_domain_graph(ds, "shop", train, options, &expected_layout);
        const TypedGraph typed = typed_domain_graph(ds, train, options, split, &layout);
        EXPECT_EQ(layout.total(), expected_layout.total());
        expect_same_graph(typed.full, expected,
                          "categories=" + std::to_string(categories) + " self_loops=" + std::to_string(self_loops) +
                              " split=" + std::to_string(split));
      }
    }
  }
}

TEST(TypedGraph, UnionOfTwoDomainsIsBitIdenticalToTheUnionGraph) {
  io::Dataset ds = hand_made();
  io::Domain other = ds.domains[0];
  other.name = "market";
  other.interactions.user = {2, 1, 0};
  other.interactions.item = {0, 3, 3};
  other.interactions.behavior = {kView, kView, kView};
  ds.domains.push_back(other);
  // transfer/transfer_task.cpp's union graph: both directions of every training pair, weight 1.
  const int64_t users = 3, items = 4, n = users + 2 * items;
  std::vector<int64_t> rows, cols;
  for (size_t d = 0; d < 2; ++d) {
    const io::Interactions& log = ds.domains[d].interactions;
    std::vector<std::pair<int64_t, int64_t>> pairs;
    for (size_t k = 0; k < log.size(); ++k) pairs.emplace_back(log.user[k], log.item[k]);
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    for (const auto& [u, i] : pairs) {
      const int64_t item = users + static_cast<int64_t>(d) * items + i;
      rows.insert(rows.end(), {u, item});
      cols.insert(cols.end(), {item, u});
    }
  }
  const auto e = static_cast<int64_t>(rows.size());
  for (bool self_loops : {false, true}) {
    const SparseGraph expected =
        normalize(SparseGraph::from_coo(n, n, torch::tensor(rows), torch::tensor(cols), torch::ones({e})),
                  Normalization::kSymmetric, self_loops);
    std::vector<RelationEdges> edges;
    for (size_t d = 0; d < 2; ++d) {
      append_domain_edges(ds, ds.domains[d], all_interactions(ds.domains[d]), users + static_cast<int64_t>(d) * items,
                          -1, {}, false, edges);
    }
    ASSERT_EQ(edges.size(), 1u);  // one merged "user-item" relation
    GraphOptions options;
    options.self_loops = self_loops;
    expect_same_graph(build_typed_graph({users, 2 * items, 0}, edges, options).full, expected,
                      "self_loops=" + std::to_string(self_loops));
  }
}

// D^-1/2 A D^-1/2 of a dense adjacency (isolated nodes stay zero).
torch::Tensor dense_symmetric(const torch::Tensor& a) {
  const torch::Tensor degree = a.sum(1);
  const torch::Tensor inv = torch::where(degree > 0, degree.rsqrt(), torch::zeros_like(degree));
  return inv.unsqueeze(1) * a * inv.unsqueeze(0);
}

torch::Tensor pattern(const SparseGraph& g) { return g.to_dense() != 0; }

TEST(TypedGraph, NodeAndEdgeCountsPerRelation) {
  const io::Dataset ds = hand_made();
  GraphOptions options;
  options.include_categories = true;
  NodeLayout layout;
  const TypedGraph g = typed_domain_graph(ds, all_interactions(ds.domains[0]), options, false, &layout);
  EXPECT_EQ(g.num_nodes(), 9);
  EXPECT_EQ(g.layout.users, 3);
  EXPECT_EQ(g.layout.items, 4);
  EXPECT_EQ(g.layout.categories, 2);
  ASSERT_EQ(g.relations.size(), 2u);
  EXPECT_EQ(g.relations[0].name, "user-item");
  EXPECT_EQ(g.relations[0].edges, 5);  // u0–i0 (view and buy) once, u2–i3 twice once
  EXPECT_EQ(g.relations[1].name, "item-category");
  EXPECT_EQ(g.relations[1].edges, 4);
  EXPECT_EQ(g.relations[0].graph.nnz(), 10);
  EXPECT_EQ(g.relations[1].graph.nnz(), 8);
  EXPECT_EQ(g.full.nnz(), 18);
  // The relations partition the full graph's edges.
  EXPECT_FALSE((pattern(g.relations[0].graph) & pattern(g.relations[1].graph)).any().item<bool>());
  EXPECT_TRUE(torch::equal(pattern(g.relations[0].graph) | pattern(g.relations[1].graph), pattern(g.full)));
  // Each relation is normalised over its own degrees: user–item edges touch no category node.
  for (const Relation& r : g.relations) {
    const torch::Tensor a = pattern(r.graph).to(torch::kFloat32);
    EXPECT_TRUE(torch::allclose(r.graph.to_dense(), dense_symmetric(a), 1e-6, 1e-7)) << r.name;
    EXPECT_TRUE(torch::equal(r.graph.to_dense(), r.graph.to_dense().t())) << r.name;
    EXPECT_EQ(r.graph.to_dense().diagonal().abs().sum().item<float>(), 0.0f) << r.name;
  }
  const torch::Tensor user_item = pattern(g.relations[0].graph);
  EXPECT_FALSE(user_item.narrow(0, 7, 2).any().item<bool>());                      // no category rows
  EXPECT_FALSE(pattern(g.relations[1].graph).narrow(0, 0, 3).any().item<bool>());  // no user rows
  EXPECT_EQ(g.find("item-category"), &g.relations[1]);
  EXPECT_EQ(g.find("user-item/buy"), nullptr);
}

TEST(TypedGraph, BehaviourSplitGivesOneRelationPerBehaviourPresent) {
  const io::Dataset ds = hand_made();
  GraphOptions options;
  options.include_categories = true;
  NodeLayout layout;
  const TypedGraph split = typed_domain_graph(ds, all_interactions(ds.domains[0]), options, true, &layout);
  std::vector<std::string> names;
  std::vector<int64_t> counts;
  for (const Relation& r : split.relations) {
    names.push_back(r.name);
    counts.push_back(r.edges);
  }
  // No favourites in the log, so no "user-item/fav".
  EXPECT_EQ(names, (std::vector<std::string>{"user-item/view", "user-item/cart", "user-item/buy", "item-category"}));
  EXPECT_EQ(counts, (std::vector<int64_t>{3, 1, 2, 4}));
  // u0–i0 is both a view and a purchase: in both relations, once in the full graph.
  const torch::Tensor view = split.find("user-item/view")->graph.to_dense();
  const torch::Tensor buy = split.find("user-item/buy")->graph.to_dense();
  EXPECT_GT(view[0][3].item<float>(), 0.0f);
  EXPECT_GT(buy[0][3].item<float>(), 0.0f);
  const TypedGraph plain = typed_domain_graph(ds, all_interactions(ds.domains[0]), options, false, &layout);
  expect_same_graph(split.full, plain.full, "split vs plain");
  // Only the given interactions: the training subset {1, 3} has a purchase and a cart.
  const TypedGraph subset = typed_domain_graph(ds, {1, 3}, options, true, &layout);
  ASSERT_EQ(subset.relations.size(), 3u);
  EXPECT_EQ(subset.relations[0].name, "user-item/cart");
  EXPECT_EQ(subset.relations[1].name, "user-item/buy");
}

TEST(TypedGraph, TwoDomainsShareCategoryNodesByName) {
  io::Dataset ds = hand_made();  // shop: shoes, hats
  io::Domain market;
  market.name = "market";
  market.item_ids = {"m0", "m1"};
  market.category_names = {"hats", "bags", "toys"};
  market.item_category_offsets = {0, 2, 3};
  market.item_category = {0, 1, 2};  // m0: hats, bags; m1: toys
  market.interactions.user = {1, 2};
  market.interactions.item = {0, 1};
  ds.domains.push_back(market);
  // Global categories shoes 0, hats 1, bags 2; toys left out.
  const NodeLayout layout{3, 4 + 2, 3};
  std::vector<RelationEdges> edges;
  const io::Domain& shop = ds.domains[0];
  append_domain_edges(ds, shop, all_interactions(shop), layout.item_offset(), layout.category_offset(), {0, 1}, false,
                      edges);
  append_domain_edges(ds, ds.domains[1], {0, 1}, layout.item_offset() + 4, layout.category_offset(), {1, 2, -1}, false,
                      edges);
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_EQ(edges[0].name, "user-item");
  EXPECT_EQ(edges[1].name, "item-category");
  const TypedGraph g = build_typed_graph(layout, edges, GraphOptions{});
  EXPECT_EQ(g.find("user-item")->edges, 5 + 2);
  EXPECT_EQ(g.find("item-category")->edges, 4 + 2);
  const torch::Tensor a = pattern(g.find("item-category")->graph);
  const int64_t hats = layout.category_offset() + 1, m0 = layout.item_offset() + 4;
  // The hats node joins shop items 1 and 2 and market item m0.
  EXPECT_TRUE(torch::equal(a[hats].nonzero().flatten(), torch::tensor(std::vector<int64_t>{3 + 1, 3 + 2, m0})));
  EXPECT_FALSE(a[m0 + 1].any().item<bool>());  // m1's only category (toys) was skipped
}

TEST(TypedGraph, RepeatedPairsKeepTheirLargestWeight) {
  const NodeLayout layout{4, 0, 0};
  std::vector<RelationEdges> edges = {{"first", {0, 1, 2}, {1, 0, 3}, {1.0f, 3.0f, 1.0f}},  // 1–0 is 0–1
                                      {"second", {0}, {1}, {2.0f}},
                                      {"empty", {}, {}, {}}};
  GraphOptions options;
  options.normalization = Normalization::kNone;
  const TypedGraph g = build_typed_graph(layout, edges, options);
  ASSERT_EQ(g.relations.size(), 3u);
  EXPECT_EQ(g.relations[0].edges, 2);
  EXPECT_EQ(g.relations[1].edges, 1);
  EXPECT_EQ(g.relations[2].edges, 0);
  EXPECT_EQ(g.relations[2].graph.nnz(), 0);
  EXPECT_EQ(g.relations[2].graph.rows(), 4);
  // The full graph takes the pair 0–1 once, with its largest weight over the relations.
  const torch::Tensor full = g.full.to_dense();
  EXPECT_EQ(full[0][1].item<float>(), 3.0f);
  EXPECT_EQ(full[1][0].item<float>(), 3.0f);
  EXPECT_EQ(full[2][3].item<float>(), 1.0f);
  EXPECT_EQ(g.full.nnz(), 4);
  // A single weighted edge normalises to 1 in its relation.
  EXPECT_FLOAT_EQ(g.relations[1].graph.to_dense()[0][1].item<float>(), 1.0f);
  options.index_dtype = torch::kInt32;
  const TypedGraph narrow = build_typed_graph(layout, edges, options);
  EXPECT_EQ(narrow.full.index_dtype(), torch::kInt32);
  EXPECT_EQ(narrow.relations[0].graph.index_dtype(), torch::kInt32);
}

TEST(TypedGraph, ErrorsNameTheRelationAndTheBadValue) {
  const NodeLayout layout{2, 2, 0};
  const auto build = [&](std::vector<RelationEdges> edges, GraphOptions options = {}) {
    return error_of([&] { build_typed_graph(layout, edges, options); });
  };
  EXPECT_EQ(build({{"user-item", {0, 1}, {2, 4}, {}}}),
            "build_typed_graph: relation 'user-item' edge 1 has node 4 outside [0, 4)");
  EXPECT_EQ(build({{"user-item", {-1}, {2}, {}}}),
            "build_typed_graph: relation 'user-item' edge 0 has node -1 outside [0, 4)");
  EXPECT_EQ(build({{"loops", {3}, {3}, {}}}), "build_typed_graph: relation 'loops' edge 0 joins node 3 to itself");
  EXPECT_EQ(build({{"r", {0}, {2, 3}, {}}}), "build_typed_graph: relation 'r' has 1 a, 2 b and 0 weight entries");
  EXPECT_EQ(build({{"r", {0}, {2}, {}}, {"r", {1}, {3}, {}}}),
            "build_typed_graph: relation 'r' is given twice (merge its edges into one RelationEdges)");
  GraphOptions weighted;
  weighted.weight_by_behavior = true;
  EXPECT_THROW(build_typed_graph(layout, {}, weighted), io::UsageError);
}

TEST(TypedGraph, AppendDomainEdgesErrorsNameTheDomainAndInteraction) {
  io::Dataset ds = hand_made();
  std::vector<RelationEdges> out;
  const auto append = [&](const std::vector<int64_t>& interactions, bool split) {
    return error_of([&] { append_domain_edges(ds, ds.domains[0], interactions, 3, 7, {}, split, out); });
  };
  EXPECT_EQ(append({7}, false),
            "append_domain_edges: interaction index 7 out of range for domain 'shop' with 7 "
            "interactions");
  ds.domains[0].interactions.user[2] = 3;
  EXPECT_EQ(append({2}, false), "append_domain_edges: domain 'shop' interaction 2 has user 3 (of 3) and item 1 (of 4)");
  EXPECT_THROW(append_domain_edges(ds, ds.domains[0], {2}, 3, 7, {}, false, out), io::DataError);
  ds = hand_made();
  ds.domains[0].interactions.behavior[4] = 9;
  EXPECT_EQ(append({4}, true), "append_domain_edges: domain 'shop' interaction 4 has behaviour code 9 (valid: 0..3)");
  ds.domains[0].interactions.behavior.clear();
  EXPECT_THROW(append_domain_edges(ds, ds.domains[0], {0}, 3, 7, {}, true, out), io::UsageError);
  ds = hand_made();
  ds.domains[0].item_category[2] = 2;
  EXPECT_EQ(append({}, false), "append_domain_edges: domain 'shop' item 1 has category 2 (of 2)");
  ds = hand_made();
  EXPECT_EQ(error_of([&] { append_domain_edges(ds, ds.domains[0], {}, 3, 7, {0}, false, out); }),
            "append_domain_edges: category_map has 1 entries but domain 'shop' has 2 categories");
}

TEST(TypedGraph, RelationNames) {
  EXPECT_EQ(relation_name(io::Behavior::kView), "user-item/view");
  EXPECT_EQ(relation_name(io::Behavior::kCart), "user-item/cart");
  EXPECT_EQ(relation_name(io::Behavior::kFavorite), "user-item/fav");
  EXPECT_EQ(relation_name(io::Behavior::kBuy), "user-item/buy");
}

}  // namespace
}  // namespace graft::gnn
