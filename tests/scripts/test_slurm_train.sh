#!/usr/bin/env bash
# scripts/slurm_train.sh under a stand-in Slurm: `scontrol` names two nodes (both this machine)
# and `srun` starts two tasks with SLURM_PROCID and SLURM_STEP_NUM_TASKS as srun would. The run
# must form a 2-worker group through the script's MASTER_ADDR / MASTER_PORT and write its
# report once. Usage: test_slurm_train.sh GRAFT_BINARY
set -euo pipefail
graft=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/bin"
cat > "$work/bin/scontrol" <<'FAKE'
#!/usr/bin/env bash
[ "$1 $2" = "show hostnames" ] || exit 1
printf 'localhost\nlocalhost\n'
FAKE
cat > "$work/bin/srun" <<'FAKE'
#!/usr/bin/env bash
while [[ "$1" == --* ]]; do shift; done
pids=()
for rank in 0 1; do
  SLURM_PROCID=$rank SLURM_STEP_NUM_TASKS=2 SLURM_STEP_NUM_NODES=2 "$@" &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
exit $status
FAKE
chmod +x "$work/bin/scontrol" "$work/bin/srun"

"$graft" data generate --preset scale --interactions 5K -o "$work/s.h5" > /dev/null 2>&1
"$graft" data split "$work/s.h5" --kind ratio --negatives 0 > /dev/null 2>&1

PATH="$work/bin:$PATH" GRAFT="$graft" SLURM_JOB_NODELIST="node[1-2]" SLURM_JOB_ID=4242 SLURM_JOB_NUM_NODES=2 \
  SLURM_CPUS_PER_TASK=1 SLURM_SUBMIT_DIR="$root" \
  bash "$root/scripts/slurm_train.sh" train --data "$work/s.h5" --domain main --split ratio --dim 8 --layers 2 \
  --epochs 2 --json "$work/run.json" > "$work/out.txt" 2>&1 || { cat "$work/out.txt"; echo "FAIL: the run failed"; exit 1; }

grep -q "rendezvous localhost:24242" "$work/out.txt" || { cat "$work/out.txt"; echo "FAIL: no rendezvous line"; exit 1; }
grep -q "data parallel: 2 workers (srun (SLURM_PROCID, SLURM_STEP_NUM_TASKS)" "$work/out.txt" ||
  { cat "$work/out.txt"; echo "FAIL: no 2-worker group"; exit 1; }
processes=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['training']['processes'])" "$work/run.json")
[ "$processes" = 2 ] || { echo "FAIL: processes $processes in run.json"; exit 1; }
[ "$(grep -c '^test ' "$work/out.txt")" = 1 ] || { cat "$work/out.txt"; echo "FAIL: test metrics printed by more than rank 0"; exit 1; }

# Not through sbatch, and not a graft command: usage errors.
set +e
bash "$root/scripts/slurm_train.sh" train > /dev/null 2>&1; [ $? = 1 ] || { echo "FAIL: ran outside sbatch"; exit 1; }
SLURM_JOB_NODELIST=n1 bash "$root/scripts/slurm_train.sh" data > /dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: accepted 'data'"; exit 1; }
echo "slurm_train.sh: 2 workers through srun's variables, one report"
