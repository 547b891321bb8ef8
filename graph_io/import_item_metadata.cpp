// item-metadata: a delimited table of item attributes (--delimiter, --header as for csv; fields
// may be quoted "..." with "" for a quote, as pandas writes them) joined by external item id into
// the items of one domain of an existing dataset (--into; --domain when it has several). A
// column is named by its 0-based index or its header name, in full ("title:token", RecBole's
// atomic-file style) or by the part before ':' ("title"). Roles (--feature-column role=column):
//   id             exactly one: the external item id;
//   text           any number: joined per item with spaces and featurised into one block, "text"
//                  (or --block), by featurise_texts (text_features.h, options.text);
//   token          a one-hot sparse block named after the column (vocabulary: its distinct values,
//                  sorted), e.g. brand;
//   token_list     a multi-hot sparse block named after the column from a list such as
//                  'a', 'b', "c's" (quotes and spaces stripped; a quoted token may hold commas);
//   float          a scalar block named after the column, e.g. price;
//   category_path  at most one: a list as for token_list, read as a path from the root; the
//                  item gets every level, each named by its path joined with " > " ("Beauty",
//                  "Beauty > Makeup", ...), and these replace the domain's categories.
// An empty field is a missing value (that row of the block is marked missing). Items of the
// dataset without a row are counted ("items without metadata") and missing in every block and
// without categories; rows whose id the dataset lacks are dropped ("ids not in the dataset"); an
// item whose text is empty is counted ("empty text"). A block of the same name as an existing
// one replaces it.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

enum class Role { kId, kText, kToken, kTokenList, kFloat, kCategoryPath };

const std::pair<const char*, Role> kRoles[] = {{"id", Role::kId},       {"text", Role::kText},
                                              {"token", Role::kToken}, {"token_list", Role::kTokenList},
                                              {"float", Role::kFloat}, {"category_path", Role::kCategoryPath}};

std::vector<std::string> role_names() {
  std::vector<std::string> names;
  for (const auto& [name, role] : kRoles) names.emplace_back(name);
  return names;
}

// One --feature-column, resolved against the table.
struct Column {
  Role role;
  size_t index;
  std::string header;  // as given in the header, or "column <index>" without one
  std::string block;   // the name of its block: the header before ':', with '/' replaced
};

bool is_index(const std::string& s) {
  return !s.empty() && s.size() <= 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string stem(const std::string& name) { return name.substr(0, name.find(':')); }

size_t find_column(const std::string& role, const std::string& column, const std::vector<std::string>* header) {
  if (is_index(column)) {
    const size_t index = std::stoul(column);
    if (header && index >= header->size()) {
      throw UsageError("--feature-column " + role + "=" + column + ": the header has only " +
                       std::to_string(header->size()) + " columns: " + join(*header));
    }
    return index;
  }
  if (!header) {
    throw UsageError("--feature-column " + role + "=" + column +
                     " names a column: add --header or give a 0-based index");
  }
  const auto exact = std::find(header->begin(), header->end(), column);
  if (exact != header->end()) return static_cast<size_t>(exact - header->begin());
  std::vector<size_t> matches;
  for (size_t i = 0; i < header->size(); ++i) {
    if (stem((*header)[i]) == column) matches.push_back(i);
  }
  if (matches.size() != 1) {
    throw UsageError("--feature-column " + role + "=" + column + ": " +
                     (matches.empty() ? "no column named '" + column + "'" : "several columns named '" + column + "'") +
                     "; the header has: " + join(*header));
  }
  return matches.front();
}

std::vector<Column> resolve_columns(const ImportOptions& options, const std::vector<std::string>* header) {
  std::vector<Column> columns;
  for (const auto& mapping : options.feature_columns) {
    const std::string& role_name = mapping.first;
    const std::string& column = mapping.second;
    const auto* role = std::find_if(std::begin(kRoles), std::end(kRoles),
                                    [&](const auto& r) { return role_name == r.first; });
    if (role == std::end(kRoles)) {
      throw UsageError("--feature-column: unknown role '" + role_name + "'; valid roles: " + join(role_names()));
    }
    Column c{role->second, find_column(role_name, column, header), "", ""};
    c.header = header ? (*header)[c.index] : "column " + std::to_string(c.index);
    c.block = header ? stem(c.header) : "column" + std::to_string(c.index);
    std::replace(c.block.begin(), c.block.end(), '/', '_');
    columns.push_back(std::move(c));
  }
  auto count = [&](Role role) {
    return std::count_if(columns.begin(), columns.end(), [&](const Column& c) { return c.role == role; });
  };
  if (count(Role::kId) != 1) {
    throw UsageError(options.format + " needs exactly one --feature-column id=<column>, got " +
                     std::to_string(count(Role::kId)));
  }
  if (count(Role::kCategoryPath) > 1) throw UsageError(options.format + ": at most one category_path column");
  if (columns.size() == 1) {
    throw UsageError(options.format + ": nothing to import besides the id; add --feature-column text=..., token=..., "
                                      "token_list=..., float=... or category_path=...");
  }
  return columns;
}

// The tokens of a list field: 'a', 'b, c', "d's" → a | b, c | d's. Surrounding [ ] are dropped;
// a token quoted with ' or " runs to the matching quote followed by a comma or the end.
std::vector<std::string> parse_token_list(std::string_view s) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  s = trim(s);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = trim(s.substr(1, s.size() - 2));
  std::vector<std::string> tokens;
  size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
    std::string_view token;
    size_t next = s.size();
    const char quote = pos < s.size() ? s[pos] : '\0';
    size_t close = std::string_view::npos;
    if (quote == '\'' || quote == '"') {
      // The closing quote is the first one followed by blanks and a comma, or by the end.
      for (size_t q = s.find(quote, pos + 1); q != std::string_view::npos; q = s.find(quote, q + 1)) {
        size_t after = q + 1;
        while (after < s.size() && (s[after] == ' ' || s[after] == '\t')) ++after;
        if (after == s.size() || s[after] == ',') {
          close = q;
          next = after;
          break;
        }
      }
    }
    if (close != std::string_view::npos) {
      token = s.substr(pos + 1, close - pos - 1);
    } else {
      next = std::min(s.find(',', pos), s.size());
      token = trim(s.substr(pos, next - pos));
    }
    if (!token.empty()) tokens.emplace_back(token);
    pos = next + 1;
  }
  return tokens;
}

