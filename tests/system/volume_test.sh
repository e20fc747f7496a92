#!/usr/bin/env bash
# Volumes: the `volume` commands, named and anonymous volumes in containers (real runc,
# real mounts), options volumes (tmpfs, bind), copy-up, export/import of hostile tars,
# hostile names and kill -9 during create.
source "$(dirname "$0")/lib.sh"
load_default_image
VOLS="$ROOT/volumes"

# --- create / ls / inspect ---------------------------------------------------------------
expect_rc 0 berth volume create --label l=one --label bare v1
assert_eq "$OUT" v1 "create prints the name"
expect_rc 0 berth volume create
anon=$OUT
[[ "$anon" =~ ^[0-9a-f]{64}$ ]] && pass || fail "a volume created without a name gets 64 hex: [$anon]"
expect_rc 125 berth volume create v1
assert_eq "$ERR" "Error: volume with name v1 already exists: volume already exists" "duplicate name"
expect_rc 0 berth volume create --ignore v1
expect_rc 0 berth volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Mountpoint}} {{.Labels}} {{.MountCount}} {{.NeedsCopyUp}} {{.NeedsChown}}' v1
assert_eq "$OUT" "v1 local local $VOLS/v1/_data map[bare: l:one] 0 true true" "inspect fields"
expect_rc 0 berth volume inspect v1
assert_eq "$(jq -r '.[0].Labels.l, (.[0].Options | length)' <<<"$OUT")" "one
0" "inspect JSON"
[[ -d "$VOLS/v1/_data" ]] && pass || fail "the volume's _data directory exists"
expect_rc 0 berth volume ls --format json
assert_eq "$(jq -r 'map(.Name) | sort | join(",")' <<<"$OUT")" "$(sort <<<"$anon
v1" | paste -sd,)" "ls --format json"
expect_rc 0 berth volume ls
assert_eq "$(head -1 <<<"$OUT" | tr -s ' ')" "DRIVER VOLUME NAME" "ls header"
expect_rc 0 berth volume ls --noheading --filter name=v.
assert_eq "$(tr -s ' ' <<<"$OUT")" "local v1" "ls --noheading --filter name (a regex)"
expect_rc 0 berth volume ls -q --filter label=l=one
assert_eq "$OUT" v1 "filter label=key=value"
expect_rc 0 berth volume ls -q --filter label=bare --filter driver=local
assert_eq "$OUT" v1 "filter label=key and driver"
expect_rc 0 berth volume ls -q --filter label!=l
assert_eq "$OUT" "$anon" "filter label!"
expect_rc 125 berth volume ls --filter foo=bar
assert_eq "$ERR" 'Error: "foo" is an invalid volume filter' "unknown filter"
expect_rc 0 berth volume inspect --all --format '{{.Name}}'
assert_eq "$(sort <<<"$OUT" | paste -sd,)" "$(sort <<<"$anon
v1" | paste -sd,)" "inspect --all"
expect_rc 125 berth volume inspect nosuch
assert_contains "$ERR" "no such volume nosuch" "inspect of a missing volume"
expect_rc 0 berth volume exists v1
expect_rc 1 berth volume exists nosuch

# --- hostile names and options -------------------------------------------------------------
for bad in a/b .. ../escape /abs .hidden "x y"; do
  expect_rc 125 berth volume create "$bad"
  assert_contains "$ERR" "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*" "volume name [$bad] refused"
done
[[ ! -e "$ROOT/escape" && ! -e "$VOLS/a" ]] && pass || fail "a refused name left nothing behind"
expect_rc 125 berth run --rm -v a/b:/x busybox true
assert_contains "$ERR" "names must match" "-v with a volume name holding a slash"
expect_rc 125 berth volume create -o type=bind -o device=/bogus vb
assert_eq "$ERR" "Error: invalid volume option device for driver 'local': stat /bogus: no such file or directory" "bind device must exist"
expect_rc 125 berth volume create -o type=tmpfs -o device=tmpfs -o o=size=2m vq
assert_contains "$ERR" "Project Quota" "size needs project quota, as in podman"
expect_rc 125 berth volume create -o foo=bar vf
assert_eq "$ERR" "Error: invalid mount option foo for driver 'local': invalid argument" "unknown option"
expect_rc 125 berth volume create --driver nosuchdriver vd
assert_contains "$ERR" "nosuchdriver" "unknown driver named"
expect_rc 1 berth volume exists vb

