#!/usr/bin/env bash
# Install everything heapev needs to build, test and fuzz on Debian 12 (run as root).
# Skips apt entirely when every package is already installed.
set -euo pipefail
packages=(
  build-essential pkg-config meson ninja-build python3   # build (gcc, meson)
  python3-yaml                                            # scripts/check-workflows.py
  clang llvm libclang-rt-14-dev                           # clang, libFuzzer, sanitizers, llvm-cov
  libcmocka-dev                                           # tests
  libxxhash-dev                                           # XXH128 corpus names
  xxhash                                                  # xxh128sum: fuzz/campaign names inputs
  libjansson-dev                                          # JSON output and manifests
  libfwnt-dev                                             # LZXpress: compressed .etl buffers
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
