# Sourced by the SDK test wrappers (bash). `start_localvault EXE ARGS...` starts localvault on
# 127.0.0.1, port 0, with its ready file and certificate in a fresh folder, waits until it listens,
# exports LOCALVAULT_URL, sets lv_cert (the PEM to trust) and stops the server and removes the
# folder when the calling script exits.
start_localvault() {
  local exe="$1"
  shift
  lv_tmp="$(mktemp -d)"
  "$exe" --port 0 --ready-file "$lv_tmp/ready" --cert-out "$lv_tmp/cert.pem" "$@" \
    >"$lv_tmp/stdout" 2>"$lv_tmp/stderr" &
  lv_pid=$!
  trap stop_localvault EXIT
  for _ in $(seq 1 500); do
    [ -s "$lv_tmp/ready" ] && break
    kill -0 "$lv_pid" 2>/dev/null || { echo "localvault exited early:"; cat "$lv_tmp/stderr"; exit 1; }
    sleep 0.02
  done
  [ -s "$lv_tmp/ready" ] || { echo "localvault did not become ready"; exit 1; }
  LOCALVAULT_URL="$(head -n1 "$lv_tmp/ready")"
  export LOCALVAULT_URL
  lv_cert="$lv_tmp/cert.pem"
}

stop_localvault() {
  kill "$lv_pid" 2>/dev/null || true
  wait "$lv_pid" 2>/dev/null || true
  rm -rf "$lv_tmp"
}
