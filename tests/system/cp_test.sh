#!/usr/bin/env bash
# cp: host to container, container to host, container to container (running and
# stopped), directories, tar streams on stdin/stdout, and links inside a container
# that point outside it.
source "$(dirname "$0")/lib.sh"
load_default_image

H="$TEST_DIR/host"
mkdir -p "$H/dir/sub"
echo one >"$H/f1"
echo two >"$H/dir/sub/f2"

berth run -d --name run1 busybox sleep 300 >/dev/null
berth create --name stop1 busybox sh >/dev/null

# host -> container (running, then stopped)
expect_rc 0 berth cp "$H/f1" run1:/tmp/f1
assert_eq "$(berth exec run1 cat /tmp/f1)" one "host file copied into a running container"
expect_rc 0 berth cp "$H/dir" stop1:/tmp/
expect_rc 0 berth cp "$H/f1" stop1:/renamed

# container -> host
expect_rc 0 berth cp run1:/tmp/f1 "$H/back"
assert_eq "$(cat "$H/back")" one "container file copied to the host"
expect_rc 0 berth cp stop1:/tmp/dir "$H/dircopy"
assert_eq "$(cat "$H/dircopy/sub/f2")" two "directory copied from a stopped container"

# container -> container, both directions, running and stopped
expect_rc 0 berth cp run1:/tmp/f1 stop1:/tmp/from-run1
expect_rc 0 berth cp stop1:/tmp/from-run1 "$H/c2c"
assert_eq "$(cat "$H/c2c")" one "running -> stopped container"
expect_rc 0 berth cp stop1:/tmp/dir run1:/tmp/
assert_eq "$(berth exec run1 cat /tmp/dir/sub/f2)" two "stopped -> running container, a directory"
expect_rc 0 berth cp run1:/tmp/f1 run1:/tmp/f1-again
assert_eq "$(berth exec run1 cat /tmp/f1-again)" one "within one container"
expect_rc 125 berth cp run1:/nonexistent stop1:/tmp/
assert_contains "$ERR" "nonexistent" "missing source in container-to-container copy names the path"
expect_rc 125 berth cp run1:/tmp/f1 nosuchctr:/tmp/
assert_contains "$ERR" "nosuchctr" "missing destination container is named"

# tar streams
berth cp run1:/tmp/dir - >"$TEST_DIR/out.tar"
assert_contains "$(tar -tf "$TEST_DIR/out.tar")" "dir/sub/f2" "cp to - writes a tar stream"
berth exec run1 mkdir /srv
tar -C "$H" -cf - f1 | berth cp - run1:/srv
assert_eq "$(berth exec run1 cat /srv/f1)" one "cp from - extracts a tar stream"
expect_rc 125 berth cp - run1:/srv <"$H/f1"
assert_contains "$ERR" "tar archive" "cp from - refuses what is not a tar archive"

# links inside the container stay inside it
berth exec run1 ln -s /../../../../etc/hostname-of-nowhere /tmp/escape
berth exec run1 sh -c 'echo inside >/etc/hostname-of-nowhere'
expect_rc 0 berth cp run1:/tmp/escape "$H/linked"
assert_eq "$(cat "$H/linked" 2>/dev/null)" inside "a link climbing out of the container's / is read inside it"
berth exec run1 ln -sf /../../.. /tmp/up
expect_rc 0 berth cp "$H/f1" run1:/tmp/up/planted
[[ ! -e /planted ]] && pass || { rm -f /planted; fail "cp through a container's link wrote on the host"; }
assert_eq "$(berth exec run1 cat /planted)" one "a link to / inside the container resolves to the container's /"

# "dir/." to a destination that does not exist yet: the directory's contents
# land in the new directory (podman 065-cp "copy dir/. to newdir3")
expect_rc 0 berth cp "$H/dir/." run1:/newdir3
assert_eq "$(berth exec run1 cat /newdir3/sub/f2)" two "dir/. copied into a new directory in a running container"
mkdir -p "$TEST_DIR/out"
expect_rc 0 berth cp stop1:/tmp/dir/. "$TEST_DIR/out/newdir"
assert_eq "$(cat "$TEST_DIR/out/newdir/sub/f2" 2>/dev/null)" two "dir/. copied from a container into a new host directory"
expect_rc 0 berth cp stop1:/tmp/dir/. run1:/newdir4
assert_eq "$(berth exec run1 cat /newdir4/sub/f2)" two "dir/. copied into a new directory of another container"

# a container that is not running: a path under a volume (nested in another
# volume) is that volume's directory, not the rootfs under it
berth volume create outer >/dev/null
berth volume create inner >/dev/null
berth create --name vol1 -v outer:/tmp/volume -v inner:/tmp/volume/sub busybox true >/dev/null
expect_rc 0 berth cp "$H/f1" vol1:/tmp/volume/sub
assert_eq "$(cat "$(berth volume inspect inner --format '{{.Mountpoint}}')/f1" 2>/dev/null)" one \
  "cp into a stopped container's nested volume writes into that volume"
assert_eq "$(ls "$(berth volume inspect outer --format '{{.Mountpoint}}')")" "" "the outer volume stays empty"

# shell completion (cobra's __complete protocol, podman 600-completion): paths
# inside an image for create/run, "CONTAINER:" then paths inside it for cp
complete() { "$BERTH" __completeNoDesc --root "$ROOT" --runroot "$RUNROOT" "$@" 2>&1; }
out=$(complete create busybox "")
assert_contains "$out" $'\n/etc/\n' "create IMAGE completes the image's directories"
assert_contains "$out" "Completion ended with directive: ShellCompDirectiveNoSpace" "directories take no space"
assert_contains "$(complete run busybox ../../)" $'\n../../etc/\n' "relative paths stay in the image's root"
berth exec run1 sh -c 'mkdir /emptydir; touch /tmp/cfile1 /tmp/cfile2'
assert_eq "$(complete cp "" | grep -cx 'run1:')" 1 "cp completes container names with a colon"
out=$(complete cp run1:/tmp/cfile)
assert_contains "$out" $'run1:/tmp/cfile1\nrun1:/tmp/cfile2\n' "cp completes paths inside the container"
out=$(complete cp run1:/emptydir)
assert_contains "$out" $'run1:/emptydir/\n:2\n' "an empty directory: its name with a slash, no space"
assert_eq "$(berth image mount)$(berth mount --notruncate | grep -c run1 || true)" "0" "completion leaves nothing mounted"
assert_contains "$(complete ps --)" $'--all\n' "flags are completed"
bash -n <("$BERTH" completion bash) && pass || fail "completion bash is a valid script"

finish