# --- rm -----------------------------------------------------------------------------------
expect_rc 1 berth volume rm bogus
assert_eq "$ERR" 'Error: no volume with name "bogus" found: no such volume' "rm of a missing volume"
expect_rc 0 berth volume rm -f bogus
assert_eq "$OUT$ERR" "" "rm -f of a missing volume is silent"
expect_rc 0 berth volume rm "$anon"
[[ ! -e "$VOLS/$anon" ]] && pass || fail "rm deletes the volume's directory"

# --- containers: named volumes ---------------------------------------------------------------
expect_rc 0 berth run --rm -v auto1:/data busybox sh -c 'echo written >/data/f'
expect_rc 0 berth volume ls -q --filter name=auto1
assert_eq "$OUT" auto1 "-v NAME:/path creates the volume"
assert_eq "$(cat "$VOLS/auto1/_data/f")" written "the container wrote into the volume"
expect_rc 0 berth run --rm -v auto1:/a:ro busybox cat /a/f
assert_eq "$OUT" written "a second container reads it"
expect_rc 1 berth run --rm -v auto1:/a:ro busybox touch /a/g
assert_contains "$ERR$OUT" "Read-only file system" ":ro"
expect_rc 0 berth run --rm --mount type=volume,source=auto1,target=/m,ro busybox cat /m/f
assert_eq "$OUT" written "--mount type=volume"
expect_rc 1 berth run --rm --mount type=volume,src=auto1,dst=/m,readonly busybox touch /m/g
printf '#!/bin/sh\necho ran\n' >"$VOLS/auto1/_data/script"
chmod 755 "$VOLS/auto1/_data/script"
expect_rc 0 berth run --rm -v auto1:/v busybox /v/script
assert_eq "$OUT" ran "volumes are exec by default"
set +e
berth run --rm -v auto1:/v:noexec busybox /v/script >/dev/null 2>&1
rc=$?
set -e
[[ $rc == 126 || $rc == 1 ]] && pass || fail ":noexec: the script must not run (rc $rc)"
expect_rc 0 berth run --rm -v auto1:/v:nodev,nosuid busybox sh -c 'mount | grep " /v "'
assert_contains "$OUT" "nosuid,nodev" ":nodev,nosuid"

# In use: rm refuses (2), rm -f removes the container too.
expect_rc 0 berth run -d --name user1 -v auto1:/data busybox sleep 300
cid=$OUT
expect_rc 2 berth volume rm auto1
assert_eq "$ERR" "Error: volume auto1 is being used by the following container(s): $cid: volume is being used" "volume in use"
expect_rc 0 berth inspect user1 --format '{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}} {{.Destination}} {{.Driver}} {{.RW}} {{.Propagation}}{{end}}'
assert_eq "$OUT" "volume auto1 $VOLS/auto1/_data /data local true rprivate" "inspect Mounts"
expect_rc 0 berth inspect user1 --format '{{json .HostConfig.Binds}}'
assert_eq "$OUT" '["auto1:/data:rw,rprivate,nosuid,nodev,rbind"]' "inspect HostConfig.Binds"
expect_rc 0 berth volume ls -q --filter dangling=false
assert_eq "$OUT" auto1 "dangling=false lists the volume in use"
expect_rc 0 berth volume rm -f -t 0 auto1
assert_eq "$OUT" auto1 "rm -f of a volume in use"
expect_rc 1 berth container exists user1

