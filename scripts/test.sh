#!/usr/bin/env bash
# Sets graft up (scripts/setup.sh), runs every test, then fuzzes the data readers for a bounded
# time. Fails on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh chromium  # Chromium renders the results page in its test (skipped without it)
build_dir=${GRAFT_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
scripts/fuzz.sh "${GRAFT_FUZZ_SECONDS:-20}"
