#!/usr/bin/env bash
# Hostile input: layer tarballs that try to escape, rootfs files that point at the host or never
# end (symlinks, FIFOs, devices), image configs with wrong types, temp files an attacker pre-places.
source "$(dirname "$0")/lib.sh"
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT
MKTAR="$BERTH_SRC/tests/system/hostile_tar.py"

mk() {  # mk NAME: builds $TEST_DIR/NAME.tar from python's tarfile with the given members
  python3 - "$TEST_DIR/$1.tar" "$1" <<'PY'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def f(name, data=b"pwned\n"):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
def sym(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
def hard(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.LNKTYPE; i.linkname = target; t.addfile(i)
if kind == "dotdot":
    f("../../../../../../tmp/BERTH_ESCAPE_dotdot")
elif kind == "symlink_root":
    sym("evil", "/"); f("evil/tmp/BERTH_ESCAPE_symlink")
elif kind == "hardlink_shadow":
    hard("shadow", "/etc/shadow")
elif kind == "symlink_chain":
    sym("a", "b"); sym("b", "../../../../../.."); f("a/tmp/BERTH_ESCAPE_chain")
t.close()
PY
}
rm -f /tmp/BERTH_ESCAPE_*
for kind in dotdot symlink_root hardlink_shadow symlink_chain; do
  mk "$kind"
  expect_rc 125 berth import "$TEST_DIR/$kind.tar" "hostile:$kind"
  case $kind in
    dotdot) assert_contains "$ERR" "BERTH_ESCAPE_dotdot" "dotdot entry named" ;;
    symlink_root) assert_contains "$ERR" "evil/tmp/BERTH_ESCAPE_symlink" "symlink entry named" ;;
    hardlink_shadow) assert_contains "$ERR" "shadow" "hardlink entry named" ;;
    symlink_chain) assert_contains "$ERR" "a/tmp/BERTH_ESCAPE_chain" "chain entry named" ;;
  esac
  expect_rc 1 berth image exists "hostile:$kind"
done
ls /tmp/BERTH_ESCAPE_* >/dev/null 2>&1 && fail "a hostile entry escaped: $(ls /tmp/BERTH_ESCAPE_*)" || pass
# Nothing half-unpacked is left behind in the layer store.
left=$(find "$ROOT" -path '*/tmp-*' -maxdepth 2 2>/dev/null | wc -l)
assert_eq "$left" "0" "no partial layers left"
# Absolute member names land inside the layer, as tar does.
python3 - "$TEST_DIR/abs.tar" <<'PY'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
i = tarfile.TarInfo("/etc/berth-abs"); i.size = 3; t.addfile(i, io.BytesIO(b"ok\n")); t.close()
PY
berth import "$TEST_DIR/abs.tar" abs:1 >/dev/null
found=$(find "$ROOT" -name berth-abs -path '*/etc/*' | wc -l)
assert_eq "$found" "1" "absolute name unpacked inside the layer"
[[ ! -e /etc/berth-abs ]] && pass || fail "absolute name escaped"

# --- rootfs files are read inside the rootfs --------------------------------------------
# "Host" files that an image's symlinks point at: their content must never reach a container.
HOSTDIR="$TEST_DIR/hostfiles"
mkdir -p "$HOSTDIR"
printf 'root:x:0:0:root:/BERTH-LEAK:/bin/sh\nleaky:x:4242:4242::/leakhome:/bin/sh\n' >"$HOSTDIR/passwd"
printf 'root:x:0:\nleakgrp:x:4343:leaky,root\n' >"$HOSTDIR/group"
printf '#!/bin/sh\necho HOST-BINARY-RAN\n' >"$HOSTDIR/hostonlycmd"
chmod 755 "$HOSTDIR/hostonlycmd"
# mkroot KIND: imports a busybox rootfs whose /etc/passwd and /etc/group are hostile per KIND
# (see hostile_tar.py) as image rKIND:1.
mkroot() {
  python3 "$MKTAR" rootfs "$TEST_DIR/r$1.tar" "$1" "$HOSTDIR"
  berth import "$TEST_DIR/r$1.tar" "r$1:1" >/dev/null
}
# bounded CMD...: runs CMD with a time and memory bound, so the old bugs (a FIFO that blocks,
# /dev/zero read into memory) fail the test instead of hanging or exhausting the machine.
bounded() { (ulimit -v 4000000; timeout 30 "$@"); }
# run: a failure to start the created container exits 126, as podman's define.ExitCode maps it.

for kind in hostlink dotdot; do
  mkroot "$kind"
  expect_rc 0 bounded "${B[@]}" run --rm "r$kind:1" sh -c 'echo "$HOME"'
  assert_eq "$OUT" "/" "$kind: HOME does not come from a host file"
  expect_rc 126 bounded "${B[@]}" run --rm -u leaky "r$kind:1" id
  assert_contains "$ERR" "unable to find user leaky" "$kind: a user of the host file is unknown"
  expect_rc 126 bounded "${B[@]}" run --rm -u 0:leakgrp "r$kind:1" id
  assert_contains "$ERR" "unable to find group leakgrp" "$kind: a group of the host file is unknown"
  expect_rc 0 bounded "${B[@]}" run --rm -u 4242 "r$kind:1" id -u
  assert_eq "$OUT" "4242" "$kind: a numeric user without an entry still runs"
