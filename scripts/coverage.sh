#!/usr/bin/env bash
# Build heapev with clang source-based coverage, run the whole meson test suite
# (which also replays corpus/ through the fuzz targets' regression driver), and
# print line and branch coverage of the decoding code with llvm-cov.
# Usage: scripts/coverage.sh [--html DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
html=""
if [ "${1:-}" = "--html" ]; then html=${2:?--html needs a directory}; fi
dir=build-coverage
llvm_bin=$(ls -d /usr/lib/llvm-*/bin 2>/dev/null | sort -V | tail -n 1)
profdata=${LLVM_PROFDATA:-$llvm_bin/llvm-profdata}
cov=${LLVM_COV:-$llvm_bin/llvm-cov}
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" --buildtype=debug \
    -Dc_args='-fprofile-instr-generate -fcoverage-mapping' \
    -Dc_link_args='-fprofile-instr-generate' >/dev/null
fi
meson compile -C "$dir" >/dev/null
rm -rf "$dir/profiles" && mkdir -p "$dir/profiles"
LLVM_PROFILE_FILE="$PWD/$dir/profiles/%p-%m.profraw" meson test -C "$dir" --num-processes "$(nproc)" >/dev/null \
  || { echo "coverage: tests failed (see $dir/meson-logs/testlog.txt)" >&2; exit 1; }
"$profdata" merge -sparse "$dir"/profiles/*.profraw -o "$dir/heapev.profdata"
# Every binary that links the library contributes (the tests, the CLI, the fuzz
# targets of fuzz/targets); llvm-cov takes them as -object.
objects=()
while IFS= read -r exe; do objects+=(-object "$exe"); done < <(
  find "$dir" -type f -perm -u+x \( -name 'test-*' -o -name heapev \) ! -name '*.so*' | sort
  python3 fuzz/targets.py names --role fuzz --build "$dir" | sed "s|^|$dir/fuzz/|")
first=${objects[1]}
# The decoding code: the library in src/ (not the CLI, tests, fuzz, gen, bench).
decoding=(-ignore-filename-regex='(^|/)(tests|fuzz|gen|bench|include|cli)/')
"$cov" report "$first" "${objects[@]:2}" -instr-profile="$dir/heapev.profdata" "${decoding[@]}"
if [ -n "$html" ]; then
  "$cov" show "$first" "${objects[@]:2}" -instr-profile="$dir/heapev.profdata" -format=html \
    -output-dir="$html" -show-branches=count "${decoding[@]}"
  echo "coverage: HTML report in $html/index.html"
fi
