// The in-memory dataset: several domains (platforms, categories, markets) over one global user
// id space. Plain containers only, so data tools never pull in LibTorch.
//
// Layout, all indices dense and 0-based:
//   users            U global users, external ids in user_ids
//   domain d         I_d items (external ids), C_d categories, each item in 0..n categories
//                    (CSR: item_category_offsets[I_d + 1], item_category[...]),
//                    N_d interactions as parallel arrays (user, item, optional columns)
//   split s          per domain: train/valid/test as indices into that domain's interactions,
//                    cold-start users, and per valid/test case the sampled negatives
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace graft::io {

// Behaviour types of e-commerce logs (Taobao layout). Stored as int8.
enum class Behavior : int8_t { kView = 0, kCart = 1, kFavorite = 2, kBuy = 3 };
inline constexpr int kNumBehaviors = 4;
const char* behavior_name(Behavior b);          // "pv", "cart", "fav", "buy"
std::optional<Behavior> parse_behavior(const std::string& s);

// Interactions of one domain as parallel columns. `user` and `item` are always present;
// the optional columns are either empty or the same length as `user`.
struct Interactions {
  std::vector<int64_t> user;
  std::vector<int64_t> item;
  std::vector<int64_t> time;      // seconds, days since 1970-01-01 for dates (graph_io/dates.h), or
                                  // any monotone unit; empty when unknown
  std::vector<int8_t> behavior;   // Behavior values; empty when untyped
  std::vector<float> weight;      // rating / count / weight; empty when implicit

  size_t size() const { return user.size(); }
  bool has_time() const { return !time.empty(); }
  bool has_behavior() const { return !behavior.empty(); }
  bool has_weight() const { return !weight.empty(); }
  void reserve(size_t n);
};

// A named block of node features (schema v2; graph_io/SCHEMA.md), one row per node (item of the
// domain, or global user). Three kinds:
//   dense   [rows, width] float32, row-major in `values` (e.g. a language-model text embedding);
//   sparse  CSR multi-hot or weighted bag: row r holds columns indices[offsets[r]:offsets[r+1]]
//           (each < width, ascending) with weights values[...] (brand, leaf category, tags, hashed
//           n-grams); `vocabulary` names the columns when they have names (empty when hashed);
//   scalar  one float per row ([rows, 1] in `values`): price, sales rank.
// `missing` (empty, or one byte per row, 1 = no value) marks rows without a value; their values
// are zero and must not be read as data (an embedding row that the import could not find, an
// item without a price).
enum class FeatureKind : int8_t { kDense = 0, kSparse = 1, kScalar = 2 };
const char* feature_kind_name(FeatureKind kind);  // "dense", "sparse", "scalar"
std::optional<FeatureKind> parse_feature_kind(const std::string& s);

// The store lists a node type's block names under this name beside the blocks, so no block may
// take it.
inline constexpr const char* kFeatureNamesList = "names";

struct FeatureBlock {
  std::string name;                      // non-empty, no '/', not kFeatureNamesList
  FeatureKind kind = FeatureKind::kDense;
  int64_t rows = 0;
  int64_t width = 0;                     // dense: F; sparse: number of columns; scalar: 1
  std::vector<float> values;             // dense/scalar: rows·width; sparse: one per stored entry
  std::vector<int64_t> offsets;          // sparse: rows + 1
  std::vector<int32_t> indices;          // sparse: column of each stored entry
  std::vector<std::string> vocabulary;   // sparse: column names, or empty
  std::vector<uint8_t> missing;          // empty, or rows bytes (1: the row has no value)

  bool is_missing(int64_t row) const { return !missing.empty() && missing[static_cast<size_t>(row)] != 0; }
  int64_t num_missing() const;
};

struct Domain {
  std::string name;
  std::vector<std::string> item_ids;        // external item ids, index = dense item id
  std::vector<std::string> category_names;  // index = dense category id
  // Item -> categories in CSR form. Empty offsets means the domain has no categories.
  std::vector<int64_t> item_category_offsets;
  std::vector<int32_t> item_category;
  Interactions interactions;
  // Feature blocks (schema v2): item blocks have num_items() rows, user blocks num_users() rows
  // (users are global; a domain's user blocks describe them as that platform sees them).
  std::vector<FeatureBlock> item_features, user_features;

  int64_t num_items() const { return static_cast<int64_t>(item_ids.size()); }
  int64_t num_categories() const { return static_cast<int64_t>(category_names.size()); }
  bool has_categories() const { return !item_category_offsets.empty(); }
  const FeatureBlock* find_item_features(const std::string& block) const;  // nullptr when absent
  // The item blocks named in `names`, comma-separated with optional spaces, in that order; empty
  // `names`: every item block. UsageError starting with `key` for a name the domain lacks,
  // listing the blocks it has.
  std::vector<const FeatureBlock*> item_blocks(const std::string& names, const std::string& key) const;
};

// The comma-separated names in `list`, spaces around each trimmed, empty ones dropped.
std::vector<std::string> split_names(const std::string& list);

// One domain's part of a named split.
struct DomainSplit {
  std::string domain;
  std::vector<int64_t> train, valid, test;  // indices into the domain's interactions
  std::vector<int64_t> cold_start_users;    // users with no training interaction here
                                            // (cold_start_buyers: none of the target behaviour)
  // Sampled-ranking candidates: one row of `negatives_per_case` item ids per valid/test case,
  // row-major, rows in the order of `valid` / `test`. Empty when not sampled.
  int64_t negatives_per_case = 0;
  std::vector<int64_t> valid_negatives, test_negatives;
};

// A named split over one or more domains (e.g. "cold_start" for a source/target pair).
struct Split {
  std::string name;
  std::string kind;                          // "given", "leave_one_out", "ratio", "temporal",
                                             // "cold_start_users", "new_category", "new_items",
                                             // "cold_start_buyers"
  std::map<std::string, std::string> params; // how it was made, for provenance
  std::vector<DomainSplit> parts;

  const DomainSplit* part(const std::string& domain) const;  // nullptr when absent
  DomainSplit& part_or_add(const std::string& domain);
};

struct SourceFile {
  std::string path;
  uint64_t size = 0;
  std::string crc32;  // hex
};

struct Provenance {
  std::string command;                 // the import/generate command line
  std::string graft_version;
  std::vector<SourceFile> sources;
};

struct Dataset {
  std::vector<std::string> user_ids;   // external user ids, index = global user id
  std::vector<Domain> domains;
  std::vector<Split> splits;
  Provenance provenance;

  int64_t num_users() const { return static_cast<int64_t>(user_ids.size()); }
  const Domain& domain(const std::string& name) const;  // throws UsageError naming valid ones
  Domain& domain(const std::string& name);
  const Domain* find_domain(const std::string& name) const;
  const Split& split(const std::string& name) const;    // throws UsageError naming valid ones
  Split* find_split(const std::string& name);
  const Split* find_split(const std::string& name) const;
};

// Checks every invariant (ids in range, column lengths, CSR shape, split indices) and throws
// DataError naming `where` (a file) and the offending array.
void validate(const Dataset& ds, const std::string& where);

}  // namespace graft::io
