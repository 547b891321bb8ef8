// Importers turn real-world dataset layouts into a Dataset with dense ids.
// Every importer merges duplicate interactions (counted) and reports what it read and dropped;
// malformed input throws DataError naming the file and line.
//
// Formats (ImportOptions::format):
//   cdr-pairs     Amazon cross-domain folders A_B/ and B_A/ (train/valid/test.txt, tab-separated
//                 "user item", common_new_reindex.txt); ids below the number of distinct users in
//                 common_new_reindex.txt are shared, the rest private per domain; items are private
//                 ("<domain>:<id>"). Domains are named after the first word of each folder;
//                 valid/test become split "cold_start".
//   lightgcn      "user item item ..." lines; inputs = train file [, test file] → split "given".
//   movielens     100k (u.data [+ u.item genres]) or 1M ("::"-separated ratings.dat [+ movies.dat]).
//   csv           any delimited file with a column mapping; time as integers or dates YYYY-MM-DD.
//   behavior-log  "user,item,category,behavior,timestamp" with pv/cart/fav/buy typed edges.
//   embeddings    adds a dense item block (--block) to the dataset --into from a matrix (.npy,
//                 raw float32, or an HDF5 dataset with --hdf5-dataset) and a row-id file (one
//                 item id per line, or "id<TAB>row" pairs); see import_embeddings.cpp.
//   sequences     "user item item ..." lines in time order (P5 / S3-Rec Amazon layout), string ids;
//                 time = position in the user's sequence; no split.
//   unisrec       the UniSRec downstream folder (or files' prefix <Name>): index files, overlapping
//                 history rows rebuilt into sequences (time = position), split "given" from
//                 train/valid/test, <Name>.text as a "text" block; every indexed item kept.
//   item-metadata a delimited item table joined into the dataset options.into by item id:
//                 feature_columns roles id, text (one featurised block), token, token_list,
//                 float, category_path (every level, replacing the categories).
//   behaviour-lists  multi-behaviour lists (MB-CGCN / CRGCN Tmall layout): one folder of behaviour
//                 folders (view/, cart/, buy/ with train.txt [+ test.txt], "user item item ...")
//                 or one "user item" file per behaviour (view.txt); 0-based integer ids kept;
//                 names → codes by behavior_map; split "given" tests the target behaviour.
//   xmarket       XMarket market files <market>_5core.txt ("userId itemId rate date" header, then
//                 space-separated lines) or folders of them: one domain per market, named by the
//                 file ("ca"); ratings as weights, dates as days since 1970-01-01; users shared and
//                 items linked across markets by external id; no split.
// Each importer's file documents its layout and rules (import_<format>.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph_io/dataset.h"
#include "graph_io/text_features.h"

namespace graft::io {

struct ImportOptions {
  std::string format;
  std::vector<std::string> inputs;  // files or folders, as the format needs
  std::string domain;               // domain name where the format has none (csv, lightgcn, ...)
  // csv / behavior-log
  char delimiter = ',';
  bool header = false;
  // role -> column (0-based index or header name). Roles: user, item (required), category,
  // time, behavior, rating, domain.
  std::map<std::string, std::string> columns;
  // csv / behavior-log: a file is parsed on every core in pieces of this many bytes (tests use
  // tiny pieces, so that lines straddle many piece boundaries).
  uint64_t piece_bytes = uint64_t{16} << 20;
  // movielens / csv with rating / xmarket: interactions rated below this are dropped (0 keeps all).
  double min_rating = 0.0;

  // Feature imports (item-metadata, embeddings) add feature blocks to the items of an existing
  // dataset, joined by external item id; `into` is that dataset.h5.
  std::string into;
  // item-metadata: role=column pairs in the order given (roles may repeat: several text or float
  // columns). Roles: id (required), text, token, token_list, float, category_path.
  std::vector<std::pair<std::string, std::string>> feature_columns;
  TextFeatureOptions text;          // item-metadata: how text columns become a block
  // embeddings: the block's name, and for an HDF5 input the dataset path inside it.
  std::string block;
  std::string hdf5_dataset;

  // behaviour-lists: name=code pairs (codes pv, cart, fav, buy) that add to or override the
  // default behaviour names (graph_io/behavior_names.h), and the behaviour (a name or a code)
  // whose test pairs the split "given" evaluates.
  std::vector<std::pair<std::string, std::string>> behavior_map;
  std::string target_behavior = "buy";
};

struct ImportReport {
  int64_t lines_read = 0;
  int64_t interactions_kept = 0;
  int64_t duplicates_merged = 0;
  std::map<std::string, int64_t> dropped;  // reason -> count
  std::map<std::string, int64_t> noted;    // kept but worth knowing, e.g. "items without metadata"
  std::vector<std::string> blocks;         // feature blocks added, see describe_block
  std::string summary() const;             // one human-readable paragraph
};

// Names of the supported formats, for help texts and "unknown format" errors.
std::vector<std::string> import_formats();

// Runs the importer named by options.format; throws UsageError for an unknown format and
// DataError for bad input. Fills dataset.provenance.sources with each input's size and CRC-32.
Dataset import_dataset(const ImportOptions& options, ImportReport* report = nullptr);

}  // namespace graft::io
