# Shared helpers for system tests: a private root per test, assertions, the default image.
set -euo pipefail
: "${BERTH:?set BERTH to the berth binary}"
: "${BERTH_SRC:?set BERTH_SRC to the source tree}"
TEST_DIR=$(mktemp -d /tmp/berth-test.XXXXXX)
ROOT="$TEST_DIR/root"
RUNROOT="$TEST_DIR/run"
B=("$BERTH" --root "$ROOT" --runroot "$RUNROOT")
# BERTH_STORAGE_DRIVER=vfs runs a suite on the vfs driver (ctest's *.vfs entries).
STORAGE_DRIVER=${BERTH_STORAGE_DRIVER:-}
if [[ -n "$STORAGE_DRIVER" ]]; then B+=(--storage-driver "$STORAGE_DRIVER"); fi
FAILS=0
PASSES=0
cleanup_test_dir() {
  # Unmount anything a failed test left under the test dir, then remove it.
  grep -o " $TEST_DIR[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$TEST_DIR"
}
trap cleanup_test_dir EXIT

berth() { "${B[@]}" "$@"; }

fail() {
  echo "FAIL: $*" >&2
  FAILS=$((FAILS + 1))
}
pass() { PASSES=$((PASSES + 1)); }

# assert_eq ACTUAL EXPECTED MESSAGE
assert_eq() {
  if [[ "$1" == "$2" ]]; then pass; else fail "$3: expected [$2], got [$1]"; fi
}
# assert_contains HAYSTACK NEEDLE MESSAGE
assert_contains() {
  if [[ "$1" == *"$2"* ]]; then pass; else fail "$3: [$2] not in [$1]"; fi
}
assert_not_contains() {
  if [[ "$1" != *"$2"* ]]; then pass; else fail "$3: [$2] unexpectedly in [$1]"; fi
}
# expect_rc CODE CMD...: runs CMD, checks its exit code, leaves output in $OUT / $ERR.
expect_rc() {
  local want=$1
  shift
  set +e
  OUT=$("$@" 2>"$TEST_DIR/stderr")
  local rc=$?
  set -e
  ERR=$(cat "$TEST_DIR/stderr")
  if [[ "$rc" == "$want" ]]; then pass; else fail "'$*' exited $rc, want $want (stderr: $ERR)"; fi
}

# A busybox rootfs tarball like the default image's.
make_rootfs_tar() {
  local out=$1 dir="$TEST_DIR/rootfs.$RANDOM"
  mkdir -p "$dir/bin" "$dir/etc"
  cp /bin/busybox "$dir/bin/busybox"
  for a in sh echo cat ls true false sleep env id; do ln -sf busybox "$dir/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  echo 'root:x:0:' >"$dir/etc/group"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$out" .
  rm -rf "$dir"
}

load_default_image() {
  bash "$BERTH_SRC/scripts/make-default-image.sh" "${B[@]}" >/dev/null
}

finish() {
  echo "$PASSES passed, $FAILS failed"
  [[ "$FAILS" == 0 ]]
}
