#!/usr/bin/env bash
# images, inspect, tag, untag, rmi, history, tree, exists, prune and --format against a real store.
source "$(dirname "$0")/lib.sh"

load_default_image
out=$(berth images --format '{{.Repository}}:{{.Tag}}')
assert_eq "$out" "localhost/busybox:latest" "default image listed"

# Table output: podman's header and columns.
out=$(berth images)
assert_contains "$(head -1 <<<"$out")" "REPOSITORY" "images header"
assert_contains "$(head -1 <<<"$out")" "IMAGE ID" "images header has IMAGE ID"
[[ "$(head -1 <<<"$out")" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]] && pass || fail "header shape: $(head -1 <<<"$out")"

id=$(berth images -q)
assert_eq "${#id}" "12" "short ID"
full=$(berth images -q --no-trunc)
assert_eq "${full:0:7}" "sha256:" "no-trunc ID prefix"
assert_eq "${#full}" "71" "no-trunc ID length"

# Short name, full name, short ID and full ID all resolve.
for ref in busybox localhost/busybox localhost/busybox:latest "$id" "${full#sha256:}" "$full"; do
  expect_rc 0 berth image exists "$ref"
done
expect_rc 1 berth image exists nosuchimage
expect_rc 1 berth image exists docker.io/library/busybox:latest

# tag / untag
berth tag busybox mytag:v1 quay.io/example/app:2
out=$(berth images --format '{{.Repository}}:{{.Tag}}' --sort repository)
assert_contains "$out" "localhost/mytag:v1" "tag short name under localhost"
assert_contains "$out" "quay.io/example/app:2" "tag qualified name"
assert_eq "$(berth images -q | sort -u | wc -l)" "1" "one image, three names"
berth untag busybox mytag:v1
assert_not_contains "$(berth images --format '{{.Repository}}')" "mytag" "untag removed name"
expect_rc 125 berth tag busybox 'Bad:Name'
assert_contains "$ERR" "Bad:Name" "bad tag named"
expect_rc 125 berth tag nosuch foo

# rmi by name with other names only untags; rmi of unknown exits 1.
expect_rc 0 berth rmi quay.io/example/app:2
assert_eq "$OUT" "Untagged: quay.io/example/app:2" "rmi untags"
expect_rc 1 berth rmi nothere
assert_eq "$ERR" "Error: nothere: image not known" "rmi unknown error"

# inspect: podman's field names.
out=$(berth image inspect busybox)
for f in '"Id"' '"Digest"' '"RepoTags"' '"RepoDigests"' '"Created"' '"Config"' '"Architecture"' \
         '"Os"' '"Size"' '"GraphDriver"' '"RootFS"' '"ManifestType"' '"History"' '"NamesHistory"'; do
  assert_contains "$out" "$f" "inspect has $f"
done
assert_eq "$(berth image inspect --format '{{.Config.Cmd}}' busybox)" "[sh]" "inspect template"
assert_eq "$(berth image inspect --format '{{index .RepoTags 0}}' busybox)" "localhost/busybox:latest" "inspect index"
# Config is podman's ImageConfig struct: fields the image does not set print empty, not an error.
assert_eq "$(berth image inspect --format '{{.Config.Entrypoint}} {{.Config.WorkingDir}}|{{.Config.Labels}} {{.Config.Env}}' busybox)" \
  "[] |map[] [PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin]" "inspect template: unset ImageConfig fields"
assert_eq "$(berth image inspect --format json busybox | jq -c '.[0].Config')" '{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}' \
  "inspect json: the config as stored"
expect_rc 125 berth image inspect --format '{{.NoSuchField}}' busybox
assert_contains "$ERR" "NoSuchField" "unknown template field named"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0]["Id"] and d[0]["RootFS"]["Type"]=="layers"' <<<"$out" && pass || fail "inspect is JSON"

