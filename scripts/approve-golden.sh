#!/usr/bin/env bash
# Rewrites the golden files of the kvharness CLI tests (tests/harness/scenario/golden/) from the current
# output. Review the result with `git diff tests/harness/scenario/golden` before committing.
# Usage: scripts/approve-golden.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
cmake --build "$build_dir" --target scenario_tests kvharness
KV_APPROVE_GOLDEN=1 "$build_dir/tests/harness/scenario/scenario_tests" '[cli]'
git --no-pager diff --stat -- tests/harness/scenario/golden
