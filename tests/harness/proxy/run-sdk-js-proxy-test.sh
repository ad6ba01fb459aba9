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

run_client() {  # URL CERT MODE: the client's results in $work/MODE.json
  PROXY_URL=$1 NODE_EXTRA_CA_CERTS=$2 PROXY_RESULT_FILE="$work/$3.json" \
    node --test --test-reporter=spec "$sdk_js/proxy-seed.test.mjs"
}

if [ "${1:-}" = "--offline-playback" ]; then
  proxy_pass playback "$2" "$work/recordings/sdk-js.json" run_client
  exit 0
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  skip "node and npm are needed for the @azure/keyvault-secrets test"
fi
can_go_offline || skip "unshare -n with a loopback interface is not permitted here"
if [ ! -d "$sdk_js/node_modules/@azure/keyvault-secrets" ]; then
  (cd "$sdk_js" && npm ci --no-audit --no-fund) || skip "npm ci could not install the SDK"
fi

new_work_dir js
export PROXY_RUN_ID
PROXY_RUN_ID=$(date +%s%N | tail -c 9)
export PROXY_CLIENT_SECRET
PROXY_CLIENT_SECRET="js-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

record_and_check "$kvharness" "$work/recordings/sdk-js.json" run_client \
  --localvault-arg=--delete-delay --localvault-arg=100 --localvault-arg=--purge-delay \
  --localvault-arg=100
grep -q "$PROXY_CLIENT_SECRET" "$work/recordings/sdk-js.json" && fail "the client secret was written"
grep -c '"StatusCode": 401' "$work/recordings/sdk-js.json" >/dev/null || fail "the client's probe was not recorded"

replay_offline "$kvharness"
compare_runs json
echo "the official JS client recorded and replayed the seed flow through kvharness proxy"