# images --format json is a JSON list with podman's keys.
berth images --format json | python3 -c '
import json,sys
d=json.load(sys.stdin)
assert len(d)==1, d
for k in ["Id","ParentId","RepoTags","RepoDigests","Size","SharedSize","VirtualSize","Labels","Containers","Names","Digest","History","Created","CreatedAt"]:
    assert k in d[0], k
assert d[0]["Names"]==["localhost/busybox:latest"]
' && pass || fail "images json shape"

# Filters.
rootfs="$TEST_DIR/rootfs.tar"
make_rootfs_tar "$rootfs"
berth import --change 'LABEL team=blue' "$rootfs" labelled:1 >/dev/null
sleep 1.1
berth import "$rootfs" >/dev/null  # dangling
assert_eq "$(berth images --filter label=team=blue --format '{{.Repository}}')" "localhost/labelled" "label filter"
assert_eq "$(berth images --filter dangling=true --format '{{.Repository}}:{{.Tag}}')" "<none>:<none>" "dangling filter"
assert_eq "$(berth images --filter reference=busybox --format '{{.Repository}}')" "localhost/busybox" "reference filter"
assert_eq "$(berth images --filter 'reference=*label*' --format '{{.Repository}}')" "localhost/labelled" "reference glob"
assert_eq "$(berth images busybox --format '{{.Repository}}')" "localhost/busybox" "positional reference"
expect_rc 125 berth images --filter bogus=1
assert_contains "$ERR" "bogus" "bad filter named"
expect_rc 125 berth images --sort nonsense

# history and tree.
out=$(berth history busybox)
assert_contains "$(head -1 <<<"$out")" "CREATED BY" "history header"
assert_contains "$out" "berth default image" "history comment"
out=$(berth image tree busybox)
assert_contains "$out" "Image Layers" "tree"
assert_contains "$out" "Top Layer of: [localhost/busybox:latest]" "tree top layer"

# Names sort apart in the listing; rmi (even -f) of one of several names only
# untags it; the names history keeps the lost names, latest first.
berth tag busybox a.b/c:d zz.y/x:1 >/dev/null
assert_eq "$(berth images --sort repository --format '{{.Repository}}:{{.Tag}}' | grep -E '^(a.b/c|zz.y/x|localhost/busybox):' | tr '\n' ' ')" \
  "a.b/c:d localhost/busybox:latest zz.y/x:1 " "images --sort repository sorts rows"
assert_eq "$(berth rmi -f a.b/c:d)" "Untagged: a.b/c:d" "rmi -f of one of several names untags it"
berth untag busybox zz.y/x:1
assert_contains "$(berth images busybox --format '{{.History}}')" "localhost/busybox:latest, zz.y/x:1, a.b/c:d" \
  "names history: current names, then lost ones latest first"
bid=$(berth images -q --no-trunc busybox)
expect_rc 0 berth images --noheading --format '{{.ID}}' --filter after="$bid"
assert_not_contains "$OUT" "${bid:7:12}" "filter after excludes the image itself"

