#!/usr/bin/env bash
# Run every benchmark in a release build and print each table (figures + ratios
# to baselines measured in the same run). Usage: scripts/bench.sh [MiB per case]
# Environment: BENCH_BUILD_DIR (default build-bench) and BENCH_FUZZ_BUILD_DIR
# (default build-bench-fuzz) name the build trees, e.g. when another run uses
# them; BENCH_ONLY="decode gen etl fuzz" (any subset) runs only those sections.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_BUILD_DIR:-build-bench}
only=" ${BENCH_ONLY:-decode gen etl fuzz} "
want() { [[ "$only" == *" $1 "* ]]; }
if want decode || want gen || want etl; then
  [ -f "$dir/build.ninja" ] || meson setup "$dir" --buildtype=release -Db_lto=true -Dtests=false >/dev/null
  meson compile -C "$dir" >/dev/null
fi
if want decode; then
  echo "## Payload and record decode"
  "$dir/bench/bench-decode" "${1:-1024}"
  echo
fi
if want gen; then
  echo "## Generator"
  "$dir/bench/bench-gen" 20
  echo
fi
if want etl; then
  # an uncompressed trace of MiB and a compressed one of MiB once decompressed,
  # both written into $dir and deleted afterwards (BENCH_ETL_KEEP=1 keeps them)
  echo "## ETL reader"
  "$dir/bench/bench-etl" "$dir/heapev" "${1:-1024}" "$dir"
  echo
fi
want fuzz || exit 0
echo "## Fuzz harnesses (ASan+UBSan+libFuzzer, same flags for every target)"
fdir=${BENCH_FUZZ_BUILD_DIR:-build-bench-fuzz}
if [ ! -f "$fdir/build.ninja" ]; then
  CC=clang meson setup "$fdir" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dtests=false >/dev/null
fi
meson compile -C "$fdir" fuzzers >/dev/null
echo "### exec/s vs the empty target (${FUZZ_SPEED_SECONDS:=10} s each, seeded from corpus/)"
python3 fuzz/measure.py speed "$fdir" "$FUZZ_SPEED_SECONDS"
echo
echo "### plain vs structure-aware: time to full edge coverage from an empty corpus, no dictionary"
NO_DICT=1 python3 fuzz/measure.py coverage "$fdir" "${FUZZ_COVERAGE_RUNS:-3}" "${FUZZ_COVERAGE_LIMIT:-30}"
