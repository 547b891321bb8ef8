// The results page: one self-contained HTML file (no network: figures are SVG data URIs, styles
// and the few lines of sorting script are inline). Built from the JSON report (the tables as
// data), the runs directory's spec.json and datasets.txt, and each trial's files.
#include "experiments/report_html.h"

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "experiments/report.h"
#include "experiments/report_plots.h"
#include "experiments/report_trials.h"
#include "experiments/runner.h"
#include "experiments/sweep.h"
#include "graph_io/build_info.h"

namespace graft::exp {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr double kSignificant = 0.05;

const char* kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1280px;
       padding: 0 1.5em; color: #1b1f24; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em; margin-top: 2em; }
.meta { color: #57606a; } nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.8em 0 1.2em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th, td:first-child, td.text { text-align: left; }
th { background: #f6f8fa; } table.sortable th { cursor: pointer; user-select: none; }
table.sortable th:after { content: " \2195"; color: #8c959f; font-size: 0.8em; }
caption { caption-side: top; text-align: left; color: #57606a; padding-bottom: 0.3em; }
small { color: #57606a; } .up { color: #1a7f37; } .down { color: #cf222e; } .warn { color: #9a6700; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; height: auto; border: 1px solid #eaeef2; }
figcaption { color: #57606a; font-size: 0.9em; }
)";

// Click a header to sort by that column (numbers by data-sort, else text); again to reverse.
const char* kSortScript = R"(
document.querySelectorAll("table.sortable th").forEach(function (th, column) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], up = th.dataset.order !== "up";
    var key = function (row) { var c = row.cells[column]; return c.dataset.sort !== undefined ? c.dataset.sort : c.textContent; };
    var rows = Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
      return up ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    th.dataset.order = up ? "up" : "down";
  });
});
)";

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  namespace it = boost::archive::iterators;
  using Encoder = it::base64_from_binary<it::transform_width<std::string::const_iterator, 6, 8>>;
  std::string out(Encoder(bytes.begin()), Encoder(bytes.end()));
  return out.append((3 - bytes.size() % 3) % 3, '=');
}

std::string cell(const std::string& text, const std::string& sort_key = "", const std::string& css = "") {
  return std::string("<td") + (css.empty() ? "" : " class=\"" + css + "\"") +
         (sort_key.empty() ? "" : " data-sort=\"" + escape(sort_key) + "\"") + ">" + text + "</td>";
}

std::string header_row(const std::vector<std::string>& labels) {
  std::string out = "<thead><tr>";
  for (const std::string& l : labels) out += "<th>" + escape(l) + "</th>";
  return out + "</tr></thead>\n";
}

std::string optional_text(const ordered_json& j, const char* key) {
  return j.is_object() && j.contains(key) ? show_value(j.at(key)) : "–";
}

ordered_json read_optional_json(const std::string& path) {
  return fs::exists(path) ? read_json_file(path) : ordered_json::object();
}

std::string group_label(const std::string& group) {
  static const std::map<std::string, std::string> labels = {
      {"cold_start", "cold-start users"}, {"warm", "warm users"}, {"overall", "all test users"},
      {"all_items", "ranked among all items"}, {"best_valid", "validation, best epoch"}};
  const auto it = labels.find(group);
  return it == labels.end() ? group : it->second;
}

// "cold_start.mrr" → "mrr (cold-start users)", or the bare metric when every column has one group.
std::string column_label(const std::string& column, bool one_group) {
  const size_t dot = column.find('.');
  return one_group ? column.substr(dot + 1) : column.substr(dot + 1) + " (" + group_label(column.substr(0, dot)) + ")";
}

// The protocol the test metrics follow, from the first trial: "sampled, 999 negatives".
std::string protocol_text(const std::vector<TrialResult>& trials) {
  const TrialResult& t = trials.front();
  std::string out = t.metrics.value("protocol", "");
  if (t.config.contains("data.split.negatives") && out == "sampled") {
    out += ", " + show_value(t.config.at("data.split.negatives")) + " negatives";
  }
  return out.empty() ? "" : "protocol: " + out;
}

// One mean ± std cell with its test against the baseline.
std::string stat_cell(const ordered_json& c, bool best) {
  if (c.at("n").get<int>() == 0) return cell("–");
  const double mean = c.at("mean").get<double>();
  std::string text = best ? "<strong>" + fixed4(mean) + "</strong>" : fixed4(mean);
  if (!c.at("std").is_null()) text += " ± " + fixed4(c.at("std").get<double>());
  if (c.contains("vs_baseline") && !c.at("vs_baseline").is_null()) {
    const ordered_json& t = c.at("vs_baseline");
    const double diff = t.at("difference").get<double>(), p = t.at("p").get<double>();
    const bool significant = p < kSignificant;
    if (significant) text += diff > 0 ? " <span class=\"up\">▲</span>" : " <span class=\"down\">▼</span>";
    text += "<br><small>" + std::string(diff >= 0 ? "+" : "") + fixed4(diff) + ", p=" + format_p(p) + "</small>";
  }
  return cell(text, fixed4(mean));
}

