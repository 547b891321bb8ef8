// `graft report DIR --format html`: one self-contained results page per study, to open offline or
// send round: the results table (mean ± std over seeds, best marked, paired t-tests against the
// baseline, sortable), the negative-transfer verdicts, the figures of scripts/plot.py (learning
// curves, method comparison, budget curves, projections) embedded as SVG, the configuration, the
// dataset statistics per domain and split, and each trial's provenance (graft version and commit,
// dataset checksum, seed, host, wall-clock, peak memory).
#pragma once

#include <string>

#include "experiments/report.h"

namespace graft::exp {

// The options' errors are make_report's (report.h); the page is written even when the figures
// cannot be drawn (no Python with matplotlib), and then says why.
std::string make_html_report(const std::string& runs_dir, const ReportOptions& options);

}  // namespace graft::exp
