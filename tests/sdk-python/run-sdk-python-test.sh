#!/usr/bin/env bash
# Runs the official Python SDK (azure-keyvault-secrets with azure-identity on MSAL, from Debian's
# python3-azure for /usr/bin/python3) against a fresh localvault.
# Usage: run-sdk-python-test.sh <path-to-localvault>. Exit 77 (skip) when the SDK is missing.
set -euo pipefail
exe="$1"
here="$(cd "$(dirname "$0")" && pwd)"
python=/usr/bin/python3

if [ ! -x "$python" ]; then
  echo "SKIPPED: $python is missing (the Debian python3-azure package provides the SDK for it)"
  exit 77
fi
if ! missing="$("$python" -c 'import azure.identity, azure.keyvault.secrets, msal' 2>&1)"; then
  echo "SKIPPED: $python lacks the Azure SDK packages (install python3-azure): ${missing##*$'\n'}"
  exit 77
fi

tenant=22222222-3333-4444-5555-666666666666
client_id=sdk-python-test
secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The secret goes through the environment, where other users cannot read it (ps shows argv).
export LOCALVAULT_CLIENT_SECRET="$secret"
# shellcheck source=../localvault/start-localvault.sh
. "$here/../localvault/start-localvault.sh"
start_localvault "$exe" --tenant "$tenant" --client-id "$client_id" \
  --delete-delay 100 --recover-delay 100 --purge-delay 300

export LOCALVAULT_TENANT="$tenant"
export LOCALVAULT_CLIENT_ID="$client_id"
export LOCALVAULT_CERT="$lv_cert"
# Loopback only: no proxy may stand between the SDK and localvault.
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost
# requests prefers these over any verify setting; the tests choose how the certificate is trusted.
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
cd "$here"
# The SDK leaves pooled connections to the garbage collector; those warnings are not findings.
"$python" -W ignore::ResourceWarning -m unittest -v localvault_sdk_test 2>&1
