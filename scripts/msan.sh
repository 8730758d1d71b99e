#!/usr/bin/env bash
# Build every fuzz target of fuzz/targets with MemorySanitizer (clang
# -fsanitize=fuzzer,memory), replay corpus/ and fuzz/regressions/ through each,
# then fuzz each for a few seconds. The targets link only the decoder library,
# the ETL reader and the generator library (no libc-external dependency: jansson
# and xxHash are used by the CLI, which is not built here), so every byte they
# touch is instrumented.
#
#   scripts/msan.sh [SECONDS]   fuzzing time per target after the replay (default 30)
#
# Exit 0 when no target reported anything, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
case "$seconds" in ''|*[!0-9]*) echo "msan.sh: SECONDS must be a number" >&2; exit 2 ;; esac
dir=build-msan
logs=fuzz/out/msan && mkdir -p "$logs"
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Dfuzzing=true -Db_sanitize=memory -Db_lundef=false -Dtests=false \
    --buildtype=debugoptimized -Dc_args='-fsanitize-memory-track-origins=2' >"$logs/setup.log" 2>&1 \
    || { cat "$logs/setup.log" >&2; exit 2; }
fi
meson compile -C "$dir" fuzzers >"$logs/build.log" 2>&1 || { tail -30 "$logs/build.log" >&2; exit 2; }

status=0
printf '%-28s %-8s %12s %8s  %s\n' target replay runs cov result
for t in $(python3 fuzz/targets.py names --role fuzz --build "$dir"); do
  bin="$dir/fuzz/$t" log="$dir/$t.log"
  replay=ok
  "$bin" -runs=0 corpus fuzz/regressions >"$log.replay" 2>&1 || { replay=FAIL; status=1; }
  mkdir -p "$dir/work/$t" "$dir/artifacts/$t"
  "$bin" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 -dict=fuzz/heapev.dict \
    -artifact_prefix="$dir/artifacts/$t/" "$dir/work/$t" corpus >"$log" 2>&1
  rc=$?
  read -r runs _ cov < <(python3 fuzz/targets.py stats "$log")
  result=clean
  if [ "$rc" -ne 0 ] || [ "$replay" = FAIL ]; then
    result="FINDING (see $log, $log.replay)"
    status=1
    grep -E 'WARNING: MemorySanitizer|SUMMARY' "$log" "$log.replay" | head -3
  fi
  printf '%-28s %-8s %12s %8s  %s\n' "$t" "$replay" "$runs" "$cov" "$result"
done
exit $status
