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
  # Its passwd entry is appended inside the rootfs: never to the host file behind the link.
  assert_eq "$(grep -c 4242 "$HOSTDIR/passwd")" "1" "$kind: the host passwd gains no entry"
  assert_not_contains "$(cat "$HOSTDIR/group")" "4242" "$kind: the host group gains no entry"
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
# (echo, not id: busybox id itself would read the endless /etc/passwd inside the container)
expect_rc_in "0 125 126 255" bounded "${B[@]}" exec -u 0 hx4 echo ok
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

# --- image configs, manifests and indexes with wrong types -----------------------------------
# Each case (hostile_tar.py) as docker-archive and oci-archive: load refuses it naming the field,
# as podman does, or loads it when the value is Go's zero value; never an abort (134).
images_before=$(berth images -q | wc -l)
while IFS=$'\t' read -r case format want; do
  tar="$TEST_DIR/cfg-$case-$format.tar"
  python3 "$MKTAR" "$format" "$tar" "$case"
  if [[ -n "$want" ]]; then
    expect_rc 125 berth load -i "$tar"
    assert_contains "$ERR" "$want" "load $format $case names the field"
  else
    expect_rc 0 berth load -i "$tar"
    expect_rc 0 berth image inspect "localhost/hostile:$case"
    expect_rc 0 berth history "localhost/hostile:$case"
    expect_rc 0 berth run --rm "localhost/hostile:$case" /bin/echo ran
    assert_eq "$OUT" "ran" "run $format $case"
    berth rmi "localhost/hostile:$case" >/dev/null
  fi
done < <(python3 "$MKTAR" cases)
expect_rc 1 berth image exists localhost/hostile:user-int
assert_eq "$(berth images -q | wc -l)" "$images_before" "no refused image was stored"

# A config already in the store with wrong types (stored by an older berth, before load checked
# it; simulated by rewriting the blob of a good image): image inspect and history used to abort
# (134). Now inspect, history and run name the field, images lists it, save copies it, rmi works.
python3 "$MKTAR" docker "$TEST_DIR/stored.tar" os-null
berth load -i "$TEST_DIR/stored.tar" >/dev/null
sid=$(berth image inspect --format '{{.Id}}' localhost/hostile:os-null)
blob=$(find "$ROOT" -path "*/blobs/sha256/$sid" | head -1)
[[ -f "$blob" ]] && pass || fail "config blob of the stored image found"
python3 - "$blob" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["config"]["User"] = 0
c["history"][0]["created"] = 12345
open(p, "w").write(json.dumps(c))
PY
for cmd in "image inspect" history "run --rm"; do
  expect_rc 125 berth $cmd localhost/hostile:os-null
  assert_contains "$ERR" "image config sha256:$sid: config.User: expected string, got number" "$cmd of a stored hostile config"
done
expect_rc 0 berth images
assert_contains "$OUT" "hostile" "images lists a stored hostile config"
expect_rc 0 berth save -o "$TEST_DIR/stored-out.tar" localhost/hostile:os-null
expect_rc 0 berth rmi localhost/hostile:os-null

