#!/usr/bin/env bash
# Quick start: installs dependencies, builds berth, loads the default image and uses it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
BERTH=./build/src/cli/berth
if ! "$BERTH" image exists localhost/busybox:latest; then
  bash scripts/make-default-image.sh "$BERTH" >/dev/null
fi
"$BERTH" images
"$BERTH" run --rm busybox echo hello
