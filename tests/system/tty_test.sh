#!/usr/bin/env bash
# Interactive containers on a real terminal (tmux): run -it, typing, tty, window size and
# resize, detach with ctrl-p ctrl-q, attach again and exit with a code.
source "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null; then
  echo "note: tmux is not installed; skipping the terminal tests"
  pass
  finish
  exit 0
fi

load_default_image
TMUX_SOCK="berth-tty-$$"
tm() { tmux -L "$TMUX_SOCK" "$@"; }
trap 'tm kill-server >/dev/null 2>&1 || true; berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

# screen SESSION: the pane's text (empty once the session ended).
screen() { tm capture-pane -p -t "$1" 2>/dev/null || true; }
# wait_screen SESSION REGEX: polls the pane until a line matches (10s at most).
wait_screen() {
  for _ in $(seq 100); do
    grep -qE -- "$2" <<<"$(screen "$1")" && return 0
    sleep 0.1
  done
  echo "--- screen of $1:" >&2
  screen "$1" >&2
  return 1
}
# wait_file PATH: polls until PATH exists (10s at most).
wait_file() {
  for _ in $(seq 100); do
    [[ -s "$1" ]] && return 0
    sleep 0.1
  done
  return 1
}

cli="${B[*]}"
tm new-session -d -s run1 -x 120 -y 30 "$cli run -it --name t busybox sh; echo \$? >$TEST_DIR/rc1"
wait_screen run1 '^/ #' && pass || fail "run -it shows the shell prompt"
tm send-keys -t run1 'echo hi-from-$((6*7))' Enter
wait_screen run1 '^hi-from-42$' && pass || fail "typed command runs and prints"
tm send-keys -t run1 'tty' Enter
wait_screen run1 '^/dev/pts/[0-9]+$' && pass || fail "tty inside is a pts"
tm send-keys -t run1 'stty size' Enter
wait_screen run1 '^30 120$' && pass || fail "the container's terminal has the window size"
tm resize-window -t run1 -x 100 -y 25
sleep 0.3
tm send-keys -t run1 'clear; stty size' Enter
wait_screen run1 '^25 100$' && pass || fail "resize reaches the container"
assert_eq "$(berth inspect -f '{{.Config.Tty}} {{.Config.OpenStdin}}' t)" "true true" "inspect Tty/OpenStdin"

# Detach: ctrl-p ctrl-q returns the CLI and leaves the container running.
tm send-keys -t run1 C-p C-q
wait_file "$TEST_DIR/rc1" && pass || fail "detach returns the CLI"
assert_eq "$(cat "$TEST_DIR/rc1" 2>/dev/null)" "0" "detach exits 0"
assert_eq "$(berth ps --format '{{.Names}} {{.State}}')" "t running" "container still running after detach"

# Attach again, then exit with a code.
tm new-session -d -s att -x 120 -y 30 "$cli attach t; echo \$? >$TEST_DIR/rc2"
sleep 0.5
tm send-keys -t att Enter
wait_screen att '^/ #' && pass || fail "attach shows the prompt"
tm send-keys -t att 'echo back-$((1+2))' Enter
wait_screen att '^back-3$' && pass || fail "attached shell runs commands"
tm send-keys -t att 'exit 4' Enter
wait_file "$TEST_DIR/rc2" && pass || fail "attach returns when the container exits"
assert_eq "$(cat "$TEST_DIR/rc2" 2>/dev/null)" "4" "attach passes the exit code"
assert_eq "$(timeout 10 "${B[@]}" wait t)" "4" "wait gives the exit code"
assert_eq "$(berth inspect -f '{{.State.Status}} {{.State.ExitCode}}' t)" "exited 4" "inspect after exit"
berth rm t >/dev/null

# run -it --rm: exiting removes the container; custom detach keys.
tm new-session -d -s run2 -x 80 -y 24 "$cli run -it --rm --detach-keys ctrl-x busybox sh; echo \$? >$TEST_DIR/rc3"
wait_screen run2 '^/ #' && pass || fail "run -it --rm prompt"
tm send-keys -t run2 C-p C-q 'exit 0' Enter  # ctrl-p ctrl-q is no longer the detach sequence
wait_file "$TEST_DIR/rc3" && pass || fail "run -it --rm returns on exit"
assert_eq "$(cat "$TEST_DIR/rc3" 2>/dev/null)" "0" "run -it --rm exit code"
assert_eq "$(berth ps -a -q)" "" "run -it --rm removed the container"

tm new-session -d -s run3 -x 80 -y 24 "$cli run -it --name d2 --detach-keys ctrl-x busybox sh; echo \$? >$TEST_DIR/rc4"
wait_screen run3 '^/ #' && pass || fail "custom detach keys prompt"
tm send-keys -t run3 C-x
wait_file "$TEST_DIR/rc4" && pass || fail "--detach-keys ctrl-x detaches"
assert_eq "$(berth inspect -f '{{.State.Status}}' d2)" "running" "running after custom detach"
berth rm -f -t 0 d2 >/dev/null

# The terminal's size reaches the container before its first ioctl (process.consoleSize), also
# when only stdin is a terminal (podman's 450-interactive "correct tty size").
out=$(python3 - "${B[@]}" <<'PY'
import fcntl, pty, struct, subprocess, sys, termios
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 37, 52, 0, 0))
p = subprocess.run(sys.argv[1:] + ["run", "-it", "--rm", "busybox", "stty", "size"], stdin=s,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
print(p.stdout.decode().strip())
PY
)
assert_eq "$out" "37 52" "run -it sees the terminal's size at once"

# Non-tty -i: stdin is piped through and closed.
assert_eq "$(printf 'a\nb\n' | berth run -i --rm busybox wc -l)" "2" "run -i pipes stdin"
assert_eq "$(echo x | berth run --rm busybox cat)" "" "run without -i gives no stdin"
sleep 0.3
assert_eq "$(pgrep -f "$ROOT" || true)" "" "no processes left for this root"
assert_eq "$(grep -c " $TEST_DIR" /proc/self/mountinfo || true)" "0" "no mounts left"
finish
