#!/usr/bin/env bash
# Regenerate the checked-in seed corpora with `heapev gen`: corpus/payload/ and
# corpus/record/ (<XXH128>.bin files + manifest.jsonl), and corpus/etl/ (small
# .etl traces, <XXH128>.etl, + manifest.jsonl: each trace's compact manifest
# (header, entries, summary), in the order below, with "file" naming the trace).
#
#   scripts/regen-corpus.sh [HEAPEV]          rewrite corpus/payload, record, etl
#   scripts/regen-corpus.sh --check [HEAPEV]  regenerate into a temp dir and fail
#                                             (exit 1) if it differs from corpus/
#
# HEAPEV defaults to build/heapev. The lists below are the only place the
# corpus is defined; the meson test test-gen-corpus runs --check. Naming the
# traces needs xxh128sum (Debian package xxhash).
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
command -v xxh128sum >/dev/null || { echo "regen-corpus: xxh128sum not found (apt-get install xxhash)" >&2; exit 2; }

# corpus/etl: one trace per line, "SEED OPTIONS" after the common options
# --buffer-size 1024 --count 8 --noise 0.25 (so 64-bit, win10 style, 20 % WOW64,
# no malformed event unless a line says so).
etl_traces=(
  "1"                            # clean (no malformation), 64-bit
  "2 --bits 32"                  # clean, 32-bit
  "3 --compress"                 # clean, compressed as pktmon writes them
  "4 --compress --bits 32"
  "5 --style win7"               # clean, Windows 7 style header buffer
  "6 --wow64 0.9"                # clean, mostly WOW64 (32-bit) processes
  "7 --count 0"                  # the header buffer only
  "8 --malformed 0.5 --count 24" # event classes in the records
  # one trace per container class (plain where the class applies to plain traces)
  "101 --class etl_buffer0_size_zero"
  "102 --class etl_buffer0_size_unaligned"
  "103 --class etl_buffer0_size_beyond_file"
  "104 --class etl_buffer_size_unrecoverable"
  "105 --class etl_logfile_buffer_size_mismatch"
  "106 --class etl_no_logfile_header"
  "107 --class etl_logfile_names_unterminated"
  "108 --class etl_pointer_size_invalid"
  "109 --class etl_pointer_size_mismatch"
  "110 --class etl_buffers_written_mismatch"
  "111 --class etl_log_unfinished"
  "112 --class etl_logfile_unchecked_fields"
  "113 --class etl_buffer_size_zero"
  "114 --class etl_buffer_size_unaligned"
  "115 --class etl_buffer_size_beyond_file"
  "116 --class etl_saved_offset_below_header"
  "117 --class etl_saved_offset_beyond_buffer"
  "118 --class etl_offset_mismatch"
  "119 --class etl_buffer_compressed"
  "120 --class etl_buffer_unchecked_fields"
  "121 --class etl_decompress_failed --compress"
  "122 --class etl_decompressed_size_mismatch --compress"
  "123 --class etl_record_size_zero"
  "124 --class etl_record_size_below_header"
  "125 --class etl_record_crossing_buffer"
  "126 --class etl_record_misaligned"
  "127 --class etl_filler_inside_records"
  "128 --class etl_marker_unsupported"
  "129 --class etl_garbage_record"
  "130 --class etl_truncated_file"
  "131 --class etl_truncated_buffer_header"
  "132 --class etl_buffer_beyond_file --compress"
)

# DIR FORMAT SEED: 300 events, 85 % malformed, 32- and 64-bit producers.
gen() {
  "${wrapper[@]}" "$heapev" gen --seed "$3" --count 300 --bits mixed --format "$2" --malformed 0.85 \
    --out "$1" 2>/dev/null
}

# DIR: every trace of etl_traces into DIR/<XXH128>.etl and DIR/manifest.jsonl.
gen_etl() {
  local dir=$1 line seed opts name
  mkdir -p "$dir"
  : >"$dir/manifest.jsonl"
  for line in "${etl_traces[@]}"; do
    read -r seed opts <<<"$line"
    # shellcheck disable=SC2086
    "${wrapper[@]}" "$heapev" gen --format etl --seed "$seed" --buffer-size 1024 --count 8 \
      --noise 0.25 $opts --out "$dir/.trace" --manifest "$dir/.manifest" 2>"$dir/.log" ||
      { cat "$dir/.log" >&2; echo "regen-corpus: heapev gen --format etl --seed $line failed" >&2; return 1; }
    name=$(xxh128sum "$dir/.trace" | cut -d' ' -f1).etl
    [ ! -e "$dir/$name" ] || { echo "regen-corpus: etl seed $seed repeats $name" >&2; return 1; }
    mv "$dir/.trace" "$dir/$name"
    sed "s/^{/{\"file\":\"$name\",/" "$dir/.manifest" >>"$dir/manifest.jsonl"
  done
  rm -f "$dir/.manifest" "$dir/.log"
}

if [ $check = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  gen "$tmp/payload" payload 1
  gen "$tmp/record" record 2
  gen_etl "$tmp/etl"
  status=0
  for kind in payload record etl; do
    if ! diff -r "$root/corpus/$kind" "$tmp/$kind" >/dev/null; then
      echo "corpus/$kind differs from what $heapev generates: run scripts/regen-corpus.sh" >&2
      diff -rq "$root/corpus/$kind" "$tmp/$kind" | head -5 >&2 || true
      status=1
    fi
  done
  [ $status = 0 ] && echo "corpus/payload, corpus/record and corpus/etl are up to date"
  exit $status
fi

rm -rf "$root/corpus/payload" "$root/corpus/record" "$root/corpus/etl"
gen "$root/corpus/payload" payload 1
gen "$root/corpus/record" record 2
gen_etl "$root/corpus/etl"
for kind in payload record etl; do
  echo "corpus/$kind: $(ls "$root/corpus/$kind" | wc -l) files (manifest included)"
done
