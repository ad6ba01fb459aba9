#!/usr/bin/env bash
# The main job: build the seed example (the client compiles against the seed's API).
# Extended by the harness to record scenarios/backup_restore.json against localvault and replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
test -x build/examples/backup_restore_example
echo "main-job: client and seed example built"
