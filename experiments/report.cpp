// Report tables. Numbers are printed with 4 decimals; "best" compares the printed means, so every
// marked cell shows the same number.
#include "experiments/report.h"
#include "experiments/report_trials.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include "experiments/config_schema.h"
#include "experiments/report_html.h"
#include "experiments/runner.h"
#include "experiments/significance.h"
#include "experiments/sweep.h"
#include "graph_io/errors.h"

namespace graft::exp {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

const std::vector<std::string> kGroups = {"cold_start", "warm", "overall", "all_items", "best_valid"};

struct Column {
  std::string group, metric;
};

struct Row {
  std::string label;
  std::vector<const TrialResult*> trials;
};

struct Section {
  std::string label;  // "source=a, target=b"; empty for a single section
  std::vector<Row> rows;
};

struct Stat {
  int n = 0;
  double mean = 0.0, std = 0.0;
};

std::string join(const std::vector<std::string>& xs, const std::string& sep = ", ") {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

// "hr@10" after "hr@5": by name, then by the number after '@'.
bool metric_less(const std::string& a, const std::string& b) {
  const size_t ia = a.find('@'), ib = b.find('@');
  const std::string na = a.substr(0, ia), nb = b.substr(0, ib);
  if (na != nb) return na < nb;
  const std::string ka = ia == std::string::npos ? "" : a.substr(ia + 1);
  const std::string kb = ib == std::string::npos ? "" : b.substr(ib + 1);
  const bool da = !ka.empty() && ka.find_first_not_of("0123456789") == std::string::npos;
  const bool db = !kb.empty() && kb.find_first_not_of("0123456789") == std::string::npos;
  if (da && db) return std::stoll(ka) < std::stoll(kb);
  return ka < kb;
}

std::vector<std::string> group_metrics(const std::vector<TrialResult>& trials, const std::string& group) {
  std::vector<std::string> names;
  for (const TrialResult& t : trials) {
    if (!t.metrics.contains(group) || !t.metrics[group].is_object()) continue;
    for (const auto& [name, value] : t.metrics[group].items()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end(), metric_less);
  return names;
}

std::vector<Column> select_columns(const std::vector<TrialResult>& trials, const std::vector<std::string>& wanted) {
  std::vector<Column> columns;
  auto add_group = [&](const std::string& group) {
    for (const std::string& m : group_metrics(trials, group)) columns.push_back({group, m});
  };
  if (wanted.empty()) {
    add_group("cold_start");
    if (columns.empty()) add_group("overall");
  }
  for (const std::string& w : wanted) {
    const size_t dot = w.find('.');
    const std::string group = dot == std::string::npos ? "" : w.substr(0, dot);
    if (std::find(kGroups.begin(), kGroups.end(), w) != kGroups.end()) {
      add_group(w);
      continue;
    }
    Column c = std::find(kGroups.begin(), kGroups.end(), group) != kGroups.end() ? Column{group, w.substr(dot + 1)}
                                                                               : Column{"cold_start", w};
    const std::vector<std::string> known = group_metrics(trials, c.group);
    if (std::find(known.begin(), known.end(), c.metric) == known.end()) {
      throw io::UsageError("--metrics: no trial reports " + c.group + "." + c.metric + "; " + c.group +
                           " metrics: " + (known.empty() ? "none" : join(known)) + "; groups: " + join(kGroups));
    }
    columns.push_back(c);
  }
  if (columns.empty()) throw io::UsageError("no metrics to report: the trials report no cold-start or overall metrics");
  return columns;
}

std::optional<double> metric_of(const TrialResult& t, const Column& c) {
  if (!t.metrics.contains(c.group)) return std::nullopt;
  const ordered_json& group = t.metrics[c.group];
  if (!group.is_object() || !group.contains(c.metric) || !group[c.metric].is_number()) return std::nullopt;
  return group[c.metric].get<double>();
}

Stat stat_of(const Row& row, const Column& c) {
  std::vector<double> xs;
  for (const TrialResult* t : row.trials) {
    if (const auto v = metric_of(*t, c)) xs.push_back(*v);
  }
  Stat s;
  s.n = static_cast<int>(xs.size());
  if (xs.empty()) return s;
  std::tie(s.mean, s.std) = mean_and_std(xs);
  return s;
}

// Each format's way of writing a table.
struct Style {
  std::string format;

  std::string escape(const std::string& s) const {
    if (format != "latex") return s;
    std::string out;
    for (char c : s) {
      if (c == '_' || c == '&' || c == '%' || c == '#' || c == '$') out += '\\';
      out += c;
    }
    return out;
  }
  std::string bold(const std::string& s) const {
    if (format == "md") return "**" + s + "**";
    if (format == "latex") return "\\textbf{" + s + "}";
    return s + "*";
  }
  // A mean ± std cell: one field (md, latex) or two (csv: mean, std).
  std::vector<std::string> stat(const Stat& s, bool best) const {
    if (s.n == 0) return format == "csv" ? std::vector<std::string>{"", ""} : std::vector<std::string>{"–"};
    const std::string mean = best ? bold(fixed4(s.mean)) : fixed4(s.mean);
    if (format == "csv") return {mean, s.n > 1 ? fixed4(s.std) : ""};
    if (s.n == 1) return {format == "latex" ? "$" + mean + "$" : mean};
    const std::string pm = format == "latex" ? " \\pm " : " ± ";
    const std::string cell = mean + pm + fixed4(s.std);
    return {format == "latex" ? "$" + cell + "$" : cell};
  }
  std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& body,
                    const std::string& caption) const {
    std::ostringstream out;
    if (format == "csv") {
      auto quote = [](const std::string& s) {
        return s.find_first_of(",\"\n") == std::string::npos ? s : "\"" + s + "\"";  // simple CSV quoting
      };
      std::vector<std::string> h;
      for (const auto& x : header) h.push_back(quote(x));
      out << join(h, ",") << "\n";
      for (const auto& row : body) {
        std::vector<std::string> r;
        for (const auto& x : row) r.push_back(quote(x));
        out << join(r, ",") << "\n";
      }
    } else if (format == "md") {
      out << "| " << join(header, " | ") << " |\n|";
      for (size_t i = 0; i < header.size(); ++i) out << (i == 0 ? " :--- |" : " ---: |");
      out << "\n";
      for (const auto& row : body) out << "| " << join(row, " | ") << " |\n";
    } else {
      out << "\\begin{table}[t]\n\\centering\n\\caption{" << caption << "}\n\\begin{tabular}{l"
          << std::string(header.size() - 1, 'r') << "}\n\\toprule\n"
          << join(header, " & ") << " \\\\\n\\midrule\n";
      for (const auto& row : body) out << join(row, " & ") << " \\\\\n";
      out << "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
    }
    return out.str();
  }
};

std::string column_label(const Column& c, bool one_group) { return one_group ? c.metric : c.group + ":" + c.metric; }

std::string results_table(const Style& style, const Section& section, const std::vector<Column>& columns,
                          const std::string& rows_key, const std::string& caption) {
  const bool one_group = std::all_of(columns.begin(), columns.end(), [&](const Column& c) { return c.group == columns[0].group; });
  std::vector<std::string> header = {style.escape(rows_key), "n"};
  for (const Column& c : columns) {
    const std::string label = style.escape(column_label(c, one_group));
    if (style.format == "csv") {
      header.push_back(label + " mean");
      header.push_back(label + " std");
    } else {
      header.push_back(label);
    }
  }
  std::vector<std::vector<Stat>> stats(section.rows.size());
  std::vector<std::string> best(columns.size());
  for (size_t r = 0; r < section.rows.size(); ++r) {
    for (size_t c = 0; c < columns.size(); ++c) {
      stats[r].push_back(stat_of(section.rows[r], columns[c]));
      const Stat& s = stats[r].back();
      if (s.n > 0 && (best[c].empty() || std::stod(fixed4(s.mean)) > std::stod(best[c]))) best[c] = fixed4(s.mean);
    }
  }
  std::vector<std::vector<std::string>> body;
  for (size_t r = 0; r < section.rows.size(); ++r) {
    std::vector<std::string> row = {style.escape(section.rows[r].label), std::to_string(section.rows[r].trials.size())};
    for (size_t c = 0; c < columns.size(); ++c) {
      const Stat& s = stats[r][c];
      for (const std::string& field : style.stat(s, s.n > 0 && fixed4(s.mean) == best[c])) row.push_back(field);
    }
    body.push_back(std::move(row));
  }
  return style.table(header, body, caption);
}

struct BaselineComparison {
  size_t pairs = 0;                 // seeds both rows ran with the metric
  std::optional<PairedTest> test;   // nullopt for fewer than 2 pairs
};

// The paired test of `row` against `baseline` on one column, over the seeds both ran.
BaselineComparison compare_to_baseline(const Row& row, const Row& baseline, const Column& c) {
  std::map<int64_t, const TrialResult*> base_by_seed;
  for (const TrialResult* t : baseline.trials) base_by_seed[t->config.at("seed").get<int64_t>()] = t;
  std::vector<double> a, b;
  for (const TrialResult* t : row.trials) {
    const auto it = base_by_seed.find(t->config.at("seed").get<int64_t>());
    if (it == base_by_seed.end()) continue;
    const auto x = metric_of(*t, c), y = metric_of(*it->second, c);
    if (x && y) {
      a.push_back(*x);
      b.push_back(*y);
    }
  }
  return {a.size(), paired_t_test(a, b)};
}

// Paired t-tests of every row against the baseline over the seeds both ran (Markdown, LaTeX).
std::string test_table(const Style& style, const Section& section, const std::vector<Column>& columns,
                       const std::string& rows_key, const Row& baseline, const std::string& caption) {
  const bool one_group = std::all_of(columns.begin(), columns.end(), [&](const Column& c) { return c.group == columns[0].group; });
  std::vector<std::string> header = {style.escape(rows_key), "pairs"};
  for (const Column& c : columns) header.push_back(style.escape(column_label(c, one_group)));
  std::vector<std::vector<std::string>> body;
  for (const Row& row : section.rows) {
    if (&row == &baseline) continue;
    std::vector<std::string> line = {style.escape(row.label), ""};
    size_t pairs = 0;
    for (const Column& c : columns) {
      const BaselineComparison comparison = compare_to_baseline(row, baseline, c);
      pairs = std::max(pairs, comparison.pairs);
      const std::optional<PairedTest>& test = comparison.test;
      const std::string diff = test ? (test->mean_difference >= 0 ? "+" : "") + fixed4(test->mean_difference) : "";
      const std::string p = test ? format_p(test->p) : "";
      if (!test) {
        line.push_back("n/a");
      } else {
        line.push_back(style.format == "latex" ? "$" + diff + "$ (" + p + ")" : diff + " (p=" + p + ")");
      }
    }
    line[1] = std::to_string(pairs);
    body.push_back(std::move(line));
  }
  return style.table(header, body, caption);
}

// Trials grouped by the values of `section_keys` into sections, and by `rows` into rows.
std::vector<Section> group_trials(const std::vector<TrialResult>& trials, const std::vector<std::string>& section_keys,
                                  const std::string& rows) {
  std::vector<Section> sections;
  for (const TrialResult& t : trials) {
    std::vector<std::string> parts;
    for (const std::string& key : section_keys) parts.push_back(key + "=" + show_value(t.config.at(key)));
    const std::string section_label = join(parts);
    auto s = std::find_if(sections.begin(), sections.end(), [&](const Section& x) { return x.label == section_label; });
    if (s == sections.end()) s = sections.insert(sections.end(), Section{section_label, {}});
    const std::string row_label = show_value(t.config.at(rows));
    auto r = std::find_if(s->rows.begin(), s->rows.end(), [&](const Row& x) { return x.label == row_label; });
    if (r == s->rows.end()) r = s->rows.insert(s->rows.end(), Row{row_label, {}});
    r->trials.push_back(&t);
  }
  return sections;
}

// UsageError when no section has a row named `baseline`.
void require_baseline_row(const std::vector<Section>& sections, const std::string& baseline) {
  std::vector<std::string> labels;
  for (const Section& s : sections) {
    for (const Row& r : s.rows) {
      if (std::find(labels.begin(), labels.end(), r.label) == labels.end()) labels.push_back(r.label);
    }
  }
  if (std::find(labels.begin(), labels.end(), baseline) == labels.end()) {
    throw io::UsageError("--baseline: no row '" + baseline + "'; rows: " + join(labels));
  }
}

// The heading, configuration and data description before the tables (md and latex).
void write_preamble(std::ostream& out, const std::string& runs_dir, const ordered_json& spec, const std::string& name,
                    const std::string& what, size_t complete, const ReportOptions& options) {
  const std::string c = options.format == "latex" ? "% " : "";
  const std::vector<std::string> varying = spec.at("varying").get<std::vector<std::string>>();
  out << c << (options.format == "md" ? "# " : "") << "Experiment " << name << "\n\n";
  out << c << complete << " of " << spec.at("trials").size() << " trials complete (spec " << spec.value("spec_id", "")
      << ")\n\n";
  out << c << (options.format == "md" ? "## " : "") << "Configuration\n\n";
  for (const auto& [key, value] : spec.at("fixed").items()) out << c << "- " << key << ": " << show_value(value) << "\n";
  out << c << "- varying: " << (varying.empty() ? "nothing" : join(varying)) << "\n\n";
  const std::string stats_path = runs_dir + "/datasets.txt";
  if (fs::exists(stats_path)) {
    out << c << (options.format == "md" ? "## " : "") << "Data\n\n" << (options.format == "md" ? "```text\n" : "");
    std::istringstream stats(read_text(stats_path));
    for (std::string line; std::getline(stats, line);) out << c << line << "\n";
    out << (options.format == "md" ? "```\n" : "") << "\n";
  }
  if (options.format == "md") out << "## Results: " << what << ", mean ± std over seeds (n), best in bold\n\n";
}

// One CSV for every section: each section's keys become leading columns, one header in all.
std::string csv_with_section_columns(const std::string& table, const Section& section, bool first,
                                     const std::vector<std::string>& section_keys) {
  std::istringstream lines(table);
  std::string line, prefixed;
  std::vector<std::string> values;
  for (const std::string& key : section_keys) values.push_back(show_value(section.rows.front().trials.front()->config.at(key)));
  for (bool header = true; std::getline(lines, line); header = false) {
    if (header && !first) continue;
    prefixed += (header ? join(section_keys, ",") : join(values, ",")) + "," + line + "\n";
  }
  return prefixed;
}

// The paired t-test table of a section against the baseline row, or a note that it has none.
void write_test(std::ostream& out, const Style& style, const Section& section, const std::vector<Column>& columns,
                const std::string& name, const ReportOptions& options) {
  const auto base = std::find_if(section.rows.begin(), section.rows.end(), [&](const Row& r) { return r.label == options.baseline; });
  if (base == section.rows.end()) {
    out << (options.format == "latex" ? "% " : "") << "(no " << options.baseline << " row in this section: no test)\n\n";
    return;
  }
  if (options.format == "md") {
    out << "Paired t-test against " << options.baseline << " over matched seeds: mean difference (two-sided p)\n\n";
  }
  out << test_table(style, section, columns, options.rows, *base,
                    style.escape(name) + ": paired t-test against " + style.escape(options.baseline) +
                        " over matched seeds, mean difference (two-sided p)")
      << "\n";
}

// One row's column as data: per-seed values, n, mean, sample std and, unless the row is the
// baseline (or there is none), the paired test against `baseline`.
ordered_json json_cell(const Row& row, const Row* baseline, const Column& c) {
  ordered_json cell = {{"values", ordered_json::array()}};
  for (const TrialResult* t : row.trials) {
    if (const auto v = metric_of(*t, c)) cell["values"].push_back({{"seed", t->config.at("seed")}, {"value", *v}});
  }
  const Stat stat = stat_of(row, c);
  cell["n"] = stat.n;
  cell["mean"] = stat.n > 0 ? ordered_json(stat.mean) : ordered_json();
  cell["std"] = stat.n > 1 ? ordered_json(stat.std) : ordered_json();
  if (baseline != nullptr && baseline != &row) {
    const std::optional<PairedTest> test = compare_to_baseline(row, *baseline, c).test;
    cell["vs_baseline"] = test ? ordered_json{{"pairs", test->n}, {"difference", test->mean_difference}, {"p", test->p}}
                               : ordered_json();
  }
  return cell;
}

// The tables as data, for plots and pages: per section and row, each column's per-seed values,
// mean, sample std and (with a baseline) the paired test against it.
std::string json_report(const std::string& name, const ordered_json& spec, const std::vector<Section>& sections,
                        const std::vector<std::string>& section_keys, const std::vector<Column>& columns,
                        const ReportOptions& options) {
  ordered_json out = {{"experiment", name}, {"rows_key", options.rows},
                      {"baseline", options.baseline.empty() ? ordered_json() : ordered_json(options.baseline)},
                      {"varying", spec.at("varying")}, {"fixed", spec.at("fixed")}, {"columns", ordered_json::array()},
                      {"sections", ordered_json::array()}};
  for (const Column& c : columns) out["columns"].push_back(c.group + "." + c.metric);
  for (const Section& section : sections) {
    ordered_json keys = ordered_json::object();
    for (const std::string& key : section_keys) keys[key] = section.rows.front().trials.front()->config.at(key);
    const auto base = std::find_if(section.rows.begin(), section.rows.end(),
                                   [&](const Row& r) { return r.label == options.baseline; });
    const Row* baseline = base == section.rows.end() ? nullptr : &*base;
    ordered_json rows = ordered_json::array();
    for (const Row& row : section.rows) {
      ordered_json metrics = ordered_json::object();
      for (const Column& c : columns) metrics[c.group + "." + c.metric] = json_cell(row, baseline, c);
      rows.push_back({{"label", row.label}, {"metrics", std::move(metrics)}});
    }
    out["sections"].push_back({{"label", section.label}, {"keys", std::move(keys)}, {"rows", std::move(rows)}});
  }
  return out.dump(2) + "\n";
}

}  // namespace

ordered_json read_json_file(const std::string& path) {
  try {
    return ordered_json::parse(read_text(path));
  } catch (const ordered_json::parse_error& e) {
    throw io::DataError(path + ": not valid JSON (" + e.what() + ")");
  }
}

std::vector<TrialResult> read_completed_trials(const std::string& runs_dir, const std::vector<std::string>& ids) {
  std::vector<TrialResult> trials;
  for (const std::string& id : ids) {
    const std::string dir = runs_dir + "/" + id;
    if (!fs::exists(dir + "/done")) continue;
    trials.push_back({read_json_file(dir + "/config.json"), read_json_file(dir + "/metrics.json"), id});
  }
  if (trials.empty()) throw io::DataError(runs_dir + ": no completed trials to report (0 of " + std::to_string(ids.size()) + ")");
  return trials;
}

std::pair<double, double> mean_and_std(const std::vector<double>& xs) {
  double mean = 0.0;
  for (const double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  if (xs.size() < 2) return {mean, 0.0};
  double ss = 0.0;
  for (const double x : xs) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(xs.size() - 1))};
}

