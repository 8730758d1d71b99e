#!/usr/bin/env bash
# Cross-build heapev (library, CLI, tests) for a big-endian host (s390x) and a
# 32-bit host (i386), run `meson test` there under qemu-user, and check that
# what heapev writes is byte-identical to the x86-64 build's output:
# `heapev decode` of corpus/etl, and `heapev gen` with
# fixed seeds (files, manifest, --stream, .etl traces) and the decode of what
# it generated. The cli suite's tests start the cross-built heapev through
# qemu themselves (tests/exec_heapev.h). docs/CROSS.md describes it and its results.
#
#   scripts/cross-test.sh [s390x|i386|all]      (default: all)
#
# Installs what is missing with apt-get when run as root (foreign dpkg
# architecture, cross gcc, qemu-user, the target's -dev libraries). When that
# is impossible (not root, no network) it prints "skipped" and exits 0. Any
# real failure - build, test, hash mismatch - exits 1.
#
# Environment: CROSS_NO_INSTALL=1 never runs apt-get (skips when tools are
# missing). Build dirs: build-cross-<target> and build-cross-native (x86-64).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
start=$SECONDS

case "${1:-all}" in
  all) targets=(s390x i386) ;;
  s390x|i386) targets=("$1") ;;
  -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: scripts/cross-test.sh [s390x|i386|all]" >&2; exit 2 ;;
esac

log() { printf 'cross-test: %s\n' "$*"; }

# ---- per-target facts ------------------------------------------------------
target_facts() {   # sets: arch triplet multiarch qemu loader cross_file
  case "$1" in
    s390x) arch=s390x triplet=s390x-linux-gnu multiarch=s390x-linux-gnu
           qemu=qemu-s390x loader=/lib/ld64.so.1 libc_cross=libc6-dev-s390x-cross ;;
    i386)  arch=i386 triplet=i686-linux-gnu multiarch=i386-linux-gnu
           qemu=qemu-i386 loader=/lib/ld-linux.so.2 libc_cross=libc6-dev-i386-cross ;;
  esac
  cross_file=cross/$triplet.ini
}

# What is missing for a target, as package names (empty: nothing).
missing_packages() {
  local m=()
  command -v "$triplet-gcc" >/dev/null || m+=("gcc-$triplet")
  [ -f "/usr/$triplet/lib/crti.o" ] || m+=("$libc_cross")
  command -v "$qemu" >/dev/null || m+=(qemu-user)
  [ -f "/usr/lib/$multiarch/pkgconfig/cmocka.pc" ] || m+=("libcmocka-dev:$arch")
  [ -f "/usr/lib/$multiarch/pkgconfig/jansson.pc" ] || m+=("libjansson-dev:$arch")
  [ -f "/usr/lib/$multiarch/pkgconfig/libxxhash.pc" ] || m+=("libxxhash-dev:$arch")
  [ -f "/usr/lib/$multiarch/pkgconfig/libfwnt.pc" ] || m+=("libfwnt-dev:$arch")
  [ -e "$loader" ] || m+=("libc6:$arch")
  echo "${m[*]}"
}

# apt-get, waiting for (and retrying on) a dpkg/apt lock held by someone else.
apt_retry() {
  local i out rc
  for i in 1 2 3 4 5 6 7 8 9 10; do
    out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@" 2>&1); rc=$?
    if [ $rc -ne 0 ] && grep -qE 'Could not get lock|Unable to lock|Unable to acquire' <<<"$out"; then
      log "apt lock busy, retrying in 15 s ($i/10)"; sleep 15; continue
    fi
    printf '%s\n' "$out" | tail -n 5
    return $rc
  done
  return 1
}

# Returns 0 when the target's tools are present (installing them if it can).
ensure_tools() {
  local need; need=$(missing_packages)
  [ -z "$need" ] && return 0
  if [ "${CROSS_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    skip_reason="missing: $need (not installing: CROSS_NO_INSTALL=1, not root or no apt-get)"
    return 1
  fi
  log "$1: installing $need"
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    dpkg --add-architecture "$arch" || { skip_reason="dpkg --add-architecture $arch failed"; return 1; }
  fi
  # An update that fails part-way (one mirror index out of sync) is not fatal:
  # what counts is whether the install below succeeds.
  apt_retry update -qq >/dev/null || log "$1: apt-get update reported errors (going on)"
  local pkgs; read -ra pkgs <<<"$need"
  if ! apt_retry install -y -qq --no-install-recommends "${pkgs[@]}"; then
    skip_reason="apt-get install $need failed (no network or package archive unreachable?)"
    return 1
  fi
  need=$(missing_packages)
  [ -z "$need" ] && return 0
  skip_reason="still missing after install: $need"
  return 1
}

# ---- builds ------------------------------------------------------------------
build() {   # build DIR [meson setup args...]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    mkdir -p "$dir"
    meson setup "$dir" "$@" >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log"; return 1; }
  fi
  meson compile -C "$dir" >"$dir/compile.log" 2>&1 || { tail -n 40 "$dir/compile.log"; return 1; }
}

# ---- hash comparison -----------------------------------------------------------
rows=()        # "target|check|files|native digest|cross digest|result"
mismatches=0

# "sha256  ./name" for every file under DIR, sorted bytewise: names (XXH128 for
# generated files) and contents in one listing.
listing() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }

