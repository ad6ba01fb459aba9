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

run_client() {  # URL CERT MODE: the client's results in $work/MODE.json
  PROXY_URL=$1 PROXY_CERT=$2 PROXY_RESULT_FILE="$work/$3.json" \
    "$python" -W ignore::ResourceWarning "$here/../../sdk-python/proxy_seed.py"
}

# Loopback only: no proxy may stand between the SDK and kvharness proxy.
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
export NO_PROXY=127.0.0.1,localhost

if [ "${1:-}" = "--offline-playback" ]; then
  proxy_pass playback "$2" "$work/recordings/sdk-python.json" run_client
  exit 0
fi

if [ ! -x "$python" ] || ! "$python" -c 'import azure.identity, azure.keyvault.secrets, msal' 2>/dev/null; then
  skip "$python lacks the Azure SDK packages (install python3-azure)"
fi
can_go_offline || skip "unshare -n with a loopback interface is not permitted here"

new_work_dir py
export PROXY_RUN_ID PROXY_CLIENT_SECRET PROXY_TENANT=33333333-4444-5555-6666-777777777777
PROXY_RUN_ID=$(date +%s%N | tail -c 9)
PROXY_CLIENT_SECRET="py-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

record_and_check "$kvharness" "$work/recordings/sdk-python.json" run_client \
  --tenant "$PROXY_TENANT" --localvault-arg=--delete-delay --localvault-arg=100 \
  --localvault-arg=--purge-delay --localvault-arg=100
grep -q "$PROXY_CLIENT_SECRET" "$work/recordings/sdk-python.json" && fail "the client secret was written"

replay_offline "$kvharness"
compare_runs json
echo "the official Python client recorded and replayed the seed flow through kvharness proxy"