// One-hot (one token per item) or multi-hot sparse block over the sorted distinct tokens.
FeatureBlock token_block(const std::string& name, const std::vector<std::vector<std::string>>& tokens) {
  FeatureBlock block;
  block.name = name;
  block.kind = FeatureKind::kSparse;
  block.rows = static_cast<int64_t>(tokens.size());
  for (const auto& row : tokens) block.vocabulary.insert(block.vocabulary.end(), row.begin(), row.end());
  std::sort(block.vocabulary.begin(), block.vocabulary.end());
  block.vocabulary.erase(std::unique(block.vocabulary.begin(), block.vocabulary.end()), block.vocabulary.end());
  block.width = static_cast<int64_t>(block.vocabulary.size());
  block.offsets.push_back(0);
  block.missing.assign(tokens.size(), 0);
  std::vector<int32_t> columns;
  for (size_t r = 0; r < tokens.size(); ++r) {
    columns.clear();
    for (const std::string& t : tokens[r]) {
      columns.push_back(static_cast<int32_t>(
          std::lower_bound(block.vocabulary.begin(), block.vocabulary.end(), t) - block.vocabulary.begin()));
    }
    std::sort(columns.begin(), columns.end());
    columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
    block.indices.insert(block.indices.end(), columns.begin(), columns.end());
    block.values.insert(block.values.end(), columns.size(), 1.0f);
    block.offsets.push_back(static_cast<int64_t>(block.indices.size()));
    if (columns.empty()) block.missing[r] = 1;
  }
  if (block.num_missing() == 0) block.missing.clear();
  return block;
}

// Every level of each item's category path as the domain's categories (CSR sorted per item).
void set_category_paths(Domain& domain, const std::vector<std::vector<std::string>>& paths) {
  std::vector<std::vector<std::string>> levels(paths.size());
  std::vector<std::string> names;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string path;
    for (const std::string& level : paths[i]) {
      path += (path.empty() ? "" : " > ") + level;
      levels[i].push_back(path);
    }
    names.insert(names.end(), levels[i].begin(), levels[i].end());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  domain.category_names = names;
  domain.item_category_offsets.assign(1, 0);
  domain.item_category.clear();
  for (const auto& item_levels : levels) {
    std::vector<int32_t> ids;
    for (const std::string& name : item_levels) {
      ids.push_back(static_cast<int32_t>(std::lower_bound(names.begin(), names.end(), name) - names.begin()));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    domain.item_category.insert(domain.item_category.end(), ids.begin(), ids.end());
    domain.item_category_offsets.push_back(static_cast<int64_t>(domain.item_category.size()));
  }
}

}  // namespace

