// Text featuriser (text_features.h). The steps, each fixed so that the same texts give the same
// numbers with every compiler and standard library:
//   tokens   bytes A-Z are lowercased; a word is a maximal run of [0-9a-z] and bytes >= 0x80
//            (UTF-8 letters of any script stay inside words); every other byte separates words.
//   n-grams  every run of n consecutive words, min_n <= n <= max_n, as the words joined by one
//            space, hashed with 64-bit FNV-1a (offset basis 14695981039346656037, prime
//            1099511628211) and xor-folded to hash_bits: column = (h ^ (h >> hash_bits)) &
//            (2^hash_bits - 1). Colliding n-grams share a column and add up.
//   weights  with tf the count of a column in a text, N the number of non-empty texts and df
//            the number of them that hold the column:
//              tfidf   tf · (ln((1 + N) / (1 + df)) + 1), each row scaled to unit L2 norm
//                      (scikit-learn's smooth idf);
//              bm25    idf · tf · (k1 + 1) / (tf + k1 · (1 - b + b · len / avglen)) with
//                      idf = ln(1 + (N - df + 0.5) / (df + 0.5)) (Lucene's, never negative),
//                      len the n-gram count of the text and avglen its mean over non-empty
//                      texts; not normalised (the length norm is part of the formula);
//              binary  1 for every column present.
//   project  when > 0, row r becomes x_r · R, then is scaled to unit L2 norm (Achlioptas 2003: a
//            random ±1 matrix preserves distances up to a common scale). R[c, k] = +1 when bit
//            k mod 64 of the (k / 64)-th SplitMix64 output from state derive_seed(seed,
//            "text/projection") ^ (c · 0xd1b54a32d192ed03) is set, else -1; R is never stored,
//            each column's signs are drawn once when the column occurs.
#include "graph_io/text_features.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::io {

namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

void check_options(const TextFeatureOptions& o) {
  auto fail = [](const std::string& what) { throw UsageError("text features: " + what); };
  if (o.weighting != "tfidf" && o.weighting != "bm25" && o.weighting != "binary") {
    fail("weighting (--text-weighting) must be tfidf, bm25 or binary, got '" + o.weighting + "'");
  }
  if (o.min_n < 1 || o.max_n < o.min_n || o.max_n > 8) {
    fail("n-gram range (--text-ngrams) must satisfy 1 <= min <= max <= 8, got " + std::to_string(o.min_n) + "-" +
         std::to_string(o.max_n));
  }
  if (o.hash_bits < 8 || o.hash_bits > 24) {
    fail("hash bits (--text-hash-bits) must be in [8, 24], got " + std::to_string(o.hash_bits));
  }
  if (o.project < 0 || o.project > 65536) {
    fail("projection width (--text-project) must be in [0, 65536], got " + std::to_string(o.project));
  }
  if (!(o.bm25_k1 >= 0) || !(o.bm25_b >= 0 && o.bm25_b <= 1)) {
    fail("bm25 needs k1 >= 0 and b in [0, 1], got k1 = " + std::to_string(o.bm25_k1) +
         ", b = " + std::to_string(o.bm25_b));
  }
}

uint64_t fnv1a_step(uint64_t h, unsigned char byte) { return (h ^ byte) * kFnvPrime; }

int64_t fold(uint64_t h, unsigned bits) { return static_cast<int64_t>((h ^ (h >> bits)) & ((uint64_t{1} << bits) - 1)); }

bool is_word_byte(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80; }

