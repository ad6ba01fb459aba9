#!/usr/bin/env bash
# One command on a fresh machine: install dependencies, build, then run the main job
# (record the seed scenario against the embedded local vault, then replay it offline).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/main-job.sh