# The same through pull from a real registry (docker-registry on a free loopback port). The
# registry itself refuses manifests and indexes with wrong types (it unmarshals them), so only
# configs (opaque blobs to it) reach berth hostile this way; archives cover the rest above.
if command -v docker-registry >/dev/null; then
  REG_DIR="$TEST_DIR/registry"
  mkdir -p "$REG_DIR/storage"
  REG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$REG_DIR/storage" "$REG_PORT" >"$REG_DIR/config.yml"
  env -u REGISTRY_AUTH_FILE docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/log" 2>&1 &
  REG_PID=$!
  trap 'kill -9 $REG_PID 2>/dev/null || true; berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" && break; sleep 0.1; done
  export CONTAINERS_REGISTRIES_CONF="$TEST_DIR/registries.conf"
  printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$REG_PORT" >"$CONTAINERS_REGISTRIES_CONF"
  for pc in "user-int|config.User: expected string, got number" \
            "history-created-int|history[0].created: expected string, got number" \
            "labels-int|config.Labels.a: expected string, got number"; do
    case=${pc%%|*} want=${pc#*|}
    python3 "$MKTAR" push "127.0.0.1:$REG_PORT" hostile "$case"
    expect_rc 125 berth pull -q "127.0.0.1:$REG_PORT/hostile:$case"
    assert_contains "$ERR" "$want" "pull $case names the field"
  done
  python3 "$MKTAR" push "127.0.0.1:$REG_PORT" hostile good
  expect_rc 0 berth pull -q "127.0.0.1:$REG_PORT/hostile:good"
  expect_rc 0 berth run --rm "127.0.0.1:$REG_PORT/hostile:good" /bin/echo pulled
  assert_eq "$OUT" "pulled" "a good image from the same registry runs"
  { kill $REG_PID && wait $REG_PID; } 2>/dev/null || true
  unset CONTAINERS_REGISTRIES_CONF
else
  fail "docker-registry is not installed (scripts/deps.sh --test)"
fi

# --- save never follows what is planted at a temp name -----------------------------------------
# The old code opened "<out>.berth-tmp" (archives) and "<blob>.tmp" (dir layouts) with O_TRUNC,
# following a symlink there into any file the caller could write.
echo "precious" >"$TEST_DIR/victim"
mkdir -p "$TEST_DIR/save"
ln -s "$TEST_DIR/victim" "$TEST_DIR/save/out.tar.berth-tmp"
ln -s "$TEST_DIR/victim" "$TEST_DIR/save/out.tar.tmp"
expect_rc 0 berth save -o "$TEST_DIR/save/out.tar" rplain:1
assert_eq "$(cat "$TEST_DIR/victim")" "precious" "save: a symlink at a temp name is not followed"
# (no `tar | grep -q`: with pipefail, grep's early exit fails tar with SIGPIPE at random)
assert_contains "$(tar -tf "$TEST_DIR/save/out.tar")" "manifest.json" "save wrote the archive"
assert_eq "$(ls "$TEST_DIR/save" | grep -c tmp-)" "0" "save leaves no temp file"
id=$(berth image inspect --format '{{.Id}}' rplain:1)
mkdir -p "$TEST_DIR/save/dir"
ln -s "$TEST_DIR/victim" "$TEST_DIR/save/dir/$id.tmp"
expect_rc 0 berth save --format docker-dir -o "$TEST_DIR/save/dir" rplain:1
assert_eq "$(cat "$TEST_DIR/victim")" "precious" "save docker-dir: a symlink at a temp name is not followed"
[[ -f "$TEST_DIR/save/dir/$id" && ! -L "$TEST_DIR/save/dir/$id" ]] && pass || fail "docker-dir config blob written"
# A failed save leaves the old file intact.
echo "old" >"$TEST_DIR/save/keep.tar"
expect_rc 125 berth save -o "$TEST_DIR/save/keep.tar" nosuchimage
assert_eq "$(cat "$TEST_DIR/save/keep.tar")" "old" "a failed save keeps the old file"
# export -o: the same (it used "<out>.berth-tmp" with O_TRUNC too).
berth create --name hxexp rplain:1 /bin/true >/dev/null
ln -s "$TEST_DIR/victim" "$TEST_DIR/save/exp.tar.berth-tmp"
expect_rc 0 berth export -o "$TEST_DIR/save/exp.tar" hxexp
assert_eq "$(cat "$TEST_DIR/victim")" "precious" "export: a symlink at a temp name is not followed"
[[ -f "$TEST_DIR/save/exp.tar" && ! -L "$TEST_DIR/save/exp.tar" ]] && pass || fail "export wrote the archive"
assert_eq "$(ls "$TEST_DIR/save" | grep -c 'exp.tar.tmp-')" "0" "export leaves no temp file"
berth rm hxexp >/dev/null
finish
