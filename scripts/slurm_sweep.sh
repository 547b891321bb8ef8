#!/usr/bin/env bash
# A Slurm job-array template for `graft sweep`: each array task runs one shard of the sweep
# (trial index % n == i-1), so together the tasks run every trial once. Resumable: resubmit the
# same array to finish (or retry) what is missing; completed trials are skipped.
#
#   sbatch --array=0-7 scripts/slurm_sweep.sh configs/amazon_game_video.yaml --set data.path=game_video.h5
#   graft report runs/amazon_game_video --format latex          # when all tasks are done
#
# Every task must see the same runs directory (a shared file system) and the same spec.
#SBATCH --job-name=graft-sweep
#SBATCH --cpus-per-task=8
#SBATCH --mem=16G
#SBATCH --time=04:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: sbatch --array=0-(N-1) $0 EXPERIMENT.yaml [graft sweep options...]" >&2
  exit 2
fi
: "${SLURM_ARRAY_TASK_ID:?run this through sbatch --array}"
: "${SLURM_ARRAY_TASK_COUNT:?run this through sbatch --array}"

cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/..}"
graft=${GRAFT:-${GRAFT_BUILD_DIR:-build}/bin/graft}
experiment=$1
shift

# One trial at a time per task, with all of the task's cores as intra-op threads.
exec "$graft" sweep "$experiment" --jobs 1 --set "threads=${SLURM_CPUS_PER_TASK:-0}" \
  --shard "$((SLURM_ARRAY_TASK_ID + 1))/${SLURM_ARRAY_TASK_COUNT}" "$@"
