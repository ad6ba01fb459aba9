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

# Wide "being deleted / recovered / purged" windows make every conflict the scenarios provoke
# certain even on a loaded machine; longer polls and retries collapse in the diff.
# Recording mostly waits on those windows, so scenarios are recorded four at a time, each with
# its own localvault.
echo "== record into $work"
printf '%s\0' scenarios/*.json |
  xargs -0 -n 1 -P 4 "$kvharness" run --mode record --localvault "$localvault" \
    --localvault-arg=--delete-delay --localvault-arg=1500 --localvault-arg=--recover-delay \
    --localvault-arg=1500 --localvault-arg=--purge-delay --localvault-arg=1500 \
    --recordings "$work"
echo "== replay from $work"
"$kvharness" run --mode playback --recordings "$work" scenarios
echo "== diff against recordings/"
status=0
for committed in recordings/*.json; do
  fresh="$work/$(basename "$committed")"
  if ! "$kvharness" diff "$committed" "$fresh"; then status=1; fi
done
exit $status