# compare TARGET CHECK NATIVE_DIR CROSS_DIR [SIZE]: every file under the two
# dirs (outputs, stdout, exit status) must be the same. SIZE is what the table
# shows (default: number of files compared).
compare() {
  local t=$1 check=$2 a=$3 b=$4 la lb n da db res
  la=$(listing "$a"); lb=$(listing "$b")
  n=$(printf '%s' "$la" | grep -c . || true)
  da=$(printf '%s\n' "$la" | sha256sum | cut -c1-16)
  db=$(printf '%s\n' "$lb" | sha256sum | cut -c1-16)
  if [ "$la" = "$lb" ] && [ "$n" -gt 0 ]; then res=match; else
    res=MISMATCH; mismatches=$((mismatches + 1))
    log "$t: $check differs (native < > $t), first lines:"
    diff <(printf '%s\n' "$la") <(printf '%s\n' "$lb") | head -n 20
  fi
  rows+=("$t|$check|${5:-$n}|$da|$db|$res")
}

print_table() {
  printf '\n%-6s  %-44s %8s  %-16s  %-16s  %s\n' target check size "x86-64 sha256" "cross sha256" result
  local r IFS='|'
  for r in "${rows[@]}"; do
    # shellcheck disable=SC2086
    set -- $r
    printf '%-6s  %-44s %8s  %-16s  %-16s  %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
  done
  echo
}

# run_pair NAME CMD...: runs CMD (a heapev command line, "HEAPEV" standing for
# the binary) on x86-64 and on the target, each in its own work dir under the
# same relative paths; keeps stdout, stderr-free exit status, and written files.
# Sets pair_rc_native / pair_rc_cross.
run_pair() {
  local name=$1; shift
  local nd="$native_work/$name" cd_="$cross_work/$name" args=("$@")
  rm -rf "$nd" "$cd_"; mkdir -p "$nd" "$cd_"
  (cd "$nd" && "$native_bin" "${args[@]}" >stdout 2>"$native_work/$name.stderr"; echo $? >status)
  (cd "$cd_" && "$qemu" "$cross_bin" "${args[@]}" >stdout 2>"$cross_work/$name.stderr"; echo $? >status)
  pair_rc_native=$(cat "$nd/status"); pair_rc_cross=$(cat "$cd_/status")
}

# ---- gen configurations --------------------------------------------------------
# Fixed seeds and options; each line is one `heapev gen` run (with --out out,
# or --stream when the line says so). Kept small: the cross side runs in qemu.
gen_configs=(
  "payload-64-clean|--seed 1 --count 300 --bits 64 --format payload --malformed 0"
  "payload-32-malformed|--seed 2 --count 300 --bits 32 --format payload --malformed 1"
  "payload-mixed-half|--seed 7 --count 2000 --bits mixed --format payload --malformed 0.5"
  "record-mixed-half|--seed 42 --count 2000 --bits mixed --format record --malformed 0.5"
  "record-32-malformed|--seed 3 --count 300 --bits 32 --format record --malformed 1"
  "stream-record-mixed|--seed 9 --count 5000 --bits mixed --format record --malformed 0.3 --stream"
  "stream-payload-64|--seed 10 --count 5000 --bits 64 --format payload --malformed 0.3 --stream"
)
etl_configs=(
  "etl-32-half-noise|--seed 11 --count 2000 --bits 32 --format etl --malformed 0.5 --noise 0.3"
  "etl-64-clean|--seed 12 --count 2000 --bits 64 --format etl --malformed 0"
  "etl-64-compressed-wow64|--seed 13 --count 3000 --bits 64 --format etl --compress --wow64 0.5 --noise 0.2 --malformed 0.3"
  "etl-32-win7-compressed|--seed 14 --count 2000 --bits 32 --format etl --compress --style win7"
)

