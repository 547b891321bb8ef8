// The evaluation protocols of PROTOCOLS.md on hand-computed rankings: top-K with ties and
// masks, full-ranking metrics with |T| > K, the sampled protocol's tie rule, and both
// evaluators on a tiny split with a recommender whose scores are fixed.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gnn/evaluator.h"
#include "graph_io/errors.h"

namespace graft::gnn {
namespace {

constexpr float kMasked = -std::numeric_limits<float>::infinity();

double discount(int rank) { return 1.0 / std::log2(rank + 2.0); }

TEST(TopK, BreaksTiesBySmallerIndexAndSkipsMaskedItems) {
  const std::vector<float> scores = {0.5f, 0.9f, 0.5f, kMasked, 0.9f, 0.1f, std::nanf("")};
  EXPECT_EQ(top_k(scores.data(), 7, 4), (std::vector<int64_t>{1, 4, 0, 2}));
  EXPECT_EQ(top_k(scores.data(), 7, 10), (std::vector<int64_t>{1, 4, 0, 2, 5}));
  EXPECT_EQ(top_k(scores.data(), 7, 1), (std::vector<int64_t>{1}));
  EXPECT_TRUE(top_k(scores.data(), 7, 0).empty());
}

TEST(TopK, ConstantScoresRankByIndex) {
  const std::vector<float> scores(50, 1.0f);
  EXPECT_EQ(top_k(scores.data(), 50, 3), (std::vector<int64_t>{0, 1, 2}));
}

TEST(FullRankingMetrics, OneUserWithMoreHeldOutItemsThanK) {
  const std::vector<int64_t> ranking = {3, 1, 7, 2};
  const std::vector<int64_t> relevant = {1, 2, 9};
  std::vector<double> out(8);
  full_ranking_user_metrics(ranking, relevant.data(), 3, {2, 4}, out.data());
  EXPECT_EQ(full_ranking_metric_names({2, 4}),
            (std::vector<std::string>{"recall@2", "ndcg@2", "precision@2", "hr@2", "recall@4", "ndcg@4",
                                      "precision@4", "hr@4"}));
  // K = 2: item 1 at rank 1; IDCG over min(2, 3) = 2 positions.
  EXPECT_DOUBLE_EQ(out[0], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(out[1], discount(1) / (discount(0) + discount(1)));
  EXPECT_DOUBLE_EQ(out[2], 0.5);
  EXPECT_DOUBLE_EQ(out[3], 1.0);
  // K = 4: items 1 and 2 at ranks 1 and 3; IDCG over 3 positions.
  EXPECT_DOUBLE_EQ(out[4], 2.0 / 3.0);
  EXPECT_NEAR(out[5], 0.49818925746641285, 1e-15);
  EXPECT_DOUBLE_EQ(out[6], 0.5);
  EXPECT_DOUBLE_EQ(out[7], 1.0);
}

TEST(FullRankingMetrics, MaskedItemsTiesAndUsersWithoutHeldOutItems) {
  const torch::Tensor scores = torch::tensor({0.3f, 0.3f, kMasked, 0.3f, 0.1f,  //
                                              1.0f, 2.0f, 3.0f, 4.0f, 5.0f,    //
                                              kMasked, 0.0f, 0.0f, kMasked, kMasked})
                                   .view({3, 5});
  // Row 0 ranks 0, 1, 3, 4 (ties by index); row 1 has nothing held out and is not averaged;
  // row 2 holds out a masked item, which can never be hit, and ranks only 1, 2.
  const Metrics m = full_ranking_metrics(scores, {{3}, {}, {2, 0}}, {1, 3});
  EXPECT_DOUBLE_EQ(m.at("recall@1"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("ndcg@1"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("hr@1"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("recall@3"), (1.0 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(m.at("ndcg@3"), (discount(2) + discount(1) / (discount(0) + discount(1))) / 2);
  EXPECT_DOUBLE_EQ(m.at("precision@3"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.at("hr@3"), 1.0);
  EXPECT_EQ(m.size(), 8u);
}

TEST(SampledMetrics, TiesCountAgainstTheModel) {
  const std::vector<float> negatives = {0.7f, 0.5f, 0.2f, 0.5f};
  EXPECT_EQ(sampled_rank(0.5f, negatives.data(), 4), 3);
  EXPECT_EQ(sampled_rank(0.8f, negatives.data(), 4), 0);
  const Metrics m = sampled_metrics(torch::tensor({0.5f}), torch::tensor(negatives).view({1, 4}), {1, 5, 10});
  EXPECT_DOUBLE_EQ(m.at("hr@1"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("ndcg@1"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("hr@5"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("ndcg@5"), discount(3));
  EXPECT_DOUBLE_EQ(m.at("mrr"), 0.25);
}

TEST(SampledMetrics, ConstantScorerGetsRank999) {
  const torch::Tensor positive = torch::full({2}, 0.25f);
  torch::Tensor negatives = torch::full({2, 999}, 0.25f);
  negatives[0] = -1.0f;  // case 0: the ground truth beats every negative
  EXPECT_EQ(sampled_rank(0.25f, negatives[1].data_ptr<float>(), 999), 999);
  const Metrics m = sampled_metrics(positive, negatives, {1, 5, 10});
  EXPECT_DOUBLE_EQ(m.at("hr@1"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("ndcg@1"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("hr@10"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("mrr"), (1.0 + 1.0 / 1000.0) / 2);
  const Metrics constant = sampled_metrics(positive.narrow(0, 1, 1), negatives.narrow(0, 1, 1), {10});
  EXPECT_DOUBLE_EQ(constant.at("hr@10"), 0.0);
  EXPECT_DOUBLE_EQ(constant.at("mrr"), 1.0 / 1000.0);
}

// Scores user · item with fixed 1-d embeddings: every user ranks items 0 > 1 > 2 > 3.
class FixedScores : public Recommender {
 public:
  Representations represent() override {
    return {torch::ones({3, 1}), torch::tensor({4.0f, 3.0f, 2.0f, 1.0f}).view({4, 1})};
  }
  torch::Tensor batch_l2(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) override {
    return torch::zeros({});
  }
  std::string model_name() const override { return "fixed"; }
};

// 3 users, 4 items. Interactions (user, item): 0 (0,0) 1 (0,1) 2 (0,2) 3 (1,3) 4 (1,0) 5 (2,1);
// train {0, 3}, valid {1, 4}, test {2, 5}; two stored negatives per case.
io::Dataset tiny_split() {
  io::Dataset ds;
  ds.user_ids = {"a", "b", "c"};
  io::Domain d;
  d.name = "books";
  d.item_ids = {"i0", "i1", "i2", "i3"};
  d.interactions.user = {0, 0, 0, 1, 1, 2};
  d.interactions.item = {0, 1, 2, 3, 0, 1};
  ds.domains.push_back(d);
  io::Split split;
  split.name = "given";
  split.kind = "given";
  io::DomainSplit& part = split.part_or_add("books");
  part.train = {0, 3};
  part.valid = {1, 4};
  part.test = {2, 5};
  part.negatives_per_case = 2;
  part.valid_negatives = {3, 3, 1, 2};
  part.test_negatives = {3, 3, 0, 3};
  ds.splits.push_back(split);
  return ds;
}

TEST(FullRankingEvaluator, MasksTrainingItemsOnValidAndValidItemsOnTest) {
  const io::Dataset ds = tiny_split();
  FixedScores model;
  const auto valid = make_evaluator("full", ds, "books", ds.splits[0].parts[0], EvalSet::kValid, {{1}, 0});
  EXPECT_EQ(valid->size(), 2);
  // User 0 ranks 1, 2, 3 (item 0 is training); user 1 ranks 0, 1, 2 (item 3 is training).
  EXPECT_DOUBLE_EQ(valid->evaluate(model).at("recall@1"), 1.0);

  const auto test = make_evaluator("full", ds, "books", ds.splits[0].parts[0], EvalSet::kTest, {{1, 2}, 1});
  const Metrics m = test->evaluate(model);
  // User 0 ranks 2, 3 (0 trained, 1 validated): a hit at rank 0. User 2 ranks 0, 1, ...: item 1 at rank 1.
  EXPECT_DOUBLE_EQ(m.at("recall@1"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("recall@2"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("ndcg@2"), (1.0 + discount(1)) / 2);
  EXPECT_DOUBLE_EQ(m.at("precision@2"), 0.5);
  EXPECT_TRUE(model.is_training());
}

// Films f0 > f1 score above every book: f0 5, f1 4.5, then books 4 > 3 > 2 > 1.
class FilmsThenBooks : public FixedScores {
 public:
  Representations represent() override {
    return {torch::ones({3, 1}), torch::tensor({5.0f, 4.5f, 4.0f, 3.0f, 2.0f, 1.0f}).view({6, 1})};
  }
};

TEST(JointFullRankingEvaluator, RanksTheLastDomainsTestItemsAmongEveryDomainsItems) {
  io::Dataset ds = tiny_split();
  io::Domain films;
  films.name = "films";
  films.item_ids = {"f0", "f1"};
  films.interactions.user = {0, 2};
  films.interactions.item = {0, 1};
  ds.domains.push_back(films);
  io::DomainSplit& film_part = ds.splits[0].part_or_add("films");
  film_part.train = {0};  // user 0 watched f0: masked
  film_part.test = {1};   // user 2's film test item: neither relevant nor masked
  const io::DomainSplit& books = *ds.splits[0].part("books");
  FilmsThenBooks model;
  const auto test = make_joint_full_evaluator(ds, {{"films", &film_part}, {"books", &books}}, EvalSet::kTest, {{2, 4}, 1});
  EXPECT_EQ(test->size(), 2);
  const Metrics m = test->evaluate(model);
  // User 0 ranks f1, i2, i3 (f0 and i0 trained, i1 validated): i2 at rank 1.
  // User 2 ranks f0, f1, i0, i1: i1 at rank 3.
  EXPECT_DOUBLE_EQ(m.at("recall@2"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("recall@4"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("ndcg@2"), discount(1) / 2);
  EXPECT_DOUBLE_EQ(m.at("ndcg@4"), (discount(1) + discount(3)) / 2);
  EXPECT_THROW(make_joint_full_evaluator(ds, {}, EvalSet::kTest), io::UsageError);
  EXPECT_THROW(make_joint_full_evaluator(ds, {{"books", &books}, {"films", &film_part}}, EvalSet::kValid), io::UsageError);
}

TEST(SampledEvaluator, RanksEachCaseAgainstItsStoredNegatives) {
  const io::Dataset ds = tiny_split();
  FixedScores model;
  const auto test = make_evaluator("sampled", ds, "books", ds.splits[0].parts[0], EvalSet::kTest, {{1, 5}, 1});
  EXPECT_EQ(test->size(), 2);
  // Case (0, 2) scores 2 against {1, 1}: rank 0. Case (2, 1) scores 3 against {4, 1}: rank 1.
  const Metrics m = test->evaluate(model);
  EXPECT_DOUBLE_EQ(m.at("hr@1"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("ndcg@1"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("hr@5"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("ndcg@5"), (1.0 + discount(1)) / 2);
  EXPECT_DOUBLE_EQ(m.at("mrr"), 0.75);
}

// FixedScores spread over 512 columns (each column carries 1/512 of the score; powers of two keep
// the sums exact): wide enough that the sampled evaluator scores whole rows with one GEMM and then
// picks the candidates, which must give the pairwise path's ranks, ties included.
class WideFixedScores : public FixedScores {
 public:
  Representations represent() override {
    const Representations narrow = FixedScores::represent();
    return {narrow.users.expand({3, 512}).contiguous(), (narrow.items / 512).expand({4, 512}).contiguous()};
  }
};

TEST(SampledEvaluator, WideRepresentationsRankExactlyAsNarrowOnes) {
  io::Dataset ds = tiny_split();
  io::DomainSplit& part = ds.splits[0].parts[0];
  part.test_negatives = {3, 2, 0, 1};  // case (0, 2) ties item 2 with itself-scored negative 2
  const auto test = make_evaluator("sampled", ds, "books", part, EvalSet::kTest, {{1, 5}, 1});
  FixedScores narrow;
  WideFixedScores wide;
  const Metrics expected = test->evaluate(narrow), actual = test->evaluate(wide);
  EXPECT_EQ(actual, expected);
  // Case (0, 2): score 2 against {1, 2}: the tie counts against the model, rank 1. Case (2, 1):
  // score 3 against {4, 3}: rank 2. MRR = (1/2 + 1/3) / 2.
  EXPECT_DOUBLE_EQ(actual.at("mrr"), (0.5 + 1.0 / 3.0) / 2);
}

TEST(MakeEvaluator, RejectsBadProtocolsCutOffsAndNegatives) {
  io::Dataset ds = tiny_split();
  io::DomainSplit& part = ds.splits[0].parts[0];
  EXPECT_THROW(make_evaluator("loo", ds, "books", part, EvalSet::kTest), io::UsageError);
  EXPECT_THROW(make_evaluator("full", ds, "books", part, EvalSet::kTest, {{0}, 0}), io::UsageError);
  EXPECT_THROW(make_evaluator("full", ds, "movies", part, EvalSet::kTest), io::UsageError);
  part.test_negatives.pop_back();
  EXPECT_THROW(make_evaluator("sampled", ds, "books", part, EvalSet::kTest), io::DataError);
  part.negatives_per_case = 0;
  EXPECT_THROW(make_evaluator("sampled", ds, "books", part, EvalSet::kTest), io::UsageError);
  part.valid.clear();
  try {
    make_evaluator("full", ds, "books", part, EvalSet::kValid);
    FAIL() << "an empty validation set must be rejected";
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no valid interactions"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace graft::gnn
