#!/usr/bin/env bash
# Cold pull and push of a 4-layer image (3 x incompressible, 1 x text, ~100 MB each) from a
# local docker-registry, berth beside podman, and the machine's limit for the same bytes
# (curl | sha256sum + gzip -d | tar -x, a plain tool pipeline).
source "$(dirname "$0")/lib.sh"
SIZE=${BENCH_LAYER_BYTES:-100000000}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_registry() {  # start_registry NAME -> sets REG_<NAME>
  local p dir="$BENCH_DIR/reg-$1"
  p=$(port)
  mkdir -p "$dir"
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' "$dir" "$p" >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$p/v2/" >/dev/null && break; sleep 0.1; done
  eval "REG_$1=127.0.0.1:$p"
}
stop_registries() { for f in "$BENCH_DIR"/reg-*/pid; do kill "$(cat "$f")" 2>/dev/null || true; done; }
trap 'stop_registries; cleanup_bench' EXIT
start_registry A
start_registry B
start_registry C
echo "building a 4-layer image ($SIZE bytes per layer)..." >&2
python3 "$(dirname "$0")/mkimage.py" "$BENCH_DIR/img.tar" bench/big:1 "$SIZE" random random random text
"${BERTH_CMD[@]}" load -q -i "$BENCH_DIR/img.tar" >/dev/null
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/img.tar" >/dev/null
t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
# Cold push: each tool pushes the same local image to its own empty registry.
b=$(t "${BERTH_CMD[@]}" push --tls-verify=false bench/big:1 "$REG_A/bench/big:1")
p=$(t "${PODMAN_CMD[@]}" push --tls-verify=false localhost/bench/big:1 "docker://$REG_B/bench/big:1")
report "push 4 x ~100 MB layers (gzip)" "$b" "$p" 0.5
# Cold pull of what berth pushed, into empty stores.
R2=("$BERTH_BIN" --root "$BENCH_DIR/pull-root" --runroot "$BENCH_DIR/pull-run")
P2=(podman --root "$BENCH_DIR/ppull-root" --runroot "$BENCH_DIR/ppull-run" --storage-driver overlay)
b=$(t "${R2[@]}" pull --tls-verify=false "$REG_A/bench/big:1")
p=$(t "${P2[@]}" pull --tls-verify=false "$REG_A/bench/big:1")
report "cold pull 4 x ~100 MB layers" "$b" "$p" 0.5
# The machine's limit for the same bytes: download, hash, decompress and write with plain tools.
manifest=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG_A/v2/bench/big/manifests/1")
mkdir -p "$BENCH_DIR/plain"
s=$(date +%s%N)
for d in $(python3 -c 'import json,sys; print(" ".join(l["digest"] for l in json.loads(sys.argv[1])["layers"]))' "$manifest"); do
  curl -sf "http://$REG_A/v2/bench/big/blobs/$d" | tee >(sha256sum >/dev/null) | gzip -dc | tar -xf - -C "$BENCH_DIR/plain"
done
sync
e=$(date +%s%N)
limit=$(((e - s) / 1000000))
awk -v b="$b" -v l="$limit" 'BEGIN { printf "%-44s berth %9.2f ms   tools %9.2f ms   ratio %.3f (target < 1.5) %s\n", "pull vs plain tool pipeline", b, l, b / l, (b / l < 1.5) ? "OK" : "MISSED" }'
"${P2[@]}" rmi -af >/dev/null 2>&1 || true
"${PODMAN_CMD[@]}" rmi -af >/dev/null 2>&1 || true
