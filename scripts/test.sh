#!/usr/bin/env bash
# Runs the whole test suite. Usage: scripts/test.sh [--asan]
# Installs missing dependencies and builds first, so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
build_flags=()
if [ "${1:-}" = "--asan" ]; then
  build_dir=build-asan
  build_flags=(--asan)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
scripts/install-deps.sh
scripts/build.sh "${build_flags[@]+"${build_flags[@]}"}"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" --timeout 600
