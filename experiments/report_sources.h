// The source-effects report (`graft report DIR --source-effects`): for trials that differ in their
// source domains (a comma-separated source list), what each source does to the target.
//
// Per section (the varying keys other than source, method and seed; say target=jp) and method:
//   alone       the method with that source alone minus the baseline method (target_only) with
//               the same seed, paired over seeds: a two-sided paired t-test;
//   in the mix  the method with the largest source set minus the same method with that set less
//               this source (leave-one-source-out), paired the same way;
//   weight      multi_source's learned weight of the source in the largest set (mean over seeds).
// A difference with p < 0.05 is "improves" or "hurts", else "neutral". Each section ends with a
// verdict line that names the harmful sources (those that hurt alone or in the mix).
#pragma once

#include <string>

#include "experiments/report.h"

namespace graft::exp {

// options.metrics: one "group.metric" (default overall.ndcg@10); options.baseline: the method the
// single sources are compared with (default target_only). UsageError for a bad metric, DataError
// as make_report.
std::string make_source_effects_report(const std::string& runs_dir, const ReportOptions& options);

}  // namespace graft::exp
