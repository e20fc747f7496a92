#!/usr/bin/env bash
# Builds the default image from Debian's busybox-static and loads it as
# localhost/busybox:latest: one layer, a CMD, PATH (as Docker's busybox), /etc/passwd and /etc/group.
# Usage: make-default-image.sh BERTH [global berth options...]
set -euo pipefail
berth=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rootfs="$tmp/rootfs"
mkdir -p "$rootfs"/{bin,etc,tmp,root,home,proc,sys,dev,var,run,usr/bin,usr/sbin,sbin}
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [[ "$applet" == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"
done
cat >"$rootfs/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
P
cat >"$rootfs/etc/group" <<'G'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
tty:x:5:
nogroup:x:65534:
G
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$tmp/rootfs.tar" .
"${berth[@]}" import --change 'CMD ["sh"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --message "berth default image from busybox-static" \
  "$tmp/rootfs.tar" localhost/busybox:latest
