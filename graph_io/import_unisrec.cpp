// unisrec: the downstream layout of UniSRec (Hou et al., KDD 2022) and the work built on it. The
// input is the folder or the files' common prefix <dir>/<Name>:
//   <Name>.user2index, <Name>.item2index   "external id<TAB>index", indices 0..n-1 (or 1..n)
//   <Name>.train.inter, .valid.inter, .test.inter
//                                          header, then "user<TAB>history<TAB>target" with user and
//                                          items as indices and the history space-separated;
//   <Name>.text (optional)                 header, then "item id<TAB>text" (external item ids).
// Each inter row is a history and the next item, so a user's rows overlap (in any order). The
// importer rebuilds each user's sequence as the longest row, history and target, over the three
// files; every other row must be a prefix of it (histories cut to a window are refused). The
// user's interactions are the items of that sequence — the union of all histories and targets —
// with time = position in it; a row's target belongs to its file's part and the other items to
// training, as split "given" (valid and test hold the usual one case per user). Repeats of an item merge into the
// earliest (counted as duplicates). Every user and item of the index files is kept, in index
// order, also those without an interaction, so that rows of precomputed item embeddings (row i =
// item index i) line up with the items. The text file gives a block "text" (or --block) made by
// featurise_texts. The domain is --domain, or <Name> in lowercase.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "graph_io/errors.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

namespace fs = std::filesystem;

// <dir>/<Name> from the folder (holding exactly one *.item2index) or the prefix itself.
std::string find_prefix(const std::string& input) {
  if (fs::is_directory(input)) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(input)) {
      const fs::path& p = entry.path();
      if (p.extension() == ".item2index") found.push_back((p.parent_path() / p.stem()).string());
    }
    std::sort(found.begin(), found.end());
    if (found.size() == 1) return found.front();
    throw DataError(input + ": expected one <Name>.item2index in this folder, found " +
                    (found.empty() ? std::string("none") : join(found)));
  }
  if (fs::is_regular_file(input + ".item2index")) return input;
  throw DataError(input + ": neither a UniSRec folder nor the prefix of <Name>.item2index, .user2index, "
                          ".train.inter, .valid.inter, .test.inter");
}

// An index file: external ids in index order, and the index of the first one (0 or 1).
struct IndexFile {
  std::vector<std::string> ids;
  int64_t base = 0;

  // The dense id of index `value` on the reader's current line, checked.
  int64_t dense(int64_t value, const TextReader& in, const char* what) const {
    const int64_t d = value - base;
    if (d < 0 || d >= static_cast<int64_t>(ids.size())) {
      in.fail(std::string(what) + " index " + std::to_string(value) + " is not in the index file (" +
              std::to_string(base) + ".." + std::to_string(base + static_cast<int64_t>(ids.size()) - 1) + ")");
    }
    return d;
  }
};

IndexFile read_index_file(const std::string& path, Dataset& dataset, ImportReport& report) {
  TextReader in(path, Delimiter::character('\t'), 2);
  struct Entry {
    std::string id;
    int64_t index, line;
  };
  std::vector<Entry> entries;
  IdMap seen;
  while (in.next()) {
    const std::string_view id = in.text(0, "external id");
    if (seen.find(id)) in.fail("id " + quote_value(id) + " listed twice");
    seen.add(id);
    entries.push_back({std::string(id), in.id(1, "index"), in.line_number()});
  }
  record_file_read(in, dataset, report);

  IndexFile out;
  out.base = std::min_element(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
               return a.index < b.index;
             })->index;
  if (out.base > 1) throw DataError(path + ": indices start at " + std::to_string(out.base) + ", expected 0 or 1");
  const auto n = static_cast<int64_t>(entries.size());
  out.ids.resize(entries.size());
  std::vector<int64_t> line_of(entries.size(), 0);
  for (const Entry& e : entries) {
    const int64_t d = e.index - out.base;
    if (d >= n) {
      throw_at_line(path, e.line, "index " + std::to_string(e.index) + " leaves a gap: " + std::to_string(n) +
                                      " ids need indices " + std::to_string(out.base) + ".." +
                                      std::to_string(out.base + n - 1));
    }
    if (line_of[static_cast<size_t>(d)] != 0) {
      throw_at_line(path, e.line, "index " + std::to_string(e.index) + " already given on line " +
                                      std::to_string(line_of[static_cast<size_t>(d)]));
    }
    line_of[static_cast<size_t>(d)] = e.line;
    out.ids[static_cast<size_t>(d)] = e.id;
  }
  return out;
}

// Each user's sequence: the longest row (history + target) so far, which every other row must
// be a prefix of, and the part of the row whose target is at each position (-1: none).
struct Sequences {
  std::vector<std::vector<int64_t>> items;
  std::vector<std::vector<int8_t>> part;
};