std::string describe_block(const FeatureBlock& block) {
  std::ostringstream out;
  out << block.name << " (" << feature_kind_name(block.kind) << " " << block.rows << "x" << block.width;
  if (block.num_missing() > 0) out << ", " << block.num_missing() << " missing";
  out << ")";
  return out.str();
}

void add_item_block(Domain& domain, FeatureBlock block, ImportReport& report) {
  auto& blocks = domain.item_features;
  const auto same = std::find_if(blocks.begin(), blocks.end(), [&](const FeatureBlock& b) { return b.name == block.name; });
  report.blocks.push_back(describe_block(block) + (same == blocks.end() ? "" : ", replacing the earlier one"));
  if (same != blocks.end()) {
    *same = std::move(block);
  } else {
    blocks.push_back(std::move(block));
  }
}

void add_text_block(Domain& domain, const std::vector<std::string>& texts, int64_t without_text,
                    const ImportOptions& options, ImportReport& report) {
  FeatureBlock block = featurise_texts(texts, options.text, options.block.empty() ? "text" : options.block);
  const int64_t empty = block.num_missing() - without_text;
  if (empty > 0) report.noted["empty text"] += empty;
  add_item_block(domain, std::move(block), report);
}

namespace {

// The text columns make one block, the others one each: UsageError when two names collide.
void check_block_names(const std::vector<Column>& columns, const ImportOptions& options) {
  const std::string text_block = options.block.empty() ? "text" : options.block;
  std::vector<std::string> names;
  for (const Column& c : columns) {
    if (c.role == Role::kId || c.role == Role::kCategoryPath) continue;
    const std::string name = c.role == Role::kText ? text_block : c.block;
    const bool taken = std::find(names.begin(), names.end(), name) != names.end();
    if (c.role == Role::kText && taken) continue;
    if (taken) {
      throw UsageError(options.format + ": two blocks would be named '" + name + "' (column " + c.header +
                       "): a block is named after its column, the text block '" + text_block + "' (--block)");
    }
    names.push_back(name);
  }
}

// The table's columns, resolved, with the reader set to the field count they need.
std::vector<Column> open_table(const ImportOptions& options, TextReader& in) {
  const std::vector<std::string> header = options.header ? in.read_header() : std::vector<std::string>();
  std::vector<Column> columns = resolve_columns(options, options.header ? &header : nullptr);
  size_t needed = 0;
  for (const Column& c : columns) needed = std::max(needed, c.index + 1);
  if (options.header) {
    in.set_field_count(header.size(), header.size());
  } else {
    in.set_field_count(needed, TextReader::kAnyNumber);
  }
  check_block_names(columns, options);
  return columns;
}

// What the table says about each item of the domain, column by column.
struct ItemValues {
  ItemValues(const std::vector<Column>& columns, size_t num_items)
      : row_line(num_items, 0), texts(num_items), nonempty(columns.size(), 0), tokens(columns.size()),
        numbers(columns.size()) {
    for (size_t k = 0; k < columns.size(); ++k) {
      if (columns[k].role == Role::kFloat) numbers[k].assign(num_items, std::numeric_limits<float>::quiet_NaN());
      if (columns[k].role == Role::kToken || columns[k].role == Role::kTokenList ||
          columns[k].role == Role::kCategoryPath) {
        tokens[k].resize(num_items);
      }
    }
  }

  // Records the current line's fields for item i.
  void read_row(TextReader& in, const std::vector<Column>& columns, size_t i) {
    row_line[i] = in.line_number();
    for (size_t k = 0; k < columns.size(); ++k) {
      const Column& c = columns[k];
      const std::string_view value = in.field(c.index);
      if (value.empty()) continue;
      ++nonempty[k];
      switch (c.role) {
        case Role::kId: break;
        case Role::kText:
          if (!texts[i].empty()) texts[i] += ' ';
          texts[i] += value;
          break;
        case Role::kToken: tokens[k][i].emplace_back(value); break;
        case Role::kTokenList:
        case Role::kCategoryPath: tokens[k][i] = parse_token_list(value); break;
        case Role::kFloat: numbers[k][i] = static_cast<float>(in.number(c.index, "column '" + c.header + "'")); break;
      }
    }
  }

