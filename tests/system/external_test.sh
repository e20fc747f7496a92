#!/usr/bin/env bash
# Containers of other tools in containers/storage ("external" or "storage" containers, as
# podman calls them): buildah's working containers, made by real buildah in a store of this
# test's own (CONTAINERS_STORAGE_CONF), listed, checked, mounted, diffed and removed by berth
# the way podman does, with buildah seeing the result; podman's own containers in that store
# are refused; hostile store files are errors naming the field; a build step's container is
# external too.
source "$(dirname "$0")/lib.sh"
load_default_image

CS="$TEST_DIR/cs"
mkdir -p "$CS"
cat >"$CS/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$CS/graph"
runroot = "$CS/run"
EOF
export CONTAINERS_STORAGE_CONF="$CS/storage.conf"
G="$CS/graph"

# A base image made by buildah alone (no registry, no runtime): files added with copy.
mkdir -p "$CS/files/etc"
cp /bin/busybox "$CS/files/busybox"
echo "svc 1/tcp" >"$CS/files/etc/services"
echo "127.0.0.1 localhost" >"$CS/files/etc/hosts"
echo "first" >"$CS/files/id"
base=$(buildah from scratch)
buildah copy "$base" "$CS/files/etc" /etc >/dev/null
buildah copy "$base" "$CS/files/id" /home/id >/dev/null
buildah copy "$base" "$CS/files/busybox" /bin/busybox >/dev/null
buildah commit -q "$base" localhost/ext-base >/dev/null
buildah rm "$base" >/dev/null

# The working container: a file added, one changed, one deleted (through buildah's mount).
buildah from --name workctr localhost/ext-base >/dev/null
ctr=$(buildah inspect --format '{{.ContainerID}}' workctr)
echo "new" >"$CS/files/newfile"
buildah copy "$ctr" "$CS/files/newfile" /newfile >/dev/null
mnt=$(buildah mount "$ctr")
rm "$mnt/etc/services"
echo "second" >"$mnt/home/id"
buildah umount "$ctr" >/dev/null

# --- listing and existence ----------------------------------------------------------------
expect_rc 0 berth ps -a --format '{{.Names}}'
assert_eq "$OUT" "" "ps -a does not list buildah's containers"
expect_rc 0 berth ps --external --format '{{.ID}} {{.Image}} {{.Command}} {{.Status}} {{.Names}} {{.State}}'
assert_eq "$OUT" "${ctr:0:12} localhost/ext-base:latest buildah Storage workctr storage" "ps --external"
expect_rc 0 berth ps --external
assert_contains "$OUT" "buildah" "ps --external table"
expect_rc 1 berth container exists workctr
expect_rc 0 berth container exists --external workctr
expect_rc 0 berth container exists --external "${ctr:0:12}"
expect_rc 1 berth container exists --external no-such-ctr

# --- diff -----------------------------------------------------------------------------------
expect_rc 0 berth diff --format json workctr
assert_eq "$(jq -c '.added' <<<"$OUT")" '["/newfile"]' "diff added"
assert_eq "$(jq -c '.deleted' <<<"$OUT")" '["/etc/services"]' "diff deleted"
assert_eq "$(jq -c '.changed | sort' <<<"$OUT")" '["/etc","/home/id"]' "diff changed"
expect_rc 0 berth diff workctr
assert_contains "$OUT" "D /etc/services" "diff table"

# --- mount / umount: counted in the library's own records, seen by buildah ------------------
expect_rc 0 berth mount workctr
path=$OUT
assert_eq "$path" "$G/overlay/$(jq -r --arg id "$ctr" '.[] | select(.id == $id) | .layer' \
  "$G/overlay-containers/containers.json")/merged" "mount point"
assert_eq "$(cat "$path/home/id")" "second" "a changed file through the mount"
assert_eq "$(cat "$path/newfile")" "new" "an added file through the mount"
[[ ! -e "$path/etc/services" ]] && pass || fail "a deleted file is gone in the mount"
expect_rc 0 berth mount --notruncate
assert_eq "$OUT" "$ctr  $path" "mount lists the storage container"
assert_contains "$(buildah mount)" "$path" "buildah sees berth's mount"
expect_rc 0 berth mount workctr
expect_rc 0 berth umount workctr
mountpoint -q "$path" && pass || fail "still mounted after one of two umounts"
assert_eq "$(jq '.[0].count' "$CS/run/overlay-layers/mountpoints.json")" "1" "the mount count"
expect_rc 0 berth umount workctr
[[ ! -d "$path" ]] && pass || fail "the last umount removes the mount point"
assert_eq "$(cat "$CS/run/overlay-layers/mountpoints.json")" "[]" "no mount recorded"
# Mounted by buildah, unmounted by berth (and the other way round).
bpath=$(buildah mount workctr)
expect_rc 0 berth umount workctr
mountpoint -q "$bpath" && fail "berth's umount of buildah's mount" || pass
expect_rc 0 berth mount workctr
buildah umount workctr >/dev/null
mountpoint -q "$path" && fail "buildah's umount of berth's mount" || pass
expect_rc 0 berth umount workctr