done
mkroot fifo
expect_rc 126 bounded "${B[@]}" run --rm rfifo:1 true
assert_contains "$ERR" "/etc/passwd is not a regular file" "a FIFO passwd is refused, not read"
mkroot zero
expect_rc 126 bounded "${B[@]}" run --rm rzero:1 true
assert_contains "$ERR" "/etc/passwd is not a regular file" "a device passwd is refused, not read"
# Links to the host's endless devices resolve inside the rootfs, where nothing is: berth reads
# nothing. (The runtime then reads the container's own /dev/zero and fails: no hang either.)
mkroot devlink
expect_rc_in() {  # expect_rc_in "CODES" CMD...: like expect_rc, any of the space-separated CODES
  local want=$1
  shift
  set +e
  OUT=$("$@" 2>"$TEST_DIR/stderr")
  local rc=$?
  set -e
  ERR=$(cat "$TEST_DIR/stderr")
  if [[ " $want " == *" $rc "* ]]; then pass; else fail "'$*' exited $rc, want one of $want (stderr: $ERR)"; fi
}
expect_rc_in "0 126" bounded "${B[@]}" run --rm rdevlink:1 sh -c 'echo "$HOME"'
assert_not_contains "$OUT$ERR" "BERTH-LEAK" "links to host devices: nothing from the host"
mkroot big
expect_rc 126 bounded "${B[@]}" run --rm rbig:1 true
assert_contains "$ERR" "/etc/passwd is larger than" "an oversized passwd is refused"

# A running container rewrites its own files: exec -u and the exec PATH lookup must not follow
# them. One container per state: the runtime itself reads the container's /etc/passwd on exec, so
# a FIFO there would block every later `runc exec` in that container.
mkroot plain
hostile_ctr() {  # hostile_ctr NAME SHELL-CMD [RUN-ARGS]: a running container that did SHELL-CMD to itself
  berth run -d --name "$1" ${3:-} rplain:1 sleep 300 >/dev/null
  expect_rc 0 berth exec "$1" sh -c "$2"
}
hostile_ctr hx1 "ln -sf $HOSTDIR/passwd /etc/passwd"
expect_rc 125 bounded "${B[@]}" exec -u leaky hx1 id
assert_contains "$ERR" "unable to find user leaky" "exec -u: a host passwd behind a link is not read"
hostile_ctr hx2 'rm /etc/passwd && mkfifo /etc/passwd'
expect_rc 125 bounded "${B[@]}" exec -u root hx2 id
assert_contains "$ERR" "/etc/passwd is not a regular file" "exec -u: a FIFO passwd does not hang"
hostile_ctr hx3 'rm /etc/passwd && mknod /etc/passwd c 1 5' --privileged
expect_rc 125 bounded "${B[@]}" exec -u root hx3 id
assert_contains "$ERR" "/etc/passwd is not a regular file" "exec -u: a device passwd is not read"
hostile_ctr hx4 'rm /etc/passwd /etc/group && ln -s /dev/zero /etc/passwd && ln -s /dev/zero /etc/group'
expect_rc_in "0 125 126 255" bounded "${B[@]}" exec -u 0 hx4 id -u
assert_not_contains "$ERR" "/etc/passwd" "exec -u: links to /dev/zero are not followed to the host"
berth rm -f -t 0 hx1 hx2 hx3 hx4 >/dev/null
# PATH lookup: a command that exists only on the host, reached through links, is not found.
hostile_ctr hx5 "ln -s / /hostroot && ln -s ../../../../../../../..$HOSTDIR /up"
expect_rc 127 bounded "${B[@]}" exec --env "PATH=/hostroot$HOSTDIR" hx5 hostonlycmd
assert_contains "$ERR" "executable file \`hostonlycmd\` not found" "exec PATH: an absolute link to / stays in the rootfs"
expect_rc 127 bounded "${B[@]}" exec --env "PATH=/up" hx5 hostonlycmd
assert_contains "$ERR" "executable file \`hostonlycmd\` not found" "exec PATH: a relative link upwards stays in the rootfs"
# Inside the rootfs the same kinds of links work; a FIFO on PATH is not a command.
expect_rc 0 berth exec hx5 sh -c 'mkdir -p /opt/b && ln -s /bin/busybox /opt/b/echo && mkfifo /opt/b/fifo'
expect_rc 0 berth exec --env PATH=/opt/b hx5 echo in-root
assert_eq "$OUT" "in-root" "exec PATH finds a link to an executable inside the rootfs"
expect_rc 127 bounded "${B[@]}" exec --env PATH=/opt/b hx5 fifo
assert_contains "$ERR" "executable file \`fifo\` not found" "exec PATH skips a FIFO"
berth rm -f -t 0 hx5 >/dev/null
finish
