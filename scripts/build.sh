#!/usr/bin/env bash
# Configures and builds kvharness. Usage: scripts/build.sh [--asan] [--werror]
# Build folders: build/ (normal) and build-asan/ (ASan+UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
flags=()
for arg in "$@"; do
  case "$arg" in
    --asan) build_dir=build-asan; flags+=(-DKV_SANITIZE=ON -DKV_BUILD_BENCH=OFF) ;;
    --werror) flags+=(-DKV_WARNINGS_AS_ERRORS=ON) ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S . -B "$build_dir" "${generator[@]}" "${flags[@]+"${flags[@]}"}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
