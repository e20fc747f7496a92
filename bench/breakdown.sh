#!/usr/bin/env bash
# Where `run --rm` spends its time, against the floor: the bare OCI runtime running the very
# config.json berth generated (seccomp, masks, cgroups, mounts included), and podman with
# the same runtime. Also create/start/stop/rm/exec one by one, and `berth version` against
# /bin/true. Prints medians and ratios with the issue's targets.
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-15}

bash "$SRC/scripts/make-default-image.sh" "${BERTH_CMD[@]}" >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/busybox.tar" busybox
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null
RT=$("${BERTH_CMD[@]}" info --format '{{.Host.OCIRuntime.Name}}')
RT_PATH=$("${BERTH_CMD[@]}" info --format '{{.Host.OCIRuntime.Path}}')
echo "runtime: $RT ($("${BERTH_CMD[@]}" info --format '{{.Host.OCIRuntime.Reason}}'))"
# podman's default rlimits exceed this machine's hard limits; ask for what the host allows.
PODMAN_RUN=(--runtime "$RT" --network none --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)

# 1. Phases of `run --rm` (berth --log-level debug), median of each.
for ((k = 0; k < RUNS; k++)); do
  "${BERTH_CMD[@]}" --log-level debug run --rm --network none busybox true 2>&1 >/dev/null |
    sed -n 's/.*msg="phase \(.*\): \([0-9.]*\) ms".*/\1\t\2/p'
done >"$BENCH_DIR/phases.tsv"
echo "phases of run --rm --network none busybox true (median of $RUNS, ms):"
python3 - "$BENCH_DIR/phases.tsv" <<'PY'
import statistics, sys
phases = {}
for line in open(sys.argv[1]):
    name, ms = line.rstrip("\n").split("\t")
    phases.setdefault(name, []).append(float(ms))
for name, v in phases.items():
    print("  %-52s %8.2f" % (name, statistics.median(v)))
PY

# 2. The floor: the runtime alone on berth's own config.json (its rootfs mounted by a created
#    container), each run with a cgroup of its own, as berth gives each container.
cid=$("${BERTH_CMD[@]}" create --network none busybox true)
"${BERTH_CMD[@]}" init "$cid" >/dev/null
bundle="$BENCH_DIR/bundle"
mkdir -p "$bundle"
i=0
floor_run() {
  i=$((i + 1))
  python3 - "$BENCH_DIR/run/berth/containers/$cid/config.json" "$bundle/config.json" "$i" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["cgroupsPath"] = "/berth-bench/floor-%s" % sys.argv[3]
json.dump(c, open(sys.argv[2], "w"))
PY
}
bare_run() { "$RT_PATH" --root "$BENCH_DIR/rt-state" run --bundle "$bundle" "floor-$i-$$"; }
f=$(median_ms "$RUNS" floor_run bare_run)
b=$(median_ms "$RUNS" : "${BERTH_CMD[@]}" run --rm --network none busybox true)
p=$(median_ms "$RUNS" : "${PODMAN_CMD[@]}" run --rm "${PODMAN_RUN[@]}" busybox true)
"${BERTH_CMD[@]}" rm -f "$cid" >/dev/null
awk -v b="$b" -v f="$f" -v rt="$RT" 'BEGIN { printf "%-44s berth %9.2f ms   %s run %9.2f ms   ratio %.3f (target < 1.3) %s\n",
  "run --rm vs the bare runtime, same config", b, rt, f, b / f, (b / f < 1.3) ? "OK" : "MISSED" }'
report "run --rm --network none busybox true" "$b" "$p" 0.2

# 3. create, start, stop, rm one by one (a fresh container for each measurement).
# each_ms OUT_VAR CMD...: the median ms of CMD ID over the ids in $ids.
each_ms() {
  local times=() t0 t1 id
  for id in $ids; do
    t0=$EPOCHREALTIME
    "$@" "$id" >/dev/null 2>&1
    t1=$EPOCHREALTIME
    times+=($((${t1/./} - ${t0/./})))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f\n", m/1000}'
}
median_create() {  # median_create ENGINE-CMD...: ms per create, ids left in $ids
  local times=() t0 t1 id
  ids=""
  for ((k = 0; k < RUNS; k++)); do
    t0=$EPOCHREALTIME
    id=$("$@")
    t1=$EPOCHREALTIME
    ids="$ids $id"
    times+=($((${t1/./} - ${t0/./})))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f\n", m/1000}'
}
declare -A B P
median_create "${BERTH_CMD[@]}" create --network none busybox sleep 600 >"$BENCH_DIR/m" && B[create]=$(cat "$BENCH_DIR/m")
bids=$ids
median_create "${PODMAN_CMD[@]}" create "${PODMAN_RUN[@]}" busybox sleep 600 >"$BENCH_DIR/m" && P[create]=$(cat "$BENCH_DIR/m")
pids_=$ids
ids=$bids
B[start]=$(each_ms "${BERTH_CMD[@]}" start)
B[stop]=$(each_ms "${BERTH_CMD[@]}" stop -t 0)
B[rm]=$(each_ms "${BERTH_CMD[@]}" rm)
ids=$pids_
P[start]=$(each_ms "${PODMAN_CMD[@]}" start)
P[stop]=$(each_ms "${PODMAN_CMD[@]}" stop -t 0)
P[rm]=$(each_ms "${PODMAN_CMD[@]}" rm)
for op in create start stop rm; do report "$op (one container)" "${B[$op]}" "${P[$op]}" 0.25; done
"${BERTH_CMD[@]}" rm -af -t 0 >/dev/null
"${PODMAN_CMD[@]}" rm -af -t 0 >/dev/null 2>&1

# 4. exec.
"${BERTH_CMD[@]}" run -d --name ex --network none busybox sleep 600 >/dev/null
"${PODMAN_CMD[@]}" run -d --name ex "${PODMAN_RUN[@]}" busybox sleep 600 >/dev/null
b=$(median_ms "$RUNS" : "${BERTH_CMD[@]}" exec ex true)
p=$(median_ms "$RUNS" : "${PODMAN_CMD[@]}" exec ex true)
report "exec CTR true" "$b" "$p" 0.25
"${BERTH_CMD[@]}" rm -af -t 0 >/dev/null
"${PODMAN_CMD[@]}" rm -af -t 0 >/dev/null 2>&1

# 5. A command's own cost: `berth version` against /bin/true.
b=$(median_ms 31 : "${BERTH_CMD[@]}" version)
t=$(median_ms 31 : /bin/true)
awk -v b="$b" -v t="$t" 'BEGIN { printf "%-44s berth %9.2f ms   /bin/true %5.2f ms   +%.2f ms (target < 3) %s\n",
  "berth version", b, t, b - t, (b - t < 3) ? "OK" : "MISSED" }'
"${PODMAN_CMD[@]}" rmi -af >/dev/null 2>&1 || true
