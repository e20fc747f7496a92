#!/usr/bin/env bash
# Many CLIs at once, and kill -9 of the CLI and of berth-monitor: state stays consistent,
# `rm -af` repairs everything, nothing is left behind.
source "$(dirname "$0")/lib.sh"

load_default_image
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT
N=50

# no_leftovers LABEL: no containers, mounts, monitors, runtime state or container dirs.
no_leftovers() {
  assert_eq "$(berth ps -a -q)" "" "$1: ps -a empty"
  assert_eq "$(grep -c " $TEST_DIR" /proc/self/mountinfo || true)" "0" "$1: no mounts"
  local procs=""
  for _ in $(seq 30); do
    procs=$(pgrep -f -- "$ROOT" || true)
    [[ -z "$procs" ]] && break
    sleep 0.1
  done
  assert_eq "$procs" "" "$1: no processes for this root"
  assert_eq "$(ls -A "$RUNROOT/runtime/runc" 2>/dev/null || true)" "" "$1: no runc state"
  assert_eq "$(ls -A "$ROOT/containers" 2>/dev/null || true)" "" "$1: no container dirs"
  assert_eq "$(ls -A "$RUNROOT/containers" 2>/dev/null || true)" "" "$1: no run dirs"
}

# --- 50 parallel runs, then 50 parallel removals -------------------------------------------
mkdir -p "$TEST_DIR/par"
start=$(date +%s%N)
for i in $(seq $N); do
  ( set +e; "${B[@]}" run -d --name "p$i" busybox sleep 60 >"$TEST_DIR/par/$i.out" 2>"$TEST_DIR/par/$i.err"
    echo $? >"$TEST_DIR/par/$i.rc" ) &
done
wait
echo "# $N parallel run -d: $(( ($(date +%s%N) - start) / 1000000 ))ms"
bad=0
for i in $(seq $N); do
  if [[ "$(cat "$TEST_DIR/par/$i.rc")" != 0 ]]; then
    bad=$((bad + 1))
    fail "run p$i exited $(cat "$TEST_DIR/par/$i.rc"): $(cat "$TEST_DIR/par/$i.err")"
  fi
done
assert_eq "$bad" "0" "all parallel runs succeed"
assert_eq "$(cat "$TEST_DIR"/par/*.out | grep -cE '^[0-9a-f]{64}$')" "$N" "each printed an ID"
assert_eq "$(cat "$TEST_DIR"/par/*.out | sort -u | wc -l)" "$N" "IDs are distinct"
assert_eq "$(berth ps -q | wc -l)" "$N" "all running"
assert_eq "$(berth ps --format '{{.Names}}' | sort -u | wc -l)" "$N" "names distinct"
running=$(berth ps -a --format '{{.State}}' | sort | uniq -c | tr -s ' ')
assert_eq "$running" " $N running" "all in state running"

start=$(date +%s%N)
for i in $(seq $N); do
  ( set +e; "${B[@]}" rm -f -t 0 "p$i" >"$TEST_DIR/par/$i.out" 2>"$TEST_DIR/par/$i.err"
    echo $? >"$TEST_DIR/par/$i.rc" ) &
done
wait
echo "# $N parallel rm -f: $(( ($(date +%s%N) - start) / 1000000 ))ms"
bad=0
for i in $(seq $N); do
  if [[ "$(cat "$TEST_DIR/par/$i.rc")" != 0 || -s "$TEST_DIR/par/$i.err" ]]; then
    bad=$((bad + 1))
    fail "rm p$i exited $(cat "$TEST_DIR/par/$i.rc"): $(cat "$TEST_DIR/par/$i.err")"
  fi
done
assert_eq "$bad" "0" "all parallel removals succeed"
no_leftovers "after parallel rm"

# --- concurrent operations on one container ----------------------------------------------
berth run -d --name one busybox sleep 60 >/dev/null
for _ in $(seq 10); do
  ( "${B[@]}" ps -a >/dev/null; "${B[@]}" inspect one >/dev/null ) &
done
( "${B[@]}" stop -t 0 one >/dev/null 2>&1 ) &
( "${B[@]}" stop -t 0 one >/dev/null 2>&1 ) &
wait
assert_eq "$(berth inspect -f '{{.State.Status}}' one)" "exited" "two concurrent stops"
berth rm one >/dev/null

