#!/usr/bin/env bash
# The cold-start study on the real Amazon pair (../shared/data/amazon-cdr): imports game_video +
# video_game, then for both directions runs every transfer method with `graft transfer` and ranks
# each cold-start test user's ground truth against its stored 999 negatives (PROTOCOLS.md).
# Usage: scripts/amazon_cold_start.sh [CDR_DIR] [SEED] [METHODS...]
#   CDR_DIR defaults to ../shared/data/amazon-cdr; METHODS to every registered method.
# Writes out/amazon_cold_start/<source>_to_<target>/<method>.{json,log} and prints one table of
# HR@1/5/10, NDCG@5/10 and MRR per direction, with the seconds each method took.
set -euo pipefail
cd "$(dirname "$0")/.."
cdr=${1:-../shared/data/amazon-cdr}
seed=${2:-0}
shift $(( $# > 2 ? 2 : $# ))
graft=${GRAFT_BUILD_DIR:-build}/bin/graft
out=${GRAFT_OUT:-out/amazon_cold_start}
methods=("$@")
if [ ${#methods[@]} -eq 0 ]; then
  # last_k is left out: LightGCN layers have no weights, so it would be frozen_encoder again.
  methods=(target_only source_only joint finetune frozen_encoder discriminative_lr l2sp adapter lora
           adversarial mmd coral mapping meta instance_weighting vib shared_neighbours cooccurrence)
fi
mkdir -p "$out"
[ -f "$out/amazon.h5" ] || "$graft" data import --format cdr-pairs "$cdr/game_video" "$cdr/video_game" -o "$out/amazon.h5"

# Settings shared by every method (override with GRAFT_TRANSFER_SETTINGS="key=value ...").
settings=(encoder.dim=64 encoder.layers=2 pretrain.epochs=8 pretrain.batch_size=4096 pretrain.lr=0.005
          adapt.epochs=6 adapt.batch_size=4096 adapt.lr=0.001 adapt.eval_every=1 bridge_weight=3 meta.meta_epochs=2
          compare_to_target_only=false
          seed="$seed" ${GRAFT_TRANSFER_SETTINGS:-})
set_args=()
for s in "${settings[@]}"; do set_args+=(--set "$s"); done

for direction in "video game" "game video"; do
  read -r source target <<<"$direction"
  dir="$out/${source}_to_${target}"
  mkdir -p "$dir"
  for method in "${methods[@]}"; do
    start=$(date +%s.%N)
    "$graft" transfer --data "$out/amazon.h5" --source "$source" --target "$target" --split cold_start \
      --method "$method" "${set_args[@]}" --json "$dir/$method.json" > "$dir/$method.log"
    echo "$source -> $target  $method  $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }')" >&2
  done
done

python3 - "$out" "${methods[@]}" <<'PY'
import json, os, sys
out, methods = sys.argv[1], sys.argv[2:]
cols = ["hr@1", "hr@5", "hr@10", "ndcg@5", "ndcg@10", "mrr"]
for direction in ("video_to_game", "game_to_video"):
    print(f"\n{direction.replace('_to_', ' -> ')}  (cold-start test users, 999 sampled negatives)")
    print("| method | " + " | ".join(c.upper() for c in cols) + " | trainable / total parameters | seconds |")
    print("|---" * (len(cols) + 3) + "|")
    for m in methods:
        r = json.load(open(os.path.join(out, direction, m + ".json")))
        cold = r["cold_start"]
        seconds = sum(r["phase_seconds"].values())
        p = r.get("parameters", {})
        params = f"{p.get('trainable', 0):,} / {p.get('total', 0):,}" if p.get("total") else "—"
        print(f"| {m} | " + " | ".join(f"{cold[c]:.4f}" for c in cols) + f" | {params} | {seconds:.0f} |")
PY