  std::vector<int64_t> row_line;  // the line of each item's row; 0: none
  std::vector<std::string> texts;
  std::vector<int64_t> nonempty;  // per column: items with a value
  // Per token / token_list / category_path column: each item's tokens; per float column: the
  // values (NaN for none).
  std::vector<std::vector<std::vector<std::string>>> tokens;
  std::vector<std::vector<float>> numbers;
};

// Reads every row, joining ids to the domain's items; DataError for an id listed twice.
ItemValues read_rows(TextReader& in, const std::vector<Column>& columns, const Domain& domain, ImportReport& report) {
  IdMap items;
  for (const std::string& id : domain.item_ids) items.add(id);
  ItemValues values(columns, static_cast<size_t>(domain.num_items()));
  const auto id_column = std::find_if(columns.begin(), columns.end(), [](const Column& c) { return c.role == Role::kId; });
  std::unordered_set<std::string> unknown_ids;
  while (in.next()) {
    const std::string_view id = in.text(id_column->index, "item id");
    const std::optional<int64_t> item = items.find(id);
    if (!item) {
      if (!unknown_ids.emplace(id).second) in.fail("item " + quote_value(id) + " listed twice");
      ++report.dropped["ids not in the dataset"];
      continue;
    }
    const auto i = static_cast<size_t>(*item);
    if (values.row_line[i] != 0) {
      in.fail("item " + quote_value(id) + " listed twice (first on line " + std::to_string(values.row_line[i]) + ")");
    }
    values.read_row(in, columns, i);
  }
  return values;
}

// A scalar block from values with NaN for missing.
FeatureBlock scalar_block(const std::string& name, std::vector<float> values) {
  FeatureBlock block;
  block.name = name;
  block.kind = FeatureKind::kScalar;
  block.rows = static_cast<int64_t>(values.size());
  block.width = 1;
  block.missing.assign(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) continue;
    block.missing[i] = 1;
    values[i] = 0.0f;
  }
  block.values = std::move(values);
  if (block.num_missing() == 0) block.missing.clear();
  return block;
}

// The blocks and categories of every column, in column order (the text columns as one block).
void add_blocks(Domain& domain, const std::vector<Column>& columns, ItemValues& values, int64_t without_row,
                const ImportOptions& options, ImportReport& report) {
  bool text_done = false;
  for (size_t k = 0; k < columns.size(); ++k) {
    const Column& c = columns[k];
    if (c.role == Role::kText && !text_done) {
      text_done = true;
      add_text_block(domain, values.texts, without_row, options, report);
    } else if (c.role == Role::kToken || c.role == Role::kTokenList) {
      add_item_block(domain, token_block(c.block, values.tokens[k]), report);
    } else if (c.role == Role::kFloat) {
      add_item_block(domain, scalar_block(c.block, std::move(values.numbers[k])), report);
    } else if (c.role == Role::kCategoryPath) {
      set_category_paths(domain, values.tokens[k]);
      report.noted["categories (every level of '" + c.header + "')"] = domain.num_categories();
    }
  }
}

}  // namespace

Dataset import_item_metadata(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 1, 1, "one metadata table");
  require_into(options);
  TextReader in(options.inputs.front(), Delimiter::character(options.delimiter), 1, TextReader::kAnyNumber);
  in.set_quote('"');
  const std::vector<Column> columns = open_table(options, in);

  // The table makes sense so far: now read the dataset it joins.
  Dataset dataset = read_into_dataset(options);
  Domain& domain = feature_domain(dataset, options);
  ItemValues values = read_rows(in, columns, domain, report);
  record_file_read(in, dataset, report);

  const int64_t without_row = std::count(values.row_line.begin(), values.row_line.end(), 0);
  if (without_row == domain.num_items() && domain.num_items() > 0) {
    throw DataError(in.path() + ": none of its " + std::to_string(in.records()) + " ids is an item of domain '" +
                    domain.name + "' in " + options.into + " (wrong id column?)");
  }
  for (size_t k = 0; k < columns.size(); ++k) {
    if (columns[k].role == Role::kText && values.nonempty[k] == 0) {
      throw DataError(in.path() + ": text column '" + columns[k].header + "' is empty on every line");
    }
  }
  if (without_row > 0) report.noted["items without metadata"] += without_row;
  add_blocks(domain, columns, values, without_row, options, report);
  return dataset;
}

}  // namespace graft::io
