// csv: any delimited file with a column mapping (--column role=column, where column is a 0-based
// index or, with --header, a header name). Roles user and item are required; category, time,
// behavior (pv/cart/fav/buy), rating (kept as weight) and domain are optional. Times are integers
// in any unit, or dates YYYY-MM-DD read as days since 1970-01-01 (graph_io/dates.h); the first
// time read decides which, for every file of the import. Without a domain column every line goes
// to --domain (default "main"). Users are shared across domains by their external id; an item id
// in two domains is one item sold in both (graph_io/SCHEMA.md). One input file has no split; two
// are train and test, three train, valid and test, as split "given".
//
// A file is parsed on every core in pieces (graph_io/text_pieces.h) and merged in file order:
// workers split and check the lines and read ids as keys (IdMap::key, which also hashes text
// ids); the merge numbers them, so ids, interactions and errors are exactly those of reading
// the file line by line. A piece whose parse failed, or began from a guess about the time
// column that turned out wrong, is parsed again while it is merged, knowing its first line
// number, for the exact error.
#include <algorithm>
#include <optional>
#include <thread>
#include <unordered_map>

#include "graph_io/dates.h"
#include "graph_io/errors.h"
#include "graph_io/import_formats.h"
#include "graph_io/text_pieces.h"

namespace graft::io {

namespace {

const char* const kRoles[] = {"user", "item", "category", "time", "behavior", "rating", "domain"};

// The column index of each role in one file.
struct Columns {
  size_t user = 0, item = 0;
  std::optional<size_t> category, time, behavior, rating, domain;
  size_t needed = 0;  // fields a line must have
};

void check_roles(const ImportOptions& options) {
  for (const auto& [role, column] : options.columns) {
    if (std::find(std::begin(kRoles), std::end(kRoles), role) == std::end(kRoles)) {
      throw UsageError("--column: unknown role '" + role + "'; valid roles: " +
                       join(std::vector<std::string>(std::begin(kRoles), std::end(kRoles))));
    }
  }
  for (const char* role : {"user", "item"}) {
    if (!options.columns.count(role)) {
      throw UsageError(options.format + " needs --column " + role + "=<column> (a 0-based index or, with --header, a name)");
    }
  }
  if (options.min_rating != 0.0 && !options.columns.count("rating")) {
    throw UsageError("--min-rating needs a rating column (--column rating=<column>)");
  }
}

bool is_index(const std::string& column) {
  return !column.empty() && std::all_of(column.begin(), column.end(), [](char c) { return c >= '0' && c <= '9'; });
}

size_t column_index(const std::string& role, const std::string& column, const std::vector<std::string>* header,
                    const TextReader& in) {
  if (is_index(column)) {
    if (column.size() > 6) throw UsageError("--column " + role + "=" + column + ": column index too large");
    return std::stoul(column);
  }
  if (!header) {
    throw UsageError("--column " + role + "=" + column + " names a column: add --header or give a 0-based index");
  }
  const auto at = std::find(header->begin(), header->end(), column);
  if (at == header->end()) in.fail("no column named '" + column + "'; the header has: " + join(*header));
  return static_cast<size_t>(at - header->begin());
}

Columns resolve_columns(const ImportOptions& options, const std::vector<std::string>* header, const TextReader& in) {
  Columns c;
  auto lookup = [&](const char* role) -> std::optional<size_t> {
    const auto it = options.columns.find(role);
    if (it == options.columns.end()) return std::nullopt;
    const size_t index = column_index(role, it->second, header, in);
    c.needed = std::max(c.needed, index + 1);
    return index;
  };
  c.user = *lookup("user");
  c.item = *lookup("item");
  c.category = lookup("category");
  c.time = lookup("time");
  c.behavior = lookup("behavior");
  c.rating = lookup("rating");
  c.domain = lookup("domain");
  return c;
}

// The time column: integers or dates, never both, so that one column never mixes two units.
class TimeColumn {
 public:
  int64_t read(const TextReader& in, size_t i) {
    const std::string_view text = in.text(i, "time");
    if (kind_ == Kind::kUnknown) kind_ = looks_like_date(text) ? Kind::kDates : Kind::kIntegers;
    if (kind_ == Kind::kIntegers) {
      if (looks_like_date(text)) {
        in.fail("time " + quote_value(text) + " is a date, but the first time read was an integer");
      }
      return in.integer(i, "time");
    }
    if (!looks_like_date(text)) {
      in.fail("time must be a date YYYY-MM-DD like the first time read, got " + quote_value(text));
    }
    return date_field(in, i, "time");
  }