# save --uncompressed writes OCI layers as plain tar (digest = diff_id), and loads back.
expect_rc 0 berth save --format oci-archive --uncompressed -o "$TEST_DIR/unc.tar" busybox
mkdir -p "$TEST_DIR/unc" && tar -C "$TEST_DIR/unc" -xf "$TEST_DIR/unc.tar"
man=$(jq -r '.manifests[0].digest' "$TEST_DIR/unc/index.json")
layer=$(jq -r '.layers[0].digest' "$TEST_DIR/unc/blobs/sha256/${man#sha256:}")
assert_eq "$(jq -r '.layers[0].mediaType' "$TEST_DIR/unc/blobs/sha256/${man#sha256:}")" "application/vnd.oci.image.layer.v1.tar" "uncompressed layer media type"
assert_eq "sha256:$(sha256sum "$TEST_DIR/unc/blobs/sha256/${layer#sha256:}" | cut -d' ' -f1)" "$layer" "uncompressed layer digest is its content's"
assert_eq "$(dd if="$TEST_DIR/unc/blobs/sha256/${layer#sha256:}" bs=1 skip=257 count=5 2>/dev/null)" "ustar" "layer is a plain tar"
expect_rc 0 berth load -i "$TEST_DIR/unc.tar"

# A name an image is stored under again (load, pull) goes first among its names, as
# containers/storage orders them; tag appends.
berth tag busybox localhost/first:one
berth save -o "$TEST_DIR/first.tar" localhost/first:one
berth untag busybox localhost/first:one
berth tag busybox localhost/second:two
expect_rc 0 berth load -i "$TEST_DIR/first.tar"
assert_eq "$(berth images localhost/first:one --format '{{.Repository}}:{{.Tag}}' | head -1)" "localhost/first:one" "loaded name listed first"
assert_eq "$(berth inspect --format '{{index .RepoTags 0}}' busybox)" "localhost/first:one" "loaded name first in RepoTags"
berth untag busybox localhost/first:one localhost/second:two

# run and pull take archive references (copied in, with podman's progress lines).
berth untag busybox localhost/first:one 2>/dev/null || true
expect_rc 0 berth run --rm "docker-archive:$TEST_DIR/first.tar" echo from-archive
assert_eq "$OUT" "from-archive" "run docker-archive:"
assert_eq "$(head -1 <<<"$ERR")" "Getting image source signatures" "run docker-archive: progress first line"
assert_contains "$ERR" "Writing manifest to image destination" "run docker-archive: progress"
expect_rc 0 berth image exists localhost/first:one

# load and import take http:// URLs (served on loopback by the test).
port=$((20000 + RANDOM % 10000))
(cd "$TEST_DIR" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
web=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/first.tar" && break; sleep 0.1; done
expect_rc 0 berth load -i "http://127.0.0.1:$port/first.tar"
assert_contains "$OUT" "Loaded image: localhost/first:one" "load from a URL"
expect_rc 125 berth load -i "http://127.0.0.1:$port/missing.tar"
assert_contains "$ERR" "404" "load of a missing URL names the status"
make_rootfs_tar "$TEST_DIR/rootfs.tar"
expect_rc 0 berth import "http://127.0.0.1:$port/rootfs.tar" localhost/fromurl:1
expect_rc 0 berth image exists localhost/fromurl:1
expect_rc 125 berth import "ftp://127.0.0.1/x.tar"
assert_contains "$ERR" "only http:// and https://" "import of another scheme refused"
kill "$web"; wait "$web" 2>/dev/null || true
berth rmi localhost/fromurl:1 >/dev/null
berth untag busybox localhost/first:one

# rmi removes a manifest list too.
expect_rc 0 berth manifest create mlist:1.0
expect_rc 0 berth rmi mlist:1.0
expect_rc 1 berth manifest exists mlist:1.0

# prune removes the dangling image only.
expect_rc 0 berth image prune -f
assert_eq "$(echo "$OUT" | wc -l)" "1" "prune removed one image"
assert_eq "$(berth images --filter dangling=true -q)" "" "no dangling left"
expect_rc 0 berth image exists busybox

# rmi -a removes everything, layers and blobs included.
berth rmi -a >/dev/null
assert_eq "$(berth images -q)" "" "rmi -a"
assert_eq "$(ls "$ROOT/blobs/sha256" | wc -l)" "0" "blobs collected"
layers=$( (find "$ROOT/overlay" "$ROOT/vfs" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' 2>/dev/null || true) | wc -l)
assert_eq "$layers" "0" "layers collected"

# Global options.
expect_rc 1 berth --log-level bogus images  # podman: 1, its root command's own check
assert_contains "$ERR" "bogus" "bad log level named"
expect_rc 125 berth images --nope
assert_contains "$ERR" "unknown flag: --nope" "unknown flag"
expect_rc 0 berth --version
assert_contains "$OUT" "berth version" "--version"
expect_rc 0 berth info --format '{{.Store.GraphRoot}}'
finish
