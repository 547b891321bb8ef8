#!/usr/bin/env bash
# Sets graft up on Debian 12: installs the missing Debian packages (as root or through sudo),
# then configures and builds into build/ (or $GRAFT_BUILD_DIR). Safe to run again: it installs
# nothing that is present and rebuilds only what changed.
#   scripts/setup.sh [OPTIONAL_PACKAGE...]   also tries these (say chromium for the results-page
#                                            test); where one cannot be installed it warns and goes on
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build ccache git
          libtorch-dev libopenblas0-pthread libhdf5-dev libyaml-cpp-dev libboost-graph-dev
          libgloo-dev libgtest-dev libbenchmark-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
          clang-14 libfuzzer-14-dev python3-matplotlib)

missing_of() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
updated=false
install() {
  $updated || "${sudo_cmd[@]}" apt-get update -q
  updated=true
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "$@"
}

mapfile -t missing < <(missing_of "${packages[@]}")
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  install "${missing[@]}"
fi
mapfile -t optional < <(missing_of "$@")
if [ ${#optional[@]} -gt 0 ]; then
  echo "setup: installing ${optional[*]} (optional)"
  install "${optional[@]}" || echo "setup: could not install ${optional[*]}; the tests that need them will skip"
fi

build_dir=${GRAFT_BUILD_DIR:-build}
jobs=${GRAFT_JOBS:-$(nproc)}
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build_dir" -j "$jobs"
