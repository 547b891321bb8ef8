#!/usr/bin/env bash
# Reproduces LightGCN on LastFM (the LightGCN-PyTorch data: data1.txt train, test1.txt test,
# tab-separated "user item count"): 3 layers, dim 64, BPR, Adam lr 0.001, weight decay 1e-4,
# batch 2048, full ranking over all 4,489 items with training items excluded, 2 threads.
# Usage: scripts/lastfm_lightgcn.sh DATA_DIR [EPOCHS]   (default 100 epochs)
# Writes out/lastfm_lightgcn/{lastfm.h5,result.json}; the last line is "Recall@20=… NDCG@20=…".
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DATA_DIR [EPOCHS]" >&2
  exit 2
fi
data_dir=$1
epochs=${2:-100}
cd "$(dirname "$0")/.."
graft=${GRAFT_BUILD_DIR:-build}/bin/graft
out=${GRAFT_OUT:-out/lastfm_lightgcn}
mkdir -p "$out"

# Inputs before the repeatable --column option, which would otherwise take them as values.
"$graft" data import --format csv --delimiter tab "$data_dir/data1.txt" "$data_dir/test1.txt" \
  --column user=0 --column item=1 --column rating=2 -o "$out/lastfm.h5"
"$graft" train --data "$out/lastfm.h5" --domain main --split given --model lightgcn --layers 3 --dim 64 \
  --loss bpr --epochs "$epochs" --batch-size 2048 --lr 0.001 --weight-decay 1e-4 --seed 0 --threads 2 \
  --eval-every 10 --protocol full --ks 20 --json "$out/result.json" | tee "$out/train.log"
awk '$1 == "test" {
  for (i = 2; i <= NF; ++i) { split($i, kv, "="); m[kv[1]] = kv[2] }
  printf "Recall@20=%s NDCG@20=%s\n", m["recall@20"], m["ndcg@20"]
}' "$out/train.log"
