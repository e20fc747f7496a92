#!/usr/bin/env bash
# berth run from inside a chroot: `exec` must land in the container, never on
# the filesystem around the chroot (runc exec joins the container's mount
# namespace with setns, which puts it at the namespace's top).
source "$(dirname "$0")/lib.sh"
for tool in unshare chroot mount runc; do
  command -v "$tool" >/dev/null || { echo "SKIP: chroot_test needs $tool"; exit 0; }
done

CH="$TEST_DIR/ch"
BUILD=$(cd "$(dirname "$BERTH")/../.." && pwd)
mkdir -p "$CH"/{usr,proc,sys,dev,etc,run,tmp,var/lib,"$BUILD"}
for d in bin sbin lib lib32 lib64 libx32; do
  if [[ -L /$d ]]; then
    ln -s "$(readlink "/$d")" "$CH/$d"
  elif [[ -d /$d ]]; then
    mkdir -p "$CH/$d"
  fi
done
chmod 1777 "$CH/tmp"
make_rootfs_tar "$TEST_DIR/img.tar"
mkdir -p "$TEST_DIR/marker" && echo image >"$TEST_DIR/marker/IMAGE_MARKER"
tar -rf "$TEST_DIR/img.tar" -C "$TEST_DIR/marker" ./IMAGE_MARKER
cp "$TEST_DIR/img.tar" "$CH/img.tar"
# Exists only outside the chroot: an exec that escapes it sees this file.
echo outside-9f3c >"$TEST_DIR/OUTSIDE"

# Everything runs in a private mount namespace: the chroot's mounts never
# reach the host's, and vanish with the last process in it.
cat >"$TEST_DIR/inner.sh" <<EOF
set -u
CH='$CH'
mount --bind "\$CH" "\$CH"          # chroot builders give the chroot its own mount
for d in bin sbin lib lib32 lib64 libx32 usr etc; do
  [[ -d /\$d && ! -L /\$d ]] || continue
  mount --bind "/\$d" "\$CH/\$d" && mount -o remount,bind,ro "\$CH/\$d"
done
mount --bind '$BUILD' "\$CH/$BUILD"
mount -t proc proc "\$CH/proc"
mount --rbind /sys "\$CH/sys"
mount --rbind /dev "\$CH/dev"
mount -t tmpfs tmpfs "\$CH/run"
b() { chroot "\$CH" '$BERTH' --root /var/lib/b --runroot /run/b "\$@"; }
trap 'b rm -af -t 0 >/dev/null 2>&1' EXIT
b import -q -c 'CMD ["sh"]' /img.tar img:1 >/dev/null || echo "IMPORT FAILED"
b run -d --name c --network none img:1 sleep 1000 >/dev/null || echo "RUN FAILED"
echo "== ls /"; b exec c ls /
echo "== marker"; b exec c cat '$TEST_DIR/OUTSIDE' 2>&1; echo "rc=\$?"
echo "== image marker"; b exec c cat /IMAGE_MARKER
echo "== run ls /"; b run --rm --network none img:1 ls /
echo "== end"
EOF
out=$(timeout 60 unshare --mount --propagation private bash "$TEST_DIR/inner.sh" 2>&1)
assert_not_contains "$out" "FAILED" "import and run inside the chroot ($out)"
ls_exec=$(sed -n '/^== ls \//,/^== marker/p' <<<"$out" | sed '1d;$d')
ls_run=$(sed -n '/^== run ls \//,/^== end/p' <<<"$out" | sed '1d;$d')
assert_contains "$ls_exec" "IMAGE_MARKER" "exec ls / lists the container's root"
assert_eq "$ls_exec" "$ls_run" "exec sees the same / as the container's own process"
marker=$(sed -n '/^== marker/,/^== image marker/p' <<<"$out")
assert_not_contains "$marker" "outside-9f3c" "exec cannot read a file outside the chroot"
assert_contains "$marker" "rc=1" "the file outside the chroot does not exist for exec"
assert_contains "$(sed -n '/^== image marker/,/^== run/p' <<<"$out")" "image" "exec reads the image's files"
finish
