#!/bin/sh
# Runs test cases of a binary against a small tmpfs, mounted in a private mount namespace at a
# fresh folder passed as LOCALVAULT_SMALL_FS, so that writes there fail with ENOSPC.
# Usage: run_disk_full.sh <binary> <test spec>. Exit 77 (CTest "skipped") unless running as root
# with unshare -m permitted.
binary="$1"
shift
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: mounting a small tmpfs needs root"
  exit 77
fi
if ! command -v unshare >/dev/null 2>&1 || ! unshare -m true 2>/dev/null; then
  echo "SKIP: unshare -m (util-linux) is unavailable or not permitted here"
  exit 77
fi
dir="$(mktemp -d /tmp/localvault-small-fs.XXXXXX)"
trap 'rmdir "$dir"' EXIT
# The mount exists only in the new namespace and goes away with it.
unshare -m --propagation private sh -c \
  'mount -t tmpfs -o size=192k,mode=0700 localvault-small-fs "$1" || exit 1
   LOCALVAULT_SMALL_FS="$1" exec "$2" "$3"' sh "$dir" "$binary" "$@"
