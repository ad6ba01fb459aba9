#!/usr/bin/env bash
# curl through `kvharness proxy`: records PUT, GET (with a token, and a probe without one) and
# DELETE against a localvault, then replays them with localvault stopped, in a network namespace
# with only loopback up; an edited request then gets the miss explanation and a failing exit.
# Usage: run-curl-proxy-test.sh KVHARNESS LOCALVAULT. Exit 77 (skipped) without curl or unshare.
set -euo pipefail
kvharness=$1
localvault=$2
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=proxy-helpers.sh
. "$here/proxy-helpers.sh"

# The client: a token from the proxy (as authority), then the vault calls; prints one line per
# call (status and the body with the proxy's origin replaced by ORIGIN, so runs compare).
client_flow() {
  local url=$1 cert=$2 secret=$3 value=$4
  local c=(curl -sS --cacert "$cert" -o "$work/body" -w '%{http_code}')
  local status token
  status=$("${c[@]}" -X POST "$url/curl-tenant/oauth2/v2.0/token" \
    --data-urlencode grant_type=client_credentials --data-urlencode client_id=curl-client \
    --data-urlencode "client_secret=$secret" --data-urlencode "scope=https://vault.azure.net/.default")
  [ "$status" = 200 ] || fail "token request answered $status: $(cat "$work/body")"
  token=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$work/body")
  [ -n "$token" ] || fail "no access_token in the token answer"
  local auth=(-H "Authorization: Bearer $token")
  for call in "PUT /secrets/curl-one" "GET /secrets/curl-one" "PROBE /secrets/curl-one" \
              "DELETE /secrets/curl-one"; do
    local method=${call%% *} path=${call#* }
    local args=()
    case $method in
      PUT) args=(-X PUT "${auth[@]}" -H 'Content-Type: application/json' --data "{\"value\":\"$value\"}") ;;
      PROBE) args=() ;;
      *) args=(-X "$method" "${auth[@]}") ;;
    esac
    status=$("${c[@]}" "${args[@]}" "$url$path?api-version=7.5")
    echo "$call $status $(sed "s#$url#ORIGIN#g" "$work/body")"
  done
}

curl_client() {  # URL CERT MODE: client_flow with $secret and $value, its lines in $work/MODE.txt
  client_flow "$1" "$2" "$secret" "$value" >"$work/$3.txt"
}

if [ "${1:-}" = "--offline-playback" ]; then
  # Second half, inside the network namespace: $work and $secret come from the first half.
  kvharness=$2
  secret=any-other-secret value=curl-value
  proxy_pass playback "$kvharness" "$work/recordings/curl.json" curl_client

  start_proxy edited "$kvharness" --mode playback --fixture "$work/recordings/curl.json"
  client_flow "$proxy_url" "$proxy_cert" "any-other-secret" "edited-value" >"$work/edited.txt" || true
  stop_proxy
  [ "$proxy_status" = 1 ] || fail "a playback with a miss exited $proxy_status, not 1"
  exit 0
fi

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
can_go_offline || skip "unshare -n with a loopback interface is not permitted here"

cleanup_more() { if [ -n "${lv_pid:-}" ]; then kill "$lv_pid" 2>/dev/null || true; fi; }
new_work_dir curl

secret="curl-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LOCALVAULT_CLIENT_SECRET="$secret" "$localvault" --port 0 --ready-file "$work/lv.ready" \
  --cert-out "$work/lv.pem" --tenant curl-tenant --client-id curl-client \
  >"$work/lv.out" 2>"$work/lv.err" &
lv_pid=$!
for _ in $(seq 1 500); do [ -s "$work/lv.ready" ] && break; sleep 0.02; done
[ -s "$work/lv.ready" ] || { cat "$work/lv.err"; fail "localvault did not start"; }
lv_url=$(head -n1 "$work/lv.ready")

value=curl-value
proxy_pass record "$kvharness" "$work/recordings/curl.json" curl_client \
  --upstream "$lv_url" --authority "$lv_url" --upstream-ca "$work/lv.pem"
kill "$lv_pid"; wait "$lv_pid" 2>/dev/null || true; lv_pid=

echo "--- recorded through the proxy:"; cat "$work/record.txt"
expected=("PUT /secrets/curl-one 200" "GET /secrets/curl-one 200" "PROBE /secrets/curl-one 401" \
          "DELETE /secrets/curl-one 200")
for i in 0 1 2 3; do
  line=$(sed -n "$((i + 1))p" "$work/record.txt")
  case $line in "${expected[$i]}"*) ;; *) fail "record call $i: expected \"${expected[$i]}\", got \"$line\"" ;; esac
done
grep -q '"id":"ORIGIN/secrets/curl-one/' "$work/record.txt" || fail "ids do not name the proxy"
grep -q 'authorization=' "$work/record.err" && fail "the log shows a challenge"
[ -f "$work/recordings/curl.json" ] || fail "no fixture was written"
entries=$(grep -c '"RequestMethod"' "$work/recordings/curl.json")
[ "$entries" = 4 ] || fail "the fixture holds $entries entries, not 4 (token traffic must not be recorded)"
grep -q "$secret" "$work/recordings/curl.json" "$work"/record.* && fail "the client secret was written"
lv_port=${lv_url##*:}
grep -q "127.0.0.1:$lv_port" "$work/recordings/curl.json" && fail "the fixture names the upstream's address"
grep -q 'fakevault.vault.azure.net' "$work/recordings/curl.json" || fail "the fixture does not use the fake host"
check_recording "$kvharness" "$work/recordings"

replay_offline "$kvharness"
compare_runs txt

echo "--- replayed with an edited PUT body:"; cat "$work/edited.txt"
first=$(head -n1 "$work/edited.txt")
case $first in "PUT /secrets/curl-one 400 kvharness playback: no recorded entry matches the request"*) ;;
  *) fail "the edited PUT got \"$first\"" ;; esac
diff_line='body /value: recorded "curl-value" | actual "edited-value"'
grep -qF "$diff_line" "$work/edited.txt" || fail "the miss answer lacks the recorded | actual diff"
grep -qF "$diff_line" "$work/edited.err" || fail "the proxy's log lacks the recorded | actual diff"
grep -q "unused entries" "$work/edited.err" || fail "the proxy did not report the unused entries"
echo "curl recorded and replayed through kvharness proxy"
