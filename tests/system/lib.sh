# Shared helpers for system tests: a private root per test, assertions, the default image.
set -euo pipefail
: "${BERTH:?set BERTH to the berth binary}"
: "${BERTH_SRC:?set BERTH_SRC to the source tree}"
TEST_DIR=$(mktemp -d /tmp/berth-test.XXXXXX)
ROOT="$TEST_DIR/root"
RUNROOT="$TEST_DIR/run"
B=("$BERTH" --root "$ROOT" --runroot "$RUNROOT")
# BERTH_STORAGE_DRIVER=vfs runs a suite on the vfs driver (ctest's *.vfs entries).
STORAGE_DRIVER=${BERTH_STORAGE_DRIVER:-}
if [[ -n "$STORAGE_DRIVER" ]]; then B+=(--storage-driver "$STORAGE_DRIVER"); fi
FAILS=0
PASSES=0
# test_monitor_pids: the berth-monitor processes this test started (their
# arguments name paths under its private TEST_DIR).
test_monitor_pids() {
  local d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ "$(cat "$d/comm" 2>/dev/null)" == berth-monitor ]] || continue
    tr '\0' '\n' <"$d/cmdline" 2>/dev/null | grep -q "^$TEST_DIR/" && echo "$pid"
  done
  return 0
}
# test_monitor_roots: "ROOT RUNROOT" of every root whose containers still have a monitor.
test_monitor_roots() {
  local pid
  for pid in $(test_monitor_pids); do
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
      awk 'p == "--root" { r = $0 } p == "--runroot" { rr = $0 } $0 != "--exit-command-arg" { p = $0 }
           END { if (r != "" && rr != "") print r, rr }'
  done | sort -u
}
cleanup_test_dir() {
  set +e
  # Containers still there at the end keep their berth-monitor (and the container)
  # running after TEST_DIR is gone: remove them through berth first, on the test's
  # root and on every other root under TEST_DIR that still has a monitor.
  if [[ -d "$ROOT" ]]; then timeout 60 "${B[@]}" rm -af -t 0 >/dev/null 2>&1; fi
  local r rr rt id pid i
  for pid in "${LOCAL_REGISTRY_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  while read -r r rr; do
    [[ -n "$r" ]] && timeout 60 "$BERTH" --root "$r" --runroot "$rr" rm -af -t 0 >/dev/null 2>&1
  done < <(test_monitor_roots)
  # Containers whose monitor was killed (crash tests): delete them through the runtime.
  while read -r rt; do
    for id in $(ls "$rt" 2>/dev/null); do
      [[ -f "$rt/$id/state.json" ]] || continue
      "$(basename "$rt")" --root "$rt" delete --force "$id" >/dev/null 2>&1
    done
  done < <(find "$TEST_DIR" -maxdepth 5 -type d \( -path '*/runtime/runc' -o -path '*/runtime/crun' \) 2>/dev/null)
  # Monitors exit once their container is gone; whatever is left after 5 s is killed.
  for ((i = 0; i < 50; i++)); do
    [[ -z "$(test_monitor_pids)" ]] && break
    sleep 0.1
  done
  for pid in $(test_monitor_pids); do kill -9 "$pid" 2>/dev/null; done
  # Unmount anything left under the test dir (deepest first), then remove it.
  grep -o " $TEST_DIR[^ ]*" /proc/self/mountinfo | sort -ru | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$TEST_DIR"
  return 0
}
trap cleanup_test_dir EXIT

# run_registry DIR PORT [EXTRA_YAML]: docker-registry on 127.0.0.1:PORT with its storage, config
# and log (registry.log) under DIR, EXTRA_YAML appended to its config (auth, TLS); waits until
# it answers and sets REGISTRY_PID. Stopping it is the caller's.
run_registry() {
  local dir=$1 port=$2 extra=${3:-}
  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: berth-test-secret
$extra
EOF
  # docker-registry reads REGISTRY_* variables as config overrides: hide ours.
  env -u REGISTRY_AUTH_FILE docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
    sleep 0.1
  done
  echo "docker-registry did not answer on 127.0.0.1:$port: $(tail -3 "$dir/registry.log")" >&2
  return 1
}
# start_local_registry: one registry for the test, its files under $TEST_DIR/reg; sets REG
# (host:port). cleanup_test_dir stops it.
LOCAL_REGISTRY_PIDS=()
start_local_registry() {
  local port
  port=$(python3 "$BERTH_SRC/tests/system/registry_helper.py" port)
  REG=127.0.0.1:$port
  run_registry "$TEST_DIR/reg" "$port" || return 1
  LOCAL_REGISTRY_PIDS+=("$REGISTRY_PID")
}

berth() { "${B[@]}" "$@"; }

fail() {
  echo "FAIL: $*" >&2
  FAILS=$((FAILS + 1))
}
pass() { PASSES=$((PASSES + 1)); }

# assert_eq ACTUAL EXPECTED MESSAGE
assert_eq() {
  if [[ "$1" == "$2" ]]; then pass; else fail "$3: expected [$2], got [$1]"; fi
}
# assert_contains HAYSTACK NEEDLE MESSAGE
assert_contains() {
  if [[ "$1" == *"$2"* ]]; then pass; else fail "$3: [$2] not in [$1]"; fi
}
assert_not_contains() {
  if [[ "$1" != *"$2"* ]]; then pass; else fail "$3: [$2] unexpectedly in [$1]"; fi
}
# expect_rc CODE CMD...: runs CMD, checks its exit code, leaves output in $OUT / $ERR.
expect_rc() {
  local want=$1
  shift
  set +e
  OUT=$("$@" 2>"$TEST_DIR/stderr")
  local rc=$?
  set -e
  ERR=$(cat "$TEST_DIR/stderr")
  if [[ "$rc" == "$want" ]]; then pass; else fail "'$*' exited $rc, want $want (stderr: $ERR)"; fi
}

# A busybox rootfs tarball like the default image's.
make_rootfs_tar() {
  local out=$1 dir="$TEST_DIR/rootfs.$RANDOM"
  mkdir -p "$dir/bin" "$dir/etc"
  cp /bin/busybox "$dir/bin/busybox"
  for a in sh echo cat ls true false sleep env id; do ln -sf busybox "$dir/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  echo 'root:x:0:' >"$dir/etc/group"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$out" .
  rm -rf "$dir"
}

# start_service URI: `berth system service --time 0 URI` (unix://PATH or tcp:HOST:PORT) in
# the background on the test's root, its pid in SVC_PID (TCP_PID for tcp), logging to
# $TEST_DIR/svc.log (svc-tcp.log); returns once the socket exists or _ping answers.
start_service() {
  local uri=$1 i
  if [[ "$uri" == tcp:* ]]; then
    "${B[@]}" system service --time 0 "$uri" 2>"$TEST_DIR/svc-tcp.log" &
    TCP_PID=$!
  else
    "${B[@]}" system service --time 0 "$uri" 2>>"$TEST_DIR/svc.log" &
    SVC_PID=$!
  fi
  for i in $(seq 200); do
    case $uri in
      unix://*) [[ -S "${uri#unix://}" ]] && return 0 ;;
      tcp:*) curl -s -o /dev/null "http://${uri#tcp:}/_ping" && return 0 ;;
    esac
    sleep 0.05
  done
  fail "the service on $uri did not come up"
}

load_default_image() {
  bash "$BERTH_SRC/scripts/make-default-image.sh" "${B[@]}" >/dev/null
}

finish() {
  echo "$PASSES passed, $FAILS failed"
  [[ "$FAILS" == 0 ]]
}
