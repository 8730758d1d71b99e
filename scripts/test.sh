#!/usr/bin/env bash
# Build heapev with gcc and with clang, both with ASan + UBSan and warnings as
# errors, and run the whole meson test suite in each. Prints meson's totals.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for compiler in gcc clang; do
  dir=build-test-$compiler
  if [ ! -f "$dir/build.ninja" ]; then
    CC=$compiler meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false \
      -Dwerror=true --buildtype=debugoptimized >/dev/null
  fi
  if ! meson compile -C "$dir" >"$dir/compile.log" 2>&1; then
    grep -E 'error|FAILED' "$dir/compile.log" >&2 || tail -20 "$dir/compile.log" >&2
    echo "test.sh: $compiler build failed (whole log: $dir/compile.log)" >&2
    status=1
    continue
  fi
  meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)" || status=1
done
python3 scripts/test-totals.py build-test-gcc build-test-clang
exit $status
