#!/usr/bin/env bash
# Runs one libFuzzer binary for a few seconds over its committed corpus (never written to:
# new inputs go to a temp dir). A crash leaves its input in the temp dir, printed; copy it
# into fuzz/corpus/<target>/ with the fix. Usage: run_fuzzer.sh BINARY CORPUS_DIR SECONDS
set -euo pipefail
bin=$1 corpus=$2 secs=$3
work=$(mktemp -d /tmp/berth-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/new"
cd "$work"
# -timeout: a single input that takes longer is a hang; -rss_limit_mb: a leak or blow-up.
# A fixed seed (BERTH_FUZZ_SEED) makes the short CI run repeatable: a longer run goes further
# along the same path; set another seed to explore elsewhere.
"$bin" -seed="${BERTH_FUZZ_SEED:-1}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "$corpus" || {
  rc=$?
  echo "fuzzer $bin failed ($rc); crashing inputs:" >&2
  for f in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-*; do
    [[ -e "$f" ]] && { echo "== $f" >&2; base64 -w0 "$f" >&2; echo >&2; }
  done
  exit "$rc"
}
