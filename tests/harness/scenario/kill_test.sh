#!/usr/bin/env bash
# Kills `kvharness run --mode record` with SIGTERM, SIGINT and SIGKILL while the embedded
# localvault starts and while a scenario runs (a `pause` step holds it there), then checks: the
# exit status says the signal, no localvault process is left (read from /proc), no
# kvharness-localvault-* folder is left (after SIGKILL: the next run removes it), and no temporary
# fixture is left in recordings/. A temporary fixture of a writer killed mid-write is flagged by
# `check` and removed by the next write.
# Usage: kill_test.sh KVHARNESS LOCALVAULT
set -uo pipefail
kvharness=$(realpath "$1")
localvault=$(realpath "$2")

if [ ! -r /proc/self/stat ]; then
  echo "SKIPPED: /proc is not mounted; the test reads processes from it"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kvharness-kill-test-XXXXXX")
# A private temporary folder: the folders counted are this test's alone.
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR" "$work/scenarios" "$work/recordings"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
cat >scenarios/killme.json <<'EOF'
{"name": "killme",
 "steps": [{"op": "set", "name": "k", "value": "v"},
           {"op": "pause", "ms": 4000},
           {"op": "get", "name": "k", "expect": {"value": "v"}}]}
EOF
cat >scenarios/quick.json <<'EOF'
{"name": "quick", "steps": [{"op": "set", "name": "k", "value": "v"}]}
EOF

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The pids of the localvault processes whose parent is $1.
localvault_children() {
  local stat pid comm ppid
  for stat in /proc/[0-9]*/stat; do
    { read -r pid comm _ ppid _ <"$stat"; } 2>/dev/null || continue
    [ "$ppid" = "$1" ] && [ "$comm" = "(localvault)" ] && echo "$pid"
  done
}

# Waits up to $2 tenths of a second for a localvault child of $1; prints its pid.
wait_for_localvault() {
  local i children
  for ((i = 0; i < $2 * 10; i++)); do
    children=$(localvault_children "$1")
    if [ -n "$children" ]; then
      echo "$children"
      return 0
    fi
    sleep 0.01
  done
  return 1
}

gone_within() {  # pid, tenths of a second
  local i
  for ((i = 0; i < $2; i++)); do
    [ -e "/proc/$1" ] || return 0
    # A zombie is gone for our purpose (it listens on nothing); its reaper is init.
    grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

folders() { ls -d "$TMPDIR"/kvharness-localvault-* 2>/dev/null; }
temporaries() { ls recordings/*.tmp.* 2>/dev/null; }

declare -A number=([TERM]=15 [INT]=2 [KILL]=9)
for signal in TERM INT KILL; do
  for moment in starting running; do
    what="SIG$signal while localvault is $moment"
    "$kvharness" run --mode record --localvault "$localvault" scenarios/killme.json \
      >"out.$signal.$moment" 2>&1 &
    pid=$!
    if ! vault=$(wait_for_localvault "$pid" 100); then
      fail "$what: no localvault was started"
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      continue
    fi
    # "running": the set step is done and the pause holds the scenario.
    [ "$moment" = running ] && sleep 1.5
    kill "-$signal" "$pid"
    wait "$pid"
    status=$?
    [ "$status" -eq $((128 + ${number[$signal]})) ] ||
      fail "$what: exit status $status, expected $((128 + ${number[$signal]}))"
    for v in $vault; do
      gone_within "$v" 50 || fail "$what: localvault $v is still running"
    done
    if [ "$signal" = KILL ]; then
      # Nothing can clean up after SIGKILL; the next launcher removes the dead owner's folder.
      "$kvharness" run --mode record --localvault "$localvault" scenarios/quick.json \
        >"out.next.$moment" 2>&1 || fail "$what: the next run failed: $(cat "out.next.$moment")"
    fi
    [ -z "$(folders)" ] || fail "$what: left $(folders)"
    [ -z "$(temporaries)" ] || fail "$what: left $(temporaries)"
    rm -f recordings/*.json
  done
done

# A writer killed between creating its temporary and renaming it leaves <name>.tmp.<pid>.<n>;
# `check` flags it and the next write of that fixture removes it (its writer is dead).
"$kvharness" run --mode record --localvault "$localvault" scenarios/quick.json >out.write 2>&1 ||
  fail "recording quick.json failed: $(cat out.write)"
sleep 60 &
dead=$!
kill -KILL "$dead"
wait "$dead" 2>/dev/null
echo '{"Entries": [' >"recordings/quick.json.tmp.$dead.0"
"$kvharness" check scenarios/quick.json >out.check 2>&1
status=$?
[ "$status" -eq 1 ] || fail "check with a temporary fixture: exit status $status, expected 1"
grep -q "quick.json.tmp.$dead.0" out.check || fail "check does not name the temporary: $(cat out.check)"
"$kvharness" run --mode record --localvault "$localvault" scenarios/quick.json >out.write 2>&1 ||
  fail "re-recording quick.json failed: $(cat out.write)"
[ -z "$(temporaries)" ] || fail "the next write left $(temporaries)"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all kills cleaned up"