// The group every "group.metric" column belongs to, or empty when they differ.
std::string common_group(const std::vector<std::string>& columns) {
  const std::string group = columns.front().substr(0, columns.front().find('.'));
  const bool one = std::all_of(columns.begin(), columns.end(), [&](const std::string& c) { return c.rfind(group + ".", 0) == 0; });
  return one ? group : "";
}

std::string results_table(const ordered_json& section, const ordered_json& report) {
  const std::vector<std::string> columns = report.at("columns").get<std::vector<std::string>>();
  const bool one_group = !common_group(columns).empty();
  std::vector<std::string> labels = {report.at("rows_key").get<std::string>(), "n"};
  std::map<std::string, std::string> best;  // column → best printed mean
  for (const std::string& c : columns) {
    labels.push_back(column_label(c, one_group));
    for (const ordered_json& row : section.at("rows")) {
      const ordered_json& s = row.at("metrics").at(c);
      if (s.at("n").get<int>() > 0 && (best[c].empty() || s.at("mean").get<double>() > std::stod(best[c]))) best[c] = fixed4(s.at("mean").get<double>());
    }
  }
  std::string out = "<table class=\"sortable results\">\n" + header_row(labels) + "<tbody>\n";
  for (const ordered_json& row : section.at("rows")) {
    const ordered_json& metrics = row.at("metrics");
    out += "<tr>" + cell(escape(row.at("label").get<std::string>())) +
           cell(std::to_string(metrics.at(columns.front()).at("values").size()));
    for (const std::string& c : columns) {
      const ordered_json& s = metrics.at(c);
      out += stat_cell(s, s.at("n").get<int>() > 0 && fixed4(s.at("mean").get<double>()) == best[c]);
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string results_section(const ordered_json& report, const std::vector<TrialResult>& trials) {
  const std::vector<std::string> columns = report.at("columns").get<std::vector<std::string>>();
  const std::string group = common_group(columns);
  std::string out = "<h2 id=\"results\">Results</h2>\n<p>Test metrics";
  if (!group.empty()) out += " of " + escape(group_label(group));
  const std::string protocol = protocol_text(trials);
  out += (protocol.empty() ? "" : " (" + escape(protocol) + ")") +
         std::string(": mean ± sample std over seeds (n), the best mean of each column in bold.");
  if (!report.at("baseline").is_null()) {
    out += " Under each cell: the mean difference from <b>" + escape(report.at("baseline").get<std::string>()) +
           "</b> and the two-sided p of a paired t-test over matched seeds; ▲/▼ mark p &lt; 0.05.";
  }
  out += " Click a column to sort.</p>\n";
  for (const ordered_json& section : report.at("sections")) {
    const std::string label = section.at("label").get<std::string>();
    if (!label.empty()) out += "<h3>" + escape(label) + "</h3>\n";
    out += results_table(section, report);
  }
  return out;
}

// Values of the keys that split the study into sections, "source=ca, target=jp".
std::string section_of(const TrialResult& t, const ordered_json& report) {
  std::string out;
  for (const ordered_json& key : report.at("varying")) {
    const std::string k = key.get<std::string>();
    if (k == "seed" || k == report.at("rows_key").get<std::string>()) continue;
    out += (out.empty() ? "" : ", ") + k + "=" + show_value(t.config.at(k));
  }
  return out;
}

struct VerdictRow {
  std::string section, row, metric;
  std::vector<double> differences;
};

std::string verdict_summary(const std::vector<double>& d) {
  const auto above = std::count_if(d.begin(), d.end(), [](double x) { return x > 0; });
  const auto below = std::count_if(d.begin(), d.end(), [](double x) { return x < 0; });
  const std::string of = " of " + std::to_string(d.size()) + " seeds";
  if (below == 0 && above > 0) return "<span class=\"up\">positive transfer</span>, above in " + std::to_string(above) + of;
  if (above == 0 && below > 0) return "<span class=\"down\">NEGATIVE TRANSFER</span>, below in " + std::to_string(below) + of;
  return "<span class=\"warn\">mixed</span>: above in " + std::to_string(above) + ", below in " + std::to_string(below) + of;
}

// Each trial's verdict against target_only with the same seed, per row over its seeds.
std::vector<VerdictRow> verdict_rows(const std::vector<TrialResult>& trials, const ordered_json& report) {
  std::vector<VerdictRow> rows;
  const std::string rows_key = report.at("rows_key").get<std::string>();
  for (const TrialResult& t : trials) {
    if (!t.metrics.contains("verdict") || !t.metrics.at("verdict").is_object()) continue;
    const ordered_json& v = t.metrics.at("verdict");
    VerdictRow key{section_of(t, report), show_value(t.config.at(rows_key)), v.value("metric", ""), {}};
    auto it = std::find_if(rows.begin(), rows.end(), [&](const VerdictRow& r) {
      return r.section == key.section && r.row == key.row && r.metric == key.metric;
    });
    if (it == rows.end()) it = rows.insert(rows.end(), key);
    it->differences.push_back(v.at("difference").get<double>());
  }
  return rows;
}

std::string verdicts_section(const std::vector<TrialResult>& trials, const ordered_json& report) {
  const std::vector<VerdictRow> rows = verdict_rows(trials, report);
  std::string out = "<h2 id=\"verdicts\">Negative-transfer verdicts</h2>\n";
  if (rows.empty()) return out + "<p>No trial compared itself with target_only at the same seed.</p>\n";
  const bool sections = std::any_of(rows.begin(), rows.end(), [](const VerdictRow& r) { return !r.section.empty(); });
  std::vector<std::string> labels = {report.at("rows_key").get<std::string>(), "metric", "difference (mean ± std)", "verdict"};
  if (sections) labels.insert(labels.begin(), "setting");
  out += "<p>Each transfer trial against target_only trained with the same options and seed.</p>\n"
         "<table class=\"sortable\">\n" + header_row(labels) + "<tbody>\n";
  for (const VerdictRow& r : rows) {
    const auto [mean, std] = mean_and_std(r.differences);
    const std::string diff = (mean >= 0 ? "+" : "") + fixed4(mean) + (r.differences.size() > 1 ? " ± " + fixed4(std) : "");
    out += "<tr>" + (sections ? cell(escape(r.section)) : "") + cell(escape(r.row), "", "text") +
           cell(escape(r.metric), "", "text") + cell(diff, fixed4(mean)) + cell(verdict_summary(r.differences), "", "text") +
           "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

// Comparisons first (the figure a reader looks for), then budgets, curves, projections.
int figure_rank(const std::string& name) {
  const std::vector<std::string> kinds = {"_comparison.", "_budget.", "_curves.", "_projection."};
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (name.find(kinds[i]) != std::string::npos) return static_cast<int>(i);
  }
  return static_cast<int>(kinds.size());
}

std::string figures_section(const DrawnFigures& drawn) {
  std::string out = "<h2 id=\"figures\">Figures</h2>\n";
  if (!drawn.problem.empty()) out += "<p class=\"warn\">Figures not drawn:</p><pre>" + escape(drawn.problem) + "</pre>\n";
  std::vector<Figure> figures = drawn.figures;
  std::stable_sort(figures.begin(), figures.end(),
                   [](const Figure& a, const Figure& b) { return figure_rank(a.name) < figure_rank(b.name); });
  for (const Figure& f : figures) {
    const std::string name = escape(f.name.substr(0, f.name.rfind('.')));
    out += "<figure><img alt=\"" + name + "\" src=\"data:image/svg+xml;base64," + base64(f.svg) +
           "\"><figcaption>" + name + "</figcaption></figure>\n";
  }
  return out;
}

std::string configuration_section(const ordered_json& spec, const std::vector<TrialResult>& trials) {
  std::string out = "<h2 id=\"configuration\">Configuration</h2>\n<table>\n<caption>Settings that differ from graft's "
                    "defaults, the same in every trial</caption>\n" + header_row({"key", "value"}) + "<tbody>\n";
  for (const auto& [key, value] : spec.at("fixed").items()) {
    out += "<tr>" + cell(escape(key)) + cell(escape(show_value(value)), "", "text") + "</tr>\n";
  }
  out += "</tbody></table>\n<table>\n<caption>Varying keys and the values the completed trials took</caption>\n" +
         header_row({"key", "values"}) + "<tbody>\n";
  for (const ordered_json& key : spec.at("varying")) {
    std::vector<std::string> values;
    for (const TrialResult& t : trials) {
      const std::string v = show_value(t.config.at(key.get<std::string>()));
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
    std::string joined;
    for (const std::string& v : values) joined += (joined.empty() ? "" : ", ") + v;
    out += "<tr>" + cell(escape(key.get<std::string>())) + cell(escape(joined), "", "text") + "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string data_section(const std::string& runs_dir) {
  const std::string path = runs_dir + "/datasets.txt";
  std::string out = "<h2 id=\"data\">Data</h2>\n";
  if (!fs::exists(path)) return out + "<p>No dataset statistics in this runs directory (datasets.txt).</p>\n";
  return out + "<p>Each dataset the trials read, with its statistics per domain and per split (train, valid and "
               "test interactions and users, cold-start users).</p>\n<pre>" + escape(read_text(path)) + "</pre>\n";
}

// The dataset a trial read: its file's CRC-32, or the generator and seed.
std::string data_identity(const ordered_json& provenance) {
  if (!provenance.contains("data")) return "–";
  const ordered_json& d = provenance.at("data");
  if (d.contains("crc32")) return fs::path(d.value("path", "")).filename().string() + " crc32 " + show_value(d.at("crc32"));
  return "generated " + d.value("generate", "") + " seed " + show_value(d.value("seed", ordered_json()));
}

// One trial's provenance row: what ran, on what data and code, where, how long.
std::string trial_row(const std::string& runs_dir, const TrialResult& t, const std::string& rows_key,
                      const std::optional<std::string>& section) {
  const ordered_json provenance = read_optional_json(runs_dir + "/" + t.id + "/provenance.json");
  const ordered_json timings = read_optional_json(runs_dir + "/" + t.id + "/timings.json");
  char wall[32] = "–", memory[32] = "–";
  if (timings.contains("trial_seconds")) std::snprintf(wall, sizeof wall, "%.1f", timings.at("trial_seconds").get<double>());
  if (timings.contains("peak_memory_mb")) std::snprintf(memory, sizeof memory, "%.0f", timings.at("peak_memory_mb").get<double>());
  auto text = [](const std::string& s) { return cell(escape(s), "", "text"); };
  return "<tr>" + cell("<code>" + escape(t.id) + "</code>") + text(show_value(t.config.at(rows_key))) +
         (section ? text(*section) : "") + cell(show_value(t.config.at("seed"))) +
         text(optional_text(provenance, "graft_version")) + text(optional_text(provenance, "git_commit")) +
         text(data_identity(provenance)) + text(optional_text(provenance, "host")) +
         cell(escape(optional_text(provenance, "threads"))) + text(optional_text(timings, "started")) + cell(wall) +
         cell(memory) + "</tr>\n";
}

std::string trials_section(const std::string& runs_dir, const std::vector<TrialResult>& trials,
                           const ordered_json& report, size_t planned) {
  const std::string rows_key = report.at("rows_key").get<std::string>();
  const bool sections = std::any_of(trials.begin(), trials.end(), [&](const TrialResult& t) { return !section_of(t, report).empty(); });
  std::vector<std::string> labels = {"trial", rows_key, "seed", "graft", "commit", "data", "host", "threads",
                                     "started (UTC)", "wall-clock (s)", "peak memory (MB)"};
  if (sections) labels.insert(labels.begin() + 2, "setting");
  std::string out = "<h2 id=\"trials\">Trials</h2>\n<p>" + std::to_string(trials.size()) + " of " + std::to_string(planned) +
                    " trials complete; each trial's files are in " + escape(runs_dir) + "/&lt;trial&gt;/.</p>\n"
                    "<table class=\"sortable\">\n" + header_row(labels) + "<tbody>\n";
  for (const TrialResult& t : trials) {
    out += trial_row(runs_dir, t, rows_key, sections ? std::optional<std::string>(section_of(t, report)) : std::nullopt);
  }
  return out + "</tbody></table>\n";
}

}  // namespace

std::string make_html_report(const std::string& runs_dir, const ReportOptions& options) {
  ReportOptions as_data = options;
  as_data.format = "json";
  const std::string report_text = make_report(runs_dir, as_data);  // checks the options and the directory
  const ordered_json report = ordered_json::parse(report_text);
  const ordered_json spec = read_json_file(runs_dir + "/spec.json");
  const std::vector<std::string> ids = spec.at("trials").get<std::vector<std::string>>();
  const std::vector<TrialResult> trials = read_completed_trials(runs_dir, ids);
  const DrawnFigures figures = draw_figures(runs_dir, report_text);

  const std::string name = escape(report.at("experiment").get<std::string>());
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>graft: " << name
       << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>" << name << "</h1>\n<p class=\"meta\">"
       << trials.size() << " of " << ids.size() << " trials complete · spec " << escape(spec.value("spec_id", ""))
       << " · rows: " << escape(options.rows) << (options.baseline.empty() ? "" : " · baseline: " + escape(options.baseline))
       << " · page by graft " << GRAFT_VERSION << " (" << escape(io::git_commit()) << ") from " << escape(runs_dir)
       << "</p>\n<nav><a href=\"#results\">Results</a><a href=\"#verdicts\">Verdicts</a><a href=\"#figures\">Figures</a>"
          "<a href=\"#configuration\">Configuration</a><a href=\"#data\">Data</a><a href=\"#trials\">Trials</a></nav>\n"
       << results_section(report, trials) << verdicts_section(trials, report) << figures_section(figures)
       << configuration_section(spec, trials) << data_section(runs_dir)
       << trials_section(runs_dir, trials, report, ids.size()) << "<script>" << kSortScript << "</script>\n</body>\n</html>\n";
  return page.str();
}

}  // namespace graft::exp
