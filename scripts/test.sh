#!/usr/bin/env bash
# Installs dependencies, builds berth and runs every test (unit, then system) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test
bash scripts/build.sh
cd build
ctest --output-on-failure -j2 "$@"