// The hashed column of every n-gram of one text, appended to `columns` (unsorted); returns how
// many were appended. `words` is scratch space.
size_t hash_ngrams(const std::string& text, const TextFeatureOptions& o, std::string& lowered,
                   std::vector<std::pair<size_t, size_t>>& words, std::vector<int32_t>& columns) {
  lowered.assign(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  words.clear();
  for (size_t i = 0; i < lowered.size();) {
    if (!is_word_byte(static_cast<unsigned char>(lowered[i]))) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < lowered.size() && is_word_byte(static_cast<unsigned char>(lowered[i]))) ++i;
    words.emplace_back(start, i - start);
  }
  const auto bits = static_cast<unsigned>(o.hash_bits);
  const size_t before = columns.size();
  for (size_t first = 0; first < words.size(); ++first) {
    uint64_t h = kFnvOffset;
    for (size_t n = 1; n <= static_cast<size_t>(o.max_n) && first + n <= words.size(); ++n) {
      if (n > 1) h = fnv1a_step(h, ' ');
      const auto [start, length] = words[first + n - 1];
      for (size_t k = start; k < start + length; ++k) h = fnv1a_step(h, static_cast<unsigned char>(lowered[k]));
      if (n >= static_cast<size_t>(o.min_n)) columns.push_back(static_cast<int32_t>(fold(h, bits)));
    }
  }
  return columns.size() - before;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void normalise_rows(std::vector<float>& values, const std::vector<int64_t>& offsets) {
  for (size_t r = 0; r + 1 < offsets.size(); ++r) {
    const auto begin = static_cast<size_t>(offsets[r]), end = static_cast<size_t>(offsets[r + 1]);
    double sum = 0;
    for (size_t k = begin; k < end; ++k) sum += static_cast<double>(values[k]) * values[k];
    if (sum <= 0) continue;
    const double scale = 1.0 / std::sqrt(sum);
    for (size_t k = begin; k < end; ++k) values[k] = static_cast<float>(values[k] * scale);
  }
}

// The dense [rows, width] projection of a sparse block; rows scaled to unit L2 norm.
void project(FeatureBlock& block, int64_t width, uint64_t seed) {
  const uint64_t base = derive_seed(seed, "text/projection");
  const auto w = static_cast<size_t>(width);
  const size_t words = (w + 63) / 64;
  // Each distinct column's signs, drawn once: one bit per output dimension.
  std::vector<int32_t> distinct(block.indices);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<uint64_t> signs(distinct.size() * words);
  for (size_t c = 0; c < distinct.size(); ++c) {
    uint64_t state = base ^ (static_cast<uint64_t>(distinct[c]) * 0xd1b54a32d192ed03ull);
    for (size_t k = 0; k < words; ++k) signs[c * words + k] = splitmix64(state);
  }
  // ±1 for each of the 256 bytes' 8 bits, so that a row adds v·(±1) eight columns at a time.
  static const auto kSigns = [] {
    std::array<std::array<float, 8>, 256> t{};
    for (size_t b = 0; b < 256; ++b) {
      for (size_t i = 0; i < 8; ++i) t[b][i] = (b >> i & 1) ? 1.0f : -1.0f;
    }
    return t;
  }();
  std::vector<float> dense(static_cast<size_t>(block.rows) * w, 0.0f);
  std::vector<float> row(words * 64);  // padded to whole words
  for (size_t r = 0; r < static_cast<size_t>(block.rows); ++r) {
    const auto begin = static_cast<size_t>(block.offsets[r]), end = static_cast<size_t>(block.offsets[r + 1]);
    if (begin == end) continue;
    std::fill(row.begin(), row.end(), 0.0f);
    for (size_t e = begin; e < end; ++e) {
      const size_t c = static_cast<size_t>(
          std::lower_bound(distinct.begin(), distinct.end(), block.indices[e]) - distinct.begin());
      const float v = block.values[e];
      for (size_t q = 0; q < words; ++q) {
        const uint64_t bits = signs[c * words + q];  // bit k: the sign of output 64q + k
        for (size_t j = 0; j < 8; ++j) {
          const float* sign = kSigns[bits >> (8 * j) & 0xff].data();
          float* out = &row[64 * q + 8 * j];
          for (size_t i = 0; i < 8; ++i) out[i] += v * sign[i];
        }
      }
    }
    double sum = 0;
    for (size_t k = 0; k < w; ++k) sum += static_cast<double>(row[k]) * row[k];
    const double scale = sum > 0 ? 1.0 / std::sqrt(sum) : 0.0;
    for (size_t k = 0; k < w; ++k) dense[r * w + k] = static_cast<float>(row[k] * scale);
  }
  block.kind = FeatureKind::kDense;
  block.width = width;
  block.values = std::move(dense);
  block.offsets.clear();
  block.indices.clear();
}

}  // namespace