# Duplicate destinations.
expect_rc 0 berth run --rm -v dup:/d -v dup:/d busybox true
expect_rc 125 berth run --rm -v dup:/d -v dup2:/d busybox true
assert_eq "$ERR" "Error: /d: duplicate mount destination" "two volumes on one destination"
expect_rc 125 berth run --rm -v dup:/d --tmpfs /d busybox true
assert_eq "$ERR" "Error: /d: duplicate mount destination" "a volume and a tmpfs on one destination"
berth volume rm dup >/dev/null

# --- anonymous volumes -------------------------------------------------------------------------
berth volume rm v1 >/dev/null
expect_rc 0 berth run --name anon1 -v /scratch busybox sh -c 'echo a >/scratch/f'
expect_rc 0 berth volume ls -q
anonv=$OUT
[[ "$anonv" =~ ^[0-9a-f]{64}$ ]] && pass || fail "-v /path creates one anonymous volume: [$anonv]"
expect_rc 0 berth volume inspect --format '{{.Anonymous}}' "$anonv"
assert_eq "$OUT" true "an anonymous volume is marked so"
assert_eq "$(cat "$VOLS/$anonv/_data/f")" a "anonymous volume content"
expect_rc 0 berth rm -v anon1
expect_rc 0 berth volume ls -q
assert_eq "$OUT" "" "rm -v removes the anonymous volume"
expect_rc 0 berth run --rm -v /scratch -v keep1:/keep busybox true
expect_rc 0 berth volume ls -q
assert_eq "$OUT" keep1 "run --rm removes anonymous volumes, keeps named ones"
expect_rc 0 berth run --name anon2 -v /scratch busybox true
expect_rc 0 berth rm anon2
expect_rc 0 berth volume ls -q --filter anonymous=true
[[ -n "$OUT" ]] && pass || fail "rm without -v keeps the anonymous volume"
expect_rc 0 berth volume prune -f
expect_rc 0 berth volume ls -q
assert_eq "$OUT" "" "prune removes unused volumes"

# Image VOLUMEs: anonymous volumes by default, tmpfs or nothing with --image-volume.
berth create --name base busybox true >/dev/null
berth commit -q --change 'VOLUME /data' base volimg >/dev/null
berth rm base >/dev/null
expect_rc 0 berth run --name iv volimg sh -c 'echo x >/data/y'
expect_rc 0 berth inspect iv --format '{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}'
assert_eq "$OUT" "volume /data" "an image VOLUME is an anonymous volume"
expect_rc 0 berth run --rm --image-volume tmpfs volimg stat -f -c %T /data
assert_eq "$OUT" tmpfs "--image-volume tmpfs"
expect_rc 1 berth run --rm --image-volume ignore volimg stat -f -c %T /data
expect_rc 0 berth rm -v iv
expect_rc 0 berth volume ls -q
assert_eq "$OUT" "" "the image VOLUME's anonymous volume went with rm -v"