# --- rm ----------------------------------------------------------------------------------------
expect_rc 0 berth mount workctr
expect_rc 2 berth rm workctr
assert_contains "$ERR" "is mounted and cannot be removed without using force" "rm of a mounted storage container"
expect_rc 0 berth rm -f workctr
assert_eq "$OUT" "workctr" "rm prints the name"
[[ ! -d "$path" ]] && pass || fail "rm -f unmounts"
assert_eq "$(buildah containers -q)" "" "buildah sees the container gone"
[[ ! -d "$G/overlay-containers/$ctr" ]] && pass || fail "the container's directory is gone"
expect_rc 1 berth container exists --external workctr
# The image's layers are intact: buildah makes a new container from it and reads its files.
ctr2=$(buildah from localhost/ext-base)
m2=$(buildah mount "$ctr2")
assert_eq "$(cat "$m2/home/id")" "first" "the image's files after rm"
buildah umount "$ctr2" >/dev/null
# rm -a leaves storage containers alone, as podman's does.
expect_rc 0 berth rm -a
expect_rc 0 berth container exists --external "$ctr2"
expect_rc 0 berth rm "$ctr2"

# --- podman's containers in the same store are podman's --------------------------------------
P=(podman --root "$G" --runroot "$CS/run" --tmpdir "$CS/ptmp" --storage-driver overlay)
pctr=$("${P[@]}" create -q --network none --name podctr localhost/ext-base /bin/busybox true)
expect_rc 0 berth container exists --external podctr
expect_rc 2 berth rm -f podctr
assert_contains "$ERR" "belongs to podman" "rm of podman's container"
expect_rc 0 "${P[@]}" container exists podctr
"${P[@]}" rm -f podctr >/dev/null

# --- hostile store files: errors naming the file and field; berth's own state unharmed --------
cp "$G/overlay-containers/containers.json" "$CS/containers.json.good"
echo '[{"id":"'"$(printf 'a%.0s' {1..64})"'","layer":"../../../../etc"}]' >"$G/overlay-containers/containers.json"
expect_rc 125 berth ps --external
assert_contains "$ERR" "containers.json[0].layer" "a layer that is a path"
expect_rc 0 berth ps -a
echo '{"id": 1}' >"$G/overlay-containers/containers.json"
expect_rc 125 berth ps --external
assert_contains "$ERR" "expected an array" "containers.json not an array"
# Where berth only falls back to that store, a store it cannot read is a warning: the name is
# still unknown, with berth's own error, and berth's own listings still work.
expect_rc 125 berth mount whatever
assert_contains "$ERR" "no such container" "mount of an unknown name"
assert_contains "$ERR" "expected an array" "the store's error as a warning"
expect_rc 1 berth rm whatever
assert_contains "$ERR" "no such container" "rm of an unknown name"
expect_rc 0 berth mount
cp "$CS/containers.json.good" "$G/overlay-containers/containers.json"

# --- a build step's container is berth's own external container --------------------------------
mkdir -p "$TEST_DIR/ctx"
printf 'FROM busybox\nRUN sleep 30\n' >"$TEST_DIR/ctx/Containerfile"
"${B[@]}" build -t never "$TEST_DIR/ctx" >/dev/null 2>&1 &
bpid=$!
for _ in $(seq 100); do
  [[ -n "$("${B[@]}" ps --external -q 2>/dev/null)" ]] && break
  sleep 0.1
done
expect_rc 0 berth ps -a -q
assert_eq "$OUT" "" "ps -a leaves a build's step out"
expect_rc 0 berth ps --external --format '{{.Command}} {{.Status}}'
assert_eq "$OUT" "buildah Storage" "ps --external lists the build's step"
expect_rc 0 berth rm -a
expect_rc 0 berth ps --external --format '{{.Command}}'
assert_eq "$OUT" "buildah" "rm -a leaves a running build's step alone"
kill -9 "$bpid" 2>/dev/null
wait "$bpid" 2>/dev/null || true
step=$("${B[@]}" ps --external -q)
expect_rc 0 berth rm -f "$step"
expect_rc 0 berth ps --external -q
assert_eq "$OUT" "" "the step removed by ID"

unset CONTAINERS_STORAGE_CONF
buildah --root "$G" --runroot "$CS/run" --storage-driver overlay rmi -a -f >/dev/null 2>&1 || true
grep -o " $G[^ ]*" /proc/self/mountinfo | sort -ru | xargs -r -n1 umount -l 2>/dev/null || true
finish
