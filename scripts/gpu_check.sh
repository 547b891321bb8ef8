#!/usr/bin/env bash
# The GPU checks of the cuSPARSE backend, for a few minutes on a machine with a GPU:
#   1. tests/test_cuda            the backend alone against a CPU reference (no LibTorch)
#   2. test_gnn Spmm.CudaMatchesCpu  spmm forward and backward on CUDA tensors against the CPU
#                                 (skips itself unless LibTorch has CUDA: Debian's does not)
#   3. bench/bench_gnn_cusparse   cuSPARSE GFLOP/s against graft's CPU kernel on a Gowalla-sized graph
# Builds the three programs first where the build folder is configured (configures it where it
# does not exist); with a build folder holding only the binaries, runs those. Prints each result
# and a summary; exits 1 if a check failed, 2 if no GPU was seen (everything skipped).
#
#   scripts/gpu_check.sh                  build folder ./build (or $GRAFT_BUILD_DIR)
#   GRAFT_BENCH_MIN_TIME=0.5 scripts/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
build_dir=${GRAFT_BUILD_DIR:-build}
min_time=${GRAFT_BENCH_MIN_TIME:-0.2}
programs=("$build_dir/tests/test_cuda" "$build_dir/tests/test_gnn" "$build_dir/bench/bench_gnn_cusparse")

echo "== device"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found"
fi

locked() {  # the shared checkout builds through one lock; harmless elsewhere
  if command -v flock >/dev/null; then flock /tmp/graft_build.lock "$@"; else "$@"; fi
}
if [[ -f "$build_dir/build.ninja" || -f "$build_dir/Makefile" ]]; then
  echo "== build"
  locked cmake --build "$build_dir" -j "$(nproc)" --target test_cuda test_gnn bench_gnn_cusparse || exit 1
elif [[ ! -x "${programs[0]}" ]]; then
  echo "== configure and build"
  locked cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGRAFT_CUDA=ON || exit 1
  locked cmake --build "$build_dir" -j "$(nproc)" --target test_cuda test_gnn bench_gnn_cusparse || exit 1
fi

failed=() skipped=()
run() {  # run NAME COMMAND...: prints the output, records a failure or an all-skipped run
  local name=$1 log
  shift
  echo "== $name"
  if [[ ! -x "$1" ]]; then
    echo "$1 is missing"
    failed+=("$name (missing)")
    return
  fi
  log=$(mktemp)
  timeout 300 "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  if ((rc != 0)); then
    failed+=("$name (exit $rc)")
  elif grep -q -e '^\[  SKIPPED \]' -e 'no CUDA device' "$log" &&
    ! grep -q -e '^\[       OK \]' -e 'GFLOP/s' "$log"; then
    skipped+=("$name")
  fi
  rm -f "$log"
}
run "cuSPARSE backend against the CPU reference" "${programs[0]}"
run "Spmm.CudaMatchesCpu" "${programs[1]}" --gtest_filter='Spmm.CudaMatchesCpu'
run "cuSPARSE against the CPU kernel (GFLOP/s)" "${programs[2]}" --benchmark_min_time="$min_time" \
  --benchmark_counters_tabular=true

echo "== summary"
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "skipped: $s"; done
for f in "${failed[@]+"${failed[@]}"}"; do echo "FAILED: $f"; done
if ((${#failed[@]} > 0)); then exit 1; fi
# Spmm.CudaMatchesCpu skips by design against a CPU-only LibTorch; the other two need the GPU.
for s in "${skipped[@]+"${skipped[@]}"}"; do
  [[ $s == Spmm.CudaMatchesCpu ]] || { echo "no GPU was used"; exit 2; }
done
echo "all GPU checks passed"
