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

# 2. Decode every file as its manifest says and compare with expected_findings.
python3 - "$corpus" "$PWD/build/heapev" <<'PY'
import json, subprocess, sys
corpus, heapev = sys.argv[1], sys.argv[2]
for kind in ("payload", "record"):
    lines = [json.loads(l) for l in open(f"{corpus}/{kind}/manifest.jsonl")]
    groups = {}
    for m in lines:
        groups.setdefault(m["decode_bits"], []).append(m)
    agree = 0
    for bits, ms in groups.items():
        args = [heapev, "decode", "--json", "--" + kind] + (["--bits", str(bits)] if bits else [])
        out = subprocess.run(args + [f"{corpus}/{kind}/{m['file']}" for m in ms],
                             capture_output=True, text=True).stdout.splitlines()
        for m, line in zip(ms, out, strict=True):
            got = json.loads(line)["findings"]
            if got != m["expected_findings"]:
                sys.exit(f"{kind} {m['file']}: decoder {got} != expected {m['expected_findings']}")
            agree += 1
    classes = {c for m in lines for c in m["class"]}
    print(f"{kind}: {len(lines)} events, {len(classes)} classes, decoder agrees on {agree}")
PY

# 3. A hand-made 64-bit payload: HeapHandle 0x1d2a0e50000, Size 40, Address 0x1d2a0e51230,
#    Source 6 (reserved).
sample=$(mktemp)
trap 'rm -f "$sample"' EXIT
printf '\x00\x00\xe5\xa0\xd2\x01\x00\x00\x28\x00\x00\x00\x00\x00\x00\x00\x30\x12\xe5\xa0\xd2\x01\x00\x00\x06\x00\x00\x00' >"$sample"
build/heapev decode --json "$sample" || [ $? -eq 1 ]

# 4. Fuzz the decoder briefly: every structure-aware target, seeded from corpus/ and fresh
#    'heapev gen' output; a crash would be minimized, decoded, and fail this script.
bash fuzz/run-ci --structured --seconds "${DEMO_FUZZ_SECONDS:-10}" --out build/demo-fuzz
