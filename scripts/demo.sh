#!/usr/bin/env bash
# The main job on defaults: build heapev, then decode a hand-made sample.
# (Extended by the generator and fuzz work to: generate a corpus, fuzz the decoder.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null
sample=$(mktemp)
trap 'rm -f "$sample"' EXIT
# A 64-bit payload: HeapHandle 0x1d2a0e50000, Size 40, Address 0x1d2a0e51230, Source 6 (reserved).
printf '\x00\x00\xe5\xa0\xd2\x01\x00\x00\x28\x00\x00\x00\x00\x00\x00\x00\x30\x12\xe5\xa0\xd2\x01\x00\x00\x06\x00\x00\x00' >"$sample"
build/heapev decode --json "$sample" || [ $? -eq 1 ]
