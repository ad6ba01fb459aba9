#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 in build-fuzz/ and runs each for a bounded
# time on a scratch copy of its committed seed corpus (fuzz/corpus/<target>/ is not modified).
# Fails on any crash, sanitizer report, leak or timeout; the input is kept in
# build-fuzz/fuzz-crashes/<target>/ with the command that reproduces it.
# Usage: scripts/fuzz.sh [--seconds N] [TARGET...]   (default: 30 s each, every target)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || {
        echo "fuzz.sh: --seconds needs a positive whole number" >&2
        exit 2
      }
      seconds="$2"
      shift 2
      ;;
    --help | -h)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "fuzz.sh: unknown option $1" >&2
      exit 2
      ;;
    *)
      targets+=("$1")
      shift
      ;;
  esac
done

compiler=clang++-14
if ! command -v "$compiler" >/dev/null 2>&1; then
  echo "fuzz.sh: $compiler is missing (Debian packages clang-14 and libclang-rt-14-dev)" >&2
  exit 2
fi

build_dir=build-fuzz
flags=(-DKV_BUILD_FUZZERS=ON -DKV_BUILD_TESTS=OFF -DKV_BUILD_BENCH=OFF -DKV_WARNINGS_AS_ERRORS=OFF)
command -v ninja >/dev/null 2>&1 && flags+=(-G Ninja)
command -v ccache >/dev/null 2>&1 && flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CXX="$compiler" cmake -S . -B "$build_dir" "${flags[@]}" >/dev/null

manifest="$build_dir/fuzz/fuzzers.txt"
declare -A binary corpus
known=()
while IFS=$'\t' read -r name exe seeds; do
  [ -n "$name" ] || continue
  binary[$name]="$exe"
  corpus[$name]="$seeds"
  known+=("$name")
done <"$manifest"
[ ${#targets[@]} -gt 0 ] || targets=("${known[@]}")
for t in "${targets[@]}"; do
  if [ -z "${binary[$t]:-}" ]; then
    echo "fuzz.sh: unknown target '$t'; the targets are: ${known[*]}" >&2
    exit 2
  fi
done

# Only the fuzz targets and the libraries they link are built.
cmake --build "$build_dir" -j 2 --target "${targets[@]}"

runs="$build_dir/fuzz-runs"
crashes="$build_dir/fuzz-crashes"
failed=0
printf '\n%-32s %12s %8s %8s  %s\n' target executions corpus cpu-s result
for t in "${targets[@]}"; do
  work="$runs/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$crashes/$t"
  cp -R "${corpus[$t]}/." "$work/corpus/"
  log="$work/log.txt"
  start_cpu="$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)"
  set +e
  # -timeout: one input taking this long is a finding; leaks are reported by ASan at exit.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "${binary[$t]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/$t/" "$work/corpus" >"$log" 2>&1
  status=$?
  set -e
  end_cpu="$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)"
  cpu="$(awk -v a="$start_cpu" -v b="$end_cpu" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", (b - a) / hz }')"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
  size="$(find "$work/corpus" -type f | wc -l)"
  artifact="$(grep -o "Test unit written to [^ ]*" "$log" | tail -n1 | sed 's/Test unit written to //' || true)"
  if [ "$status" -eq 0 ]; then
    result=ok
  else
    failed=1
    kind=crash
    grep -q "ERROR: LeakSanitizer" "$log" && kind=leak
    grep -q "ERROR: libFuzzer: timeout" "$log" && kind=timeout
    grep -q "ERROR: libFuzzer: out-of-memory" "$log" && kind=out-of-memory
    result="FAILED ($kind, exit $status): ${artifact:-see $log}"
  fi
  printf '%-32s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "$size" "$cpu" "$result"
  if [ "$status" -ne 0 ]; then
    echo "  log: $log"
    [ -n "$artifact" ] && echo "  reproduce: ${binary[$t]} $artifact"
  fi
done
exit "$failed"