std::string fixed4(double v) {
  char out[32];
  std::snprintf(out, sizeof out, "%.4f", v);
  return out;
}

std::string format_p(double p) { return p < 1e-4 ? "<0.0001" : fixed4(p); }

std::string make_report(const std::string& runs_dir, const ReportOptions& options) {
  if (options.format == "html") return make_html_report(runs_dir, options);
  if (options.format != "md" && options.format != "csv" && options.format != "latex" && options.format != "json") {
    throw io::UsageError("--format: unknown format '" + options.format + "'; valid: md, csv, latex, json, html");
  }
  const KeySpec* rows_spec = find_key(options.rows);
  if (!rows_spec || !rows_spec->identity) {
    throw io::UsageError("--rows: '" + options.rows + "' is not a configuration key of a trial" + suggest_key(options.rows));
  }
  const std::string spec_path = runs_dir + "/spec.json";
  if (!fs::exists(spec_path)) throw io::DataError(runs_dir + ": no spec.json here; not a runs directory of graft sweep");
  const ordered_json spec = read_json_file(spec_path);
  const std::vector<TrialResult> trials =
      read_completed_trials(runs_dir, spec.at("trials").get<std::vector<std::string>>());
  const std::vector<Column> columns = select_columns(trials, options.metrics);

  std::vector<std::string> section_keys;
  for (const std::string& key : spec.at("varying").get<std::vector<std::string>>()) {
    if (key != options.rows && key != "seed") section_keys.push_back(key);
  }
  const std::vector<Section> sections = group_trials(trials, section_keys, options.rows);
  if (!options.baseline.empty()) require_baseline_row(sections, options.baseline);

  const std::string name = spec.value("experiment", fs::path(runs_dir).filename().string());
  if (options.format == "json") return json_report(name, spec, sections, section_keys, columns, options);
  const Style style{options.format};
  const std::string what = columns.front().group == "cold_start" ? "cold-start users' test metrics" : "test metrics";
  const std::string caption = style.escape(name) + ": " + what + ", mean " + (options.format == "latex" ? "$\\pm$" : "±") +
                              " std over seeds; best per column in bold";
  std::ostringstream out;
  if (options.format != "csv") write_preamble(out, runs_dir, spec, name, what, trials.size(), options);
  for (const Section& section : sections) {
    if (!section.label.empty() && options.format != "csv") {
      out << (options.format == "md" ? "### " : "% ") << section.label << "\n\n";
    }
    std::string table = results_table(style, section, columns, options.rows,
                                      caption + (section.label.empty() ? "" : " (" + style.escape(section.label) + ")"));
    if (options.format == "csv" && !section_keys.empty()) {
      table = csv_with_section_columns(table, section, &section == &sections.front(), section_keys);
    }
    out << table << (options.format == "csv" ? "" : "\n");
    if (!options.baseline.empty() && options.format != "csv") write_test(out, style, section, columns, name, options);
  }
  return out.str();
}

}  // namespace graft::exp
