// csv: any delimited file with a column mapping (--column role=column, where column is a 0-based
// index or, with --header, a header name). Roles user and item are required; category, time,
// behavior (pv/cart/fav/buy), rating (kept as weight) and domain are optional. Times are integers
// in any unit, or dates YYYY-MM-DD read as days since 1970-01-01 (graph_io/dates.h); the first
// time read decides which, for every file of the import. Without a domain column every line goes
// to --domain (default "main"). Users are shared across domains by their external id; an item id
// in two domains is one item sold in both (graph_io/SCHEMA.md). One input file has no split; two
// are train and test, three train, valid and test, as split "given".
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "graph_io/dates.h"
#include "graph_io/errors.h"
#include "graph_io/import_formats.h"

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

  DomainBuilder& named(std::string_view name, const TextReader& in) {
    if (name != last_name_) {
      const auto it = index_.find(std::string(name));
      if (it != index_.end()) {
        last_ = it->second;
      } else {
        if (name.find('/') != std::string_view::npos) in.fail("domain name must not contain '/', got " + quote_value(name));
        last_ = builders_.size();
        builders_.emplace_back(std::string(name), columns_);
        index_.emplace(std::string(name), last_);
      }
      last_name_ = std::string(name);
    }
    return builders_[last_];
  }
  DomainBuilder& only() { return builders_.front(); }
  std::vector<DomainBuilder>& builders() { return builders_; }

 private:
  InteractionColumns columns_;
  std::vector<DomainBuilder> builders_;
  std::unordered_map<std::string, size_t> index_;
  std::string last_name_;  // lines of one domain usually come together
  size_t last_ = 0;
};

}  // namespace

Dataset import_csv(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 1, 3, "one file, or train and test files, or train, valid and test files");
  check_roles(options);
  const InteractionColumns kept{options.columns.count("time") > 0, options.columns.count("behavior") > 0,
                                options.columns.count("rating") > 0};
  Domains domains(options, kept, options.columns.count("domain") > 0);
  const std::string dropped_reason = rated_below_reason(options.min_rating);
  Dataset dataset;
  IdMap users;
  TimeColumn times;

  const size_t files = options.inputs.size();
  for (size_t f = 0; f < files; ++f) {
    TextReader in(options.inputs[f], Delimiter::character(options.delimiter), 1, TextReader::kAnyNumber);
    const std::vector<std::string> header = options.header ? in.read_header() : std::vector<std::string>();
    const Columns c = resolve_columns(options, options.header ? &header : nullptr, in);
    in.set_field_count(c.needed, TextReader::kAnyNumber);
    if (!c.domain) domains.only().reserve_more(in.estimated_lines());
    const Part part = part_of_input(f, files);
    while (in.next()) {
      float rating = 0.0f;
      if (c.rating) {
        const double value = in.number(*c.rating, "rating");
        if (value < options.min_rating) {
          ++report.dropped[dropped_reason];
          continue;
        }
        rating = static_cast<float>(value);
      }
      DomainBuilder& domain = c.domain ? domains.named(in.text(*c.domain, "domain"), in) : domains.only();
      const int64_t user = users.add(in.text(c.user, "user id"));
      const int64_t item = domain.items().add(in.text(c.item, "item id"));
      if (c.category) domain.add_category(item, domain.categories().add(in.text(*c.category, "category")));
      const int64_t time = c.time ? times.read(in, *c.time) : 0;
      Behavior behavior = Behavior::kView;
      if (c.behavior) {
        const std::string_view name = in.text(*c.behavior, "behavior");
        const auto parsed = parse_behavior(std::string(name));
        if (!parsed) in.fail("unknown behavior " + quote_value(name) + "; valid: pv, cart, fav, buy");
        behavior = *parsed;
      }
      domain.add(user, item, part, time, behavior, rating);
    }
    record_file_read(in, dataset, report);
  }

  dataset.user_ids = std::move(users).take_ids();
  finish_domains(dataset, domains.builders(), given_split_of_inputs(options), report);
  return dataset;
}

}  // namespace graft::io
