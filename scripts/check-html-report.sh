#!/bin/sh
# check-html-report.sh - render `heapev stats --html` in headless Chromium.
#
# Generates a corpus (default 100000 events with `heapev gen`, or hand-made
# payload files when gen is absent) and a compressed .etl trace, writes the HTML
# report of each, checks that they are self-contained (no script, no external
# resource), and screenshots them at 1400 and 500 px wide. Look at the
# screenshots: the origin (inputs, command, version, date), the size histogram
# with round gridlines, the findings bar chart, the Source donut, the ETL
# container section, and nothing cut off or spilling sideways at 500 px.
#
# usage: scripts/check-html-report.sh [BUILD_DIR] [EVENTS]
#   BUILD_DIR  meson build directory holding heapev (default: build)
#   EVENTS     corpus size (default: 100000)
# Output: $OUT (default /tmp/heapev-report-check)/report.html, etl.html and
#         their screenshots report-1400.png, report-500.png, etl-1400.png, etl-500.png
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
reports=report
if "$heapev" gen --format etl --compress --seed 3 --count 5000 --noise 0.3 --malformed 0.2 \
     --class etl_log_unfinished --out "$out/trace.etl" >/dev/null 2>&1; then
    "$heapev" stats --etl --html "$out/etl.html" "$out/trace.etl" >/dev/null || [ $? -eq 1 ]
    reports="report etl"
fi

for r in $reports; do
    if grep -Eiq '<script|<link|src=|https?://|@import|url\(' "$out/$r.html"; then
        echo "check-html-report: FAIL: $r.html references scripts or external resources" >&2
        exit 1
    fi
    for want in '<svg' 'Size distribution' 'Findings' 'Source mix' 'made by'; do
        grep -q "$want" "$out/$r.html" ||
            { echo "check-html-report: FAIL: '$want' missing from $r.html" >&2; exit 1; }
    done
done

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for r in $reports; do
    for width in 1400 500; do
        png="$out/$r-$width.png"
        timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --hide-scrollbars --user-data-dir="$profile" --screenshot="$png" \
            --window-size="$width,3000" "file://$(cd "$out" && pwd)/$r.html" >/dev/null 2>&1 || true
        size=$(stat -c %s "$png" 2>/dev/null || echo 0)
        if [ "$size" -lt 20000 ]; then
            echo "check-html-report: FAIL: no screenshot or a blank one: $png ($size bytes)" >&2
            exit 1
        fi
        echo "check-html-report: $png ($size bytes)"
    done
done
echo "check-html-report: OK: look at the screenshots in $out"