  // Whether a piece that ended in this state parsed as it would have from `actual`, the state
  // after all earlier pieces: a piece that began not knowing the kind decided it itself.
  bool agrees_with(const TimeColumn& actual) const {
    return kind_ == Kind::kUnknown || actual.kind_ == Kind::kUnknown || kind_ == actual.kind_;
  }
  bool decided() const { return kind_ != Kind::kUnknown; }

 private:
  enum class Kind { kUnknown, kIntegers, kDates };
  // The shape of a date: a bad one ("2019-02-30") is then reported as a date, not as a bad integer.
  static bool looks_like_date(std::string_view text) {
    return text.size() == 10 && text[4] == '-' && text[7] == '-';
  }

  Kind kind_ = Kind::kUnknown;
};

// The builder of each domain named in the domain column, in first-seen order.
class Domains {
 public:
  Domains(const ImportOptions& options, InteractionColumns columns, bool from_column) : columns_(columns) {
    if (!from_column) builders_.emplace_back(domain_name_option(options), columns_);
  }

  // The builder's index (indices stay valid as domains are added; references do not).
  size_t index(std::string_view name) {
    const auto [it, added] = index_.try_emplace(std::string(name), builders_.size());
    if (added) builders_.emplace_back(std::string(name), columns_);
    return it->second;
  }
  DomainBuilder& only() { return builders_.front(); }
  std::vector<DomainBuilder>& builders() { return builders_; }

 private:
  InteractionColumns columns_;
  std::vector<DomainBuilder> builders_;
  std::unordered_map<std::string, size_t> index_;
};

// What a worker needs to parse the lines of one file.
struct Layout {
  std::string path;
  char delimiter = ',';
  Columns columns;
  double min_rating = 0.0;
};

// The lines of one piece, checked and parsed, their ids kept as IdMap keys for the merge to
// number. Columns a layout lacks stay empty.
struct ParsedPiece {
  TextPiece piece;  // the text that `texts` and `domain_names` view
  bool failed = false;
  TimeColumn time;  // the time column's state after the piece
  int64_t lines = 0, records = 0, dropped = 0;
  std::vector<IdMap::HashedText> texts;  // ids that are not canonical numbers
  std::vector<std::string_view> domain_names;  // in first-seen order
  std::vector<uint32_t> domain;                 // per interaction, into domain_names
  std::vector<uint64_t> user, item, category;
  std::vector<int64_t> times;
  std::vector<int8_t> behavior;
  std::vector<float> rating;

  // Empties the columns, keeping their memory, before (re)parsing the piece from `time_before`.
  void start(TimeColumn time_before) {
    failed = false;
    time = time_before;
    lines = records = dropped = 0;
    texts.clear();
    domain_names.clear();
    for (auto* column : {&user, &item, &category}) column->clear();
    domain.clear();
    times.clear();
    behavior.clear();
    rating.clear();
    last_domain_ = 0;
  }

  uint32_t domain_index(std::string_view name, const TextReader& in) {
    if (!domain_names.empty() && domain_names[last_domain_] == name) return last_domain_;
    const auto at = std::find(domain_names.begin(), domain_names.end(), name);
    if (at == domain_names.end()) {
      if (name.find('/') != std::string_view::npos) in.fail("domain name must not contain '/', got " + quote_value(name));
      domain_names.push_back(name);
    }
    last_domain_ = static_cast<uint32_t>(std::find(domain_names.begin(), domain_names.end(), name) - domain_names.begin());
    return last_domain_;
  }

