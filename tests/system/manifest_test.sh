#!/usr/bin/env bash
# Manifest lists against real docker-registry servers on 127.0.0.1: create, add (registry
# and local images, --all, platform picking), annotate, remove, inspect (local and remote),
# push (same registry with blob mounts, another registry, local entries, v2s2, --rm),
# pulling each platform back from the pushed index, rm and exists.
source "$(dirname "$0")/lib.sh"
START=$SECONDS
export HOME="$TEST_DIR/home"
mkdir -p "$HOME"

declare -A REG_PID REG_PORT
cleanup_all() {
  local n
  for n in "${!REG_PID[@]}"; do
    kill "${REG_PID[$n]}" 2>/dev/null || true
    wait "${REG_PID[$n]}" 2>/dev/null || true
  done
  cleanup_test_dir
}
trap cleanup_all EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start_registry NAME: docker-registry with storage under $TEST_DIR/NAME on a free port.
start_registry() {
  local name=$1 dir="$TEST_DIR/$1" port
  port=$(free_port)
  REG_PORT[$name]=$port
  run_registry "$dir" "$port" || exit 1
  REG_PID[$name]=$REGISTRY_PID
}

# A berth with its own fresh store: bfresh NAME ARGS...
bfresh() { "$BERTH" --root "$TEST_DIR/roots/$1" --runroot "$TEST_DIR/runs/$1" "${@:2}"; }

start_registry reg
start_registry reg2
R=127.0.0.1:${REG_PORT[reg]}
R2=127.0.0.1:${REG_PORT[reg2]}
export CONTAINERS_REGISTRIES_CONF="$TEST_DIR/registries.conf"
export REGISTRY_AUTH_FILE="$TEST_DIR/auth.json"
cat >"$CONTAINERS_REGISTRIES_CONF" <<EOF
[[registry]]
location = "$R"
insecure = true

[[registry]]
location = "$R2"
insecure = true
EOF

ACCEPT='application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json'
# reg_digest HOST REPO REF: the registry's digest of a manifest; reg_get: its body.
reg_digest() {
  curl -sfI -H "Accept: $ACCEPT" "http://$1/v2/$2/manifests/$3" | tr -d '\r' |
    awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}'
}
reg_get() { curl -sf -H "Accept: $ACCEPT" "http://$1/v2/$2/manifests/$3"; }

# ---- two images of different architectures in the registry -----------------------------
load_default_image
amd_id=$(berth image inspect --format '{{.Id}}' busybox)
make_rootfs_tar "$TEST_DIR/rootfs.tar"
arm_id=$(berth import --arch arm64 "$TEST_DIR/rootfs.tar" localhost/armimg:1)
arm_id=${arm_id#sha256:}
assert_eq "$(berth image inspect --format '{{.Architecture}}' armimg:1)" "arm64" "imported arm64 image"
berth push -q busybox "$R/test/amd:1"
berth push -q busybox "$R/test/amd:2"
berth push -q armimg:1 "$R/test/arm:1"
amd_d=$(reg_digest "$R" test/amd 1)
arm_d=$(reg_digest "$R" test/arm 1)
amd_s=$(reg_get "$R" test/amd 1 | wc -c)

# ---- create / add / inspect ---------------------------------------------------------------
expect_rc 0 berth manifest create mylist
list_id=$OUT
[[ "$list_id" =~ ^[0-9a-f]{64}$ ]] && pass || fail "manifest create prints a 64-hex ID: [$list_id]"
expect_rc 0 berth manifest exists mylist
expect_rc 0 berth manifest exists localhost/mylist:latest
expect_rc 125 berth manifest create mylist
assert_contains "$ERR" "image name \"localhost/mylist:latest\" is already associated with image \"$list_id\"" "name in use"
expect_rc 125 berth manifest create busybox
assert_contains "$ERR" "is already associated with image \"$amd_id\"" "name of an image in use"

expect_rc 0 berth manifest add mylist "$R/test/amd:1"
assert_eq "$OUT" "$list_id" "add prints the list ID"
expect_rc 0 berth manifest add mylist "docker://$R/test/arm:1"
assert_eq "$OUT" "$list_id" "add docker:// prints the list ID"
# The same manifest under another tag is the same entry.
expect_rc 0 berth manifest add mylist "$R/test/amd:2"
expect_rc 0 berth manifest inspect mylist
inspect=$OUT
assert_eq "$(jq '.manifests | length' <<<"$inspect")" "2" "two entries"
assert_eq "$(jq -r '.schemaVersion' <<<"$inspect")" "2" "schemaVersion"
assert_eq "$(jq -r '.mediaType' <<<"$inspect")" "application/vnd.oci.image.index.v1+json" "index media type"
assert_eq "$(jq -r '[.manifests[].platform.architecture] | join(" ")' <<<"$inspect")" "amd64 arm64" "architectures from the configs"
assert_eq "$(jq -r '[.manifests[].platform.os] | join(" ")' <<<"$inspect")" "linux linux" "OS from the configs"
assert_eq "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$inspect")" "$amd_d $arm_d" "entry digests are the registry's"
assert_eq "$(jq -r '.manifests[0].size' <<<"$inspect")" "$amd_s" "entry size is the manifest's"
assert_eq "$(sed -n 2p <<<"$inspect")" '    "schemaVersion": 2,' "4-space indent, schemaVersion first"
assert_eq "$(jq -r '.manifests[0] | keys_unsorted | join(",")' <<<"$inspect")" "mediaType,size,digest,platform" "entry field order"
expect_rc 0 berth manifest inspect "$list_id"
assert_eq "$OUT" "$inspect" "inspect by ID"

