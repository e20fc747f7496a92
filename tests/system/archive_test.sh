#!/usr/bin/env bash
# save/load round trips (docker-archive, oci-archive, dirs), podman interop, import edge cases.
source "$(dirname "$0")/lib.sh"

load_default_image
digest=$(berth image inspect --format '{{.Digest}}' busybox)
id=$(berth image inspect --format '{{.Id}}' busybox)

for format in docker-archive oci-archive; do
  berth save --format "$format" -o "$TEST_DIR/$format.tar" busybox
  root2="$TEST_DIR/root-$format"
  out=$("$BERTH" --root "$root2" --runroot "$RUNROOT-$format" load -i "$TEST_DIR/$format.tar")
  assert_eq "$out" "Loaded image: localhost/busybox:latest" "$format load output"
  id2=$("$BERTH" --root "$root2" --runroot "$RUNROOT-$format" image inspect --format '{{.Id}}' busybox)
  assert_eq "$id2" "$id" "$format round trip keeps the config digest"
  # A second save/load round trip keeps the manifest digest too.
  "$BERTH" --root "$root2" --runroot "$RUNROOT-$format" save --format "$format" -o "$TEST_DIR/$format-2.tar" busybox
  root3="$TEST_DIR/root3-$format"
  "$BERTH" --root "$root3" --runroot "$RUNROOT-3$format" load -i "$TEST_DIR/$format-2.tar" >/dev/null
  d2=$("$BERTH" --root "$root2" --runroot "$RUNROOT-$format" image inspect --format '{{.Digest}}' busybox)
  d3=$("$BERTH" --root "$root3" --runroot "$RUNROOT-3$format" image inspect --format '{{.Digest}}' busybox)
  assert_eq "$d3" "$d2" "$format round trip keeps the manifest digest"
  cmp -s "$TEST_DIR/$format.tar" "$TEST_DIR/$format-2.tar" && pass || fail "$format save is deterministic"
done
# oci-archive keeps the stored OCI manifest byte for byte.
d_oci=$("$BERTH" --root "$TEST_DIR/root-oci-archive" --runroot "$RUNROOT-oci-archive" image inspect --format '{{.Digest}}' busybox)
assert_eq "$d_oci" "$digest" "oci-archive keeps the manifest digest"

# load from stdin; several images per archive.
berth tag busybox second:1
berth save -o "$TEST_DIR/multi.tar" busybox second:1
out=$("$BERTH" --root "$TEST_DIR/rootm" --runroot "$RUNROOT-m" load <"$TEST_DIR/multi.tar")
assert_contains "$out" "Loaded image: localhost/busybox:latest" "multi load 1"
assert_contains "$out" "Loaded image: localhost/second:1" "multi load 2"

# Directory formats.
berth save --format oci-dir -o "$TEST_DIR/ocidir" busybox
[[ -f "$TEST_DIR/ocidir/oci-layout" && -f "$TEST_DIR/ocidir/index.json" ]] && pass || fail "oci-dir layout"
berth save --format docker-dir -o "$TEST_DIR/dockerdir" busybox
[[ -f "$TEST_DIR/dockerdir/manifest.json" && -f "$TEST_DIR/dockerdir/version" ]] && pass || fail "docker-dir layout"
expect_rc 125 berth save --format bogus -o "$TEST_DIR/x.tar" busybox
assert_contains "$ERR" "bogus" "bad save format named"
expect_rc 125 berth save -o "$TEST_DIR/x.tar" nosuchimage
assert_contains "$ERR" "nosuchimage" "save of unknown image named"
[[ ! -e "$TEST_DIR/x.tar" ]] && pass || fail "failed save leaves no file"

# Bad archives are refused with a clear error and leave no image.
echo "not a tarball" >"$TEST_DIR/garbage.tar"
expect_rc 125 berth load -i "$TEST_DIR/garbage.tar"
assert_contains "$ERR" "Error:" "garbage load error"
tar -C "$TEST_DIR" -cf "$TEST_DIR/empty.tar" --files-from /dev/null
expect_rc 125 berth load -i "$TEST_DIR/empty.tar"
expect_rc 125 berth load -i "$TEST_DIR/does-not-exist.tar"
assert_contains "$ERR" "does-not-exist.tar" "missing input named"

# import: --change, --message, stdin, gzip input, bad change.
rootfs="$TEST_DIR/rootfs.tar"
make_rootfs_tar "$rootfs"
gzip -k "$rootfs"
berth import -c 'ENV FOO=bar' -c 'WORKDIR /srv' -c 'EXPOSE 8080' -m "msg here" - imp:1 <"$rootfs.gz" >/dev/null
assert_eq "$(berth image inspect --format '{{.Config.WorkingDir}} {{index .Config.Env 0}}' imp:1)" "/srv FOO=bar" "import --change"
assert_eq "$(berth image inspect --format '{{.Comment}}' imp:1)" "msg here" "import --message"
expect_rc 125 berth import -c 'BOGUS x' "$rootfs" imp:2
assert_contains "$ERR" "BOGUS" "bad change named"
expect_rc 1 berth image exists imp:2

# podman interop: an archive podman wrote loads in berth, and one berth wrote loads in podman.
if command -v podman >/dev/null; then
  P=(podman --root "$TEST_DIR/podman-root" --runroot "$TEST_DIR/podman-run" --storage-driver vfs)
  "${P[@]}" import -q --change 'CMD ["sh"]' "$rootfs" localhost/frompodman:1 >/dev/null
  "${P[@]}" save -q -o "$TEST_DIR/podman.tar" localhost/frompodman:1
  pid=$("${P[@]}" image inspect --format '{{.Id}}' localhost/frompodman:1)
  out=$(berth load -i "$TEST_DIR/podman.tar")
  assert_eq "$out" "Loaded image: localhost/frompodman:1" "berth loads podman's docker-archive"
  assert_eq "$(berth image inspect --format '{{.Id}}' frompodman:1)" "$pid" "same image ID as podman"
  "${P[@]}" save -q --format oci-archive -o "$TEST_DIR/podman-oci.tar" localhost/frompodman:1
  "$BERTH" --root "$TEST_DIR/root-poci" --runroot "$RUNROOT-poci" load -i "$TEST_DIR/podman-oci.tar" >/dev/null
  assert_eq "$("$BERTH" --root "$TEST_DIR/root-poci" --runroot "$RUNROOT-poci" image inspect --format '{{.Id}}' frompodman:1)" "$pid" "berth loads podman's oci-archive"

  berth save -o "$TEST_DIR/to-podman.tar" busybox
  "${P[@]}" load -q -i "$TEST_DIR/to-podman.tar" >/dev/null
  assert_eq "$("${P[@]}" image inspect --format '{{.Id}}' localhost/busybox:latest)" "$id" "podman loads berth's docker-archive"
  berth save --format oci-archive -o "$TEST_DIR/to-podman-oci.tar" busybox
  "${P[@]}" rmi -f localhost/busybox:latest >/dev/null
  "${P[@]}" load -q -i "$TEST_DIR/to-podman-oci.tar" >/dev/null
  assert_eq "$("${P[@]}" image inspect --format '{{.Id}}' localhost/busybox:latest)" "$id" "podman loads berth's oci-archive"
  "${P[@]}" rmi -a -f >/dev/null 2>&1 || true
else
  echo "podman not installed: interop checks skipped" >&2
  fail "podman is required for the interop checks (scripts/deps.sh --test installs it)"
fi
finish