# --- copy-up and chown ----------------------------------------------------------------------------
berth volume create cu >/dev/null
expect_rc 0 berth run --rm -v cu:/nonexistent busybox true
expect_rc 0 berth volume inspect --format '{{.NeedsCopyUp}} {{.NeedsChown}}' cu
assert_eq "$OUT" "true false" "no content at the mount point: copy-up stays pending, chown done"
expect_rc 0 berth run --rm -v cu:/etc busybox ls /etc/passwd
expect_rc 0 berth volume inspect --format '{{.NeedsCopyUp}}' cu
assert_eq "$OUT" false "copy-up done"
assert_eq "$(head -1 "$VOLS/cu/_data/passwd")" "root:x:0:0:root:/root:/bin/sh" "the image's /etc copied into the volume"
expect_rc 0 berth run --rm -v nc:/etc:nocopy busybox true
assert_eq "$(ls -A "$VOLS/nc/_data")" "" "nocopy"
# A symlink in the image pointing out of the rootfs is copied as a link, never followed on the host.
berth create --name lnk busybox true >/dev/null
berth cp - lnk:/ < <(python3 -c '
import io, tarfile, sys
t = tarfile.open(fileobj=sys.stdout.buffer, mode="w|")
d = tarfile.TarInfo("evil"); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
s = tarfile.TarInfo("evil/hostroot"); s.type = tarfile.SYMTYPE; s.linkname = "/"; t.addfile(s)
t.close()')
berth commit -q lnk lnkimg >/dev/null
berth rm lnk >/dev/null
expect_rc 0 berth run --rm -v lv:/evil lnkimg true
assert_eq "$(readlink "$VOLS/lv/_data/hostroot")" / "the link was copied as a link"
[[ ! -e "$VOLS/lv/_data/etc" ]] && pass || fail "copy-up did not follow the link to the host"

# --- options volumes ----------------------------------------------------------------------------------
expect_rc 0 berth volume create -o type=tmpfs -o device=tmpfs -o o=nodev,mode=0700 tv
assert_eq "$OUT" tv "tmpfs volume created"
expect_rc 0 berth volume inspect --format '{{.Options}}' tv
assert_eq "$OUT" "map[device:tmpfs o:nodev,mode=0700 type:tmpfs]" "options kept"
expect_rc 0 berth run --rm -v tv:/t busybox stat -f -c %T /t
assert_eq "$OUT" tmpfs "a tmpfs volume is mounted as tmpfs"
expect_rc 0 berth volume inspect --format '{{.MountCount}}' tv
assert_eq "$OUT" 0 "unmounted after the run"
sys_mounted() { grep -c " $VOLS/$1/_data " /proc/self/mountinfo || true; }
assert_eq "$(sys_mounted tv)" 0 "nothing left mounted on the host"
expect_rc 0 berth volume mount tv
assert_eq "$OUT" "$VOLS/tv/_data" "volume mount prints the mount point"
echo hello >"$VOLS/tv/_data/f"
expect_rc 0 berth run --rm -v tv:/t busybox cat /t/f
assert_eq "$OUT" hello "the container sees the mounted volume"
expect_rc 0 berth volume inspect --format '{{.MountCount}}' tv
assert_eq "$OUT" 1 "still mounted by volume mount"
expect_rc 0 berth volume unmount tv
assert_eq "$(sys_mounted tv)" 0 "volume unmount"
mkdir -p "$TEST_DIR/bindsrc"
echo fromhost >"$TEST_DIR/bindsrc/h"
expect_rc 0 berth volume create -o type=bind -o device="$TEST_DIR/bindsrc" bv
expect_rc 0 berth run --rm -v bv:/b busybox cat /b/h
assert_eq "$OUT" fromhost "a bind volume shows its device"
assert_eq "$(sys_mounted bv)" 0 "bind volume unmounted after the run"
expect_rc 0 berth volume rm tv bv
[[ -f "$TEST_DIR/bindsrc/h" ]] && pass || fail "removing a bind volume leaves its device alone"

# --- export / import --------------------------------------------------------------------------------
berth volume create ex >/dev/null
berth run --rm -v ex:/e busybox sh -c 'mkdir -p /e/d && echo one >/e/d/f && ln -s d/f /e/l'
expect_rc 0 berth volume export ex -o "$TEST_DIR/ex.tar"
assert_contains "$(tar -tf "$TEST_DIR/ex.tar")" "d/f" "export writes a tar of the volume"
berth volume create im >/dev/null
expect_rc 0 berth volume import im - <"$TEST_DIR/ex.tar"
expect_rc 0 berth run --rm -v im:/i busybox cat /i/l
assert_eq "$OUT" one "import of an exported volume"
berth volume export ex >"$TEST_DIR/ex2.tar"
assert_contains "$(tar -tf "$TEST_DIR/ex2.tar")" "d/f" "export to stdout"
expect_rc 125 berth volume import nosuch "$TEST_DIR/ex.tar"
assert_contains "$ERR" "nosuch" "import into a missing volume"
# Hostile tar: ../ names, an absolute symlink then a file through it, an absolute name.
OUTSIDE="$TEST_DIR/outside"
mkdir -p "$OUTSIDE"
python3 - "$TEST_DIR/hostile.tar" "$OUTSIDE" <<'EOF'
import io, sys, tarfile
out, outside = sys.argv[1], sys.argv[2]
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def f(name, data=b"pwned\n"):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
def s(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
f("../../../../../../.." + outside + "/dotdot")
s("abs", outside)
f("abs/through-link")
f(outside + "/absolute-name")
s("up", "../../../../../../../../..")
f("up" + outside + "/through-up")
t.close()
EOF
berth volume create hv >/dev/null
set +e
berth volume import hv "$TEST_DIR/hostile.tar" >/dev/null 2>&1
set -e
assert_eq "$(ls -A "$OUTSIDE")" "" "a hostile import wrote nothing outside the volume"
assert_eq "$(readlink "$VOLS/hv/_data/abs")" "$OUTSIDE" "the absolute symlink is kept as a link inside the volume"
[[ -f "$VOLS/hv/_data$OUTSIDE/through-link" ]] && pass || fail "a file through the absolute link lands inside the volume"

# --- prune ----------------------------------------------------------------------------------------------
berth volume rm -a -f >/dev/null
for v in p1 p2 p3; do berth volume create "$v" >/dev/null; done
berth volume create --label keep p4 >/dev/null
berth create --name holder -v p1:/p busybox true >/dev/null
expect_rc 0 berth volume prune <<<N
assert_eq "$(sed -n 2,4p <<<"$OUT" | sort | paste -sd,)" "p2,p3,p4" "prune lists the unused volumes before asking"
expect_rc 0 berth volume ls -q
assert_eq "$(paste -sd, <<<"$OUT")" "p1,p2,p3,p4" "answering N removes nothing"
expect_rc 0 berth volume prune -f --filter label=keep
assert_eq "$OUT" p4 "prune --filter label"
expect_rc 0 berth volume prune -f
assert_eq "$(sort <<<"$OUT" | paste -sd,)" "p2,p3" "prune -f"
expect_rc 0 berth rm holder
expect_rc 0 berth volume prune -f
assert_eq "$OUT" p1 "prune after the container is gone"

# --- kill -9 during create -------------------------------------------------------------------------------
for i in $(seq 1 12); do
  "${B[@]}" volume create "k$i" >/dev/null 2>&1 &
  pid=$!
  sleep "0.0$((RANDOM % 9))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
broken=0
for v in $(berth volume ls -q); do
  [[ -d "$VOLS/$v/_data" ]] || broken=$((broken + 1))
done
assert_eq "$broken" 0 "every volume a killed create left has its directory"
for i in $(seq 1 12); do
  if berth volume exists "k$i"; then continue; fi
  expect_rc 0 berth volume create "k$i"
done
expect_rc 0 berth volume rm -a
expect_rc 0 berth volume ls -q
assert_eq "$OUT" "" "volume rm -a"

# system df counts volumes, their links and each container's volumes (podman 320-system-df)
berth run -v /dfvol1 --name df1 busybox true >/dev/null
berth volume create dfunused >/dev/null
expect_rc 0 berth system df --format '{{.Type}}:{{.Total}}:{{.Active}}'
assert_contains "$OUT" "Local Volumes:2:1" "system df counts volumes and the ones in use"
expect_rc 0 berth system df -v
assert_contains "$OUT" "$(berth volume inspect dfunused --format '{{.Name}}')" "system df -v lists volumes"
assert_contains "$(grep ' df1$' <<<"$OUT" | tr -s ' ')" " true 1 " "system df -v: the container's LOCAL VOLUMES"
berth rm -v df1 >/dev/null
berth volume rm dfunused >/dev/null

finish
