#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script for heapev.
#
# Uses the variables OSS-Fuzz sets: CC CXX CFLAGS CXXFLAGS LIB_FUZZING_ENGINE
# OUT SRC WORK (SANITIZER is already in CFLAGS). Works locally too:
#   CC=clang CXX=clang++ CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only \
#     -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
#   CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out SRC=$PWD/.. \
#   WORK=/tmp/work bash .clusterfuzzlite/build.sh
# Produces in $OUT: every fuzz target, <target>_seed_corpus.zip (corpus/<kind>,
# corpus/fuzz/<target>, fuzz/regressions), <target>.dict, <target>.options.

if [ -f "${SRC:-}/heapev/meson.build" ]; then
  cd "$SRC/heapev"
elif [ -f "$(dirname "$0")/../meson.build" ]; then
  cd "$(dirname "$0")/.."
fi
WORK=${WORK:-$(mktemp -d)}
build="$WORK/heapev-build"
rm -rf "$build"

# Meson adds CFLAGS to compile lines only: the sanitizers must reach the link
# too. --no-undefined breaks sanitizer links (b_lundef=false); static library.
meson setup "$build" \
  -Dfuzzing=true -Dfuzz_engine="$LIB_FUZZING_ENGINE" -Dtests=false \
  -Db_lundef=false --default-library=static --buildtype=plain \
  -Dc_link_args="$CFLAGS" -Dcpp_link_args="$CXXFLAGS"
ninja -C "$build" fuzzers

# The targets of fuzz/targets (role fuzz) and their twins, as fuzz/targets.py lists them.
mkdir -p "$OUT"
for t in $(python3 fuzz/targets.py names --role fuzz --build "$build"); do
  cp "$build/fuzz/$t" "$OUT/$t"
  cp fuzz/heapev.dict "$OUT/$t.dict"
  sed 's/^dict = .*/dict = '"$t"'.dict/' "fuzz/${t%_structured}.options" > "$OUT/$t.options"
  # Seeds: corpus/<kind>, corpus/fuzz/<target> and fuzz/regressions/ (manifests
  # and dot files left out), as fuzz/targets.py lists them.
  python3 fuzz/targets.py seeds "$t" --zip "$OUT/${t}_seed_corpus.zip"
done
ls -l "$OUT"
