// The reproduction table (`graft report DIR --reproduction FILE`): for each reproduced model, the
// reference implementation's value, graft's (mean ± sample std over the matching trials' seeds),
// their difference (also in graft's standard deviations) and graft's time against the reference's.
//
// FILE (YAML) lists the references:
//   reproductions:
//     - model: CDRIB epoch 1, Video cold-start test MRR   # the row's label
//       match: {method: cdrib, source: game, target: video}  # config keys a trial must have
//       metric: test:mrr         # cold_start.mrr (group.metric) or, with `epoch`, a history key
//       epoch: 1                 # optional: that epoch's history entry; `best`: the best entry
//   A model trained by `graft train` names its JSON outputs instead of `match`:
//       files: out/lastfm_convergence/test_chosen*.json   # a glob; metric test.recall@20, or
//                                                        # recall@20 with epoch: best
//       reference: 0.0176
//       reference_seconds_per_epoch: 1035   # optional: against graft's mean epoch seconds
//       reference_seconds: 103500           # optional: against graft's total (phase seconds)
//       source: cjx96/CDRIB, CPU, defaults  # optional: where the reference value comes from
#pragma once

#include <string>

namespace graft::exp {

// format: md | csv. UsageError naming FILE:LINE for a malformed or incomplete entry, DataError as
// make_report for the runs directory.
std::string make_reproduction_report(const std::string& runs_dir, const std::string& references_file,
                                     const std::string& format);

}  // namespace graft::exp
