// Text to features without a network: tokenise, hashed word n-grams, TF-IDF or BM25 weighting,
// optionally a seeded random projection to a dense width. Titles and descriptions work out of
// the box; embeddings of a large pretrained model are imported instead (importers.h, embeddings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

struct TextFeatureOptions {
  std::string weighting = "tfidf";  // "tfidf" | "bm25" | "binary"
  int64_t min_n = 1, max_n = 2;     // word n-grams from min_n to max_n words, 1 ≤ min_n ≤ max_n
  int64_t hash_bits = 18;           // hashed columns: 2^hash_bits, in [8, 24]
  int64_t project = 256;            // > 0: random projection to this dense width; 0: keep the sparse block
  double bm25_k1 = 1.2, bm25_b = 0.75;
  uint64_t seed = 0;                // of the projection
};

// One feature block (rows = texts.size()) named `name`. Rows whose text is empty after
// tokenisation are marked missing. Deterministic for given texts and options.
FeatureBlock featurise_texts(const std::vector<std::string>& texts, const TextFeatureOptions& options,
                             const std::string& name);

}  // namespace graft::io
