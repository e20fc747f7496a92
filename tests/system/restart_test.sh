#!/usr/bin/env bash
# Restart policies with the real runtime: always, on-failure:N, unless-stopped, and stop
# ending a restarting container for good.
source "$(dirname "$0")/lib.sh"

load_default_image
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

inspect() { berth inspect --format "$2" "$1"; }
# wait_for NAME TEMPLATE VALUE [TRIES]: polls inspect until TEMPLATE gives VALUE (10s default).
wait_for() {
  local got=""
  for _ in $(seq "${4:-100}"); do
    got=$(inspect "$1" "$2" 2>/dev/null || true)
    [[ "$got" == "$3" ]] && return 0
    sleep 0.1
  done
  echo "  ($1 $2: last [$got], want [$3])" >&2
  return 1
}
# kill_main NAME: SIGKILLs the container's main process from outside; echoes the old pid.
kill_main() {
  local pid
  pid=$(inspect "$1" '{{.State.Pid}}')
  [[ "$pid" -gt 0 ]] && kill -9 "$pid"
  echo "$pid"
}
# wait_new_pid NAME OLD: polls until the container runs with a pid other than OLD.
wait_new_pid() {
  local st pid
  for _ in $(seq 100); do
    st=$(inspect "$1" '{{.State.Status}} {{.State.Pid}}' 2>/dev/null || true)
    pid=${st#* }
    [[ "${st% *}" == running && "$pid" != 0 && "$pid" != "$2" ]] && return 0
    sleep 0.1
  done
  echo "  ($1: last [$st], old pid $2)" >&2
  return 1
}

# --- always: killing the main process from outside brings it back ---------------------------
berth run -d --name alw --restart always busybox sleep 300 >/dev/null
assert_eq "$(inspect alw '{{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}')" "0 always" "fresh always container"
old=$(kill_main alw)
wait_new_pid alw "$old" && pass || fail "always: restarted after kill -9"
wait_for alw '{{.RestartCount}}' 1 && pass || fail "always: RestartCount 1"
old=$(kill_main alw)
wait_new_pid alw "$old" && pass || fail "always: restarted again"
wait_for alw '{{.RestartCount}}' 2 && pass || fail "always: RestartCount 2"
# A clean exit restarts too with always.
berth run -d --name alw0 --restart always busybox sh -c 'sleep 0.3; exit 0' >/dev/null
wait_for alw0 '{{.RestartCount}}' 2 80 && pass || fail "always restarts after exit 0 as well"

# stop ends it for good: no restart afterwards.
expect_rc 0 berth stop -t 1 alw
assert_eq "$(inspect alw '{{.State.Status}}')" "exited" "stop of an always container"
sleep 1
assert_eq "$(inspect alw '{{.State.Status}} {{.RestartCount}}')" "exited 2" "stopped always container stays stopped"
expect_rc 0 berth stop -t 0 alw0
sleep 1
assert_eq "$(inspect alw0 '{{.State.Status}}')" "exited" "stopped restart loop stays stopped"
# A started-again always container runs; rm -f of it works.
expect_rc 0 berth start alw
assert_eq "$(inspect alw '{{.State.Status}}')" "running" "start after stop"
expect_rc 0 berth rm -f -t 0 alw
expect_rc 1 berth container exists alw

# --- on-failure:2 ------------------------------------------------------------------------------
berth run -d --name onf --restart on-failure:2 busybox sh -c 'sleep 0.2; exit 1' >/dev/null
wait_for onf '{{.State.Status}} {{.RestartCount}}' "exited 2" 100 && pass || fail "on-failure:2 ends after 2 restarts"
sleep 1
assert_eq "$(inspect onf '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}')" "exited 1 2" "on-failure:2 final state"
assert_eq "$(berth logs onf 2>&1 | wc -l)" "0" "no output"
expect_rc 0 timeout 10 "${B[@]}" wait onf
assert_eq "$OUT" "1" "wait of on-failure container"
# on-failure does not restart a clean exit.
berth run -d --name onf0 --restart on-failure busybox sh -c 'exit 0' >/dev/null
timeout 10 "${B[@]}" wait onf0 >/dev/null
sleep 0.5
assert_eq "$(inspect onf0 '{{.State.Status}} {{.RestartCount}}')" "exited 0" "on-failure: exit 0 is final"
# on-failure without a limit keeps restarting a kill -9'd container (exit 137 is a failure).
berth run -d --name onfk --restart on-failure busybox sleep 300 >/dev/null
old=$(kill_main onfk)
wait_new_pid onfk "$old" && pass || fail "on-failure restarts a killed container"
wait_for onfk '{{.RestartCount}}' 1 && pass || fail "on-failure: RestartCount 1"

# --- unless-stopped ----------------------------------------------------------------------------
berth run -d --name uls --restart unless-stopped busybox sleep 300 >/dev/null
old=$(kill_main uls)
wait_new_pid uls "$old" && pass || fail "unless-stopped: restarted after kill -9"
wait_for uls '{{.RestartCount}}' 1 && pass || fail "unless-stopped: RestartCount 1"
expect_rc 0 berth stop -t 1 uls
sleep 1
assert_eq "$(inspect uls '{{.State.Status}}')" "exited" "unless-stopped: stop is final"

# --- a long stop does not hold the container's lock: it shows as stopping, ps answers at once ----
berth run -d --name slow busybox sh -c "trap '' TERM; while :; do sleep 0.1; done" >/dev/null
wait_for slow '{{.State.Status}}' running || fail "slow runs"
berth stop -t 4 slow >/dev/null 2>"$TEST_DIR/slow.err" &
stopper=$!
wait_for slow '{{.State.Status}}' stopping 30 && pass || fail "a stop waiting out its timeout shows the container as stopping"
t0=$(date +%s%N)
out=$(berth ps --filter name=slow --format '{{.Names}} {{.State}}')
t1=$(date +%s%N)
assert_eq "$out" "slow stopping" "ps lists a stopping container"
(( (t1 - t0) / 1000000 < 2000 )) && pass || fail "ps waited $(( (t1 - t0) / 1000000 )) ms behind a stop's timeout"
wait "$stopper" && pass || fail "stop ends after its timeout"
assert_eq "$(inspect slow '{{.State.Status}} {{.State.ExitCode}}')" "exited 137" "SIGKILL after the timeout"
assert_contains "$(cat "$TEST_DIR/slow.err")" "resorting to SIGKILL" "stop says SIGKILL was needed"

# --- restart policy and the usual commands -----------------------------------------------------
expect_rc 125 berth run --rm --restart always busybox true
assert_contains "$ERR" "--rm" "--rm conflicts with --restart"
expect_rc 125 berth run --restart bogus busybox true
expect_rc 125 berth run --restart always:3 busybox true
assert_eq "$(berth ps -a --filter restart-policy=unless-stopped --format '{{.Names}}')" "uls" "ps restart-policy filter"

expect_rc 0 berth rm -af -t 0
assert_eq "$(berth ps -a -q)" "" "all removed"
sleep 0.5
assert_eq "$(pgrep -f "$ROOT" || true)" "" "no processes left for this root"
assert_eq "$(grep -c " $TEST_DIR" /proc/self/mountinfo || true)" "0" "no mounts left"
finish
