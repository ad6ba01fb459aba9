# Sourced by the proxy test scripts (bash). `start_proxy NAME KVHARNESS ARGS...` starts
# `kvharness proxy ARGS...` on 127.0.0.1, port 0, with its ready file and certificate in $work,
# waits until it listens and sets proxy_url and proxy_pid. `stop_proxy` sends SIGTERM (the proxy
# then saves or checks its recording), waits, and sets proxy_status to its exit status.
# `offline CMD...` runs CMD in a new network namespace whose only interface is loopback.
#
# The sequence every script follows, record -> stop -> check -> offline replay -> compare:
#   new_work_dir NAME                          $work, removed at exit with the proxy
#   record_and_check KVHARNESS FIXTURE CLIENT [ARGS...]
#   replay_offline KVHARNESS                   "$0" --offline-playback KVHARNESS, offline, whose
#                                              half is `proxy_pass playback KVHARNESS FIXTURE CLIENT`
#   compare_runs EXT                           $work/record.EXT against $work/playback.EXT
fail() { echo "FAILED: $*"; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }

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

# `new_work_dir NAME`: a fresh $work (exported: the offline half uses it too), removed at exit
# after the proxy is stopped, and whatever the script's own `cleanup_more` stops, if it has one.
new_work_dir() {
  work=$(mktemp -d "/tmp/kvharness-proxy-$1.XXXXXX")
  export work
  proxy_pid=
  trap proxy_cleanup EXIT
}

proxy_cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  if declare -F cleanup_more >/dev/null; then cleanup_more || true; fi
  wait 2>/dev/null
  rm -rf "$work"
}

# `proxy_pass MODE KVHARNESS FIXTURE CLIENT [ARGS...]`: one run of the client through
# `kvharness proxy --mode MODE --fixture FIXTURE ARGS...` (MODE: record or playback). CLIENT is
# called as `CLIENT URL CERT MODE` and keeps its results in $work/MODE.*; fails (showing the
# client's $work/MODE.log, when it writes one, and the proxy's stderr) unless the client succeeds
# and the proxy then exits 0.
proxy_pass() {
  local mode=$1 exe=$2 fixture=$3 client=$4 doing
  shift 4
  [ "$mode" = record ] && doing="while recording" || doing="in playback"
  start_proxy "$mode" "$exe" --mode "$mode" --fixture "$fixture" "$@"
  "$client" "$proxy_url" "$proxy_cert" "$mode" || {
    [ -f "$work/$mode.log" ] && cat "$work/$mode.log"
    cat "$work/$mode.err"
    fail "the client failed $doing"
  }
  stop_proxy
  [ "$proxy_status" = 0 ] || { cat "$work/$mode.err"; fail "$mode exited $proxy_status"; }
}

# `record_and_check KVHARNESS FIXTURE CLIENT [ARGS...]`: records the client's run (proxy_pass
# record), then `kvharness check` must pass FIXTURE's folder.
record_and_check() {
  local exe=$1 fixture=$2
  proxy_pass record "$@"
  check_recording "$exe" "$(dirname "$fixture")"
}

# `replay_offline KVHARNESS`: this script again, as `$0 --offline-playback KVHARNESS`, in a network
# namespace with only loopback up (no vault is reachable there).
replay_offline() {
  offline "$0" --offline-playback "$1"
}

# `compare_runs EXT`: shows what the client saw in the offline playback ($work/playback.EXT) and
# fails unless it is what it saw while recording ($work/record.EXT).
compare_runs() {
  echo "--- replayed offline:"
  cat "$work/playback.$1"
  diff "$work/record.$1" "$work/playback.$1" || fail "playback results differ from the recorded run"
}
