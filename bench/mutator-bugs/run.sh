#!/usr/bin/env bash
# bench/mutator-bugs/run.sh - time to first crash on decoders with planted
# bugs (bench/mutator-bugs/bug_*.c, BYOD .etl readers): plain libFuzzer with
# the checked-in corpus and dictionary against the structured target (the
# .etl mutator), and plain AFL++ against AFL++ with heapev's custom mutator
# library. Runs are interleaved (run 1 of every mode of every bug, then run
# 2...) so every mode sees the same machine load; one process at a time
# (libFuzzer in-process, one afl-fuzz).
#
#   bench/mutator-bugs/run.sh [--cap SECONDS] [--runs N] [--bugs a,b] [--modes LIST]
#                             [--out DIR] [--no-build]
#
# modes: lf-plain, lf-structured, afl-plain, afl-custom (default: all four;
# the AFL++ ones need afl-fuzz and afl-clang-fast, Debian package afl++).
# Results: OUT/results.tsv (bug mode run seconds found) and OUT/table.md
# (medians; '>CAP' for a run that found nothing within the cap).
set -uo pipefail
cd "$(dirname "$0")/../.."
cap=60 runs=3 bugs="" modes="lf-plain,lf-structured,afl-plain,afl-custom" out=bench/out/mutator-bugs build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --cap) cap=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --bugs) bugs=${2:?}; shift 2 ;;
    --modes) modes=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$bugs" ] || bugs=$(ls bench/mutator-bugs/bug_*.c | sed 's|.*/bug_||; s|\.c$||' | paste -sd, -)
IFS=, read -r -a bug_list <<<"$bugs"
IFS=, read -r -a mode_list <<<"$modes"
mkdir -p "$out/bin" "$out/logs" && out=$(cd "$out" && pwd)
want_afl=0
case ",$modes," in *,afl-*) want_afl=1 ;; esac

# ---- build: one BYOD build directory per engine, reconfigured per bug ----------------
build_bug() { # DIR BUG: byod_decode (+ _structured) of one bug into OUT/bin/BUG-ENGINE/
  meson configure "$1" -Dbyod="bench/mutator-bugs/bug_$2.c" -Dbyod_kind=etl >/dev/null &&
    ninja -C "$1" fuzz/byod_decode $( [ "$3" = lf ] && echo fuzz/byod_decode_structured ) \
      >>"$out/logs/build.log" 2>&1 || { echo "run.sh: build of $2 ($3) failed" >&2; exit 2; }
  mkdir -p "$out/bin/$2-$3"
  cp "$1/fuzz/byod_decode" "$out/bin/$2-$3/"
  [ "$3" = lf ] && cp "$1/fuzz/byod_decode_structured" "$out/bin/$2-$3/"
  return 0
}
if [ "$build" = 1 ]; then
  first="bench/mutator-bugs/bug_${bug_list[0]}.c"
  [ -f build-mutator-bugs-lf/build.ninja ] || CC=clang meson setup build-mutator-bugs-lf \
    -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dtests=false \
    --buildtype=debugoptimized -Dbyod="$first" -Dbyod_kind=etl >"$out/logs/setup.log" 2>&1 ||
    { cat "$out/logs/setup.log"; exit 2; }
  for b in "${bug_list[@]}"; do build_bug build-mutator-bugs-lf "$b" lf; done
  if [ "$want_afl" = 1 ]; then
    [ -f build-mutator-bugs-afl/build.ninja ] || CC=afl-clang-fast CXX=afl-clang-fast++ \
      meson setup build-mutator-bugs-afl -Dfuzzing=true -Dfuzz_engine=-fsanitize=fuzzer \
      -Db_sanitize=address,undefined -Db_lundef=false -Dtests=false --buildtype=debugoptimized \
      -Dbyod="$first" -Dbyod_kind=etl >>"$out/logs/setup.log" 2>&1 || { cat "$out/logs/setup.log"; exit 2; }
    for b in "${bug_list[@]}"; do build_bug build-mutator-bugs-afl "$b" afl; done
    # the custom mutator library: no sanitizer, no instrumentation (afl-fuzz loads it)
    [ -f build-mutator-bugs-lib/build.ninja ] || meson setup build-mutator-bugs-lib -Dtests=false \
      --buildtype=release >>"$out/logs/setup.log" 2>&1 || { cat "$out/logs/setup.log"; exit 2; }
    ninja -C build-mutator-bugs-lib fuzz/libheapev-afl-etl.so >>"$out/logs/build.log" 2>&1 || exit 2
    cp build-mutator-bugs-lib/fuzz/libheapev-afl-etl.so "$out/bin/"
  fi
fi

# ---- seeds: the checked-in traces (no manifest), the same for every mode --------------
seeds="$out/seeds"
rm -rf "$seeds" && mkdir -p "$seeds" && cp corpus/etl/*.etl "$seeds/"

now() { date +%s.%N; }

run_lf() { # BUG VARIANT RUN -> seconds or '-'
  local bin="$out/bin/$1-lf/byod_decode$2" work="$out/work/$1$2-$3"
  rm -rf "$work" && mkdir -p "$work/corpus"
  local t0; t0=$(now)
  "$bin" -seed="$3" -max_total_time="$cap" -timeout=25 -rss_limit_mb=2560 -max_len=16384 \
    -dict=fuzz/heapev.dict -artifact_prefix="$work/" "$work/corpus" "$seeds" \
    >"$out/logs/$1$2-$3.log" 2>&1
  local t1; t1=$(now)
  if ls "$work"/crash-* >/dev/null 2>&1; then
    echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}'
  else
    echo -
  fi
}

run_afl() { # BUG VARIANT(plain|custom) RUN -> seconds or '-'
  local bin="$out/bin/$1-afl/byod_decode" work="$out/work/$1-afl-$2-$3"
  rm -rf "$work" && mkdir -p "$work"
  local lib=()
  [ "$2" = custom ] && lib=(env AFL_CUSTOM_MUTATOR_LIBRARY="$out/bin/libheapev-afl-etl.so")
  local t0; t0=$(now)
  "${lib[@]}" env AFL_BENCH_UNTIL_CRASH=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CRASHES=1 \
    timeout $((cap + 30)) afl-fuzz -i "$seeds" -o "$work/out" -x fuzz/heapev.dict -s "$3" \
    -V "$cap" -- "$bin" >"$out/logs/$1-afl-$2-$3.log" 2>&1
  local t1; t1=$(now)
  if ls "$work"/out/default/crashes/id* >/dev/null 2>&1; then
    echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}'
  else
    echo -
  fi
}

results="$out/results.tsv"
[ -f "$results" ] || printf 'bug\tmode\trun\tseconds\n' >"$results"
for run in $(seq 1 "$runs"); do
  for b in "${bug_list[@]}"; do
    for m in "${mode_list[@]}"; do
      case "$m" in
        lf-plain) s=$(run_lf "$b" "" "$run") ;;
        lf-structured) s=$(run_lf "$b" _structured "$run") ;;
        afl-plain) s=$(run_afl "$b" plain "$run") ;;
        afl-custom) s=$(run_afl "$b" custom "$run") ;;
        *) echo "run.sh: unknown mode $m" >&2; exit 2 ;;
      esac
      printf '%s\t%s\t%s\t%s\n' "$b" "$m" "$run" "$s" | tee -a "$results"
    done
  done
done
python3 bench/mutator-bugs/table.py "$results" "$cap" | tee "$out/table.md"
