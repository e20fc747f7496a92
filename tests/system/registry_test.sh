#!/usr/bin/env bash
# Registry round trips against real docker-registry servers on 127.0.0.1: push/pull of a
# multi-layer image, pull by digest / -a / -q, manifest lists, corrupted blobs, a registry
# killed mid-pull, htpasswd auth with login/logout, and error reporting.
source "$(dirname "$0")/lib.sh"
START=$SECONDS
HELPER="$BERTH_SRC/tests/system/registry_helper.py"
export HOME="$TEST_DIR/home"  # no short-name alias cache or policy from the real home
mkdir -p "$HOME"

# ---- registries -------------------------------------------------------------------
declare -A REG_PID REG_PORT
stop_registries() {
  local n
  for n in "${!REG_PID[@]}"; do kill -9 "${REG_PID[$n]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
cleanup_all() {
  stop_registries
  cleanup_test_dir
}
trap cleanup_all EXIT

# start_registry NAME [EXTRA_YAML]: docker-registry with storage under $TEST_DIR/NAME,
# on the port it used before or a fresh free one.
start_registry() {
  local name=$1 extra=${2:-} dir="$TEST_DIR/$1"
  [[ -n "${REG_PORT[$name]:-}" ]] || REG_PORT[$name]=$(python3 "$HELPER" port)
  local port=${REG_PORT[$name]}
  run_registry "$dir" "$port" "$extra" || exit 1
  REG_PID[$name]=$REGISTRY_PID
}
kill_registry() {
  kill -9 "${REG_PID[$1]}" 2>/dev/null || true
  wait "${REG_PID[$1]}" 2>/dev/null || true
  unset "REG_PID[$1]"
}

# A berth with its own fresh store: bfresh NAME ARGS...
bfresh() { "$BERTH" --root "$TEST_DIR/roots/$1" --runroot "$TEST_DIR/runs/$1" "${@:2}"; }

start_registry reg
P=${REG_PORT[reg]}
R=127.0.0.1:$P
export CONTAINERS_REGISTRIES_CONF="$TEST_DIR/registries.conf"
export REGISTRY_AUTH_FILE="$TEST_DIR/auth.json"
cat >"$CONTAINERS_REGISTRIES_CONF" <<EOF
[[registry]]
location = "$R"
insecure = true

[[registry]]
prefix = "$R/blocked"
location = "$R/blocked"
blocked = true
EOF

# Registry-side manifest of REPO:REF: "digest mediatype" (HEAD), and the body.
reg_digest() {
  curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json' \
    "http://$R/v2/$1/manifests/$2" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}'
}
reg_manifest() {
  curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://$R/v2/$1/manifests/$2"
}
blob_path() { local h=${2#sha256:}; echo "$TEST_DIR/$1/storage/docker/registry/v2/blobs/sha256/${h:0:2}/$h/data"; }

# ---- a 3-layer image: push, pull, round trip ---------------------------------------
img_id=$(python3 "$HELPER" archive "$TEST_DIR/img.tar" localhost/multi:1 amd64 3)
assert_eq "$(berth load -i "$TEST_DIR/img.tar")" "Loaded image: localhost/multi:1" "load the 3-layer archive"
assert_eq "$(berth image inspect --format '{{.Id}}' multi:1)" "${img_id#sha256:}" "loaded image ID is the config digest"
local_layers=$(berth image inspect --format '{{.RootFS.Layers}}' multi:1)

blobs_before=$(ls "$ROOT/blobs/sha256" | wc -l)
expect_rc 0 berth push --digestfile "$TEST_DIR/pushed.digest" multi:1 "$R/test/multi:1"
assert_contains "$ERR" "Copying blob" "push progress on stderr"
# The layers are compressed on their way to the registry, not stored a second time.
assert_eq "$(ls "$ROOT/blobs/sha256" | wc -l)" "$blobs_before" "push stores no compressed copy of a layer"
pushed_digest=$(cat "$TEST_DIR/pushed.digest")
assert_eq "$(reg_digest test/multi 1)" "$pushed_digest" "--digestfile is the registry's manifest digest"
# Pushing again reuses every blob.
expect_rc 0 berth push multi:1 "$R/test/multi:1"
assert_contains "$ERR" "skipped: already exists" "second push reuses blobs"
assert_eq "$(grep -c '^Copying blob .* done$' <<<"$ERR" || true)" "0" "second push uploads no layer"

expect_rc 0 bfresh p1 pull "$R/test/multi:1"
assert_eq "$OUT" "${img_id#sha256:}" "pull prints the image ID"
assert_contains "$ERR" "Copying blob" "progress goes to stderr when piped"
assert_contains "$ERR" "Trying to pull $R/test/multi:1..." "pull names the source"
assert_eq "$(bfresh p1 image inspect --format '{{.Id}}' "$R/test/multi:1")" "${img_id#sha256:}" "config digest round trips (image ID)"
assert_eq "$(bfresh p1 image inspect --format '{{.RootFS.Layers}}' "$R/test/multi:1")" "$local_layers" "diff IDs round trip"
d1=$(bfresh p1 image inspect --format '{{.Digest}}' "$R/test/multi:1")
assert_eq "$d1" "$pushed_digest" "pulled manifest digest is the registry's"
expect_rc 0 bfresh p2 pull -q "$R/test/multi:1"
assert_eq "$OUT" "${img_id#sha256:}" "pull -q prints only the ID"
assert_eq "$ERR" "" "pull -q prints no progress"
assert_eq "$(bfresh p2 image inspect --format '{{.Digest}}' "$R/test/multi:1")" "$d1" "second pull gives the same manifest digest"
# Pulling again into the same store skips every layer.
expect_rc 0 bfresh p1 pull "$R/test/multi:1"
assert_eq "$(grep -c 'skipped: already exists' <<<"$ERR")" "3" "re-pull skips all 3 layers"
# The pulled layers stack: layer 2's file is there, layer 3's whiteout removed layer 1's file.
out=$(bfresh p1 run --rm "$R/test/multi:1" sh -c 'cat /data/keep.txt /data/layer3.txt; wc -c </data/random.bin; test -e /data/gone.txt && echo gone-present || echo gone-absent')
assert_eq "$out" "$(printf 'kept from layer 1\nfrom layer 3\n%s\ngone-absent' $((3 * 1024 * 1024)))" "run sees the pulled layers"

# pull by digest.
repo_digest=$(bfresh p1 image inspect --format '{{index .RepoDigests 0}}' "$R/test/multi:1")
assert_eq "$repo_digest" "$R/test/multi@$pushed_digest" "RepoDigests names the registry digest"
expect_rc 0 bfresh p3 pull "$repo_digest"
assert_eq "$OUT" "${img_id#sha256:}" "pull by digest"
assert_eq "$(bfresh p3 image inspect --format '{{.Id}}' "$repo_digest")" "${img_id#sha256:}" "inspect by name@digest"
# A repo digest recorded by a pull by digest is a name: tag@digest drops the tag,
# untag forgets the record once, rmi of it only untags while the image has a tag.
expect_rc 0 bfresh p1 pull -q "$R/test/multi:1@$pushed_digest"
expect_rc 0 bfresh p1 untag "$R/test/multi:1" "$R/test/multi:1@$pushed_digest"
expect_rc 125 bfresh p1 untag "$R/test/multi:1" "$R/test/multi:1@$pushed_digest"
assert_contains "$ERR" "$R/test/multi@$pushed_digest: tag not known" "second untag of a digest"
expect_rc 0 bfresh p1 pull -q "$repo_digest"
expect_rc 0 bfresh p1 rmi "$repo_digest"
assert_eq "$OUT" "Untagged: $repo_digest" "rmi of a repo digest while tagged only untags"
expect_rc 0 bfresh p1 image exists "$R/test/multi:1"
expect_rc 125 bfresh p3 pull "$R/test/multi@sha256:$(printf '0%.0s' {1..64})"
assert_contains "$ERR" "manifest unknown" "pull of an unknown digest"
# A pulled image pushed elsewhere keeps its compressed blobs, so its manifest digest.
expect_rc 0 bfresh p1 push --digestfile "$TEST_DIR/copy.digest" "$R/test/multi:1" "$R/test/copy:1"
assert_eq "$(cat "$TEST_DIR/copy.digest")" "$pushed_digest" "re-push of a pulled image keeps the manifest digest"
# --tls-verify=true overrides registries.conf's insecure: the plain-http registry is refused.
expect_rc 125 bfresh tls pull --tls-verify=true "$R/test/multi:1"
assert_contains "$ERR" "server gave HTTP response to HTTPS client" "--tls-verify=true against plain http"

# ---- an arm64 variant, pull -a, manifest list ---------------------------------------
arm_id=$(python3 "$HELPER" archive "$TEST_DIR/arm.tar" localhost/multi:arm64 arm64 0.01)
berth load -i "$TEST_DIR/arm.tar" >/dev/null
assert_eq "$(berth image inspect --format '{{.Architecture}}' multi:arm64)" "arm64" "crafted arm64 image"
berth push -q multi:1 "$R/test/two:a"
berth push -q multi:arm64 "$R/test/two:b"
expect_rc 0 bfresh all pull -a "$R/test/two"
assert_eq "$(sort <<<"$OUT" | tr '\n' ' ')" "$(printf '%s\n' "${img_id#sha256:}" "${arm_id#sha256:}" | sort | tr '\n' ' ')" "pull -a pulls both tags"
tags=$(bfresh all images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')
assert_eq "$tags" "$R/test/two:a $R/test/two:b " "pull -a names both tags"
expect_rc 125 bfresh all pull -a "$R/test/two:a"
assert_contains "$ERR" "tag can't be used with --all-tags" "pull -a with a tag"

# search --list-tags
expect_rc 0 berth search --list-tags "$R/test/two"
assert_eq "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME TAG" "search --list-tags header"
assert_eq "$(tail -n +2 <<<"$OUT" | tr -s ' ' | sort | tr '\n' ' ')" "$R/test/two a $R/test/two b " "search --list-tags lists the tags"
expect_rc 0 berth search "$R/test"
assert_contains "$OUT" "$R/test/two" "search lists repositories from the catalog"

# An OCI index with arm64 first, then amd64.
berth push -q multi:1 "$R/test/list:amd64"
berth push -q multi:arm64 "$R/test/list:arm64"
amd_d=$(reg_digest test/list amd64)
arm_d=$(reg_digest test/list arm64)
amd_s=$(reg_manifest test/list amd64 | wc -c)
arm_s=$(reg_manifest test/list arm64 | wc -c)
mt=$(reg_manifest test/list amd64 | jq -r .mediaType)
idx_d=$(python3 "$HELPER" index "$TEST_DIR/index.json" "$mt" "$arm_d" "$arm_s" arm64 "$amd_d" "$amd_s" amd64)
code=$(curl -s -o "$TEST_DIR/put.out" -w '%{http_code}' -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
  --data-binary @"$TEST_DIR/index.json" "http://$R/v2/test/list/manifests/latest")
assert_eq "$code" "201" "registry accepts the index ($(cat "$TEST_DIR/put.out"))"
assert_eq "$(reg_digest test/list latest)" "$idx_d" "index stored as is"
expect_rc 0 bfresh list pull "$R/test/list"
assert_eq "$OUT" "${img_id#sha256:}" "index: default platform picks linux/amd64"
assert_eq "$(bfresh list image inspect --format '{{.Architecture}}' "$R/test/list")" "amd64" "index: amd64 image"
expect_rc 0 bfresh list-arm pull --arch arm64 "$R/test/list"
assert_eq "$OUT" "${arm_id#sha256:}" "index: --arch arm64 picks the arm64 manifest"
assert_eq "$(bfresh list-arm image inspect --format '{{.Architecture}}' "$R/test/list")" "arm64" "index: arm64 image"
# By the index's digest: the platform's image, findable by the index digest.
expect_rc 0 bfresh list-dig pull "$R/test/list@$idx_d"
assert_eq "$OUT" "${img_id#sha256:}" "index by digest picks amd64"
assert_eq "$(bfresh list-dig image inspect --format '{{.Id}}' "$R/test/list@$idx_d")" "${img_id#sha256:}" "inspect by the index digest"
rds=$(bfresh list-dig image inspect --format '{{.RepoDigests}}' "${img_id#sha256:}")
assert_contains "$rds" "$R/test/list@$amd_d" "RepoDigests has the instance digest"
assert_contains "$rds" "$R/test/list@$idx_d" "RepoDigests has the index digest"
assert_eq "$(bfresh list image inspect --format '{{.Digest}}' "$R/test/list")" "$amd_d" "index pull records the instance manifest digest"
expect_rc 0 bfresh list-plat pull --platform linux/arm64 "$R/test/list"
assert_eq "$OUT" "${arm_id#sha256:}" "index: --platform linux/arm64"
expect_rc 125 bfresh list-s390 pull --arch s390x "$R/test/list"
assert_contains "$ERR" "s390x" "index: missing platform named"
assert_contains "$ERR" "linux/arm64 linux/amd64" "index: available platforms listed"
assert_eq "$(bfresh list-s390 images -q)" "" "index: nothing stored when no platform matches"

# ---- corruption: a layer's bytes change in the registry ----------------------------
big_layer=$(reg_manifest test/multi 1 | jq -r '.layers[1].digest')
f=$(blob_path reg "$big_layer")
cp "$f" "$TEST_DIR/saved-blob"
head -c "$(stat -c %s "$f")" /dev/urandom >"$f"
expect_rc 125 bfresh corrupt pull "$R/test/multi:1"
assert_contains "$ERR" "digest mismatch for $big_layer" "corrupt blob: digest mismatch named"
assert_eq "$(bfresh corrupt images -q)" "" "corrupt blob: no image stored"
expect_rc 1 bfresh corrupt image exists "$R/test/multi:1"
cp "$TEST_DIR/saved-blob" "$f"
expect_rc 0 bfresh corrupt pull "$R/test/multi:1"
assert_eq "$OUT" "${img_id#sha256:}" "pull after restoring the blob"
out=$(bfresh corrupt run --rm "$R/test/multi:1" sh -c 'wc -c </data/random.bin')
assert_eq "$out" "$((3 * 1024 * 1024))" "restored pull has the whole layer"

# ---- the registry dies mid-pull -----------------------------------------------------
big_id=$(python3 "$HELPER" archive "$TEST_DIR/big.tar" localhost/big:1 amd64 60)
berth load -i "$TEST_DIR/big.tar" >/dev/null
berth push -q big:1 "$R/test/big:1"
rm -f "$TEST_DIR/big.tar"
bfresh killed pull "$R/test/big:1" >"$TEST_DIR/killed.out" 2>"$TEST_DIR/killed.err" &
pull_pid=$!
# Kill once the two small layers are stored, while the 60 MB one streams.
for i in $(seq 500); do
  [[ $(grep -c ' done$' "$TEST_DIR/killed.err" || true) -ge 2 ]] && break
  kill -0 "$pull_pid" 2>/dev/null || break
  sleep 0.01
done
kill_registry reg
set +e
wait "$pull_pid"
rc=$?
set -e
assert_eq "$rc" "125" "pull fails when the registry dies ($(cat "$TEST_DIR/killed.err"))"
assert_contains "$(cat "$TEST_DIR/killed.err")" "connection refused" "mid-pull failure names the connection error"
assert_eq "$(bfresh killed images -q)" "" "no image after the interrupted pull"
start_registry reg
expect_rc 0 bfresh killed pull "$R/test/big:1"
assert_eq "$OUT" "${big_id#sha256:}" "pull after the registry restarts"
assert_eq "$(grep -c 'skipped: already exists' <<<"$ERR")" "2" "layers stored before the kill are not downloaded again"
out=$(bfresh killed run --rm "$R/test/big:1" sh -c 'wc -c </data/random.bin; ls /data | wc -l')
assert_eq "$out" "$(printf '%s\n4' $((60 * 1024 * 1024)))" "resumed image has every layer"

# ---- htpasswd auth, login, logout --------------------------------------------------
mkdir -p "$TEST_DIR/auth"
htpasswd -Bbn user pass >"$TEST_DIR/auth/htpasswd"
start_registry authreg "auth:
  htpasswd:
    realm: basic-realm
    path: $TEST_DIR/auth/htpasswd"
A=127.0.0.1:${REG_PORT[authreg]}
cat >>"$CONTAINERS_REGISTRIES_CONF" <<EOF

[[registry]]
location = "$A"
insecure = true
EOF
expect_rc 125 berth push multi:1 "$A/secret/img:1"
assert_contains "$ERR" "berth login $A" "push without login says to log in"
expect_rc 125 berth login -u user -p wrong "$A"
assert_contains "$ERR" "$A" "wrong password names the registry"
assert_contains "$ERR" "invalid username/password" "wrong password says so"
assert_eq "$ERR" "Error: logging into \"$A\": invalid username/password" "wrong password: podman's exact message"
[[ ! -e "$REGISTRY_AUTH_FILE" ]] && pass || fail "failed login stores nothing"
expect_rc 0 berth login -u user --password-stdin "$A" <<<"pass"
assert_contains "$OUT" "Login Succeeded" "login --password-stdin"
assert_eq "$(stat -c %a "$REGISTRY_AUTH_FILE")" "600" "auth.json is mode 0600"
assert_eq "$(jq -r --arg k "$A" '.auths | has($k)' "$REGISTRY_AUTH_FILE")" "true" "auth.json has the registry key"
assert_eq "$(berth login --get-login "$A")" "user" "login --get-login"
expect_rc 0 berth push multi:1 "$A/secret/img:1"
# podman's push takes --format docker for Docker schema 2.
expect_rc 0 berth push --format docker multi:1 "$A/secret/dimg:1"
expect_rc 0 curl -sf -u user:pass -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$A/v2/secret/dimg/manifests/1"
assert_eq "$(jq -r .mediaType <<<"$OUT")" "application/vnd.docker.distribution.manifest.v2+json" "push --format docker writes schema 2"
expect_rc 125 berth push --format bogus multi:1 "$A/secret/img:bogus"
assert_contains "$ERR" "unsupported manifest format \"bogus\"" "push --format bogus refused"
expect_rc 0 bfresh authpull pull "$A/secret/img:1"
assert_eq "$OUT" "${img_id#sha256:}" "pull with stored credentials"
expect_rc 0 berth search --list-tags "$A/secret/img"
assert_eq "$(tail -n +2 <<<"$OUT" | tr -s ' ')" "$A/secret/img 1" "search --list-tags with stored credentials"
expect_rc 0 berth search "$A/secret"
assert_contains "$OUT" "$A/secret/img" "search of the catalog with stored credentials"
expect_rc 0 bfresh authcreds pull --creds user:pass --authfile "$TEST_DIR/none.json" "$A/secret/img:1"
expect_rc 125 bfresh authcreds2 pull --creds user:nope --authfile "$TEST_DIR/none.json" "$A/secret/img:1"
assert_contains "$ERR" "invalid username/password" "pull with bad --creds"
expect_rc 0 berth logout "$A"
assert_contains "$OUT" "Removed login credentials for $A" "logout"
assert_eq "$(jq -r --arg k "$A" '.auths | has($k)' "$REGISTRY_AUTH_FILE")" "false" "logout removes the key"
expect_rc 125 berth login --get-login "$A"
assert_contains "$ERR" "not logged into $A" "get-login after logout"
expect_rc 125 bfresh authpull2 pull "$A/secret/img:1"
assert_contains "$ERR" "berth login $A" "pull after logout says to log in"
berth login -u user -p pass "$A" >/dev/null
berth login -u user -p pass "$R" >/dev/null
assert_eq "$(jq -r '.auths | length' "$REGISTRY_AUTH_FILE")" "2" "two logins stored"
expect_rc 0 berth logout -a
assert_eq "$(jq -r '.auths | length' "$REGISTRY_AUTH_FILE")" "0" "logout -a removes all"
# A login scoped to a namespace covers the repositories under it, and only those.
expect_rc 0 berth login -u user -p pass "$A/secret"
assert_eq "$(jq -r '.auths | keys | join(",")' "$REGISTRY_AUTH_FILE")" "$A/secret" "namespaced login key"
expect_rc 0 bfresh authns pull -q "$A/secret/img:1"
assert_eq "$OUT" "${img_id#sha256:}" "pull with a namespaced login"
expect_rc 125 berth push multi:1 "$A/other/img:1"
assert_contains "$ERR" "berth login $A" "namespaced login does not cover other namespaces"
expect_rc 0 berth logout "$A/secret"

# ---- mirrors: a dead primary served by its mirror ----------------------------------
cat >"$TEST_DIR/mirror.conf" <<EOF
[[registry]]
location = "127.0.0.1:9"
insecure = true
[[registry.mirror]]
location = "$R"
insecure = true
EOF
set +e
OUT=$(CONTAINERS_REGISTRIES_CONF="$TEST_DIR/mirror.conf" bfresh mirror pull -q 127.0.0.1:9/test/multi:1 2>&1)
rc=$?
set -e
assert_eq "$rc:$OUT" "0:${img_id#sha256:}" "pull through a mirror"
assert_eq "$(bfresh mirror images --format '{{.Repository}}:{{.Tag}}')" "127.0.0.1:9/test/multi:1" "mirrored image keeps the requested name"

# ---- errors -------------------------------------------------------------------------
expect_rc 125 berth pull 127.0.0.1:1/test/nothing:1
assert_contains "$ERR" "127.0.0.1:1" "unknown registry named"
assert_contains "$ERR" "connection refused" "unknown registry: connection error"
expect_rc 125 berth login -u user -p pass 127.0.0.1:1
assert_contains "$ERR" "127.0.0.1:1" "login to an unknown registry names it"
assert_contains "$ERR" "connection refused" "login to an unknown registry: connection error"
expect_rc 125 berth pull "$R/blocked/img:1"
assert_contains "$ERR" "blocked" "blocked registry"
expect_rc 125 berth push multi:1 "$R/blocked/img:1"
assert_contains "$ERR" "blocked" "push to a blocked registry"
expect_rc 125 berth pull "$R/test/nosuch:1"
assert_contains "$ERR" "manifest unknown" "unknown repository"
expect_rc 125 berth push nosuchimage "$R/test/x:1"
assert_contains "$ERR" "nosuchimage" "push of an unknown image names it"
expect_rc 125 berth logout "$R"
assert_contains "$ERR" "$R" "logout when not logged in names the registry"
expect_rc 125 berth pull 'Bad//Ref'
assert_contains "$ERR" "invalid reference format" "malformed reference"
cat >"$TEST_DIR/short.conf" <<EOF
unqualified-search-registries = ["$R", "$A"]
short-name-mode = "enforcing"

[[registry]]
location = "$R"
insecure = true
EOF
set +e
ERR=$(CONTAINERS_REGISTRIES_CONF="$TEST_DIR/short.conf" "${B[@]}" pull shortonly </dev/null 2>&1)
rc=$?
set -e
assert_eq "$rc" "125" "ambiguous short name without a TTY fails"
assert_contains "$ERR" "short-name resolution" "short-name error says why"
# One search registry: no prompt needed.
sed -i "s|unqualified-search-registries = .*|unqualified-search-registries = [\"$R\"]|" "$TEST_DIR/short.conf"
set +e
OUT=$(CONTAINERS_REGISTRIES_CONF="$TEST_DIR/short.conf" "${B[@]}" pull -q test/multi:1 </dev/null)
rc=$?
set -e
assert_eq "$rc:$OUT" "0:${img_id#sha256:}" "short name with one search registry"

echo "runtime: $((SECONDS - START))s"
# --compression-format zstd: OCI manifest with zstd layers; the pulled image is the same image.
expect_rc 0 berth push -q --compression-format zstd multi:1 "$R/test/zstd:1"
ztypes=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/test/zstd/manifests/1" |
  python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["mediaType"], sorted({l["mediaType"] for l in m["layers"]}))')
assert_contains "$ztypes" "application/vnd.oci.image.manifest.v1+json" "zstd push writes an OCI manifest"
assert_contains "$ztypes" "tar+zstd" "zstd push writes zstd layers"
expect_rc 0 bfresh zstd pull -q "$R/test/zstd:1"
assert_eq "$(bfresh zstd image inspect --format '{{.Id}}' "$R/test/zstd:1")" "${img_id#sha256:}" "zstd round trip keeps the image ID"
assert_eq "$(bfresh zstd image inspect --format '{{.RootFS.Layers}}' "$R/test/zstd:1")" "$local_layers" "zstd round trip keeps the diff IDs"
expect_rc 125 berth push --compression-format lz4 multi:1 "$R/test/zstd:2"
assert_contains "$ERR" "lz4" "bad compression format named"

# --pull newer: the stored image stays while the registry has the manifest it came from, is
# replaced when the tag moves, and stays when the registry cannot be asked.
expect_rc 0 berth push -q multi:1 "$R/test/newer:1"
expect_rc 0 bfresh newer pull -q "$R/test/newer:1"
expect_rc 0 bfresh newer create --pull newer "$R/test/newer:1" true
assert_not_contains "$ERR" "Trying to pull" "--pull newer, same digest: no pull"
other_id=$(python3 "$HELPER" archive "$TEST_DIR/img2.tar" localhost/other:1 amd64 2)
expect_rc 0 berth load -q -i "$TEST_DIR/img2.tar"
expect_rc 0 berth push -q other:1 "$R/test/newer:1"
expect_rc 0 bfresh newer create --pull newer "$R/test/newer:1" true
assert_eq "$(bfresh newer image inspect --format '{{.Id}}' "$R/test/newer:1")" "${other_id#sha256:}" "--pull newer: the moved tag is pulled"
kill_registry reg
expect_rc 0 bfresh newer create --pull newer "$R/test/newer:1" true
assert_contains "$ERR" "is newer" "--pull newer, registry gone: warns and uses the stored image"
expect_rc 125 bfresh newer create --pull always "$R/test/newer:1" true
bfresh newer rm -a >/dev/null

finish
