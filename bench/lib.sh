# Side-by-side benchmark helpers: medians of wall-clock runs and berth/podman ratios.
set -euo pipefail
BENCH_DIR=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup_bench() {
  grep -o " $BENCH_DIR[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$BENCH_DIR"
}
trap cleanup_bench EXIT
BERTH_BIN=${BERTH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/src/cli/berth}
# The run roots (transient state: bundles, pid and exit files, sockets) on a tmpfs, where both
# engines keep them by default (/run/berth, /run/containers/storage and /run/libpod: /run is a
# tmpfs on systemd hosts); the image and container stores on disk. BENCH_RUNROOT_TMPFS=0 keeps
# the run roots on $BENCH_DIR's filesystem.
mkdir -p "$BENCH_DIR/run"
if [[ ${BENCH_RUNROOT_TMPFS:-1} != 0 ]]; then
  mount -t tmpfs -o mode=0700 berth-bench-run "$BENCH_DIR/run"
fi
BERTH_CMD=("$BERTH_BIN" --root "$BENCH_DIR/berth-root" --runroot "$BENCH_DIR/run/berth")
PODMAN_CMD=(podman --root "$BENCH_DIR/podman-root" --runroot "$BENCH_DIR/run/podman" --storage-driver overlay)
# The runtime both engines use where a scenario pins it: runc by default (it runs on every
# host); BENCH_RUNTIME=crun where crun can run (see `berth info`, .Host.OCIRuntime.Reason).
RT=${BENCH_RUNTIME:-runc}

# Wall-clock times come from bash's $EPOCHREALTIME (microseconds), not from `date` processes,
# whose own start and exit would add about 2 ms to every figure of both engines.
# median_ms RUNS SETUP_FN CMD...: runs SETUP_FN (may be :) then CMD, RUNS times; prints the median ms.
median_ms() {
  local runs=$1 setup=$2
  shift 2
  local times=()
  for ((i = 0; i < runs; i++)); do
    $setup
    local t0 t1
    t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    t1=$EPOCHREALTIME
    times+=($((${t1/./} - ${t0/./})))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f\n", m/1000}'
}

# report NAME BERTH_MS PODMAN_MS TARGET_RATIO
report() {
  awk -v n="$1" -v b="$2" -v p="$3" -v t="$4" 'BEGIN {
    r = (p > 0) ? b / p : 0
    printf "%-44s berth %9.2f ms   podman %9.2f ms   ratio %.3f (target < %s) %s\n", n, b, p, r, t, (r < t) ? "OK" : "MISSED"
  }'
}
