#!/usr/bin/env bash
# Sets graft up (scripts/setup.sh) and runs the main job on the built-in synthetic data:
# generate a two-platform dataset, make a cold-start split with sampled negatives, and print its
# statistics. Output goes to out/quickstart/ (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${GRAFT_BUILD_DIR:-build}
graft="$build_dir/bin/graft"
out=${1:-out/quickstart}
mkdir -p "$out"

"$graft" data generate --preset two-platform --seed 0 -o "$out/two_platform.h5"
"$graft" data split "$out/two_platform.h5" --kind cold_start_users --source source --target target \
  --cold-start-fraction 0.2 --negatives 999 --seed 0
"$graft" data stats "$out/two_platform.h5"
