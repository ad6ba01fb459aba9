# Sourced by the proxy test scripts (bash). `start_proxy NAME KVHARNESS ARGS...` starts
# `kvharness proxy ARGS...` on 127.0.0.1, port 0, with its ready file and certificate in $work,
# waits until it listens and sets proxy_url and proxy_pid. `stop_proxy` sends SIGTERM (the proxy
# then saves or checks its recording), waits, and sets proxy_status to its exit status.
# `offline CMD...` runs CMD in a new network namespace whose only interface is loopback.
start_proxy() {
  local name="$1" exe="$2"
  shift 2
  rm -f "$work/$name.ready"
  "$exe" proxy --port 0 --ready-file "$work/$name.ready" --cert-out "$work/$name.pem" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  proxy_pid=$!
  for _ in $(seq 1 500); do
    [ -s "$work/$name.ready" ] && break
    kill -0 "$proxy_pid" 2>/dev/null || { echo "kvharness proxy exited early:"; cat "$work/$name.err"; exit 1; }
    sleep 0.02
  done
  [ -s "$work/$name.ready" ] || { echo "kvharness proxy did not become ready"; exit 1; }
  proxy_url="$(head -n1 "$work/$name.ready")"
  proxy_cert="$work/$name.pem"
}

stop_proxy() {
  kill -TERM "$proxy_pid"
  set +e
  wait "$proxy_pid"
  proxy_status=$?
  set -e
  proxy_pid=
}

can_go_offline() {
  command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
    unshare -n sh -c 'ip link set lo up' 2>/dev/null
}

# Re-runs the calling script (with the same arguments) inside a network namespace with only
# loopback up, exporting OFFLINE=1 so it knows.
offline() {
  unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
}

# `check_recording KVHARNESS FOLDER`: kvharness check finds nothing wrong with the recordings in
# FOLDER (schema, rules, nothing that looks unsanitized) except that no scenario goes with them,
# which is so for a program's recordings.
check_recording() {
  local out
  out=$("$1" check "$2" 2>&1) && return 0
  if printf '%s\n' "$out" | grep ': error' | grep -qv '\[orphan-recording\]'; then
    printf '%s\n' "$out"
    echo "FAILED: kvharness check found problems in $2"
    exit 1
  fi
}
