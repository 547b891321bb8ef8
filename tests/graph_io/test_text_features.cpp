// The text featuriser against values computed by hand: the hash, tokenisation, n-gram counts,
// TF-IDF and BM25 weights on tiny corpora, the projection's shape and determinism.
#include "graph_io/text_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "graph_io/errors.h"
#include "tests/graph_io/import_test_support.h"

namespace graft::io {
namespace {

using graft::testing::expect_error;

TextFeatureOptions sparse(const std::string& weighting, int64_t min_n = 1, int64_t max_n = 1) {
  TextFeatureOptions o;
  o.weighting = weighting;
  o.min_n = min_n;
  o.max_n = max_n;
  o.hash_bits = 24;
  o.project = 0;
  return o;
}

// Row r of a sparse block as column -> value.
std::map<int64_t, float> row(const FeatureBlock& b, size_t r) {
  std::map<int64_t, float> out;
  for (auto e = static_cast<size_t>(b.offsets[r]); e < static_cast<size_t>(b.offsets[r + 1]); ++e) {
    out[b.indices[e]] = b.values[e];
  }
  return out;
}

int64_t col(const std::string& ngram) { return text_ngram_column(ngram, 24); }

TEST(TextFeatures, HashIsFnv1a64XorFolded) {
  // FNV-1a 64 test vectors: "a" -> 0xaf63dc4c8601ec8c, "foobar" -> 0x85944171f73967e8.
  const uint64_t a = 0xaf63dc4c8601ec8cull, foobar = 0x85944171f73967e8ull;
  EXPECT_EQ(text_ngram_column("a", 16), static_cast<int64_t>((a ^ (a >> 16)) & 0xffff));
  EXPECT_EQ(text_ngram_column("foobar", 20), static_cast<int64_t>((foobar ^ (foobar >> 20)) & 0xfffff));
}

TEST(TextFeatures, LowercasesAndSplitsOnNonAlphanumericKeepingUtf8InWords) {
  const FeatureBlock b = featurise_texts({"Crème-BRÛLÉE, 2x!", "crème 2x"}, sparse("binary"), "t");
  EXPECT_EQ(b.kind, FeatureKind::kSparse);
  EXPECT_EQ(b.width, int64_t{1} << 24);
  // "BRÛLÉE" lowercases its ASCII letters only; "Û" and "É" stay inside the word.
  EXPECT_EQ(row(b, 0), (std::map<int64_t, float>{{col("crème"), 1.0f}, {col("br\xc3\x9bl\xc3\x89" "e"), 1.0f},
                                                 {col("2x"), 1.0f}}));
  EXPECT_EQ(row(b, 1), (std::map<int64_t, float>{{col("crème"), 1.0f}, {col("2x"), 1.0f}}));
  EXPECT_TRUE(b.missing.empty());
}

TEST(TextFeatures, CountsWordNgramsFromMinToMax) {
  // One text: idf = ln(2/2) + 1 = 1, so TF-IDF is the count over the row's L2 norm.
  // "a b a b": a ×2, b ×2, "a b" ×2, "b a" ×1 → norm √13.
  const FeatureBlock b = featurise_texts({"a b a b"}, sparse("tfidf", 1, 2), "t");
  const float s = 1.0f / std::sqrt(13.0f);
  EXPECT_EQ(std::set<int64_t>({col("a"), col("b"), col("a b"), col("b a")}).size(), 4u);  // no collision
  const auto r = row(b, 0);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_FLOAT_EQ(r.at(col("a")), 2 * s);
  EXPECT_FLOAT_EQ(r.at(col("b")), 2 * s);
  EXPECT_FLOAT_EQ(r.at(col("a b")), 2 * s);
  EXPECT_FLOAT_EQ(r.at(col("b a")), 1 * s);
  // Bigrams only; the columns of a row are ascending.
  const FeatureBlock bigrams = featurise_texts({"a b a b"}, sparse("binary", 2, 2), "t");
  EXPECT_EQ(row(bigrams, 0), (std::map<int64_t, float>{{col("a b"), 1.0f}, {col("b a"), 1.0f}}));
  EXPECT_TRUE(std::is_sorted(bigrams.indices.begin(), bigrams.indices.end()));
}

TEST(TextFeatures, TfidfOfATwoDocumentCorpus) {
  // N = 2; idf(apple) = ln(3/3) + 1 = 1, idf(banana) = idf(cherry) = ln(3/2) + 1.
  const FeatureBlock b = featurise_texts({"apple banana", "Apple cherry cherry"}, sparse("tfidf"), "t");
  const double rare = std::log(1.5) + 1;
  const double n0 = std::sqrt(1 + rare * rare), n1 = std::sqrt(1 + 4 * rare * rare);
  const auto r0 = row(b, 0), r1 = row(b, 1);
  EXPECT_NEAR(r0.at(col("apple")), 1 / n0, 1e-6);
  EXPECT_NEAR(r0.at(col("banana")), rare / n0, 1e-6);
  EXPECT_NEAR(r1.at(col("apple")), 1 / n1, 1e-6);
  EXPECT_NEAR(r1.at(col("cherry")), 2 * rare / n1, 1e-6);
}

TEST(TextFeatures, Bm25OnATinyCase) {
  // N = 2, lengths 2 and 1, avglen 1.5, k1 = 1.2, b = 0.75.
  // idf(x) = ln(1 + 0.5/2.5) = ln 1.2, idf(y) = ln(1 + 1.5/1.5) = ln 2.
  // Row 0: K = 1.2·(0.25 + 0.75·2/1.5) = 1.5, weight = idf·1·2.2/(1 + 1.5).
  // Row 1: K = 1.2·(0.25 + 0.75·1/1.5) = 0.9, weight = idf·2.2/1.9.
  const FeatureBlock b = featurise_texts({"x y", "x"}, sparse("bm25"), "t");
  EXPECT_NEAR(row(b, 0).at(col("x")), std::log(1.2) * 2.2 / 2.5, 1e-6);
  EXPECT_NEAR(row(b, 0).at(col("y")), std::log(2.0) * 2.2 / 2.5, 1e-6);
  EXPECT_NEAR(row(b, 1).at(col("x")), std::log(1.2) * 2.2 / 1.9, 1e-6);
}

TEST(TextFeatures, EmptyTextsAreMissingRowsAndDoNotCountAsDocuments) {
  // "!!!" has no word. N = 1 (not 3), so "ok" gets idf 1 and weight 1.
  const FeatureBlock b = featurise_texts({"", "!!!", "ok"}, sparse("tfidf"), "title");
  EXPECT_EQ(b.name, "title");
  EXPECT_EQ(b.rows, 3);
  EXPECT_EQ(b.missing, (std::vector<uint8_t>{1, 1, 0}));
  EXPECT_EQ(b.offsets, (std::vector<int64_t>{0, 0, 0, 1}));
  EXPECT_FLOAT_EQ(b.values[0], 1.0f);
}

TEST(TextFeatures, ProjectionIsDeterministicUnitNormAndOfTheAskedWidth) {
  TextFeatureOptions o;  // tfidf, 1-2 grams, 2^18 columns
  o.project = 100;       // not a multiple of 64
  o.seed = 7;
  const std::vector<std::string> texts = {"rose water toner", "", "rose water toner", "matte black eyeliner pencil"};
  const FeatureBlock a = featurise_texts(texts, o, "text");
  EXPECT_EQ(a.kind, FeatureKind::kDense);
  EXPECT_EQ(a.width, 100);
  ASSERT_EQ(a.values.size(), 400u);
  EXPECT_TRUE(a.offsets.empty() && a.indices.empty());
  EXPECT_EQ(a.missing, (std::vector<uint8_t>{0, 1, 0, 0}));
  for (size_t r : {0, 2, 3}) {
    double sum = 0;
    for (size_t k = 0; k < 100; ++k) sum += a.values[r * 100 + k] * a.values[r * 100 + k];
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << r;
  }
  for (size_t k = 0; k < 100; ++k) {
    EXPECT_EQ(a.values[100 + k], 0.0f);
    EXPECT_EQ(a.values[k], a.values[200 + k]);  // equal texts, equal rows
  }
  EXPECT_EQ(featurise_texts(texts, o, "text").values, a.values);
  o.seed = 8;
  EXPECT_NE(featurise_texts(texts, o, "text").values, a.values);
}

TEST(TextFeatures, ProjectionKeepsSimilarTextsCloserThanUnrelatedOnes) {
  TextFeatureOptions o;
  o.project = 256;
  const FeatureBlock b =
      featurise_texts({"hydrating rose face toner", "rose face toner spray", "black nail polish remover"}, o, "t");
  auto dot = [&](size_t i, size_t j) {
    double s = 0;
    for (size_t k = 0; k < 256; ++k) s += b.values[i * 256 + k] * b.values[j * 256 + k];
    return s;
  };
  EXPECT_GT(dot(0, 1), dot(0, 2) + 0.2);
}

TEST(TextFeatures, RejectsOptionsOutOfRangeNamingTheFlag) {
  auto featurise = [](TextFeatureOptions o) { featurise_texts({"a"}, o, "t"); };
  TextFeatureOptions o;
  o.weighting = "bm42";
  expect_error<UsageError>([&] { featurise(o); }, {"--text-weighting", "tfidf, bm25 or binary", "'bm42'"});
  o = {};
  o.min_n = 3;
  o.max_n = 2;
  expect_error<UsageError>([&] { featurise(o); }, {"--text-ngrams", "3-2"});
  o = {};
  o.hash_bits = 30;
  expect_error<UsageError>([&] { featurise(o); }, {"--text-hash-bits", "[8, 24]", "30"});
  o = {};
  o.project = -1;
  expect_error<UsageError>([&] { featurise(o); }, {"--text-project", "-1"});
  o = {};
  o.bm25_b = 2;
  expect_error<UsageError>([&] { featurise(o); }, {"bm25", "b in [0, 1]"});
}

}  // namespace
}  // namespace graft::io