# ---- annotate / remove ----------------------------------------------------------------------
expect_rc 0 berth manifest annotate --variant v8 --annotation org.example.k=v mylist "$arm_d"
assert_eq "$OUT" "$list_id" "annotate prints the list ID"
inspect=$(berth manifest inspect mylist)
assert_eq "$(jq -r '.manifests[1].platform.variant' <<<"$inspect")" "v8" "annotate sets the variant"
assert_eq "$(jq -r '.manifests[1].annotations["org.example.k"]' <<<"$inspect")" "v" "annotate sets the annotation"
assert_eq "$(jq -r '.manifests[0].platform.variant' <<<"$inspect")" "null" "other entry unchanged"
expect_rc 125 berth manifest annotate --annotation novalue mylist "$arm_d"
assert_contains "$ERR" "no value given for annotation \"novalue\"" "annotation without ="
expect_rc 125 berth manifest add --annotation novalue mylist "$R/test/amd:1"
assert_contains "$ERR" "no value given for annotation" "add: annotation without ="
expect_rc 125 berth manifest annotate --arch x mylist "sha256:$(printf '0%.0s' {1..64})"
assert_contains "$ERR" "no instance with digest" "annotate of an unknown digest"

expect_rc 0 berth manifest remove mylist "$amd_d"
assert_eq "$OUT" "$list_id :$amd_d" "remove prints ID :digest"
assert_eq "$(berth manifest inspect mylist | jq -r '[.manifests[].digest] | join(" ")')" "$arm_d" "entry removed"
expect_rc 125 berth manifest remove mylist "$amd_d"
assert_contains "$ERR" "$amd_d" "remove of a missing entry names the digest"
berth manifest add mylist "$R/test/amd:1" >/dev/null
assert_eq "$(berth manifest inspect mylist | jq -r '[.manifests[].platform.architecture] | join(" ")')" "arm64 amd64" "entry added back"

# ---- push to the same registry (blobs mounted), pull each platform back ------------------
expect_rc 0 berth manifest push --digestfile "$TEST_DIR/list.digest" mylist "$R/test/list:1"
assert_eq "$OUT" "" "push prints nothing on stdout"
assert_contains "$ERR" "Writing manifest list to image destination" "push progress on stderr"
list_d=$(cat "$TEST_DIR/list.digest")
assert_eq "$(reg_digest "$R" test/list 1)" "$list_d" "--digestfile is the registry's index digest"
pushed=$(reg_get "$R" test/list 1)
assert_eq "$(jq -r .mediaType <<<"$pushed")" "application/vnd.oci.image.index.v1+json" "pushed an OCI index"
assert_eq "$(jq -r '[.manifests[] | .platform.architecture + "/" + (.platform.variant // "")] | join(" ")' <<<"$pushed")" "arm64/v8 amd64/" "pushed platforms"
assert_eq "$(jq -r '.manifests[0].annotations["org.example.k"]' <<<"$pushed")" "v" "pushed annotation"
assert_eq "$(reg_digest "$R" test/list "$amd_d")" "$amd_d" "amd64 manifest copied into the repo"
expect_rc 0 bfresh p1 pull "$R/test/list:1"
assert_eq "$OUT" "$amd_id" "pull of the list picks the host's amd64 image"
expect_rc 0 bfresh p2 pull --arch arm64 "$R/test/list:1"
assert_eq "$OUT" "$arm_id" "pull --arch arm64 picks the arm64 image"
assert_eq "$(bfresh p2 image inspect --format '{{.Architecture}}' "$R/test/list:1")" "arm64" "pulled arm64 image"
expect_rc 0 bfresh p3 pull --arch arm64 --variant v8 "$R/test/list:1"
assert_eq "$OUT" "$arm_id" "pull --variant v8 matches the annotated variant"

# inspect of a registry reference: the registry's index as is.
expect_rc 0 berth manifest inspect "$R/test/list:1"
assert_eq "$(jq -c . <<<"$OUT")" "$(jq -c . <<<"$pushed")" "inspect of a remote index"
expect_rc 0 berth manifest inspect "docker://$R/test/amd:1"
assert_eq "$(jq -r .config.digest <<<"$OUT")" "sha256:$amd_id" "inspect of a remote image manifest"

