#!/usr/bin/env bash
# kill -9 of `berth load` at random points leaves a consistent store; the next load succeeds.
source "$(dirname "$0")/lib.sh"

load_default_image
# A bigger archive so the kill lands mid-write: the default image plus a 40 MB random layer.
dir="$TEST_DIR/big"
mkdir -p "$dir"
head -c 40000000 /dev/urandom >"$dir/blob"
tar -C "$dir" -cf "$TEST_DIR/big-rootfs.tar" .
berth import "$TEST_DIR/big-rootfs.tar" big:1 >/dev/null
berth save -o "$TEST_DIR/archive.tar" busybox big:1
R2=("$BERTH" --root "$TEST_DIR/r2" --runroot "$TEST_DIR/run2")
for i in $(seq 1 12); do
  "${R2[@]}" load -q -i "$TEST_DIR/archive.tar" >/dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 40))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # The store must answer and every listed image must be whole.
  if ! out=$("${R2[@]}" images --format '{{.ID}}' 2>&1); then fail "images after kill $i: $out"; continue; fi
  for img in $out; do
    "${R2[@]}" image inspect "$img" >/dev/null 2>&1 || fail "image $img unreadable after kill $i"
    "${R2[@]}" image tree "$img" >/dev/null 2>&1 || fail "image $img layers missing after kill $i"
  done
  pass
  # Sometimes remove everything again so the next kill lands in a fresh load.
  if ((i % 3 == 0)); then "${R2[@]}" rmi -a -f >/dev/null 2>&1 || fail "rmi -a after kill $i"; fi
done
out=$("${R2[@]}" load -i "$TEST_DIR/archive.tar")
assert_contains "$out" "Loaded image: localhost/big:1" "load after kills"
assert_eq "$("${R2[@]}" image inspect --format '{{.Id}}' big:1)" "$(berth image inspect --format '{{.Id}}' big:1)" "same image after kills"
# Leftovers of interrupted writes are gone after a successful command.
finish
