#!/usr/bin/env bash
# The official @azure/keyvault-secrets client (tests/sdk-js) runs the seed flow through
# `kvharness proxy`: recorded against the proxy's embedded localvault, then replayed with no vault
# running, in a network namespace with only loopback up. Both runs must see the same results.
# Usage: run-sdk-js-proxy-test.sh KVHARNESS. Exit 77 (skipped) without node/npm or unshare.
set -euo pipefail
kvharness=$1
here="$(cd "$(dirname "$0")" && pwd)"
sdk_js="$here/../../sdk-js"
# shellcheck source=proxy-helpers.sh
. "$here/proxy-helpers.sh"
fail() { echo "FAILED: $*"; exit 1; }

run_client() {  # URL CERT RESULT_FILE
  PROXY_URL=$1 NODE_EXTRA_CA_CERTS=$2 PROXY_RESULT_FILE=$3 \
    node --test --test-reporter=spec "$sdk_js/proxy-seed.test.mjs"
}

if [ "${1:-}" = "--offline-playback" ]; then
  kvharness=$2
  start_proxy playback "$kvharness" --mode playback --fixture "$work/recordings/sdk-js.json"
  run_client "$proxy_url" "$proxy_cert" "$work/playback.json" || { cat "$work/playback.err"; fail "the client failed in playback"; }
  stop_proxy
  [ "$proxy_status" = 0 ] || { cat "$work/playback.err"; fail "playback exited $proxy_status"; }
  exit 0
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIPPED: node and npm are needed for the @azure/keyvault-secrets test"; exit 77
fi
can_go_offline || { echo "SKIPPED: unshare -n with a loopback interface is not permitted here"; exit 77; }
if [ ! -d "$sdk_js/node_modules/@azure/keyvault-secrets" ]; then
  (cd "$sdk_js" && npm ci --no-audit --no-fund) || { echo "SKIPPED: npm ci could not install the SDK"; exit 77; }
fi

work=$(mktemp -d /tmp/kvharness-proxy-js.XXXXXX)
export work
proxy_pid=
cleanup() { [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export PROXY_RUN_ID
PROXY_RUN_ID=$(date +%s%N | tail -c 9)
export PROXY_CLIENT_SECRET
PROXY_CLIENT_SECRET="js-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

start_proxy record "$kvharness" --mode record --fixture "$work/recordings/sdk-js.json" \
  --localvault-arg=--delete-delay --localvault-arg=100 --localvault-arg=--purge-delay \
  --localvault-arg=100
run_client "$proxy_url" "$proxy_cert" "$work/record.json" || { cat "$work/record.err"; fail "the client failed while recording"; }
stop_proxy
[ "$proxy_status" = 0 ] || { cat "$work/record.err"; fail "record exited $proxy_status"; }
check_recording "$kvharness" "$work/recordings"
grep -q "$PROXY_CLIENT_SECRET" "$work/recordings/sdk-js.json" && fail "the client secret was written"
grep -c '"StatusCode": 401' "$work/recordings/sdk-js.json" >/dev/null || fail "the client's probe was not recorded"

offline "$0" --offline-playback "$kvharness"
echo "--- the client saw:"; cat "$work/record.json"
diff "$work/record.json" "$work/playback.json" || fail "playback results differ from the recorded run"
echo "the official JS client recorded and replayed the seed flow through kvharness proxy"
