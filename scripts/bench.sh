#!/usr/bin/env bash
# Run every benchmark in a release build and print each table (figures + ratios
# to baselines measured in the same run). Usage: scripts/bench.sh [MiB per case]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-bench
[ -f "$dir/build.ninja" ] || meson setup "$dir" --buildtype=release -Db_lto=true -Dtests=false >/dev/null
meson compile -C "$dir" >/dev/null
echo "## Payload and record decode"
"$dir/bench/bench-decode" "${1:-1024}"
echo
echo "## Generator"
"$dir/bench/bench-gen" 20
echo
echo "## ETL reader"
"$dir/bench/bench-etl" "$dir/heapev" "${1:-1024}" "$dir"
echo
echo "## Fuzz harnesses (ASan+UBSan+libFuzzer, same flags for every target)"
fdir=build-bench-fuzz
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
