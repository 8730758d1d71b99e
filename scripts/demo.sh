#!/usr/bin/env bash
# The main job on defaults: build heapev, generate a labelled corpus, decode it
# and check that the decoder agrees with every label, decode a hand-made sample,
# then fuzz the decoder briefly (structure-aware targets, DEMO_FUZZ_SECONDS each).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null

# 1. Generate: 2000 payloads and 2000 records, half of them malformed, XXH128-named + manifest.
corpus=build/demo-corpus
rm -rf "$corpus"
mkdir -p "$corpus"
build/heapev gen --seed 7 --count 2000 --malformed 0.5 --format payload --out "$corpus/payload"
build/heapev gen --seed 7 --count 2000 --malformed 0.5 --format record --out "$corpus/record"

# 2. Decode every file as its manifest says and compare with expected_findings: `heapev stats`
#    does both; its JSON "manifest" object counts the files that agree and those that differ.
for kind in payload record; do
  build/heapev stats --json "$corpus/$kind" >"$corpus/$kind-stats.json" || [ $? -eq 1 ]
  python3 -c 'import json, sys
kind, path = sys.argv[1:]
s = json.load(open(path)); m = s["manifest"]
print("%s: %d events in %d files, %d classes; decoder agrees on %d, differs on %d" % (
      kind, m["lines"], s["files"], len(m["by_class"]), m["expected_agree"], m["expected_differ"]))
sys.exit(m["expected_differ"] != 0 or m["expected_agree"] != s["files"])' "$kind" "$corpus/$kind-stats.json"
done

# 3. A hand-made 64-bit payload: HeapHandle 0x1d2a0e50000, Size 40, Address 0x1d2a0e51230,
#    Source 6 (reserved).
sample=$(mktemp)
trap 'rm -f "$sample"' EXIT
printf '\x00\x00\xe5\xa0\xd2\x01\x00\x00\x28\x00\x00\x00\x00\x00\x00\x00\x30\x12\xe5\xa0\xd2\x01\x00\x00\x06\x00\x00\x00' >"$sample"
build/heapev decode --json "$sample" || [ $? -eq 1 ]

# 4. Fuzz the decoder briefly: every structure-aware target, seeded from corpus/ and fresh
#    'heapev gen' output; a crash would be minimized, decoded, and fail this script.
bash fuzz/run-ci --structured --seconds "${DEMO_FUZZ_SECONDS:-10}" --out build/demo-fuzz
