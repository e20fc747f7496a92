#!/usr/bin/env bash
# Networks and pods, berth beside podman (issue 9): run --rm on the default bridge network,
# pod create + start + rm -f, and 20 containers started on one user network. Both use one runtime
# ($BENCH_RUNTIME, runc by default) and the same busybox image; the target is under a third of podman's time.
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-11}
# podman's default rlimits exceed this machine's hard limits; ask for what the host allows.
PODMAN_RUN=(--runtime "$RT" --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
PODMAN_CMD+=(--runtime "$RT")
BERTH_CMD+=(--runtime "$RT")

bash "$SRC/scripts/make-default-image.sh" "${BERTH_CMD[@]}" >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/busybox.tar" busybox
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null

# 1. run --rm on the default bridge network (netavark setup and teardown each time).
b=$(median_ms "$RUNS" : "${BERTH_CMD[@]}" run --rm busybox true)
p=$(median_ms "$RUNS" : "${PODMAN_CMD[@]}" run --rm "${PODMAN_RUN[@]}" busybox true)
report "run --rm busybox true (bridge)" "$b" "$p" 0.333

# 2. pod create + pod start + pod rm -f (the infra image built once beforehand by both).
"${BERTH_CMD[@]}" pod create --name warm >/dev/null && "${BERTH_CMD[@]}" pod rm -f warm >/dev/null
"${PODMAN_CMD[@]}" pod create --name warm >/dev/null && "${PODMAN_CMD[@]}" pod rm -f warm >/dev/null
pod_cycle() {
  "$@" pod create --name bp >/dev/null && "$@" pod start bp >/dev/null && "$@" pod rm -f -t 0 bp >/dev/null
}
b=$(median_ms "$RUNS" : pod_cycle "${BERTH_CMD[@]}")
p=$(median_ms "$RUNS" : pod_cycle "${PODMAN_CMD[@]}")
report "pod create + start + rm -f" "$b" "$p" 0.333

# 3. 20 containers started on one user network, then removed.
# Own subnets and bridges: the two engines must not pick the same free ones.
"${BERTH_CMD[@]}" network create --subnet 10.231.0.0/24 --interface-name bbench0 benchnet >/dev/null
"${PODMAN_CMD[@]}" network create --subnet 10.232.0.0/24 benchnet >/dev/null
twenty() {
  local k
  for ((k = 0; k < 20; k++)); do "$@" busybox sleep 600 >/dev/null; done
}
b_rm() { "${BERTH_CMD[@]}" rm -af -t 0 >/dev/null 2>&1; }
p_rm() { "${PODMAN_CMD[@]}" rm -af -t 0 >/dev/null 2>&1; }
b=$(median_ms 3 b_rm twenty "${BERTH_CMD[@]}" run -d --network benchnet)
p=$(median_ms 3 p_rm twenty "${PODMAN_CMD[@]}" run -d "${PODMAN_RUN[@]}" --network benchnet)
report "20 x run -d on one network" "$b" "$p" 0.333
b_rm
p_rm
"${BERTH_CMD[@]}" network rm benchnet >/dev/null
"${PODMAN_CMD[@]}" network rm benchnet >/dev/null
