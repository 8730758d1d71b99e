#!/usr/bin/env bash
# byod-demo.sh - shows that fuzz/run-ci finds the bug in buggy_decoder.c (a
# record decoder) or, with "etl", in buggy_etl_reader.c (a whole-trace reader)
# within a short budget: run-ci must exit non-zero and leave a minimized
# reproducer. Exit 0 when that happens, 1 otherwise.
#   fuzz/examples/byod-demo.sh [SECONDS] [record|etl]   (default 30 per target, record)
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
kind=${2:-record}
file=fuzz/examples/buggy_decoder.c
[ "$kind" = etl ] && file=fuzz/examples/buggy_etl_reader.c
out=fuzz/out/byod-demo-$kind
rm -rf "$out/artifacts"
start=$(date +%s)
fuzz/run-ci --byod "$file" --kind "$kind" --seconds "$seconds" --out "$out"
rc=$?
elapsed=$(( $(date +%s) - start ))
repro=$(find "$out/artifacts" -name 'minimized-*' -type f 2>/dev/null | head -1)
if [ "$rc" -ne 0 ] && [ -n "$repro" ]; then
  echo "byod-demo: OK: run-ci exited $rc after ${elapsed}s with a minimized reproducer: $repro"
  exit 0
fi
echo "byod-demo: FAILED: run-ci exited $rc after ${elapsed}s; reproducer: ${repro:-none}"
exit 1
