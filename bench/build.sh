#!/usr/bin/env bash
# `build` berth beside podman's build: a 6-step Containerfile (RUN, COPY of a 2000-file
# tree, config steps) from scratch, then the same build again from the layer cache. Both use
# runc (crun cannot run on hosts with a controller on the unified tree) and host networking for RUN.
source "$(dirname "$0")/lib.sh"

rootfs="$BENCH_DIR/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc"
cp /bin/busybox "$rootfs/bin/"
for a in sh echo cat ls mkdir; do ln -sf busybox "$rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
tar -C "$rootfs" -cf "$BENCH_DIR/rootfs.tar" .
"${BERTH_CMD[@]}" import -c 'CMD ["sh"]' "$BENCH_DIR/rootfs.tar" localhost/bb:latest >/dev/null
"${PODMAN_CMD[@]}" import -q -c 'CMD ["sh"]' "$BENCH_DIR/rootfs.tar" localhost/bb:latest >/dev/null

ctx="$BENCH_DIR/ctx"
mkdir -p "$ctx/tree"
for d in $(seq 1 20); do
  mkdir -p "$ctx/tree/d$d"
  for f in $(seq 1 100); do echo "file $d/$f" >"$ctx/tree/d$d/f$f"; done
done
cat >"$ctx/Containerfile" <<'EOF'
FROM localhost/bb
ENV APP=/app
WORKDIR /app
RUN mkdir -p /app/data && echo built >/app/data/marker
COPY tree /app/tree
CMD ["cat", "/app/data/marker"]
EOF

export CONTAINERS_CONF="$BENCH_DIR/containers.conf"
printf '[engine]\nruntime="runc"\n[containers]\nnetns="host"\n' >"$CONTAINERS_CONF"
clean_berth() { "${BERTH_CMD[@]}" rmi -f app >/dev/null 2>&1 || true; }
clean_podman() { "${PODMAN_CMD[@]}" rmi -f app >/dev/null 2>&1 || true; }
b=$(median_ms 5 clean_berth "${BERTH_CMD[@]}" build --runtime runc -q -t app "$ctx")
p=$(median_ms 5 clean_podman "${PODMAN_CMD[@]}" build --runtime runc --network host -q -t app "$ctx")
report "build, 6 steps, 2000-file COPY (no cache)" "$b" "$p" 0.5
"${BERTH_CMD[@]}" build -q -t app "$ctx" >/dev/null
"${PODMAN_CMD[@]}" build --runtime runc --network host -q -t app "$ctx" >/dev/null
b=$(median_ms 5 : "${BERTH_CMD[@]}" build -q -t app "$ctx")
p=$(median_ms 5 : "${PODMAN_CMD[@]}" build --runtime runc --network host -q -t app "$ctx")
report "build, all steps from the layer cache" "$b" "$p" 0.5