# --- create races rmi: a container never outlives its image ---------------------------------
make_rootfs_tar "$TEST_DIR/race.tar"
for i in $(seq 12); do
  berth import -c "ENV RACE=$i" "$TEST_DIR/race.tar" "race:$i" >/dev/null
  ( "${B[@]}" create --name "race$i" "race:$i" true >/dev/null 2>&1 || true ) &
  ( "${B[@]}" rmi "race:$i" >/dev/null 2>&1 || true ) &
done
wait
orphans=0
for id in $(berth ps -a -q --filter name=race); do
  img=$(berth inspect -f '{{.Image}}' "$id")
  berth image exists "$img" || { orphans=$((orphans + 1)); echo "  container $id outlived image $img" >&2; }
  berth start "$id" >/dev/null 2>&1 || { orphans=$((orphans + 1)); echo "  container $id does not start" >&2; }
done
assert_eq "$orphans" "0" "every container created beside an rmi has its image"
berth rm -af -t 0 >/dev/null

# --- kill -9 of the CLI at random points ---------------------------------------------------
for i in $(seq 8); do
  "${B[@]}" run -d --name "k$i" busybox sleep 60 >/dev/null 2>&1 &
  pid=$!
  # 0 to ~120ms: before, during and after the runtime's create/start.
  sleep "0.$(printf '%03d' $((RANDOM % 120)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  expect_rc 0 berth ps -a
done
# A runtime `start` the killed CLI had begun goes on without it: the states compared below
# are the ones after it ended.
for _ in $(seq 50); do
  pgrep -f -- "$RUNROOT/runtime/.* start [0-9a-f]{64}" >/dev/null || break
  sleep 0.1
done
# A container with a live monitor is adopted as what the runtime says it is: running, or
# created when the CLI died between the runtime's create and its start (on a bridge network
# the runtime creates the container while netavark sets it up; the start comes after).
# A created one then starts.
runtime_state() {
  local rt
  for rt in crun runc; do
    if [[ -e "$RUNROOT/runtime/$rt/$1" ]]; then
      "$rt" --root "$RUNROOT/runtime/$rt" state "$1" 2>/dev/null | jq -r .status
      return
    fi
  done
  echo none
}
while read -r id state; do
  if pgrep -f -- "berth-monitor --id $id" >/dev/null; then
    assert_eq "$state" "$(runtime_state "$id")" "container ${id:0:12} with a live monitor: the runtime's state"
    if [[ "$state" == created ]]; then
      expect_rc 0 berth start "$id"
      assert_eq "$(berth inspect -f '{{.State.Status}}' "$id")" "running" "an adopted created container starts"
    fi
  fi
done < <(berth ps -a --no-trunc --format '{{.ID}} {{.State}}')
for i in $(seq 4); do
  "${B[@]}" rm -f -t 0 "k$i" >/dev/null 2>&1 &
  pid=$!
  sleep "0.0$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
expect_rc 0 berth ps -a
expect_rc 0 berth rm -af -t 0
no_leftovers "after kill -9 of the CLI"

# --- kill -9 of berth-monitor ---------------------------------------------------------------
berth run -d --name mon busybox sleep 60 >/dev/null
mpid=$(cat "$RUNROOT/containers/$(berth inspect -f '{{.Id}}' mon)/monitor.pid")
[[ -n "$mpid" && -d /proc/$mpid ]] && pass || fail "monitor pid file"
kill -9 "$mpid"
sleep 0.2
# The container process may outlive its monitor; once it is gone too the container is exited.
cpid=$(berth inspect -f '{{.State.Pid}}' mon)
[[ "$cpid" != 0 ]] && kill -9 "$cpid" 2>/dev/null || true
st=""
for _ in $(seq 50); do
  st=$(berth inspect -f '{{.State.Status}}' mon)
  [[ "$st" == exited ]] && break
  sleep 0.1
done
assert_eq "$st" "exited" "a container whose monitor died is reported exited"
expect_rc 0 berth ps -a
assert_contains "$OUT" "Exited" "ps shows it exited"
expect_rc 0 timeout 10 "${B[@]}" wait mon
# And when only the monitor is killed, rm -f still stops the orphaned container.
berth run -d --name orphan busybox sleep 60 >/dev/null
kill -9 "$(cat "$RUNROOT/containers/$(berth inspect -f '{{.Id}}' orphan)/monitor.pid")"
sleep 0.2
expect_rc 0 berth ps -a
expect_rc 0 timeout 20 "${B[@]}" rm -af -t 0
no_leftovers "after kill -9 of the monitor"
finish
