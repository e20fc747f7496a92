#!/usr/bin/env bash
# Builds berth and runs podman's own system tests (BATS, podman v4.3.1) against it with the
# podman-bats harness; prints a per-file table of berth beside podman and the tests podman
# passes here that berth fails.
#
#   scripts/compat.sh [options] [FILE...]
#
#   FILE...             bats files to run ("030", "030-run" or "030-run.bats"); default all
#   --podman-src DIR    a git clone of containers/podman: test/system of v4.3.1 is extracted
#                       from it (git archive) into the output dir; nothing is fetched
#   --suite DIR         an extracted test/system directory (default /tmp/pt/test/system)
#   --harness DIR       the podman-bats harness (default /work/shared/compat/podman-bats)
#   --out DIR           results (default /tmp/berth-compat): FILE.tap, summary.txt,
#                       compat.md (the table), regressions.txt
#   --no-build          use build/ as it is
#   --snapshot          copy berth and its helpers out of build/ first, so that rebuilding
#                       while the (slow) suite runs does not change the binary under test
#
# The harness deletes every container and image in berth's *default* root, so runs are
# serialized with flock on $BERTH_BATS_LOCK (default /work/bats.lock). berth runs through a
# symlink named "podman", the way a drop-in replacement is installed: berth names itself
# after argv[0] in usage and error texts, which the suite compares literally.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

suite=/tmp/pt/test/system
harness=/work/shared/compat/podman-bats
out=/tmp/berth-compat
podman_src=
build=1
snapshot=0
files=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --podman-src) podman_src=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --harness) harness=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --snapshot) snapshot=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compat.sh: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done

[[ -x $harness/run.sh ]] || { echo "compat.sh: no podman-bats harness at $harness" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [[ -n $podman_src ]]; then
  # The suite comes from the clone given, at the tag podman's reference results were made with.
  rm -rf "$out/suite"
  mkdir -p "$out/suite"
  git -C "$podman_src" archive v4.3.1 test/system | tar -x -C "$out/suite"
  suite=$out/suite/test/system
fi
[[ -f $suite/helpers.bash ]] || { echo "compat.sh: no podman test/system at $suite (use --podman-src)" >&2; exit 2; }

if [[ $build == 1 ]]; then bash scripts/build.sh; fi
berth=$SRC/build/src/cli/berth
[[ -x $berth ]] || { echo "compat.sh: $berth not built" >&2; exit 2; }
mkdir -p "$out/bin"
if [[ $snapshot == 1 ]]; then
  # berth finds berth-monitor and berth-cleanup beside its own binary.
  cp -f "$berth" "$SRC/build/src/monitor/berth-monitor" "$SRC/build/src/cli/berth-cleanup" "$out/bin/"
  berth=$out/bin/berth
fi
ln -sfn "$berth" "$out/bin/podman"

flock "${BERTH_BATS_LOCK:-/work/bats.lock}" "$harness/run.sh" "$out/bin/podman" "$suite" "$out" "${files[@]}"

# The table: berth beside podman's reference run on this kind of machine.
ref=$harness/podman-4.3.1-results.txt
ref_tests=$harness/podman-4.3.1-tests.txt
awk -F'\t' -v ref="$ref" '
BEGIN {
  while ((getline line < ref) > 0) {
    n = split(line, c, /[ \t]+/)
    if (c[1] ~ /\.bats$/) podman[c[1]] = c[3] "/" c[4] "/" c[5]
  }
  print "| file | podman passed/failed/skipped | berth passed/failed/skipped |"
  print "| --- | --- | --- |"
}
NR == 1 { next }
{
  b = ($2 == "-") ? "skipped by the harness" : $3 "/" $4 "/" $5
  if ($8 ~ /TIMEOUT/) b = b " (timeout)"
  p = ($1 in podman) ? podman[$1] : "-"
  printf "| %s | %s | %s |\n", $1, p, b
  if ($2 != "-") { bp += $3; bf += $4; bs += $5; pp_ok = split(p, q, "/"); if (pp_ok == 3) { pp += q[1]; pf += q[2]; ps += q[3] } }
}
END { printf "| total | %d/%d/%d | %d/%d/%d |\n", pp, pf, ps, bp, bf, bs }
' "$out/summary.tsv" > "$out/compat.md"

# Tests podman passes here that berth does not (the work list, or docs/compat.md's reasons):
# "ok" lines of podman's reference run that are not skips, against berth's "not ok" lines.
: > "$out/regressions.txt"
for tap in "$out"/*.tap; do
  base=$(basename "$tap" .tap)
  awk -v base="$base" -v ref="$ref_tests" '
  BEGIN {
    while ((getline l < ref) > 0) {
      if (index(l, base ": ok ") != 1 || l ~ / # skip/) continue
      sub(/^[^:]+: ok [0-9]+ /, "", l)
      passed[l] = 1
    }
  }
  /^not ok / { n = $0; sub(/^not ok [0-9]+ /, "", n); sub(/ # skip.*/, "", n); if (n in passed) print base ": " n }
  ' "$tap" >> "$out/regressions.txt"
done

cat "$out/compat.md"
echo
echo "tests podman passes and berth fails: $(wc -l < "$out/regressions.txt") (see $out/regressions.txt)"
