#!/bin/sh
# Runs a test binary in a new network namespace with no interfaces up, so any socket use fails.
# Exit 77 (CTest "skipped") when unshare is unavailable or not permitted here.
binary="$1"
shift
if ! command -v unshare >/dev/null 2>&1; then
  echo "SKIP: unshare (util-linux) is not installed; cannot prove playback is offline"
  exit 77
fi
if ! unshare -n true 2>/dev/null; then
  echo "SKIP: unshare -n is not permitted here (needs root or user namespaces)"
  exit 77
fi
exec unshare -n "$binary" "$@"
