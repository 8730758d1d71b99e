#!/usr/bin/env bash
# Regenerate the checked-in seed corpora corpus/payload/ and corpus/record/
# with `heapev gen` (each directory: <XXH128>.bin files + manifest.jsonl).
#
#   scripts/regen-corpus.sh [HEAPEV]          rewrite corpus/payload, corpus/record
#   scripts/regen-corpus.sh --check [HEAPEV]  regenerate into a temp dir and fail
#                                             (exit 1) if it differs from corpus/
#
# HEAPEV defaults to build/heapev. The arguments below are the only place the
# corpus is defined; the meson test test-gen-corpus runs --check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
heapev=${1:-$root/build/heapev}
# A cross-built heapev (docs/CROSS.md) runs through the exe wrapper, as in
# tests/exec_heapev.h: HEAPEV_EXEC_WRAPPER, else MESON_EXE_WRAPPER (shell words).
eval "wrapper=(${HEAPEV_EXEC_WRAPPER:-${MESON_EXE_WRAPPER:-}})"

# DIR FORMAT SEED: 300 events, 85 % malformed, 32- and 64-bit producers.
gen() {
  "${wrapper[@]}" "$heapev" gen --seed "$3" --count 300 --bits mixed --format "$2" --malformed 0.85 \
    --out "$1" 2>/dev/null
}

if [ $check = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  gen "$tmp/payload" payload 1
  gen "$tmp/record" record 2
  status=0
  for kind in payload record; do
    if ! diff -r "$root/corpus/$kind" "$tmp/$kind" >/dev/null; then
      echo "corpus/$kind differs from what $heapev generates: run scripts/regen-corpus.sh" >&2
      diff -rq "$root/corpus/$kind" "$tmp/$kind" | head -5 >&2 || true
      status=1
    fi
  done
  [ $status = 0 ] && echo "corpus/payload and corpus/record are up to date"
  exit $status
fi

rm -rf "$root/corpus/payload" "$root/corpus/record"
gen "$root/corpus/payload" payload 1
gen "$root/corpus/record" record 2
echo "corpus/payload: $(ls "$root/corpus/payload" | wc -l) files, corpus/record: $(ls "$root/corpus/record" | wc -l) files (manifests included)"
