#!/usr/bin/env bash
# A container's stdin and stdout through berth-monitor: lossless with back-pressure for
# run -i, attach, start -a -i and through a pty (-t); a container that does not read its
# stdin does not stall the monitor; exec -d returns at once and holds nothing of the caller.
source "$(dirname "$0")/lib.sh"

load_default_image
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

# wait_log NAME REGEX: polls `logs` until a line matches (10s at most).
wait_log() {
  for _ in $(seq 100); do
    berth logs "$1" 2>/dev/null | grep -qE -- "$2" && return 0
    sleep 0.1
  done
  return 1
}
# A regression here hangs rather than fails: bound every transfer.
tb() { timeout 180 "${B[@]}" "$@"; }
# digest OUTPUT: sha256sum's answer ("HASH  -") in OUTPUT, \r stripped. Anchored on the "  -":
# a terminal that echoed input before `stty -echo` can leave base64 glued to the hash.
digest() { tr -d '\r' <<<"$1" | grep -oE '[0-9a-f]{64}  -' | tail -1 | cut -c1-64; }

# --- run -i: every byte arrives (issue 7 bug 2) -------------------------------------
# The client sent up to 64 KiB packets that the monitor received into 8 KiB: 16384 came out.
assert_eq "$(seq 1 20000 | tb run -i --rm busybox wc -c)" "$(seq 1 20000 | wc -c)" "run -i wc -c"
# podman's "run closes stdin": the EOF reaches the container.
assert_eq "$(tb run -i --rm busybox cat <<<"closes-$$")" "closes-$$" "run -i cat ends at EOF"

BIG="$TEST_DIR/big.bin"
head -c 100000000 /dev/urandom >"$BIG"
want=$(sha256sum <"$BIG" | cut -d' ' -f1)

got=$(tb run -i --rm busybox sha256sum <"$BIG")
assert_eq "$(digest "$got")" "$want" "100 MB through run -i"
# Both ways at once: cat echoes the input back through the same monitor.
got=$(tb run -i --rm --log-driver none busybox cat <"$BIG" | sha256sum | cut -d' ' -f1)
assert_eq "$got" "$want" "100 MB through run -i cat and back"

# --- attach and start -a -i ------------------------------------------------------------
berth run -d -i --name att busybox sha256sum >/dev/null
expect_rc 0 tb attach att <"$BIG"
assert_eq "$(digest "$OUT")" "$want" "100 MB through attach to run -d -i"
assert_eq "$(berth inspect -f '{{.State.Status}} {{.State.ExitCode}}' att)" "exited 0" "attach: the EOF ended the container"

berth create -i --name sta busybox sha256sum >/dev/null
expect_rc 0 tb start -a -i sta <"$BIG"
assert_eq "$(digest "$OUT")" "$want" "100 MB through create -i + start -a -i"

# --- through a pty (-t) -------------------------------------------------------------------
# A terminal's line discipline edits input (echo, ^C, ^D, CR/NL, 4 KiB canonical lines), so a
# binary-safe reader puts its terminal in raw mode first: podman's answer is the same (its
# run -it with piped stdin warns "The input device is not a TTY", echoes the input, turns
# \n into \r\n and keeps the container running after EOF: a pty has no EOF to pass on).
# The data may hold ctrl-p ctrl-q, podman's detach keys for attach: --detach-keys "" turns
# them off, as podman would need too.
berth run -d -i -t --name tty busybox sh -c 'stty raw -echo; echo READY; head -c 100000000 | sha256sum' >/dev/null
wait_log tty READY && pass || fail "tty container is ready"
expect_rc 0 tb attach --detach-keys "" tty <"$BIG"
assert_eq "$(digest "$OUT")" "$want" "100 MB through attach to a -t container (pty, raw mode)"

# run -it straight away: input may arrive before stty runs, while the terminal is still in
# canonical mode with echo, so use data the line discipline passes unchanged (base64 lines).
head -c 10000000 "$BIG" | base64 >"$TEST_DIR/b64"
want10=$(head -c 10000000 "$BIG" | sha256sum | cut -d' ' -f1)
n=$(stat -c %s "$TEST_DIR/b64")
got=$(tb run -i -t --rm busybox sh -c "stty raw -echo; head -c $n | base64 -d | sha256sum" <"$TEST_DIR/b64")
assert_eq "$(digest "$got")" "$want10" "10 MB (base64) through run -it"

