#!/usr/bin/env bash
# The official Azure SDK for C++ backup/restore sample, unmodified, through `kvharness proxy`:
# recorded against the proxy's embedded localvault, then replayed with no vault running, in a
# network namespace with only loopback up. Both runs must exit 0, and the fixture must pass
# kvharness check. The sample sleeps 60 s after its purge in both runs (the proxy cannot shorten
# a program's own sleep).
# Usage: run-cpp-sdk-sample-proxy.sh KVHARNESS SHARED_DIR SDK_BUILD_DIR
# Exits 77 (skipped) when the SDK sources, unshare or root are missing.
#
# The SDK trusts only the system CA bundle, so the sample runs in a private mount namespace where
# /etc/ssl/certs/ca-certificates.crt is a copy of the system bundle plus the proxy's certificate.
set -euo pipefail
kvharness=$1
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=proxy-helpers.sh
. "$here/proxy-helpers.sh"
system_bundle=/etc/ssl/certs/ca-certificates.crt

run_sample() {  # URL CERT MODE: the sample with the proxy as vault and authority; $work/MODE.log
  cat "$system_bundle" "$2" >"$work/bundle.crt"
  set +e
  AZURE_TOKEN_CREDENTIALS=EnvironmentCredential AZURE_TENANT_ID=sdk-tenant \
    AZURE_CLIENT_ID=sdk-client AZURE_CLIENT_SECRET="$client_secret" AZURE_AUTHORITY_HOST="$1" \
    AZURE_KEYVAULT_URL="$1" \
    timeout 240 unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && cd "$2" && exec "$3"' \
    sh "$work/bundle.crt" "$work/run" "$sample" >"$work/$3.log" 2>&1
  local status=$?
  set -e
  return $status
}

if [ "${1:-}" = "--offline-playback" ]; then
  rm -rf "$work/run" && mkdir "$work/run"
  proxy_pass playback "$2" "$work/recordings/cpp-sample.json" run_sample
  exit 0
fi

shared=$2
sdk_build=$3
sdk_src="$shared/azure-sdk-for-cpp"
[ -x "$sdk_src/build.sh" ] || skip "$sdk_src is missing (the official C++ SDK subset)"
[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace (unshare -m)"
unshare -m true 2>/dev/null || skip "unshare -m is not permitted here"
can_go_offline || skip "unshare -n with a loopback interface is not permitted here"
[ -f "$system_bundle" ] || skip "$system_bundle (the system CA bundle) is missing"

# The build the localvault test of the sample uses; reused when present.
mkdir -p "$sdk_build"
sample=$("$sdk_src/build.sh" "$sdk_build/sdk" | tail -1)
[ -x "$sample" ] || fail "building the SDK sample failed (logs in $sdk_build)"
export sample

new_work_dir cpp
export client_secret
client_secret="cpp-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

mkdir "$work/run"
record_and_check "$kvharness" "$work/recordings/cpp-sample.json" run_sample \
  --tenant sdk-tenant --localvault-arg=--delete-delay --localvault-arg=100 \
  --localvault-arg=--purge-delay --localvault-arg=100
cat "$work/record.log"
grep -q "$client_secret" "$work/recordings/cpp-sample.json" && fail "the client secret was written"
grep -q '%2F' "$work/recordings/cpp-sample.json" || echo "note: no GET of the latest version as /%2F"

replay_offline "$kvharness"
echo "--- replayed offline:"; cat "$work/playback.log"
echo "the official C++ SDK sample recorded and replayed through kvharness proxy"
