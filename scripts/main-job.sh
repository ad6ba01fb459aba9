#!/usr/bin/env bash
# The main job: record scenarios/backup_restore.json against the embedded local vault into
# build/main-job/recordings, then replay it offline from there (without any network when
# `unshare -n` is available), printing both results. Exits non-zero when either run fails.
# Usage: scripts/main-job.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
kvharness="$build_dir/harness/cli/kvharness"
localvault="$build_dir/localvault/localvault"
for binary in "$kvharness" "$localvault"; do
  if [ ! -x "$binary" ]; then
    echo "main-job: $binary is missing; build first: scripts/build.sh" >&2
    exit 2
  fi
done
out="$build_dir/main-job/recordings"
mkdir -p "$out"
# The embedded local vault, never a real one, whatever the environment says.
unset AZURE_KEYVAULT_URL AZURE_TEST_MODE

echo "main-job: 1/2 record scenarios/backup_restore.json against localvault into $out"
"$kvharness" run --mode record --localvault "$localvault" --recordings "$out" \
  scenarios/backup_restore.json

echo
replay=("$kvharness" run --mode playback --recordings "$out" scenarios/backup_restore.json)
if command -v unshare >/dev/null 2>&1 && unshare -r -n true 2>/dev/null; then
  echo "main-job: 2/2 replay offline (unshare -n: no network at all)"
  unshare -r -n "${replay[@]}"
else
  echo "main-job: 2/2 replay offline (unshare -n unavailable: playback makes no network calls)"
  "${replay[@]}"
fi
echo
echo "main-job: recorded and replayed; the recording is $out/backup_restore.json"
