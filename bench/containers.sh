#!/usr/bin/env bash
# Container scenarios, berth beside podman: run latency (and bare runc), create rate,
# ps -a with many containers, exec latency, monitor memory against conmon.
source "$(dirname "$0")/lib.sh"
N=${BENCH_CONTAINERS:-1000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
# podman's default rlimits exceed this machine's hard limits; ask for what the host allows.
PODMAN_RUN=(--runtime runc --network none --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)

bash "$SRC/scripts/make-default-image.sh" "${BERTH_CMD[@]}" >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/busybox.tar" busybox
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null

# 1. run --rm latency, and the bare runtime on the same kind of bundle.
b=$(median_ms 15 : "${BERTH_CMD[@]}" run --rm --network none busybox true)
p=$(median_ms 15 : "${PODMAN_CMD[@]}" run --rm "${PODMAN_RUN[@]}" busybox true)
report "run --rm --network none busybox true" "$b" "$p" 0.2
cid=$("${BERTH_CMD[@]}" create --network none busybox true)
"${BERTH_CMD[@]}" init "$cid" >/dev/null
bundle="$BENCH_DIR/bundle"
mkdir -p "$bundle/rootfs"
tar -C "$bundle/rootfs" -xf <(tar -C "$BENCH_DIR/run/berth/containers/$cid/merged" -cf - .)
python3 - "$BENCH_DIR/run/berth/containers/$cid/config.json" "$bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["root"]["path"] = "rootfs"
c["mounts"] = [m for m in c["mounts"] if m.get("type") != "bind"]
c["linux"].pop("cgroupsPath", None)
json.dump(c, open(sys.argv[2], "w"))
PY
"${BERTH_CMD[@]}" rm -f "$cid" >/dev/null
i=0
bare_run() { i=$((i + 1)); runc --root "$BENCH_DIR/runc-state" run --bundle "$bundle" "bench-$i-$$"; }
r=$(median_ms 15 : bare_run)
awk -v b="$b" -v r="$r" 'BEGIN { printf "%-44s berth %9.2f ms   runc run  %9.2f ms   ratio %.3f (target < 2) %s\n", "run latency vs bare runc run", b, r, b / r, (b / r < 2) ? "OK" : "MISSED" }'

# 2. create rate.
# The rate over the first and the last tenth as well: it should stay flat as containers pile up.
tenth=$((N / 10 > 0 ? N / 10 : 1))
t0=$(date +%s%N)
for ((k = 0; k < N; k++)); do
  [[ $k -eq $tenth ]] && tf=$(date +%s%N)
  [[ $k -eq $((N - tenth)) ]] && tl=$(date +%s%N)
  "${BERTH_CMD[@]}" create --network none busybox true >/dev/null
done
t1=$(date +%s%N)
awk -v n="$tenth" -v f=$(((tf - t0) / 1000)) -v l=$(((t1 - tl) / 1000)) 'BEGIN {
  fr = n / (f / 1e6); lr = n / (l / 1e6)
  printf "%-44s first %d: %7.1f/s   last %d: %7.1f/s   last/first %.2f (target: flat, >= 0.8) %s\n",
    "create rate as containers pile up", n, fr, n, lr, lr / fr, (lr / fr >= 0.8) ? "OK" : "MISSED" }'

pn=$((N < 200 ? N : 200))  # podman is slow enough that 200 give a stable rate
for ((k = 0; k < pn; k++)); do "${PODMAN_CMD[@]}" create "${PODMAN_RUN[@]}" busybox true >/dev/null; done
t2=$(date +%s%N)
awk -v n="$N" -v pn="$pn" -v b=$(((t1 - t0) / 1000)) -v p=$(((t2 - t1) / 1000)) 'BEGIN {
  br = n / (b / 1e6); pr = pn / (p / 1e6)
  printf "%-44s berth %7.1f/s (%d)   podman %7.1f/s (%d)   speedup %.1fx\n", "create rate", br, n, pr, pn, br / pr }'
for ((k = pn; k < N; k++)); do "${PODMAN_CMD[@]}" create "${PODMAN_RUN[@]}" busybox true >/dev/null; done

# 3. ps -a with N containers.
b=$(median_ms 11 : "${BERTH_CMD[@]}" ps -a)
p=$(median_ms 5 : "${PODMAN_CMD[@]}" ps -a)
report "ps -a ($N containers)" "$b" "$p" 0.1
"${BERTH_CMD[@]}" rm -af >/dev/null
"${PODMAN_CMD[@]}" rm -af >/dev/null 2>&1

# 4. exec latency.
"${BERTH_CMD[@]}" run -d --name ex busybox sleep 600 >/dev/null
"${PODMAN_CMD[@]}" run -d --name ex "${PODMAN_RUN[@]}" busybox sleep 600 >/dev/null
b=$(median_ms 15 : "${BERTH_CMD[@]}" exec ex true)
p=$(median_ms 15 : "${PODMAN_CMD[@]}" exec ex true)
report "exec CTR true" "$b" "$p" 1

# 5. monitor memory per running container.
for k in 1 2 3 4; do
  "${BERTH_CMD[@]}" run -d busybox sleep 600 >/dev/null
  "${PODMAN_CMD[@]}" run -d "${PODMAN_RUN[@]}" busybox sleep 600 >/dev/null
done
rss() {  # rss PATTERN ROOT: mean VmRSS (kB) of processes whose command line matches both
  local total=0 n=0
  for pid in $(pgrep -f "$1"); do
    grep -q -- "$2" "/proc/$pid/cmdline" 2>/dev/null || continue
    kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    total=$((total + kb)); n=$((n + 1))
  done
  ((n)) && echo $((total / n)) || echo 0
}
bm=$(rss berth-monitor "$BENCH_DIR/run/berth")
cm=$(rss conmon "$BENCH_DIR/podman")
awk -v b="$bm" -v c="$cm" 'BEGIN { printf "%-44s berth-monitor %6d kB   conmon %6d kB   ratio %.3f (target < 0.5) %s\n", "monitor RSS per container", b, c, (c ? b / c : 0), (c && b / c < 0.5) ? "OK" : "MISSED" }'
# The same with a container that writes a line every 0.1 s (the monitor's log path runs).
"${BERTH_CMD[@]}" rm -af -t 0 >/dev/null
"${PODMAN_CMD[@]}" rm -af -t 0 >/dev/null
for k in 1 2; do
  "${BERTH_CMD[@]}" run -d busybox sh -c 'while :; do echo hello; sleep 0.1; done' >/dev/null
  "${PODMAN_CMD[@]}" run -d "${PODMAN_RUN[@]}" busybox sh -c 'while :; do echo hello; sleep 0.1; done' >/dev/null
done
sleep 2
bm=$(rss berth-monitor "$BENCH_DIR/run/berth")
cm=$(rss conmon "$BENCH_DIR/podman")
awk -v b="$bm" -v c="$cm" 'BEGIN { printf "%-44s berth-monitor %6d kB   conmon %6d kB   ratio %.3f\n", "monitor RSS, container writing 10 lines/s", b, c, (c ? b / c : 0) }'
"${BERTH_CMD[@]}" rm -af -t 0 >/dev/null
"${PODMAN_CMD[@]}" rm -af -t 0 >/dev/null 2>&1
"${PODMAN_CMD[@]}" rmi -af >/dev/null 2>&1 || true
