#!/bin/sh
# libcurl is loaded only when a run goes live: a playback run never maps it, a live run does.
# Usage: libcurl_loading.sh KVHARNESS SOURCE_DIR LOCALVAULT
set -u
kvharness="$1"
source_dir="$2"
localvault="$3"
loaded() { grep -q 'libcurl\.so' "$1"; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# glibc's loader lists every library it maps with LD_DEBUG=libs.
LD_DEBUG=libs "$kvharness" run "$source_dir/scenarios/backup_restore.json" >"$log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  cat "$log"
  echo "FAIL: the playback run exited $status"
  exit 1
fi
if ! grep -q 'calling init' "$log"; then
  echo "SKIP: this loader does not report the libraries it maps (LD_DEBUG=libs)"
  exit 77
fi
if loaded "$log"; then
  grep 'libcurl' "$log" | head -5
  echo "FAIL: a playback run loaded libcurl"
  exit 1
fi

LD_DEBUG=libs "$kvharness" run --mode live --localvault "$localvault" \
  "$source_dir/scenarios/backup_restore.json" >"$log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  cat "$log"
  echo "FAIL: the live run exited $status"
  exit 1
fi
if ! loaded "$log"; then
  echo "FAIL: a live run passed without loading libcurl (the check above proves nothing)"
  exit 1
fi
echo "playback: libcurl not loaded; live: libcurl loaded"
