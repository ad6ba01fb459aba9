#!/usr/bin/env bash
# Runs the official Azure SDK for C++ backup/restore sample, unmodified, against localvault and
# passes when it exits 0. The sample sleeps 60 s after the purge and then restores: its pooled
# keep-alive connection must survive that idle time.
# Usage: run-cpp-sdk-sample.sh LOCALVAULT SHARED_DIR SDK_BUILD_DIR
# Exits 77 (skipped) when the SDK sources, unshare or root are missing.
#
# The SDK trusts only the system CA bundle (SSL_CERT_FILE has no effect on it), so the sample runs
# in a private mount namespace where /etc/ssl/certs/ca-certificates.crt is a copy of the system
# bundle plus localvault's certificate; the machine's own bundle is never changed.
set -euo pipefail
localvault=$1
shared=$2
sdk_build=$3
sdk_src="$shared/azure-sdk-for-cpp"
system_bundle=/etc/ssl/certs/ca-certificates.crt

skip() { echo "SKIPPED: $*"; exit 77; }
[ -x "$sdk_src/build.sh" ] || skip "$sdk_src is missing (the official C++ SDK subset)"
command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace (unshare -m)"
unshare -m true 2>/dev/null || skip "unshare -m is not permitted here"
[ -f "$system_bundle" ] || skip "$system_bundle (the system CA bundle) is missing"

# A build shared by the normal and the sanitizer build trees; reused when present.
mkdir -p "$sdk_build"
sample=$("$sdk_src/build.sh" "$sdk_build/sdk" | tail -1)
[ -x "$sample" ] || { echo "building the SDK sample failed (logs in $sdk_build)"; exit 1; }

work=$(mktemp -d /tmp/localvault-cpp-sdk.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

secret=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
"$localvault" --port 0 --ready-file "$work/ready" --cert-out "$work/cert.pem" \
  --tenant sdk-tenant --client-id sdk-client --client-secret "$secret" \
  --delete-delay 100 --purge-delay 100 >"$work/localvault.out" 2>"$work/localvault.err" &
server_pid=$!
for _ in $(seq 1 500); do [ -s "$work/ready" ] && break; sleep 0.02; done
[ -s "$work/ready" ] || { echo "localvault did not start:"; cat "$work/localvault.err"; exit 1; }
url=$(head -1 "$work/ready")
cat "$system_bundle" "$work/cert.pem" >"$work/ca-bundle.crt"

mkdir "$work/run"
cd "$work/run"
set +e
AZURE_TOKEN_CREDENTIALS=EnvironmentCredential AZURE_TENANT_ID=sdk-tenant \
  AZURE_CLIENT_ID=sdk-client AZURE_CLIENT_SECRET="$secret" AZURE_AUTHORITY_HOST="$url" \
  AZURE_KEYVAULT_URL="$url" \
  timeout 240 unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt && exec "$2"' \
  sh "$work/ca-bundle.crt" "$sample" >"$work/sample.log" 2>&1
status=$?
set -e
cat "$work/sample.log"
if [ "$status" -ne 0 ]; then
  echo "the official C++ SDK sample exited with $status against localvault ($url); localvault said:"
  cat "$work/localvault.err"
  exit 1
fi
echo "the official C++ SDK sample completed against localvault"
