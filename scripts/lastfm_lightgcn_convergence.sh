#!/usr/bin/env bash
# LightGCN on LastFM to convergence (issue 14), three runs of the reference configuration
# (scripts/lastfm_lightgcn.sh: 3 layers, dim 64, BPR, Adam, weight decay 1e-4, batch 2048):
#   test_chosen   the reference's protocol: lr 0.001, EPOCHS epochs, test evaluated every 10,
#                 the best test epoch reported (optimistic: the test set chooses)
#   valid_chosen  10% of each user's training interactions held out as validation (split kind
#                 holdout_valid), model chosen on it, the test at that epoch reported
#   cosine        the faster option: lr 0.005 decaying to 0 along a cosine over FAST_EPOCHS epochs,
#                 test every 10 (when it first reaches Recall@20 0.27, and its best)
# Usage: scripts/lastfm_lightgcn_convergence.sh DATA_DIR [EPOCHS] [FAST_EPOCHS]   (default 1000, 300)
# Writes out/lastfm_convergence/{*.json,*.log}; prints one summary line per run.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 DATA_DIR [EPOCHS] [FAST_EPOCHS]" >&2
  exit 2
fi
data_dir=$1
epochs=${2:-1000}
fast_epochs=${3:-300}
cd "$(dirname "$0")/.."
graft=${GRAFT_BUILD_DIR:-build}/bin/graft
out=${GRAFT_OUT:-out/lastfm_convergence}
mkdir -p "$out"

"$graft" data import --format csv --delimiter tab "$data_dir/data1.txt" "$data_dir/test1.txt" \
  --column user=0 --column item=1 --column rating=2 -o "$out/lastfm.h5"
"$graft" data split "$out/lastfm.h5" --kind holdout_valid --from given --valid-ratio 0.1 --negatives 0 \
  --name holdout --seed 0

common=(--data "$out/lastfm.h5" --domain main --model lightgcn --layers 3 --dim 64 --loss bpr --batch-size 2048
        --weight-decay 1e-4 --seed 0 --threads 2 --eval-every 10 --protocol full --ks 20 --metric recall@20)
run() {  # NAME, then graft train arguments
  local name=$1
  shift
  /usr/bin/time -f "%e" -o "$out/$name.seconds" "$graft" train "${common[@]}" "$@" --json "$out/$name.json" \
    > "$out/$name.log"
}
run test_chosen --split given --lr 0.001 --epochs "$epochs"
run valid_chosen --split holdout --lr 0.001 --epochs "$epochs"
run cosine --split given --lr 0.005 --lr-schedule cosine --epochs "$fast_epochs"

/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
for name in ("test_chosen", "valid_chosen", "cosine"):
    r = json.load(open(f"{out}/{name}.json"))
    seconds = float(open(f"{out}/{name}.seconds").read())
    evaluated = [e for e in r["history"] if e.get("metrics")]
    if name == "valid_chosen":
        best = r["best_epoch"]
        test = r["test"]
        print(f"{name}: epoch {best} chosen on validation; test Recall@20={test['recall@20']:.4f} "
              f"NDCG@20={test['ndcg@20']:.4f}; {seconds / 60:.1f} min")
        continue
    best = max(evaluated, key=lambda e: e["metrics"]["recall@20"])
    first = next((e for e in evaluated if e["metrics"]["recall@20"] >= 0.27), None)
    reach = (f"; Recall@20 >= 0.27 first at epoch {first['epoch']} "
             f"({sum(e['seconds'] for e in r['history'] if e['epoch'] <= first['epoch']) / 60:.1f} min)"
             if first else "; never reaches Recall@20 0.27")
    print(f"{name}: best test Recall@20={best['metrics']['recall@20']:.4f} "
          f"NDCG@20={best['metrics']['ndcg@20']:.4f} at epoch {best['epoch']}{reach}; {seconds / 60:.1f} min")
PY