# ---- push to another registry (download + upload), Docker list format ---------------------
expect_rc 0 berth manifest push --format v2s2 mylist "docker://$R2/other/list:2"
pushed2=$(reg_get "$R2" other/list 2)
assert_eq "$(jq -r .mediaType <<<"$pushed2")" "application/vnd.docker.distribution.manifest.list.v2+json" "v2s2: Docker manifest list"
assert_eq "$(jq -r '[.manifests[].mediaType] | unique | join(" ")' <<<"$pushed2")" "application/vnd.docker.distribution.manifest.v2+json" "v2s2: entries converted"
assert_eq "$(jq -r '.manifests[0] | keys_unsorted | join(",")' <<<"$pushed2")" "mediaType,size,digest,platform" "v2s2: Docker descriptor order, no annotations"
expect_rc 0 bfresh p4 pull --arch arm64 "$R2/other/list:2"
assert_eq "$OUT" "$arm_id" "pull arm64 from the other registry"
expect_rc 0 bfresh p4 pull "$R2/other/list:2"
assert_eq "$OUT" "$amd_id" "pull amd64 from the other registry"

# ---- add: index handling, platform errors, --all ---------------------------------------
expect_rc 0 berth manifest create idx
expect_rc 0 berth manifest add idx "$R/test/list:1"
assert_eq "$(berth manifest inspect idx | jq -r '[.manifests[].digest] | join(" ")')" "$amd_d" "index: host platform picked"
expect_rc 125 berth manifest add --arch s390x idx "$R/test/list:1"
assert_contains "$ERR" "no image found in manifest list for architecture \"s390x\"" "index: unknown platform"
assert_contains "$ERR" "linux/arm64/v8 linux/amd64" "index: available platforms listed"
expect_rc 0 berth manifest add --all idx "$R/test/list:1"
assert_eq "$(berth manifest inspect idx | jq -r '[.manifests[].platform.architecture] | join(" ")')" "amd64 arm64" "--all adds every entry"
expect_rc 0 berth manifest create --all idx2 "$R/test/list:1"
assert_eq "$(berth manifest inspect idx2 | jq '.manifests | length')" "2" "create --all with an index"
expect_rc 0 berth manifest create -a idx2 "$R/test/amd:1"
assert_eq "$(berth manifest inspect idx2 | jq '.manifests | length')" "2" "create --amend reuses the list"

# ---- local images: pushed through the image push, --rm ----------------------------------
expect_rc 0 berth manifest create loc busybox armimg:1
loc=$(berth manifest inspect loc)
assert_eq "$(jq -r '[.manifests[].platform.architecture] | join(" ")' <<<"$loc")" "amd64 arm64" "local images: platform from their configs"
assert_eq "$(jq -r '.manifests[0].digest' <<<"$loc")" "$(berth image inspect --format '{{.Digest}}' busybox)" "local image: its manifest digest"
expect_rc 0 berth manifest push --rm -q loc "$R/test/loc:1"
assert_eq "$ERR" "" "--quiet prints no progress"
expect_rc 1 berth manifest exists loc
pushed=$(reg_get "$R" test/loc 1)
assert_eq "$(jq -r '[.manifests[].platform.architecture] | join(" ")' <<<"$pushed")" "amd64 arm64" "local list pushed"
for d in $(jq -r '.manifests[].digest' <<<"$pushed"); do
  assert_eq "$(reg_digest "$R" test/loc "$d")" "$d" "local entry $d is in the registry"
done
expect_rc 0 bfresh p5 pull --arch arm64 "$R/test/loc:1"
assert_eq "$OUT" "$arm_id" "pull arm64 from the pushed local list"
expect_rc 0 bfresh p6 pull "$R/test/loc:1"
assert_eq "$OUT" "$amd_id" "pull amd64 from the pushed local list"

# ---- rm / exists / errors ------------------------------------------------------------------
expect_rc 0 berth manifest rm mylist
assert_eq "$OUT" "$(printf 'Untagged: localhost/mylist:latest\nDeleted: %s' "$list_id")" "manifest rm output"
expect_rc 1 berth manifest exists mylist
expect_rc 125 berth manifest inspect mylist
assert_eq "$ERR" "Error: mylist: image not known" "inspect of an unknown list"
expect_rc 1 berth manifest rm mylist  # podman: 1 for an unknown list, as rmi
assert_contains "$ERR" "mylist: image not known" "rm of an unknown list"
expect_rc 0 berth manifest rm -i mylist idx idx2
assert_eq "$(grep -c '^Deleted: ' <<<"$OUT")" "2" "rm -i skips the unknown list"
expect_rc 125 berth manifest add nolist "$R/test/amd:1"
assert_eq "$ERR" "Error: nolist: image not known" "add to an unknown list"
expect_rc 125 berth manifest push nolist "$R/test/x:1"
assert_contains "$ERR" "nolist: image not known" "push of an unknown list"
expect_rc 0 berth manifest create e
expect_rc 125 berth manifest add e "$R/test/nosuch:1"
assert_contains "$ERR" "manifest unknown" "add of an unknown remote image"
assert_eq "$(berth images -q | sort | tr '\n' ' ')" "$(printf '%s\n' "${amd_id:0:12}" "${arm_id:0:12}" | sort | tr '\n' ' ')" "images are untouched by lists"

echo "runtime: $((SECONDS - START))s"
finish
