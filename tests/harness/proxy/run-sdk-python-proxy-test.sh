#!/usr/bin/env bash
# The official Python SDK (azure-keyvault-secrets on azure-identity/MSAL, /usr/bin/python3) runs
# the seed flow through `kvharness proxy`: recorded against the proxy's embedded localvault, then
# replayed with no vault running, in a network namespace with only loopback up. Both runs must
# see the same results.
# Usage: run-sdk-python-proxy-test.sh KVHARNESS. Exit 77 (skipped) without the SDK or unshare.
set -euo pipefail
kvharness=$1
here="$(cd "$(dirname "$0")" && pwd)"
python=/usr/bin/python3
# shellcheck source=proxy-helpers.sh
. "$here/proxy-helpers.sh"
fail() { echo "FAILED: $*"; exit 1; }

run_client() {  # URL CERT RESULT_FILE
  PROXY_URL=$1 PROXY_CERT=$2 PROXY_RESULT_FILE=$3 \
    "$python" -W ignore::ResourceWarning "$here/../../sdk-python/proxy_seed.py"
}

# Loopback only: no proxy may stand between the SDK and kvharness proxy.
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
export NO_PROXY=127.0.0.1,localhost

if [ "${1:-}" = "--offline-playback" ]; then
  kvharness=$2
  start_proxy playback "$kvharness" --mode playback --fixture "$work/recordings/sdk-python.json"
  run_client "$proxy_url" "$proxy_cert" "$work/playback.json" || { cat "$work/playback.err"; fail "the client failed in playback"; }
  stop_proxy
  [ "$proxy_status" = 0 ] || { cat "$work/playback.err"; fail "playback exited $proxy_status"; }
  exit 0
fi

if [ ! -x "$python" ] || ! "$python" -c 'import azure.identity, azure.keyvault.secrets, msal' 2>/dev/null; then
  echo "SKIPPED: $python lacks the Azure SDK packages (install python3-azure)"; exit 77
fi
can_go_offline || { echo "SKIPPED: unshare -n with a loopback interface is not permitted here"; exit 77; }

work=$(mktemp -d /tmp/kvharness-proxy-py.XXXXXX)
export work
proxy_pid=
cleanup() { [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export PROXY_RUN_ID PROXY_CLIENT_SECRET PROXY_TENANT=33333333-4444-5555-6666-777777777777
PROXY_RUN_ID=$(date +%s%N | tail -c 9)
PROXY_CLIENT_SECRET="py-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

start_proxy record "$kvharness" --mode record --fixture "$work/recordings/sdk-python.json" \
  --tenant "$PROXY_TENANT" --localvault-arg=--delete-delay --localvault-arg=100 \
  --localvault-arg=--purge-delay --localvault-arg=100
run_client "$proxy_url" "$proxy_cert" "$work/record.json" || { cat "$work/record.err"; fail "the client failed while recording"; }
stop_proxy
[ "$proxy_status" = 0 ] || { cat "$work/record.err"; fail "record exited $proxy_status"; }
check_recording "$kvharness" "$work/recordings"
grep -q "$PROXY_CLIENT_SECRET" "$work/recordings/sdk-python.json" && fail "the client secret was written"

offline "$0" --offline-playback "$kvharness"
echo "--- the client saw:"; cat "$work/record.json"
diff "$work/record.json" "$work/playback.json" || fail "playback results differ from the recorded run"
echo "the official Python client recorded and replayed the seed flow through kvharness proxy"
