#!/usr/bin/env bash
# A multi-node Slurm template for one data-parallel `graft train` (or `graft transfer`) run:
# one task per node (or per socket), each a c10d worker; srun gives every task its rank
# (SLURM_PROCID) and the world size (SLURM_STEP_NUM_TASKS), this script names the rendezvous
# (MASTER_ADDR: the first node of the allocation, MASTER_PORT), and rank 0 alone writes
# --json and --checkpoint. A worker that dies makes the others fail within --dist-timeout.
#
#   sbatch --nodes=4 scripts/slurm_train.sh train --data big.h5 --domain main --split ratio \
#       --model lightgcn --graph sampled --fanouts 10,10,10 --json run.json
#   sbatch --nodes=2 scripts/slurm_train.sh transfer --data game_video.h5 --source game --target video
#
# Every node must see the data and output paths (a shared file system) and the same build.
#SBATCH --job-name=graft-train
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=16
#SBATCH --mem=64G
#SBATCH --time=08:00:00
#SBATCH --output=slurm-%j.out
set -euo pipefail

if [ $# -lt 1 ] || { [ "$1" != train ] && [ "$1" != transfer ]; }; then
  echo "usage: sbatch --nodes=N $0 train|transfer [graft options...]" >&2
  exit 2
fi
: "${SLURM_JOB_NODELIST:?run this through sbatch}"

cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/..}"
graft=${GRAFT:-${GRAFT_BUILD_DIR:-build}/bin/graft}
command=$1
shift

# sed reads the whole list: head would leave scontrol writing to a closed pipe (SIGPIPE under pipefail).
MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | sed -n 1p)
MASTER_PORT=${MASTER_PORT:-$((20000 + SLURM_JOB_ID % 40000))}
export MASTER_ADDR MASTER_PORT
echo "graft $command on $SLURM_JOB_NUM_NODES nodes, rendezvous $MASTER_ADDR:$MASTER_PORT" >&2

# The intra-op threads of each worker: its task's cores. transfer takes them as a key.
threads=(--threads "${SLURM_CPUS_PER_TASK:-0}")
[ "$command" = transfer ] && threads=(--set "threads=${SLURM_CPUS_PER_TASK:-0}")
exec srun --kill-on-bad-exit=1 "$graft" "$command" "${threads[@]}" "$@"
