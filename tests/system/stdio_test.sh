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
# digest OUTPUT: the first 64-hex word of OUTPUT (sha256sum's answer, \r stripped).
digest() { tr -d '\r' <<<"$1" | grep -oE '[0-9a-f]{64}' | tail -1; }

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

finish