 private:
  uint32_t last_domain_ = 0;  // lines of one domain usually come together
};

// Checks and parses one line into `out`, in the order the checks have always run, so that a
// line with several faults reports the same one.
void parse_line(const TextReader& in, const Layout& layout, ParsedPiece& out) {
  const Columns& c = layout.columns;
  float rating = 0.0f;
  if (c.rating) {
    const double value = in.number(*c.rating, "rating");
    if (value < layout.min_rating) {
      ++out.dropped;
      return;
    }
    rating = static_cast<float>(value);
  }
  if (c.domain) out.domain.push_back(out.domain_index(in.text(*c.domain, "domain"), in));
  out.user.push_back(IdMap::key(in.text(c.user, "user id"), out.texts));
  out.item.push_back(IdMap::key(in.text(c.item, "item id"), out.texts));
  if (c.category) out.category.push_back(IdMap::key(in.text(*c.category, "category"), out.texts));
  if (c.time) out.times.push_back(out.time.read(in, *c.time));
  if (c.behavior) {
    const std::string_view name = in.text(*c.behavior, "behavior");
    const auto parsed = parse_behavior(std::string(name));
    if (!parsed) in.fail("unknown behavior " + quote_value(name) + "; valid: pv, cart, fav, buy");
    out.behavior.push_back(static_cast<int8_t>(*parsed));
  }
  if (c.rating) out.rating.push_back(rating);
}

// Parses the lines of out.piece, the first of them line lines_before + 1, from the time
// column's state out.time; throws DataError at the first bad line.
void parse_piece(ParsedPiece& out, const Layout& layout, int64_t lines_before) {
  TextReader in(layout.path, out.piece.text(), lines_before, Delimiter::character(layout.delimiter),
                layout.columns.needed, TextReader::kAnyNumber);
  while (in.next()) parse_line(in, layout, out);
  out.lines = in.line_number() - lines_before;
  out.records = in.records();
}

// parse_piece on a worker, which knows neither the piece's first line number nor, perhaps, the
// time column's kind: a failure is kept for the merge to parse again and report.
void parse_piece_ahead(ParsedPiece& out, const Layout& layout, TimeColumn time) {
  out.start(time);
  try {
    parse_piece(out, layout, 0);
  } catch (const DataError&) {
    out.failed = true;
  }
}

// Numbers the ids of parsed pieces in file order and adds their interactions to the domains.
class Merger {
 public:
  Merger(const ImportOptions& options, InteractionColumns kept, bool domain_column)
      : domains_(options, kept, domain_column) {}

  // Merges `parsed`, the lines after lines_before; returns the number of lines it held.
  int64_t merge(ParsedPiece& parsed, const Layout& layout, int64_t lines_before, Part part, ImportReport& report) {
    if (parsed.failed || !parsed.time.agrees_with(time_)) {
      parsed.start(time_);
      parse_piece(parsed, layout, lines_before);
    }
    if (parsed.time.decided()) time_ = parsed.time;
    if (parsed.dropped > 0) report.dropped[rated_below_reason(layout.min_rating)] += parsed.dropped;
    records_ += parsed.records;
    add_interactions(parsed, layout.columns, part);
    return parsed.lines;
  }

  int64_t records() const { return records_; }
  const TimeColumn& time() const { return time_; }
  Domains& domains() { return domains_; }
  std::vector<std::string> take_user_ids() && { return std::move(users_).take_ids(); }

 private:
  // How many interactions ahead IdMap::prefetch runs; IdMap::prefetch_text runs half as far
  // ahead, once the slots it reads have arrived.
  static constexpr size_t kPrefetchDistance = 16;

