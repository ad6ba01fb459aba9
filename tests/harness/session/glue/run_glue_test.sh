#!/usr/bin/env bash
# Drives a test-framework glue test binary the way a user would:
#   1. AZURE_TEST_MODE=record against the embedded local vault: the fixture is written under the
#      test's own name;
#   2. playback (the default mode) with no network at all (unshare -n when permitted);
#   3. playback after the recorded request was edited: the test fails with the harness's
#      explanation (the closest candidate and the differing field).
# Usage: run_glue_test.sh BINARY EXPECTED_FIXTURE_NAME SCRATCH_DIR [ARGS...]
# ARGS go to every run of BINARY (e.g. Catch2's "-r compact", which does not wrap messages).
set -euo pipefail
binary="$1"
fixture_name="$2"
scratch="$3"
shift 3
args=("$@")
rm -rf "$scratch"
mkdir -p "$scratch"
export KV_RECORDINGS_DIR="$scratch/recordings"
unset AZURE_KEYVAULT_URL AZURE_TEST_MODE
fixture="$KV_RECORDINGS_DIR/$fixture_name"

echo "== record against the embedded local vault"
AZURE_TEST_MODE=record "$binary" "${args[@]+"${args[@]}"}" >"$scratch/record.log" 2>&1 || { cat "$scratch/record.log"; exit 1; }
[ -s "$fixture" ] || { echo "FAIL: $fixture was not written"; ls -R "$scratch"; exit 1; }
grep -q '"Authorization": "Sanitized"' "$fixture" || { echo "FAIL: Authorization not sanitized"; exit 1; }
if grep -q '127\.0\.0\.1' "$fixture"; then echo "FAIL: the local vault's address is in $fixture"; exit 1; fi

offline=()
if command -v unshare >/dev/null 2>&1 && unshare -r -n true 2>/dev/null; then
  offline=(unshare -r -n)
  echo "== replay with no network (unshare -n)"
else
  echo "== replay (unshare -n is not permitted here: the network stays up, playback uses none)"
fi
"${offline[@]+"${offline[@]}"}" "$binary" "${args[@]+"${args[@]}"}" >"$scratch/playback.log" 2>&1 || { cat "$scratch/playback.log"; exit 1; }

echo "== replay after editing the recorded SetSecret body"
sed -i '0,/"my secret value"/s//"edited value"/' "$fixture"
if "${offline[@]+"${offline[@]}"}" "$binary" "${args[@]+"${args[@]}"}" >"$scratch/edited.log" 2>&1; then
  echo "FAIL: playback passed although the recorded request was edited"; cat "$scratch/edited.log"; exit 1
fi
for want in "kvharness playback: no recorded entry matches the request" \
            "fixture: $fixture" \
            'body /value: recorded "edited value" | actual "my secret value"'; do
  grep -qF "$want" "$scratch/edited.log" || {
    echo "FAIL: the failure does not say: $want"; cat "$scratch/edited.log"; exit 1; }
done
echo "ok: recorded $fixture, replayed offline, and an edited request failed with the explanation"