# --- a container that does not read its stdin ------------------------------------------
# The attach client's input backs up to the container's full stdin pipe; the monitor must
# keep logging, serving attach and stopping (it used to block writing that pipe).
berth run -d -i --name noread busybox sh -c 'i=0; while :; do echo tick$i; i=$((i+1)); sleep 0.1; done' >/dev/null
berth attach noread <"$BIG" >"$TEST_DIR/noread.out" 2>&1 &
attach_pid=$!
sleep 1
n1=$(berth logs noread | wc -l)
sleep 1.5
n2=$(berth logs noread | wc -l)
((n2 > n1 + 5)) && pass || fail "logs keep growing while stdin is full ($n1 -> $n2)"
assert_contains "$(timeout 5 "${B[@]}" logs --tail 1 noread)" "tick" "logs answers"
kill -0 "$attach_pid" 2>/dev/null && pass || fail "the attach client is still feeding stdin"
start=$(date +%s%N)
expect_rc 0 timeout 20 "${B[@]}" stop -t 2 noread
ms=$((($(date +%s%N) - start) / 1000000))
((ms < 8000)) && pass || fail "stop took ${ms} ms"
for _ in $(seq 50); do kill -0 "$attach_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$attach_pid" 2>/dev/null && fail "attach did not return after stop" || pass
wait "$attach_pid" 2>/dev/null || true
assert_contains "$(cat "$TEST_DIR/noread.out")" "tick" "attach printed the container's output"

# --- the monitor starts clean (issue 7 bug 9) -------------------------------------------------
# It was forked by hand: it inherited the caller's fds (not O_CLOEXEC) and ignored signals.
(trap '' USR1; exec 7>"$TEST_DIR/fd7"; berth run -d --name clean busybox sleep 1000 >/dev/null)
mpid=$(berth inspect -f '{{.State.ConmonPid}}' clean)
[[ "$mpid" =~ ^[0-9]+$ && "$mpid" != 0 ]] && pass || fail "monitor pid: [$mpid]"
fds=$(ls -l /proc/"$mpid"/fd 2>/dev/null || true)
assert_not_contains "$fds" "$TEST_DIR/fd7" "the monitor holds none of the caller's fds"
ign=$(awk '/^SigIgn:/ {print $2}' /proc/"$mpid"/status)
(((16#$ign & (1 << 9)) == 0)) && pass || fail "the monitor inherited an ignored SIGUSR1 (SigIgn $ign)"
berth rm -f -t 0 clean >/dev/null

# --- exec -d (issue 7 bug 8) -----------------------------------------------------------------
# It held the caller's stdout, so $(...) waited for the exec'd process; now it runs under its own
# monitor in its own session, with none of the caller's fds, and prints the session ID (podman).
berth run -d --name ex busybox sleep 1000 >/dev/null
start=$(date +%s%N)
sid=$(timeout 20 "${B[@]}" exec -d ex sh -c 'echo to-nowhere; sleep 10' 5>"$TEST_DIR/fd5")
ms=$((($(date +%s%N) - start) / 1000000))
((ms < 5000)) && pass || fail "x=\$(exec -d ... sleep 10) took ${ms} ms"
[[ "$sid" =~ ^[0-9a-f]{64}$ ]] && pass || fail "exec -d prints a 64-hex session ID: [$sid]"
exdir="$RUNROOT/containers/$(berth inspect -f '{{.Id}}' ex)/exec"
pid=$(cat "$exdir/$sid/pid" 2>/dev/null || true)  # the runtime's pid file of the session
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
  assert_eq "$(readlink /proc/$pid/fd/0)" "/dev/null" "detached exec's stdin is /dev/null"
  [[ ! -e /proc/$pid/fd/5 ]] && pass || fail "detached exec inherited the caller's fd 5"
  [[ "$(ps -o sid= -p "$pid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ]] && pass || fail "detached exec is in the caller's session"
else
  fail "the detached exec's process is not running"
fi
assert_not_contains "$(berth logs ex)" "to-nowhere" "podman 4.3 keeps no output of exec sessions"
sid=$(berth exec -d ex sh -c 'exit 3')
for _ in $(seq 50); do [[ -s "$exdir/$sid/exit" ]] && break; sleep 0.1; done
assert_contains "$(cat "$exdir/$sid/exit" 2>/dev/null)" '"exit_code":3' "the exec session's exit code is recorded"
berth exec -d -u nobody -e FOO=bar -w /tmp ex sh -c 'echo $(id -u) $FOO $(pwd) >/tmp/o' >/dev/null
for _ in $(seq 50); do berth exec ex test -s /tmp/o && break; sleep 0.1; done
assert_eq "$(berth exec ex cat /tmp/o)" "65534 bar /tmp" "exec -d -u -e -w"
expect_rc 127 berth exec -d ex nosuchcmd
assert_contains "$ERR" "nosuchcmd" "exec -d of a missing command fails at once"
berth rm -f -t 0 ex >/dev/null

finish
