// Text to features without a network: tokenise, hashed word n-grams, TF-IDF or BM25 weighting,
// optionally a seeded random projection to a dense width. Titles and descriptions work out of
// the box; embeddings of a large pretrained model are imported instead (importers.h, embeddings).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

struct TextFeatureOptions {
  std::string weighting = "tfidf";  // "tfidf" | "bm25" | "binary"
  int64_t min_n = 1, max_n = 2;     // word n-grams from min_n to max_n words, 1 ≤ min_n ≤ max_n ≤ 8
  int64_t hash_bits = 18;           // hashed columns: 2^hash_bits, in [8, 24]
  int64_t project = 256;            // > 0: random projection to this dense width (at most 65536);
                                    // 0: keep the sparse block
  double bm25_k1 = 1.2, bm25_b = 0.75;
  uint64_t seed = 0;                // of the projection
};

// The hashed column of one n-gram (lowercase words joined by one space): 64-bit FNV-1a of its
// bytes, xor-folded to hash_bits (text_features.cpp documents every step). For reading a sparse
// block: which column "skin care" went to.
int64_t text_ngram_column(std::string_view ngram, int64_t hash_bits);

// One feature block (rows = texts.size()) named `name`: sparse [rows, 2^hash_bits] (sorted
// columns per row, no vocabulary) or, with project > 0, dense [rows, project]. Rows whose text is empty after
// tokenisation are marked missing (`missing` stays empty when none is). Deterministic for given
// texts and options. Throws UsageError naming the option (and its --text-* flag) when an option
// is out of range.
FeatureBlock featurise_texts(const std::vector<std::string>& texts, const TextFeatureOptions& options,
                             const std::string& name);

}  // namespace graft::io
