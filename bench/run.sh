#!/usr/bin/env bash
# Runs every benchmark scenario side by side with podman and prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")"
command -v podman >/dev/null || { echo "bench: podman is needed for the comparison (scripts/deps.sh --test)" >&2; exit 1; }
for s in ${BENCH_SCENARIOS:-images.sh containers.sh specgen.sh breakdown.sh registry.sh system.sh}; do bash "$s"; done
