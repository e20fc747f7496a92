#!/usr/bin/env bash
# Observing and container filesystems, berth beside podman (issue 11's targets, each < 1/3):
#   stats --no-stream -a with 50 running containers, events --stream=false over 10,000 events,
#   cp of a 1 GB tree into and out of a container, commit of a container with a 500 MB change.
# Both use runc and no network. BENCH_STATS_CONTAINERS, BENCH_CP_MB and BENCH_COMMIT_MB scale it down;
# BENCH_SECTIONS picks some of "stats events cp commit" (events reads the log stats left).
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/.." && pwd)
NCTR=${BENCH_STATS_CONTAINERS:-50}
CP_MB=${BENCH_CP_MB:-1024}
COMMIT_MB=${BENCH_COMMIT_MB:-500}
NEVENTS=10000
SECTIONS=" ${BENCH_SECTIONS:-stats events cp commit} "
section() { [[ $SECTIONS == *" $1 "* ]]; }
PODMAN_LIMITS=(--runtime runc --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
PODMAN_RUN=(--network none "${PODMAN_LIMITS[@]}")
# podman keeps its event log under its tmpdir; both logs live in the bench directory.
cat >"$BENCH_DIR/containers.conf" <<EOF
[engine]
events_logger = "file"
events_logfile_path = "$BENCH_DIR/podman-events.log"
EOF
# Only podman reads this file: berth honours CONTAINERS_CONF too and keeps its own log.
PODMAN_CMD=(env CONTAINERS_CONF="$BENCH_DIR/containers.conf" "${PODMAN_CMD[@]}" --tmpdir "$BENCH_DIR/podman-tmp"
  --events-backend file)

bash "$SRC/scripts/make-default-image.sh" "${BERTH_CMD[@]}" >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/busybox.tar" busybox
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null

# 1. stats --no-stream -a with NCTR running containers.
if section stats || section events; then
for ((k = 0; k < NCTR; k++)); do
  "${BERTH_CMD[@]}" run -d --network none busybox sleep 3600 >/dev/null
  "${PODMAN_CMD[@]}" run -d "${PODMAN_RUN[@]}" busybox sleep 3600 >/dev/null
done
nb=$("${BERTH_CMD[@]}" stats --no-stream -a --format '{{.ID}}' | wc -l)
np=$("${PODMAN_CMD[@]}" stats --no-stream -a --format '{{.ID}}' | wc -l)
[[ $nb == "$NCTR" && $np == "$NCTR" ]] || { echo "stats listed $nb (berth) and $np (podman) of $NCTR containers" >&2; exit 1; }
b=$(median_ms 5 : "${BERTH_CMD[@]}" stats --no-stream -a)
p=$(median_ms 5 : "${PODMAN_CMD[@]}" stats --no-stream -a)
section stats && report "stats --no-stream -a ($NCTR running)" "$b" "$p" 0.334
"${BERTH_CMD[@]}" rm -af -t 0 >/dev/null
"${PODMAN_CMD[@]}" rm -af -t 0 >/dev/null 2>&1
fi

# 2. events --stream=false over NEVENTS events: each tool's own log of the life cycles above
#    (run, stats, rm), its lines repeated until the log holds NEVENTS events.
if section events; then
grow_log() {  # grow_log FILE: repeat FILE's lines until it has NEVENTS lines
  local f=$1 n
  n=$(wc -l <"$f")
  ((n > 0)) || { echo "no events in $f" >&2; exit 1; }
  python3 - "$f" "$NEVENTS" <<'PY'
import sys
path, want = sys.argv[1], int(sys.argv[2])
lines = open(path).read().splitlines(keepends=True)
out = (lines * (want // len(lines) + 1))[:want]
open(path, "w").writelines(out)
PY
}
grow_log "$BENCH_DIR/run/berth/tmp/events/events.log"
grow_log "$BENCH_DIR/podman-events.log"
nb=$("${BERTH_CMD[@]}" events --stream=false | wc -l)
np=$("${PODMAN_CMD[@]}" events --stream=false | wc -l)
[[ $nb == "$NEVENTS" && $np == "$NEVENTS" ]] || { echo "events printed $nb (berth) and $np (podman) of $NEVENTS" >&2; exit 1; }
b=$(median_ms 5 : "${BERTH_CMD[@]}" events --stream=false)
p=$(median_ms 5 : "${PODMAN_CMD[@]}" events --stream=false)
report "events --stream=false ($NEVENTS events)" "$b" "$p" 0.334
b=$(median_ms 5 : "${BERTH_CMD[@]}" events --stream=false --filter event=died --format json)
p=$(median_ms 5 : "${PODMAN_CMD[@]}" events --stream=false --filter event=died --format json)
report "events --stream=false --filter --format json" "$b" "$p" 0.334
fi

# 3. cp of a CP_MB tree (CP_MB files of 1 MiB in 32 directories, plus links) in and out.
if section cp; then
tree="$BENCH_DIR/tree"
for ((d = 0; d < 32; d++)); do mkdir -p "$tree/d$d"; done
python3 - "$tree" "$CP_MB" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
block = os.urandom(1 << 20)
for i in range(n):
    with open(f"{root}/d{i % 32}/f{i}", "wb") as f:
        f.write(block[i % 4096:] + block[:i % 4096])
os.symlink("d0/f0", f"{root}/link")
PY
"${BERTH_CMD[@]}" run -d --name cp --network none busybox sleep 3600 >/dev/null
"${PODMAN_CMD[@]}" run -d --name cp "${PODMAN_RUN[@]}" busybox sleep 3600 >/dev/null
cp_in() { "${BERTH_CMD[@]}" exec cp rm -rf /tree; }
cp_in_p() { "${PODMAN_CMD[@]}" exec cp rm -rf /tree; }
b=$(median_ms 3 cp_in "${BERTH_CMD[@]}" cp "$tree" cp:/tree)
p=$(median_ms 3 cp_in_p "${PODMAN_CMD[@]}" cp "$tree" cp:/tree)
report "cp ${CP_MB} MiB tree host -> container" "$b" "$p" 0.334
[[ $("${BERTH_CMD[@]}" exec cp du -sm /tree | cut -f1) -ge $CP_MB ]] || { echo "berth cp in copied too little" >&2; exit 1; }
out="$BENCH_DIR/out"
clean_out() { rm -rf "$out"; sync; }
b=$(median_ms 3 clean_out "${BERTH_CMD[@]}" cp cp:/tree "$out")
diff -r "$tree" "$out" >/dev/null || { echo "berth cp out differs from the source tree" >&2; exit 1; }
p=$(median_ms 3 clean_out "${PODMAN_CMD[@]}" cp cp:/tree "$out")
report "cp ${CP_MB} MiB tree container -> host" "$b" "$p" 0.334
rm -rf "$out" "$tree"
"${BERTH_CMD[@]}" rm -f -t 0 cp >/dev/null
"${PODMAN_CMD[@]}" rm -f -t 0 cp >/dev/null 2>&1
fi

# 4. commit of a container whose upper layer holds COMMIT_MB of new data (incompressible). Each run
#    commits a new container with new data: podman skips storing a layer it already has.
if section commit; then
make_big() {  # make_big CMD...: a stopped container "big" with fresh data, nothing else left
  "$@" rm -af >/dev/null 2>&1
  "$@" rmi -af >/dev/null 2>&1 || true
  "$@" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null
  "$@" run --name big --network none "${EXTRA[@]}" busybox \
    sh -c "mkdir /data && head -c $((COMMIT_MB << 20)) /dev/urandom > /data/big" >/dev/null
  sync
}
big_b() { EXTRA=(); make_big "${BERTH_CMD[@]}"; }
big_p() { EXTRA=("${PODMAN_LIMITS[@]}"); make_big "${PODMAN_CMD[@]}"; }
b=$(median_ms 3 big_b "${BERTH_CMD[@]}" commit -q big bench/big)
[[ $("${BERTH_CMD[@]}" run --rm --network none bench/big wc -c /data/big | awk '{print $1}') == $((COMMIT_MB << 20)) ]] ||
  { echo "berth's committed image lacks the change" >&2; exit 1; }
p=$(median_ms 3 big_p "${PODMAN_CMD[@]}" commit -q big bench/big)
report "commit of a ${COMMIT_MB} MiB change" "$b" "$p" 0.334
"${BERTH_CMD[@]}" rm -af >/dev/null
"${PODMAN_CMD[@]}" rm -af >/dev/null 2>&1
fi
