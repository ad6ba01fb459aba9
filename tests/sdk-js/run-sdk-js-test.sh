#!/usr/bin/env bash
# Runs the official @azure/keyvault-secrets client against a fresh localvault.
# Usage: run-sdk-js-test.sh <path-to-localvault>. Exit 77 (skip) when node/npm are unavailable.
set -euo pipefail
exe="$1"
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIPPED: node and npm are needed for the @azure/keyvault-secrets test"
  exit 77
fi
cd "$here"
if [ ! -d node_modules/@azure/keyvault-secrets ]; then
  if ! npm ci --no-audit --no-fund; then
    echo "SKIPPED: npm ci could not install the SDK (no registry access?)"
    exit 77
  fi
fi

secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The secret goes through the environment, where other users cannot read it (ps shows argv).
export LOCALVAULT_CLIENT_SECRET="$secret"
# shellcheck source=../localvault/start-localvault.sh
. "$here/../localvault/start-localvault.sh"
start_localvault "$exe" --tenant 11111111-2222-3333-4444-555555555555 --client-id sdk-js-test \
  --delete-delay 100 --recover-delay 100 --purge-delay 100

export LOCALVAULT_TENANT=11111111-2222-3333-4444-555555555555
export LOCALVAULT_CLIENT_ID=sdk-js-test
export NODE_EXTRA_CA_CERTS="$lv_cert"
node --test --test-reporter=spec localvault.test.mjs
