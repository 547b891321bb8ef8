// xmarket: the XMarket cross-market ratings (Bonab et al., CIKM 2021), one file per market,
// e.g. ca_5core.txt: a header "userId itemId rate date", then space-separated lines
// "user item rating YYYY-MM-DD". Inputs are market files and folders; a folder stands for every
// <market>_*.txt in it, by name. Each file is one domain named after its market, the part of the
// file name before the first '_' (ca_5core.txt → "ca"; a name without '_' gives its stem).
//
// Ratings are kept as weights (--min-rating drops lower ones) and dates as times, in days since
// 1970-01-01 (graph_io/dates.h). Users are shared across markets by external id, as in every
// importer; items keep their external ids (ASINs) per market, so an item sold in two markets has
// the same id in both domains: that is the cross-market link (graph_io/SCHEMA.md). No split.
#include <algorithm>
#include <filesystem>

#include "graph_io/dates.h"
#include "graph_io/errors.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kHeader = {"userId", "itemId", "rate", "date"};

// A market file name: "<market>_<anything>.txt" with a non-empty market.
bool is_market_file_name(const std::string& name) {
  const size_t underscore = name.find('_');
  return underscore != std::string::npos && underscore > 0 && name.size() > 4 &&
         name.compare(name.size() - 4, 4, ".txt") == 0;
}

// The market files of `folder`, by name.
std::vector<std::string> market_files(const std::string& folder) {
  std::error_code error, not_a_file;
  std::vector<std::string> files;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file(not_a_file) && is_market_file_name(it->path().filename().string())) {
      files.push_back(it->path().string());
    }
  }
  if (error) throw DataError(folder + ": cannot list the folder: " + error.message());
  if (files.empty()) throw DataError(folder + ": no market files <market>_*.txt (e.g. ca_5core.txt) in this folder");
  std::sort(files.begin(), files.end());
  return files;
}

// Every input file, a folder's market files in its place.
std::vector<std::string> input_files(const ImportOptions& options) {
  std::vector<std::string> files;
  for (const std::string& input : options.inputs) {
    if (fs::is_directory(input)) {
      const std::vector<std::string> found = market_files(input);
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);  // TextReader names it when it is missing
    }
  }
  return files;
}

std::string market_of(const std::string& file) {
  const std::string name = fs::path(file).filename().string();
  const size_t underscore = name.find('_');
  const std::string market =
      underscore != std::string::npos ? name.substr(0, underscore) : fs::path(file).stem().string();
  if (market.empty()) throw DataError(file + ": cannot name a market after this file (expected e.g. ca_5core.txt)");
  return market;
}

// Reads one market file into `market`.
void read_market(const std::string& file, DomainBuilder& market, IdMap& users, double min_rating, Dataset& dataset,
                 ImportReport& report) {
  TextReader in(file, Delimiter::whitespace(), kHeader.size());
  if (in.read_header() != kHeader) {
    in.fail("expected the header 'userId itemId rate date', got " + quote_value(in.line()));
  }
  market.reserve_more(in.estimated_lines());
  const std::string dropped_reason = rated_below_reason(min_rating);
  while (in.next()) {
    const double rating = in.number(2, "rating");
    if (rating < min_rating) {
      ++report.dropped[dropped_reason];
      continue;
    }
    const int64_t user = users.add(in.text(0, "user id"));
    const int64_t item = market.items().add(in.text(1, "item id"));
    market.add(user, item, Part::kTrain, date_field(in, 3, "date"), Behavior::kView, static_cast<float>(rating));
  }
  record_file_read(in, dataset, report);
}

}  // namespace

Dataset import_xmarket(const ImportOptions& options, ImportReport& report) {
  const std::vector<std::string> files = input_files(options);
  Dataset dataset;
  IdMap users;
  std::vector<DomainBuilder> markets;
  std::vector<std::string> market_file;  // the file each market came from, for the duplicate error
  for (const std::string& file : files) {
    const std::string market = market_of(file);
    const auto same =
        std::find_if(markets.begin(), markets.end(), [&](const DomainBuilder& m) { return m.name() == market; });
    if (same != markets.end()) {
      throw DataError(file + ": market '" + market + "' is already read from " +
                      market_file[static_cast<size_t>(same - markets.begin())]);
    }
    markets.emplace_back(market, InteractionColumns{true, false, true});
    market_file.push_back(file);
    read_market(file, markets.back(), users, options.min_rating, dataset, report);
  }
  dataset.user_ids = std::move(users).take_ids();
  finish_domains(dataset, markets, std::nullopt, report);
  return dataset;
}

}  // namespace graft::io
