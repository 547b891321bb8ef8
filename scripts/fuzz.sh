#!/usr/bin/env bash
# Fuzzes the data readers for SECONDS each (default 20): configures build-fuzz with clang-14 and
# -DGRAFT_FUZZ=ON (graph_io and tests/fuzz only, under ASan + UBSan), writes the seed corpora,
# and runs every libFuzzer target with a fixed seed. Fails when a fuzzer finds a crash, a
# sanitizer report or an unexpected exception; the reproducer is left in build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
build_dir=${GRAFT_FUZZ_BUILD_DIR:-build-fuzz}

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRAFT_FUZZ=ON
fi
cmake --build "$build_dir" -j "${GRAFT_JOBS:-$(nproc)}"

fuzz_dir="$build_dir/tests/fuzz"
corpus="$build_dir/corpus"
findings="$build_dir/findings"
rm -rf "$corpus" "$findings"
mkdir -p "$findings"
"$fuzz_dir/make_fuzz_seeds" "$corpus"

export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
status=0
for target in text_importers:text hdf5_reader:hdf5; do
  name=${target%%:*}
  seeds=$corpus/${target##*:}
  work=$build_dir/corpus-$name
  rm -rf "$work"
  mkdir -p "$work"
  echo "fuzz: $name for ${seconds}s"
  if ! "$fuzz_dir/fuzz_$name" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$findings/$name-" "$work" "$seeds"; then
    echo "fuzz: $name FAILED; reproducer(s): $(ls "$findings" | grep "^$name-" | tr '\n' ' ')" >&2
    status=1
  fi
done
exit $status