gen_checks() {   # gen_checks TARGET
  local t=$1 entry name opts decode_flag ok size
  local configs=("${gen_configs[@]}")
  # --format etl only when this tree's gen takes it.
  if (cd "$native_work" && rm -rf probe-etl && "$native_bin" gen --seed 1 --count 1 --format etl \
        --out probe-etl >/dev/null 2>&1); then
    configs+=("${etl_configs[@]}")
  else
    log "$t: heapev gen takes no --format etl here: .etl generation not compared"
  fi
  for entry in "${configs[@]}"; do
    name=${entry%%|*}; opts=${entry#*|}
    # shellcheck disable=SC2086
    if [[ $opts == *--stream* ]]; then
      run_pair "gen-$name" gen $opts
    else
      run_pair "gen-$name" gen $opts --out out
    fi
    if [ "$pair_rc_native" != 0 ] || [ "$pair_rc_cross" != 0 ]; then
      log "$t: heapev gen $opts: exit $pair_rc_native on x86-64, $pair_rc_cross on $t"
      sed 's/^/  x86-64: /' "$native_work/gen-$name.stderr" | head -n 5
      sed "s/^/  $t: /" "$cross_work/gen-$name.stderr" | head -n 5
      rows+=("$t|gen $name|-|-|-|FAILED"); mismatches=$((mismatches + 1)); continue
    fi
    if [[ $opts == *--stream* ]]; then
      size="$(wc -c <"$native_work/gen-$name/stdout")B"
    elif [ -f "$native_work/gen-$name/out" ]; then  # --format etl: one trace (+ its manifest)
      size="$(wc -c <"$native_work/gen-$name/out")B"
    else
      size="$(find "$native_work/gen-$name/out" -type f | grep -c .)f"
    fi
    compare "$t" "gen $name" "$native_work/gen-$name" "$cross_work/gen-$name" "$size"
    # Decode what x86-64 generated with both builds: same findings, same JSON.
    [[ $opts == *--stream* ]] && continue
    case "$opts" in
      *"--format record"*) decode_flag=--record ;;
      *"--format etl"*) decode_flag=--etl ;;
      *) decode_flag=--payload ;;
    esac
    local ddir="$native_work/gen-$name/out"
    if [ "$decode_flag" = --etl ]; then  # --out names the trace itself: decode it alone
      ddir="$native_work/gen-$name/etl"
      rm -rf "$ddir" && mkdir -p "$ddir" && cp "$native_work/gen-$name/out" "$ddir/trace.etl"
    fi
    ok=$(cd "$ddir" && find . -maxdepth 1 -type f ! -name 'manifest*' | grep -c .)
    [ "$ok" -gt 0 ] || continue
    decode_pair "$t" "decode $decode_flag gen $name" "$ddir" $decode_flag
  done
}

# decode_pair TARGET CHECK DIR FLAGS...: `heapev decode FLAGS --json` over every
# non-manifest file of DIR on both builds; stdout and exit status must agree.
decode_pair() {
  local t=$1 check=$2 dir=$3; shift 3
  local slug; slug=$(tr -c 'A-Za-z0-9\n' '-' <<<"$check")
  local nd="$native_work/$slug" cd_="$cross_work/$slug"
  rm -rf "$nd" "$cd_"; mkdir -p "$nd" "$cd_"
  local files=()
  mapfile -t files < <(cd "$dir" && find . -maxdepth 1 -type f ! -name 'manifest*' | LC_ALL=C sort)
  (cd "$dir" && "$native_bin" decode "$@" --json "${files[@]}" >"$nd/stdout" 2>"$nd/stderr"; echo $? >"$nd/status")
  (cd "$dir" && "$qemu" "$cross_bin" decode "$@" --json "${files[@]}" >"$cd_/stdout" 2>"$cd_/stderr"; echo $? >"$cd_/status")
  if [ "$(cat "$nd/status")" = 2 ]; then
    log "$t: $check: heapev decode failed on x86-64:"; head -n 5 "$nd/stderr"
    rows+=("$t|$check|-|-|-|FAILED"); mismatches=$((mismatches + 1)); return
  fi
  compare "$t" "$check" "$nd" "$cd_" "${#files[@]}f"
}

# ---- one target -------------------------------------------------------------------
results=()     # "target: verdict"
real_failure=0

