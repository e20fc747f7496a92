#!/usr/bin/env bash
# `images` with 100 images and `load` of a ~300 MB archive, berth beside podman.
source "$(dirname "$0")/lib.sh"
N=${BENCH_IMAGES:-100}

rootfs="$BENCH_DIR/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc"
cp /bin/busybox "$rootfs/bin/"
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
tar -C "$rootfs" -cf "$BENCH_DIR/rootfs.tar" .

echo "creating $N images in each store..." >&2
for i in $(seq 1 "$N"); do
  "${BERTH_CMD[@]}" import -c "LABEL n=$i" "$BENCH_DIR/rootfs.tar" "bench/img$i:latest" >/dev/null
  "${PODMAN_CMD[@]}" import -q -c "LABEL n=$i" "$BENCH_DIR/rootfs.tar" "localhost/bench/img$i:latest" >/dev/null
done
b=$(median_ms 21 : "${BERTH_CMD[@]}" images)
p=$(median_ms 21 : "${PODMAN_CMD[@]}" images)
report "images ($N images)" "$b" "$p" 0.333
b=$(median_ms 21 : "${BERTH_CMD[@]}" images --format json)
p=$(median_ms 21 : "${PODMAN_CMD[@]}" images --format json)
report "images --format json ($N images)" "$b" "$p" 0.333

echo "building a ~300 MB archive..." >&2
big="$BENCH_DIR/big"
mkdir -p "$big"
for i in 1 2 3; do head -c 100000000 /dev/urandom >"$big/random$i"; done
tar -C "$big" -cf "$BENCH_DIR/big.tar" .
rm -rf "$big"
"${BERTH_CMD[@]}" import "$BENCH_DIR/big.tar" bench/big:1 >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/big-archive.tar" bench/big:1
rm -f "$BENCH_DIR/big.tar"
fresh_berth() { rm -rf "$BENCH_DIR/lb-root" "$BENCH_DIR/lb-run"; sync; }
fresh_podman() {
  podman --root "$BENCH_DIR/lp-root" --runroot "$BENCH_DIR/lp-run" rmi -a -f >/dev/null 2>&1 || true
  rm -rf "$BENCH_DIR/lp-root" "$BENCH_DIR/lp-run"; sync
}
b=$(median_ms 3 fresh_berth "$BERTH_BIN" --root "$BENCH_DIR/lb-root" --runroot "$BENCH_DIR/lb-run" load -q -i "$BENCH_DIR/big-archive.tar")
p=$(median_ms 3 fresh_podman podman --root "$BENCH_DIR/lp-root" --runroot "$BENCH_DIR/lp-run" --storage-driver overlay load -q -i "$BENCH_DIR/big-archive.tar")
fresh_podman
report "load 300 MB docker-archive" "$b" "$p" 0.333
"${PODMAN_CMD[@]}" rmi -a -f >/dev/null 2>&1 || true
