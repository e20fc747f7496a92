#!/usr/bin/env bash
# Installs dependencies, builds berth and runs every test (unit, then system) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test
bash scripts/build.sh
cd build
# Unit and integration tests in parallel; system tests one at a time (they
# time real containers and registries, and share the machine's two cores).
ctest --output-on-failure -j2 -LE 'system|wip|fuzz' "$@"
ctest --output-on-failure -L system "$@"
# The fuzz targets, built with clang in build-fuzz/, a few seconds each (label "fuzz").
cd ..
bash scripts/fuzz.sh