  void add_interactions(const ParsedPiece& p, const Columns& c, Part part) {
    std::vector<size_t> builder_of_name;
    for (const std::string_view name : p.domain_names) builder_of_name.push_back(domains_.index(name));
    auto domain_of = [&](size_t r) -> DomainBuilder& {
      return c.domain ? domains_.builders()[builder_of_name[p.domain[r]]] : domains_.only();
    };
    const size_t n = p.user.size();
    for (size_t r = 0; r < n; ++r) {
      if (r + kPrefetchDistance < n) {
        prefetch_row<&IdMap::prefetch>(p, c, r + kPrefetchDistance, domain_of(r + kPrefetchDistance));
      }
      if (r + kPrefetchDistance / 2 < n) {
        prefetch_row<&IdMap::prefetch_text>(p, c, r + kPrefetchDistance / 2, domain_of(r + kPrefetchDistance / 2));
      }
      DomainBuilder& domain = domain_of(r);
      const int64_t user = users_.add_key(p.user[r], p.texts);
      const int64_t item = domain.items().add_key(p.item[r], p.texts);
      if (c.category) domain.add_category(item, domain.categories().add_key(p.category[r], p.texts));
      domain.add(user, item, part, c.time ? p.times[r] : 0, c.behavior ? static_cast<Behavior>(p.behavior[r]) : Behavior::kView,
                 c.rating ? p.rating[r] : 0.0f);
    }
  }

  // One stage of IdMap's prefetching (IdMap::prefetch, then IdMap::prefetch_text) for the ids of
  // row r; always inlined, as IdMap's are.
  using Prefetch = void (IdMap::*)(uint64_t, const std::vector<IdMap::HashedText>&) const;
  template <Prefetch stage>
  [[gnu::always_inline]] void prefetch_row(const ParsedPiece& p, const Columns& c, size_t r, DomainBuilder& domain) const {
    (users_.*stage)(p.user[r], p.texts);
    (domain.items().*stage)(p.item[r], p.texts);
    if (c.category) (domain.categories().*stage)(p.category[r], p.texts);
  }

  Domains domains_;
  IdMap users_;
  TimeColumn time_;
  int64_t records_ = 0;
};

// Imports one file into `merger`: the header and columns read line by line, the records in
// pieces on every core.
void import_file(const ImportOptions& options, size_t f, Merger& merger, Dataset& dataset, ImportReport& report) {
  TextReader in(options.inputs[f], Delimiter::character(options.delimiter), 1, TextReader::kAnyNumber);
  const std::vector<std::string> header = options.header ? in.read_header() : std::vector<std::string>();
  Layout layout{options.inputs[f], options.delimiter, resolve_columns(options, options.header ? &header : nullptr, in),
                options.min_rating};
  in.set_field_count(layout.columns.needed, TextReader::kAnyNumber);
  if (!layout.columns.domain) merger.domains().only().reserve_more(in.estimated_lines());

  const Part part = part_of_input(f, options.inputs.size());
  const int64_t records_before = merger.records();
  int64_t lines = options.header ? in.line_number() : 0;
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  auto make_parser = [&] {
    return [&layout, time = merger.time()](ParsedPiece& parsed) { parse_piece_ahead(parsed, layout, time); };
  };
  auto merge = [&](ParsedPiece& parsed) { lines += merger.merge(parsed, layout, lines, part, report); };
  SourceFile source = parse_in_pieces<ParsedPiece>(layout.path, static_cast<uint64_t>(in.offset()), options.piece_bytes, threads,
                                      make_parser, merge);
  // A file without records: the line-by-line reader reads its blank rest and says where it ended.
  if (merger.records() == records_before) in.next();
  report.lines_read += merger.records() - records_before;
  dataset.provenance.sources.push_back(std::move(source));
}

}  // namespace

Dataset import_csv(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 1, 3, "one file, or train and test files, or train, valid and test files");
  check_roles(options);
  const InteractionColumns kept{options.columns.count("time") > 0, options.columns.count("behavior") > 0,
                                options.columns.count("rating") > 0};
  Merger merger(options, kept, options.columns.count("domain") > 0);
  Dataset dataset;
  for (size_t f = 0; f < options.inputs.size(); ++f) import_file(options, f, merger, dataset, report);
  dataset.user_ids = std::move(merger).take_user_ids();
  finish_domains(dataset, merger.domains().builders(), given_split_of_inputs(options), report);
  return dataset;
}

}  // namespace graft::io