void read_inter_file(const std::string& path, Part part, const IndexFile& users, const IndexFile& items,
                     Sequences& seq, Dataset& dataset, ImportReport& report) {
  TextReader in(path, Delimiter::character('\t'), 3);
  in.read_header();
  std::vector<int64_t> row;
  while (in.next()) {
    const auto u = static_cast<size_t>(users.dense(in.id(0, "user"), in, "user"));
    row.clear();
    const std::string_view list = in.field(1);
    for (size_t pos = 0; pos < list.size();) {
      const size_t end = std::min(list.find(' ', pos), list.size());
      if (end > pos) {
        const std::string_view token = list.substr(pos, end - pos);
        int64_t value = -1;
        const auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
        if (ec != std::errc() || p != token.data() + token.size() || value < 0) {
          in.fail("history item must be a non-negative integer, got " + quote_value(token));
        }
        row.push_back(items.dense(value, in, "history item"));
      }
      pos = end + 1;
    }
    row.push_back(items.dense(in.id(2, "target item"), in, "target item"));

    std::vector<int64_t>& known = seq.items[u];
    const size_t common = std::min(known.size(), row.size());
    const auto differ = std::mismatch(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(common), known.begin());
    if (differ.first != row.begin() + static_cast<std::ptrdiff_t>(common)) {
      const auto at = static_cast<size_t>(differ.first - row.begin());
      in.fail("user " + std::to_string(u + static_cast<size_t>(users.base)) + "'s rows are not prefixes of one " +
              "sequence: item " + std::to_string(at) + " of this row is index " +
              std::to_string(row[at] + items.base) + ", of another row " + std::to_string(known[at] + items.base) +
              " (histories cut to a window are not supported)");
    }
    if (row.size() > known.size()) {
      known = row;
      seq.part[u].resize(row.size(), -1);
    }
    int8_t& target_part = seq.part[u][row.size() - 1];
    if (target_part >= 0 && target_part != static_cast<int8_t>(part)) {
      in.fail("this row's target is also the target of a row of another file (the same position of user " +
              std::to_string(u + static_cast<size_t>(users.base)) + "'s sequence)");
    }
    target_part = static_cast<int8_t>(part);
  }
  record_file_read(in, dataset, report);
}

void read_texts(const std::string& path, const ImportOptions& options, Domain& domain, Dataset& dataset,
                ImportReport& report) {
  TextReader in(path, Delimiter::character('\t'), 2, TextReader::kAnyNumber);
  in.read_header();
  IdMap items;
  for (const std::string& id : domain.item_ids) items.add(id);
  std::vector<std::string> texts(static_cast<size_t>(domain.num_items()));
  std::vector<int64_t> line_of(texts.size(), 0);
  while (in.next()) {
    const std::string_view id = in.text(0, "item id");
    const std::optional<int64_t> item = items.find(id);
    if (!item) {
      ++report.dropped["texts of items not in item2index"];
      continue;
    }
    const auto i = static_cast<size_t>(*item);
    if (line_of[i] != 0) {
      in.fail("item " + quote_value(id) + " listed twice (first on line " + std::to_string(line_of[i]) + ")");
    }
    line_of[i] = in.line_number();
    for (size_t k = 1; k < in.size(); ++k) texts[i] += (k > 1 ? " " : "") + std::string(in.field(k));
  }
  record_file_read(in, dataset, report);
  const int64_t without = std::count(line_of.begin(), line_of.end(), 0);
  if (without > 0) report.noted["items without text"] += without;
  add_text_block(domain, texts, without, options, report);
}

}  // namespace

Dataset import_unisrec(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 1, 1, "the UniSRec folder or its files' common prefix");
  const std::string prefix = find_prefix(options.inputs.front());
  std::string name = options.domain;
  if (name.empty()) {
    name = fs::path(prefix).filename().string();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  if (name.find('/') != std::string::npos) throw UsageError("--domain must not contain '/', got '" + name + "'");

  Dataset dataset;
  const IndexFile users = read_index_file(prefix + ".user2index", dataset, report);
  const IndexFile items = read_index_file(prefix + ".item2index", dataset, report);
  std::vector<DomainBuilder> builders;
  builders.emplace_back(name, InteractionColumns{true, false, false});
  DomainBuilder& domain = builders.back();
  for (const std::string& id : items.ids) domain.items().add(id);

  Split given;
  given.name = "given";
  given.kind = "given";
  Sequences seq{std::vector<std::vector<int64_t>>(users.ids.size()), std::vector<std::vector<int8_t>>(users.ids.size())};
  const std::pair<const char*, Part> files[] = {{"train", Part::kTrain}, {"valid", Part::kValid}, {"test", Part::kTest}};
  for (const auto& [part_name, part] : files) {
    const std::string path = prefix + "." + part_name + ".inter";
    read_inter_file(path, part, users, items, seq, dataset, report);
    given.params[part_name] = path;
  }
  // In time order, so that merging keeps the earliest of an item's repeats.
  int64_t idle_users = 0;
  for (size_t u = 0; u < seq.items.size(); ++u) {
    idle_users += seq.items[u].empty();
    for (size_t k = 0; k < seq.items[u].size(); ++k) {
      const int8_t part = seq.part[u][k];
      domain.add(static_cast<int64_t>(u), seq.items[u][k], part < 0 ? Part::kTrain : static_cast<Part>(part),
                 static_cast<int64_t>(k));
    }
  }
  if (idle_users > 0) report.noted["users without interactions"] += idle_users;

  dataset.user_ids = users.ids;
  finish_domains(dataset, builders, std::move(given), report);
  Domain& d = dataset.domains.front();
  std::vector<uint8_t> used(static_cast<size_t>(d.num_items()), 0);
  for (const int64_t item : d.interactions.item) used[static_cast<size_t>(item)] = 1;
  const int64_t idle_items = std::count(used.begin(), used.end(), 0);
  if (idle_items > 0) report.noted["items without interactions"] += idle_items;

  if (fs::exists(prefix + ".text")) read_texts(prefix + ".text", options, d, dataset, report);
  return dataset;
}

}  // namespace graft::io
