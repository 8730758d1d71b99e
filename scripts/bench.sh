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