int64_t text_ngram_column(std::string_view ngram, int64_t hash_bits) {
  uint64_t h = kFnvOffset;
  for (const char c : ngram) h = fnv1a_step(h, static_cast<unsigned char>(c));
  return fold(h, static_cast<unsigned>(hash_bits));
}

FeatureBlock featurise_texts(const std::vector<std::string>& texts, const TextFeatureOptions& options,
                             const std::string& name) {
  check_options(options);
  FeatureBlock block;
  block.name = name;
  block.kind = FeatureKind::kSparse;
  block.rows = static_cast<int64_t>(texts.size());
  block.width = int64_t{1} << options.hash_bits;
  block.offsets.assign(texts.size() + 1, 0);
  block.missing.assign(texts.size(), 0);

  // Term counts per row: sorted distinct columns with their counts, and the row's n-gram count.
  std::vector<int64_t> lengths(texts.size(), 0);
  {
    std::string lowered;
    std::vector<std::pair<size_t, size_t>> words;
    std::vector<int32_t> columns;
    for (size_t r = 0; r < texts.size(); ++r) {
      columns.clear();
      lengths[r] = static_cast<int64_t>(hash_ngrams(texts[r], options, lowered, words, columns));
      std::sort(columns.begin(), columns.end());
      for (size_t k = 0; k < columns.size();) {
        size_t next = k + 1;
        while (next < columns.size() && columns[next] == columns[k]) ++next;
        block.indices.push_back(columns[k]);
        block.values.push_back(static_cast<float>(next - k));
        k = next;
      }
      block.offsets[r + 1] = static_cast<int64_t>(block.indices.size());
      if (columns.empty()) block.missing[r] = 1;
    }
  }

  if (options.weighting == "binary") {
    std::fill(block.values.begin(), block.values.end(), 1.0f);
  } else {
    // Document frequencies over the distinct columns in use (2^24 counters would be wasteful).
    std::vector<int32_t> distinct(block.indices);
    std::sort(distinct.begin(), distinct.end());
    std::vector<int64_t> df;
    std::vector<int32_t> unique;
    for (size_t k = 0; k < distinct.size();) {
      size_t next = k + 1;
      while (next < distinct.size() && distinct[next] == distinct[k]) ++next;
      unique.push_back(distinct[k]);
      df.push_back(static_cast<int64_t>(next - k));
      k = next;
    }
    auto df_of = [&](int32_t column) {
      return static_cast<double>(df[static_cast<size_t>(std::lower_bound(unique.begin(), unique.end(), column) -
                                                        unique.begin())]);
    };
    const double n = static_cast<double>(block.rows - block.num_missing());
    double mean_length = 0;
    for (const int64_t l : lengths) mean_length += static_cast<double>(l);
    mean_length = n > 0 ? mean_length / n : 1.0;
    const bool bm25 = options.weighting == "bm25";
    const double k1 = options.bm25_k1, b = options.bm25_b;
    for (size_t r = 0; r < texts.size(); ++r) {
      const double norm = k1 * (1 - b + b * static_cast<double>(lengths[r]) / mean_length);
      for (auto e = static_cast<size_t>(block.offsets[r]); e < static_cast<size_t>(block.offsets[r + 1]); ++e) {
        const double tf = block.values[e], d = df_of(block.indices[e]);
        const double w = bm25 ? std::log(1 + (n - d + 0.5) / (d + 0.5)) * tf * (k1 + 1) / (tf + norm)
                              : tf * (std::log((1 + n) / (1 + d)) + 1);
        block.values[e] = static_cast<float>(w);
      }
    }
    if (!bm25) normalise_rows(block.values, block.offsets);
  }

  if (options.project > 0) project(block, options.project, options.seed);
  if (block.num_missing() == 0) block.missing.clear();
  return block;
}

}  // namespace graft::io
