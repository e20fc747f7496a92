#!/usr/bin/env bash
# REST API throughput, berth system service beside podman system service in the same
# run: wrk on tcp 127.0.0.1 against _ping, libpod containers/json and compat
# containers/json with BENCH_API_CONTAINERS (100) containers on private roots; the same
# on each service's unix socket with bench/unixload.c (wrk speaks only tcp).
# Targets: _ping >= 3x podman's requests/s; both lists >= 1000 requests/s, p99 < 20 ms.
source "$(dirname "$0")/lib.sh"
N=${BENCH_API_CONTAINERS:-100}
DUR=${BENCH_API_SECONDS:-5}
CONNS=${BENCH_API_CONNECTIONS:-16}
SRC=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "bench: wrk is needed (scripts/deps.sh --test)" >&2; exit 1; }
cc -O2 -pthread -o "$BENCH_DIR/unixload" "$SRC/bench/unixload.c"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bash "$SRC/scripts/make-default-image.sh" "${BERTH_CMD[@]}" >/dev/null
"${BERTH_CMD[@]}" save -o "$BENCH_DIR/busybox.tar" busybox
"${PODMAN_CMD[@]}" load -q -i "$BENCH_DIR/busybox.tar" >/dev/null
for ((k = 0; k < N; k++)); do
  "${BERTH_CMD[@]}" create --network none busybox true >/dev/null
  "${PODMAN_CMD[@]}" create --network none busybox true >/dev/null
done

BP=$(port)
PP=$(port)
"${BERTH_CMD[@]}" system service --time 0 "tcp:127.0.0.1:$BP" 2>"$BENCH_DIR/berth-svc.log" &
BPID=$!
"${PODMAN_CMD[@]}" system service --time 0 "tcp:127.0.0.1:$PP" 2>"$BENCH_DIR/podman-svc.log" &
PPID_=$!
BS=$BENCH_DIR/berth.sock
PS=$BENCH_DIR/podman.sock
"${BERTH_CMD[@]}" system service --time 0 "unix://$BS" 2>>"$BENCH_DIR/berth-svc.log" &
BUPID=$!
"${PODMAN_CMD[@]}" system service --time 0 "unix://$PS" 2>>"$BENCH_DIR/podman-svc.log" &
PUPID=$!
stop_services() { kill "$BPID" "$PPID_" "$BUPID" "$PUPID" 2>/dev/null || true; wait 2>/dev/null || true; }
trap 'stop_services; cleanup_bench' EXIT
for p in "$BP" "$PP"; do
  for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$p/_ping" && break; sleep 0.05; done
done
for s in "$BS" "$PS"; do
  for _ in $(seq 200); do curl -s -o /dev/null --unix-socket "$s" "http://d/_ping" && break; sleep 0.05; done
done

# bench_url PORT PATH: "requests/s p50_ms p99_ms" from wrk.
bench_url() {
  wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "http://127.0.0.1:$1$2" 2>&1 | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    END { printf "%.1f %.2f %.2f\n", rps, p50, p99 }'
}

printf '%-28s %12s %9s %9s   %12s %9s %9s\n' "" "berth req/s" "p50 ms" "p99 ms" "podman req/s" "p50 ms" "p99 ms"
declare -A RES
for case in "_ping:/_ping" "libpod-list:/v4.3.1/libpod/containers/json?all=true" "compat-list:/v1.41/containers/json?all=1"; do
  name=${case%%:*}
  path=${case#*:}
  b=$(bench_url "$BP" "$path")
  p=$(bench_url "$PP" "$path")
  RES[$name]="$b $p"
  read -r brps bp50 bp99 <<<"$b"
  read -r prps pp50 pp99 <<<"$p"
  printf '%-28s %12s %9s %9s   %12s %9s %9s\n' "$name ($N containers)" "$brps" "$bp50" "$bp99" "$prps" "$pp50" "$pp99"
done
for case in "_ping:/_ping" "libpod-list:/v4.3.1/libpod/containers/json?all=true" "compat-list:/v1.41/containers/json?all=1"; do
  name=${case%%:*}
  path=${case#*:}
  read -r brps bp50 bp99 < <("$BENCH_DIR/unixload" "$BS" "$path" "$CONNS" "$DUR")
  read -r prps pp50 pp99 < <("$BENCH_DIR/unixload" "$PS" "$path" "$CONNS" "$DUR")
  printf '%-28s %12s %9s %9s   %12s %9s %9s\n' "$name unix ($N)" "$brps" "$bp50" "$bp99" "$prps" "$pp50" "$pp99"
done
read -r brps _ _ prps _ _ <<<"${RES[_ping]}"
awk -v b="$brps" -v p="$prps" 'BEGIN { r = (p > 0) ? b / p : 0; printf "%-44s ratio %.2fx (target >= 3x) %s\n", "_ping requests/s berth/podman", r, (r >= 3) ? "OK" : "MISSED" }'
for name in libpod-list compat-list; do
  read -r brps _ bp99 _ _ _ <<<"${RES[$name]}"
  awk -v n="$name" -v r="$brps" -v q="$bp99" 'BEGIN { printf "%-44s %.0f req/s, p99 %.2f ms (target >= 1000 req/s, p99 < 20 ms) %s\n", n " with berth", r, q, (r >= 1000 && q < 20) ? "OK" : "MISSED" }'
done
