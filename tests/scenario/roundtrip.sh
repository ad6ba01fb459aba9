#!/usr/bin/env bash
# Records every scenario against a fresh localvault into a temporary folder, replays them from
# there, and diffs each new recording against the committed one (ids and dates aside).
# Usage: roundtrip.sh KVHARNESS LOCALVAULT SOURCE_DIR
set -euo pipefail
kvharness=$1
localvault=$2
source_dir=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/kvharness-roundtrip-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$source_dir"
# Never a real vault here, whatever the environment says.
unset AZURE_KEYVAULT_URL AZURE_TEST_MODE

echo "== record into $work"
"$kvharness" run --mode record --localvault "$localvault" --recordings "$work" scenarios
echo "== replay from $work"
"$kvharness" run --mode playback --recordings "$work" scenarios
echo "== diff against recordings/"
status=0
for committed in recordings/*.json; do
  fresh="$work/$(basename "$committed")"
  if ! "$kvharness" diff "$committed" "$fresh"; then status=1; fi
done
exit $status
