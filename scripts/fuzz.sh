#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang into build-fuzz/ and runs each one briefly
# over its committed corpus: ctest label "fuzz". clang and its libFuzzer runtime come from
# scripts/deps.sh --test. Usage: fuzz.sh [SECONDS_PER_TARGET] (default 6).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-6}
if ! command -v clang++ >/dev/null ||
   [[ ! -e "$(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]]; then
  echo "fuzz.sh: clang++ with libFuzzer not found: run scripts/deps.sh --test (clang, libclang-rt-14-dev)" >&2
  exit 1
fi
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# -O1 with line tables only: instrumented builds of nlohmann/fmt-heavy code are slow, and
# ASan reports need no more than file:line.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DBERTH_FUZZ=ON -DBERTH_STATIC_DEPS=OFF -DBERTH_FUZZ_SECONDS="$secs" >/dev/null
ninja -C build-fuzz -j"${BERTH_JOBS:-2}" fuzzers
cd build-fuzz
ctest --output-on-failure -L fuzz
