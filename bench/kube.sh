#!/usr/bin/env bash
# Kubernetes YAML, berth beside podman (issue 12): kube play of a 3-container pod, kube down of
# it, and kube generate of 20 pods. Both use one runtime ($BENCH_RUNTIME, runc by default) and a bridge network of their own (the default
# kube network would be the same bridge and subnet for both); the target is under a third of
# podman's time.
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-7}
# kube play has no --ulimit: podman's default rlimits exceed this machine's hard limits, so its
# containers.conf asks for what the host allows. berth caps them at the hard limits itself.
cat >"$BENCH_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "$RT"
EOF
PODMAN_CMD=(env CONTAINERS_CONF="$BENCH_DIR/containers.conf" "${PODMAN_CMD[@]}")
BERTH_CMD+=(--runtime "$RT")
# podman's networks are machine-wide (/etc/containers/networks): remove the bench's on any exit.
trap '"${PODMAN_CMD[@]}" pod rm -af -t 0 >/dev/null 2>&1; "${PODMAN_CMD[@]}" network rm -f benchkube >/dev/null 2>&1; cleanup_bench' EXIT
"${BERTH_CMD[@]}" network create --subnet 10.233.0.0/24 --interface-name bkube0 benchkube >/dev/null
"${PODMAN_CMD[@]}" network create --subnet 10.234.0.0/24 benchkube >/dev/null
PLAY=(kube play --network benchkube)

bash "$SRC/scripts/make-default-image.sh" "${BERTH_CMD[@]}" >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/busybox.tar" busybox
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null

yaml="$BENCH_DIR/pod.yaml"
# kube play publishes a containerPort without hostPort on the same host port: pick a free one.
port=$((20000 + RANDOM % 10000))
cat >"$yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: bench
spec:
  containers:
  - name: one
    image: localhost/busybox:latest
    command: ["sleep", "600"]
  - name: two
    image: localhost/busybox:latest
    command: ["sleep", "600"]
    env:
    - name: MODE
      value: two
  - name: three
    image: localhost/busybox:latest
    command: ["sleep", "600"]
    ports:
    - containerPort: $port
EOF

# Warm both (the pause image, the kube network), and check the pod really runs.
for cmd in BERTH PODMAN; do
  declare -n c="${cmd}_CMD"
  "${c[@]}" "${PLAY[@]}" "$yaml" >/dev/null
  n=$("${c[@]}" ps --filter pod=bench --filter status=running -q | wc -l)
  [[ $n == 4 ]] || { echo "$cmd: kube play left $n of 4 containers running" >&2; exit 1; }
  "${c[@]}" kube down "$yaml" >/dev/null
done

# 1. kube play (then down, untimed) and kube down (after play, untimed).
down_b() { "${BERTH_CMD[@]}" kube down "$yaml" >/dev/null 2>&1 || true; }
down_p() { "${PODMAN_CMD[@]}" kube down "$yaml" >/dev/null 2>&1 || true; }
b=$(median_ms "$RUNS" down_b "${BERTH_CMD[@]}" "${PLAY[@]}" "$yaml")
p=$(median_ms "$RUNS" down_p "${PODMAN_CMD[@]}" "${PLAY[@]}" "$yaml")
report "kube play (3 containers)" "$b" "$p" 0.333
play_b() { down_b; "${BERTH_CMD[@]}" "${PLAY[@]}" "$yaml" >/dev/null; }
play_p() { down_p; "${PODMAN_CMD[@]}" "${PLAY[@]}" "$yaml" >/dev/null; }
b=$(median_ms "$RUNS" play_b "${BERTH_CMD[@]}" kube down "$yaml")
p=$(median_ms "$RUNS" play_p "${PODMAN_CMD[@]}" kube down "$yaml")
report "kube down (3 containers)" "$b" "$p" 0.333
down_b
down_p

# 2. kube generate of 20 pods, one created container each.
pods=()
for ((k = 0; k < 20; k++)); do
  pods+=("gen$k")
  for cmd in BERTH PODMAN; do
    declare -n c="${cmd}_CMD"
    "${c[@]}" pod create --name "gen$k" --label app=gen$k >/dev/null
    "${c[@]}" create --pod "gen$k" --name "gen$k-ctr" -e K=$k busybox sleep 600 >/dev/null
  done
done
nb=$("${BERTH_CMD[@]}" kube generate "${pods[@]}" | grep -c '^kind: Pod')
np=$("${PODMAN_CMD[@]}" kube generate "${pods[@]}" 2>/dev/null | grep -c '^kind: Pod')
[[ $nb == 20 && $np == 20 ]] || { echo "kube generate wrote $nb (berth) and $np (podman) of 20 pods" >&2; exit 1; }
b=$(median_ms "$RUNS" : "${BERTH_CMD[@]}" kube generate "${pods[@]}")
p=$(median_ms "$RUNS" : "${PODMAN_CMD[@]}" kube generate "${pods[@]}")
report "kube generate (20 pods)" "$b" "$p" 0.333
"${BERTH_CMD[@]}" pod rm -af -t 0 >/dev/null
"${PODMAN_CMD[@]}" pod rm -af -t 0 >/dev/null 2>&1
"${BERTH_CMD[@]}" network rm benchkube >/dev/null
"${PODMAN_CMD[@]}" network rm benchkube >/dev/null
