#!/usr/bin/env bash
# The quick start: sets graft up (scripts/setup.sh), runs the synthetic two-platform study of
# configs/quickstart.yaml (target-only vs fine-tuning vs adversarial alignment vs mapping for
# cold-start users, 3 seeds, 2 trials at a time), prints its results table and draws its plots
# (learning curves as mean ± std over seeds, the method comparison against target_only) and writes
# its HTML results page (table, verdicts, figures, configuration, data, provenance). Results
# go to runs/quickstart/ (or $1/quickstart/); running again skips the trials already done.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${GRAFT_BUILD_DIR:-build}
graft="$build_dir/bin/graft"
runs=${1:-runs}

"$graft" sweep configs/quickstart.yaml --jobs 2 --runs "$runs"
"$graft" report "$runs/quickstart" --format md --baseline target_only -o "$runs/quickstart/report.md"
cat "$runs/quickstart/report.md"
"$graft" report "$runs/quickstart" --format json --baseline target_only --metrics cold_start.mrr cold_start.ndcg@10 \
      cold_start.hr@10 -o "$runs/quickstart/report.json"
scripts/plot.py "$runs/quickstart" --report "$runs/quickstart/report.json" -o "$runs/quickstart/plots"
"$graft" report "$runs/quickstart" --format html --baseline target_only --metrics cold_start.mrr cold_start.ndcg@10 \
      cold_start.hr@10 -o "$runs/quickstart/study.html"
echo "table: $runs/quickstart/report.md; data: $runs/quickstart/report.json; plots: $runs/quickstart/plots/"
echo "results page (open in a browser; self-contained): $runs/quickstart/study.html"