run_target() {
  local t=$1; target_facts "$t"; skip_reason=
  local t0=$SECONDS
  log "== $t ($triplet, $cross_file)"
  if ! ensure_tools "$t"; then
    log "$t: skipped: $skip_reason"
    results+=("$t: skipped ($skip_reason)"); return 0
  fi
  local dir=build-cross-$t
  if ! build "$dir" --cross-file "$cross_file" -Dtests=true; then
    log "$t: cross build FAILED"; results+=("$t: FAILED (build)"); real_failure=1; return
  fi
  cross_bin=$root/$dir/heapev
  log "$t: $(file -b "$cross_bin" | cut -d, -f1-2)"

  # The cli suite's tests fork+exec the heapev binary. Inside qemu-user that
  # execve goes to the kernel, which runs a foreign binary only through a
  # registered binfmt_misc handler. Without one, the tests must prefix the
  # exe wrapper themselves (HEAPEV_EXEC_WRAPPER); otherwise the suite is left out
  # and the target fails: a test that stopped using the wrapper must not go unnoticed.
  # They do when every test starts heapev through tests/exec_heapev.h, directly
  # or through tests/cli_test.h or cli_json.h (no exec*() call of its own), and every script
  # run as a test reads the wrapper.
  local suites=() cli_note cli_left_out=0
  if "$cross_bin" --version >/dev/null 2>&1; then
    cli_note="cli suite run (binfmt_misc runs $t binaries directly)"
  else
    local lacking=() f s
    for f in tests/*.c; do
      if grep -qE '(^|[^_[:alnum:]])(execv|execvp|execve|execl|execlp|execle|posix_spawnp?)[[:space:]]*\(' "$f" ||
         { grep -q 'heapev_bin' "$f" && ! grep -qE '"(exec_heapev|cli_test|cli_json)\.h"' "$f"; }; then
        lacking+=("$f")
      fi
    done
    while IFS= read -r s; do
      [ -f "$s" ] && ! grep -q HEAPEV_EXEC_WRAPPER "$s" && lacking+=("$s")
    done < <(grep -oE "'scripts' / '[^']+'" tests/meson.build | sed -E "s|'scripts' / '([^']+)'|scripts/\1|")
    if [ ${#lacking[@]} -eq 0 ]; then
      export HEAPEV_EXEC_WRAPPER=$qemu
      cli_note="cli suite run (tests exec heapev through HEAPEV_EXEC_WRAPPER=$qemu)"
    else
      suites=(--no-suite cli --no-suite realetl) cli_left_out=1
      cli_note="cli suite NOT run: no binfmt_misc handler for $t here, and ${lacking[*]} cannot prefix an exe wrapper (HEAPEV_EXEC_WRAPPER; see docs/CROSS.md)"
    fi
  fi
  log "$t: $cli_note"

  local test_ok=1
  meson test -C "$dir" "${suites[@]}" --print-errorlogs --timeout-multiplier 5 \
    --num-processes "$(nproc)" >"$dir/test.out" 2>&1 || test_ok=0
  unset HEAPEV_EXEC_WRAPPER
  [ $test_ok = 1 ] || cat "$dir/test.out"
  [ $cli_left_out = 0 ] || test_ok=0
  local totals
  totals=$(python3 scripts/test-totals.py --detail "$dir")
  log "$t: meson test: $totals"

  # Hash comparisons against the x86-64 build.
  native_work=$root/build-cross-native/cross-out
  cross_work=$root/$dir/cross-out
  rm -rf "$native_work" "$cross_work"; mkdir -p "$native_work" "$cross_work"
  local before=$mismatches

  # 1. The readers: decode of the checked-in corpus/etl.
  if compgen -G "corpus/etl/*" >/dev/null; then
    decode_pair "$t" "decode --etl corpus/etl" "$root/corpus/etl" --etl
  fi
  # 2. The generator (the .etl writer and compressor included), when this tree has it.
  local gen_note
  if "$native_bin" help gen >/dev/null 2>&1; then
    gen_checks "$t"; gen_note="heapev gen compared"
  else
    gen_note="heapev gen not in this tree yet: generator output not compared"
    log "$t: $gen_note"
  fi
  local bad=$((mismatches - before))
  local verdict=passed
  if [ $test_ok = 0 ] || [ $bad -gt 0 ]; then verdict=FAILED; real_failure=1; fi
  results+=("$t: $verdict - meson test $totals; $cli_note; hash checks: $bad mismatch(es); $gen_note; $((SECONDS - t0)) s")
}

# ---- main ---------------------------------------------------------------------
# The x86-64 reference build (plain gcc, same buildtype as the cross builds).
native_bin=$root/build-cross-native/heapev
if ! build build-cross-native; then
  log "x86-64 reference build FAILED"; exit 1
fi
for t in "${targets[@]}"; do run_target "$t"; done

[ ${#rows[@]} -gt 0 ] && print_table
for r in "${results[@]}"; do log "$r"; done
log "total $((SECONDS - start)) s"
if [ $real_failure != 0 ]; then log "FAILED"; exit 1; fi
if printf '%s\n' "${results[@]}" | grep -qv ': skipped'; then log "all run targets passed"
else log "skipped: no cross target could be set up"; fi
exit 0
