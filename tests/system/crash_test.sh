#!/usr/bin/env bash
# kill -9 of `berth load` at random points leaves a consistent store; the next load succeeds,
# and what the killed loads left is collected.
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

# Leftovers of interrupted writes are collected: kill five loads mid-write, then a good
# load, `rmi -a` and `image prune` bring the store back to (near) empty.
for i in $(seq 1 5); do
  "${R2[@]}" load -q -i "$TEST_DIR/archive.tar" >/dev/null 2>&1 &
  pid=$!
  # Wait until the load is writing (an ingest file or a layer being built), then kill it.
  for _ in $(seq 200); do
    compgen -G "$TEST_DIR/r2/blobs/ingest/*" >/dev/null || compgen -G "$TEST_DIR/r2/overlay/tmp-*" >/dev/null && break
    sleep 0.005
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
garbage=$( (ls "$TEST_DIR/r2/blobs/ingest"; ls -d "$TEST_DIR"/r2/overlay/tmp-*) 2>/dev/null | wc -l || true)
(( garbage > 0 )) && pass || fail "the kills left no leftovers to collect: the check below proves nothing"
out=$("${R2[@]}" load -i "$TEST_DIR/archive.tar")
assert_contains "$out" "Loaded image: localhost/big:1" "load after more kills"
assert_eq "$(ls -A "$TEST_DIR/r2/blobs/ingest" 2>/dev/null)" "" "a load collects killed loads' ingest files"
assert_eq "$(ls -d "$TEST_DIR"/r2/overlay/tmp-* 2>/dev/null || true)" "" "a load collects killed loads' layer builds"
"${R2[@]}" rmi -a >/dev/null
"${R2[@]}" image prune -f >/dev/null
# What remains besides the database: empty directories and lock files only.
left=$(du -sk --exclude='berth.db*' "$TEST_DIR/r2" | cut -f1)
(( left < 256 )) && pass || fail "store holds ${left} kB after kills, rmi -a and prune: $(find "$TEST_DIR/r2" -type f -size +0 ! -name 'berth.db*' | head)"

# Two loads at once never take each other's files for garbage.
R3=("$BERTH" --root "$TEST_DIR/r3" --runroot "$TEST_DIR/run3")
for i in 1 2 3; do
  "${R3[@]}" load -q -i "$TEST_DIR/archive.tar" >"$TEST_DIR/l1.out" 2>&1 &
  p1=$!
  sleep "0.0$((RANDOM % 10))"
  "${R3[@]}" load -q -i "$TEST_DIR/archive.tar" >"$TEST_DIR/l2.out" 2>&1 &
  p2=$!
  wait $p1 && pass || fail "concurrent load 1 (round $i): $(cat "$TEST_DIR/l1.out")"
  wait $p2 && pass || fail "concurrent load 2 (round $i): $(cat "$TEST_DIR/l2.out")"
  "${R3[@]}" rmi -a -f >/dev/null
done
finish
