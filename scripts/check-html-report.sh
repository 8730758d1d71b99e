#!/bin/sh
# check-html-report.sh - render `heapev stats --html` in headless Chromium.
#
# Generates a corpus (default 100000 events with `heapev gen`, or hand-made
# payload files when gen is absent), writes the HTML report, checks that it is
# self-contained (no script, no external resource), and screenshots it. Look at
# the screenshot: it must show the size histogram, the findings bar chart and
# the Source donut.
#
# usage: scripts/check-html-report.sh [BUILD_DIR] [EVENTS]
#   BUILD_DIR  meson build directory holding heapev (default: build)
#   EVENTS     corpus size (default: 100000)
# Output: $OUT (default /tmp/heapev-report-check)/report.html, report.png
# Exit: 0 rendered (or skipped: chromium absent), 1 failure.
set -eu

build=${1:-build}
events=${2:-100000}
heapev=$build/heapev
out=${OUT:-/tmp/heapev-report-check}

[ -x "$heapev" ] || { echo "check-html-report: $heapev not built" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "check-html-report: SKIP: chromium not installed (apt-get install -y chromium)"
    exit 0
fi

rm -rf "$out"
mkdir -p "$out/corpus"
if "$heapev" help gen >/dev/null 2>&1; then
    "$heapev" gen --seed 7 --count "$events" --malformed 0.3 --out "$out/corpus" 2>/dev/null
else
    # No generator: well-formed 64-bit payloads with varied sizes and Sources.
    python3 - "$out/corpus" "$events" <<'EOF'
import struct, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    size = (i * 2654435761) % (1 << (i % 24))
    with open("%s/%08d.bin" % (d, i), "wb") as f:
        f.write(struct.pack("<QQQI", 0x10000 * (1 + i % 7), size, 0x200000 + 16 * i, 1 + i % 7))
EOF
fi

start=$(date +%s)
"$heapev" stats --html "$out/report.html" "$out/corpus" > "$out/stats.txt" || [ $? -eq 1 ]
echo "check-html-report: stats over $events events took $(( $(date +%s) - start )) s"
head -n 2 "$out/stats.txt"

if grep -Eiq '<script|<link|src=|https?://|@import|url\(' "$out/report.html"; then
    echo "check-html-report: FAIL: report.html references scripts or external resources" >&2
    exit 1
fi
for want in '<svg' 'Size distribution' 'Findings' 'Source mix'; do
    grep -q "$want" "$out/report.html" ||
        { echo "check-html-report: FAIL: '$want' missing from report.html" >&2; exit 1; }
done

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$out/report.png" --window-size=1200,1600 \
    "file://$(cd "$out" && pwd)/report.html" >/dev/null 2>&1 || true
size=$(stat -c %s "$out/report.png" 2>/dev/null || echo 0)
if [ "$size" -lt 20000 ]; then
    echo "check-html-report: FAIL: no screenshot or a blank one ($size bytes)" >&2
    exit 1
fi
echo "check-html-report: OK: $out/report.png ($size bytes); look at it"
