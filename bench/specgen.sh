#!/usr/bin/env bash
# The create surface, berth beside podman: `run --rm` with 10 named volumes, 20 environment
# variables and a healthcheck. Target: at most a third of podman's time.
# (podman, without systemd here, logs that it cannot schedule the healthcheck and runs the
# container anyway; berth's monitor schedules it.)
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-15}
BERTH_CMD+=(--runtime "$RT")
# podman's default rlimits exceed this machine's hard limits; ask for what the host allows.
PODMAN_RUN=(--runtime "$RT" --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)

bash "$SRC/scripts/make-default-image.sh" "${BERTH_CMD[@]}" >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/busybox.tar" busybox
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null

FLAGS=(--network none --health-cmd 'test -d /v0' --health-interval 30s --health-retries 2)
for ((k = 0; k < 10; k++)); do
  "${BERTH_CMD[@]}" volume create "vol$k" >/dev/null
  "${PODMAN_CMD[@]}" volume create "vol$k" >/dev/null
  FLAGS+=(-v "vol$k:/v$k")
done
for ((k = 0; k < 20; k++)); do FLAGS+=(-e "VAR$k=value-$k"); done

# Both must really run it: the volumes and the environment are checked once first.
check='test -d /v9 && test "$VAR19" = value-19'
"${BERTH_CMD[@]}" run --rm "${FLAGS[@]}" busybox sh -c "$check" || { echo "bench: berth run failed" >&2; exit 1; }
"${PODMAN_CMD[@]}" run --rm "${PODMAN_RUN[@]}" "${FLAGS[@]}" busybox sh -c "$check" 2>/dev/null ||
  { echo "bench: podman run failed" >&2; exit 1; }

b=$(median_ms "$RUNS" : "${BERTH_CMD[@]}" run --rm "${FLAGS[@]}" busybox true)
p=$(median_ms "$RUNS" : "${PODMAN_CMD[@]}" run --rm "${PODMAN_RUN[@]}" "${FLAGS[@]}" busybox true)
report "run --rm, 10 volumes, 20 env, healthcheck" "$b" "$p" 0.334
