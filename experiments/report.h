// Benchmark tables from a runs directory (experiments/runner.h): one row per value of a chosen
// configuration key (the method by default), one column per metric, mean ± sample std (n − 1)
// over the completed trials of the row (its seeds), the best mean per column marked (bold in
// Markdown and LaTeX, '*' in CSV). Varying keys other than the row key and `seed` (say source and
// target of a zipped sweep) split the table into sections, so unlike settings are never averaged.
// With a baseline row, a paired t-test per row and metric over the seeds both rows ran.
//
// Markdown and LaTeX put the configuration (non-default settings), the varying keys and the
// dataset statistics above the tables, and the t-tests below them; CSV is the results table alone. Rows, sections and columns come in
// the spec's trial order, so the same runs give byte-identical output.
#pragma once

#include <string>
#include <vector>

namespace graft::exp {

struct ReportOptions {
  std::string format = "md";         // md | csv | latex | json (the tables as data: per-seed values,
                                     // mean, std and the paired test, for plots and pages) | html
                                     // (the self-contained results page, report_html.h)
  std::string rows = "method";       // a configuration key
  // Columns: "group.metric" (groups cold_start, warm, overall, best_valid), a group alone for all
  // its metrics, or a bare metric name for cold_start.<name>. Empty: the cold-start test metrics
  // (the overall ones when no trial has cold-start users).
  std::vector<std::string> metrics;
  std::string baseline;              // a row value, e.g. target_only; empty: no test
  // Instead of the tables: what each source domain does to the target (report_sources.h).
  bool source_effects = false;
  // Instead of the tables: the reproduction table against this YAML file's references
  // (report_reproduction.h).
  std::string reproduction;
};

// UsageError for a bad option (unknown format, key, metric or baseline row, listing the valid
// ones); DataError naming the file for a missing spec.json or an unreadable trial file.
std::string make_report(const std::string& runs_dir, const ReportOptions& options);

}  // namespace graft::exp
