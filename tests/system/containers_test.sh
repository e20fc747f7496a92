#!/usr/bin/env bash
# Container lifecycle with the real runtime: run, logs, exec, stop, kill, pause, restart, rename,
# ps, inspect, rm, prune, create/start and the common create flags; nothing left behind.
source "$(dirname "$0")/lib.sh"

load_default_image
# Every container this test makes is removed at the end, even when a check fails.
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

inspect() { berth inspect --format "$2" "$1"; }
# wait_status NAME STATUS: polls inspect until State.Status is STATUS (5s at most).
wait_status() {
  local st
  for _ in $(seq 50); do
    st=$(inspect "$1" '{{.State.Status}}' 2>/dev/null || true)
    [[ "$st" == "$2" ]] && return 0
    sleep 0.1
  done
  return 1
}

# --- run ----------------------------------------------------------------------------
expect_rc 0 berth run --rm busybox echo hello
assert_eq "$OUT" "hello" "run --rm prints"
assert_eq "$(berth ps -a -q)" "" "run --rm leaves no container"
# vfs bind-mounts the rootfs from the same filesystem: it must be detected and unmounted too.
assert_eq "$(grep -c " $TEST_DIR" /proc/self/mountinfo || true)" "0" "run --rm leaves no mount"
assert_eq "$(ls -A "$RUNROOT/containers" "$ROOT/containers" 2>/dev/null | grep -v '^/\|^$' || true)" "" \
  "run --rm leaves no container dirs"

# As podman, a --rm container's overlay is volatile (nothing of its upper layer is synced),
# a kept container's is not; and the marker a volatile mount leaves does not make overlay
# refuse the container's next mount.
if [[ $(berth info --format '{{.Store.GraphDriverName}}') == overlay ]]; then
  expect_rc 0 berth run --rm busybox grep ' / ' /proc/mounts
  assert_contains "$OUT" "volatile" "run --rm mounts its overlay volatile"
  expect_rc 0 berth run --name keep busybox grep ' / ' /proc/mounts
  assert_not_contains "$OUT" "volatile" "run without --rm mounts its overlay as usual"
  berth rm keep >/dev/null
  berth create --rm --name vol busybox echo again >/dev/null
  expect_rc 0 berth mount vol
  expect_rc 0 berth umount vol
  expect_rc 0 berth start -a vol
  assert_eq "$OUT" "again" "a volatile container mounted before its start runs"
  assert_eq "$(berth ps -a -q)" "" "and is removed after it"
fi

# Removal never deletes through a mount: a mount left inside a container's directory
# (here a bind of a host directory) is refused, and the host files survive.
berth create --name mnt busybox true >/dev/null
mnt_id=$(berth inspect --format '{{.Id}}' mnt)
mkdir -p "$TEST_DIR/precious" "$RUNROOT/containers/$mnt_id/extra"
echo keep >"$TEST_DIR/precious/file"
mount --bind "$TEST_DIR/precious" "$RUNROOT/containers/$mnt_id/extra"
expect_rc 0 berth rm mnt
assert_contains "$ERR" "mount point" "rm reports the mount it did not remove"
assert_eq "$(cat "$TEST_DIR/precious/file")" "keep" "rm did not delete through a mount"
umount "$RUNROOT/containers/$mnt_id/extra"

expect_rc 3 berth run --name ex3 busybox sh -c 'exit 3'
assert_eq "$(inspect ex3 '{{.State.Status}} {{.State.ExitCode}}')" "exited 3" "exit code recorded"
expect_rc 127 berth run --rm busybox nosuchcmd
assert_contains "$ERR" "nosuchcmd" "missing command named"
# A container that joins another's namespaces depends on it: rm of the other is
# refused (podman's 125) unless --depend removes the dependent first; rm -a orders them.
dep_base=$(berth create busybox true)
dep_user=$(berth create --network container:"$dep_base" busybox true)
expect_rc 125 berth rm "$dep_base"
assert_contains "$ERR" "container $dep_base has dependent containers which must be removed before it: $dep_user" \
  "rm of a container others depend on"
expect_rc 0 berth rm --depend "$dep_base"
assert_eq "$OUT" "$dep_user
$dep_base" "rm --depend removes the dependent first"
# rm -f of a container whose `run` is in the foreground: that run exits 137.
( sleep 2; berth rm -t 0 -f rmfg >/dev/null ) &
expect_rc 137 berth run --name rmfg busybox sleep 30
wait
assert_eq "$(berth ps -a -q | wc -l)" "1" "failed --rm run leaves no container"
expect_rc 125 berth run --rm nosuchimage true
assert_contains "$ERR" "nosuchimage" "missing image named"

expect_rc 0 berth run -d --name lg busybox sh -c 'echo one; echo two; echo three >&2; sleep 1; echo four'
[[ "$OUT" =~ ^[0-9a-f]{64}$ ]] && pass || fail "run -d prints a 64-hex ID: [$OUT]"
lg_id=$OUT

# --- logs -----------------------------------------------------------------------------
start=$(date +%s%N)
expect_rc 0 timeout 20 "${B[@]}" logs -f lg
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$OUT" $'one\ntwo\nfour' "logs -f stdout until exit"
assert_eq "$ERR" "three" "logs -f stderr"
(( elapsed < 10000 )) && pass || fail "logs -f returned after ${elapsed}ms"
assert_eq "$(inspect lg '{{.State.Status}}')" "exited" "logs -f ends with the container"
# logs -f of several containers reads them side by side, lines in the order they
# come, and a --rm container removed meanwhile is read to its end.
m1=$(berth run --rm -d --name lgm1 busybox sh -c 'echo a; sleep 3; echo d; sleep 1')
m2=$(berth run --rm -d --name lgm2 busybox sh -c 'sleep 1; echo b; sleep 1; echo c')
expect_rc 0 timeout 20 "${B[@]}" logs -f lgm1 lgm2
assert_eq "$OUT" "${m1:0:12} a
${m2:0:12} b
${m2:0:12} c
${m1:0:12} d" "logs -f of two containers interleaves them"
assert_eq "$(berth logs lg 2>&1 | sort | tr '\n' ' ')" "four one three two " "logs all lines"
assert_eq "$(berth logs --tail 2 lg 2>/dev/null)" "four" "logs --tail 2 (stdout part)"
assert_eq "$(berth logs --tail 2 lg 2>&1 | wc -l)" "2" "logs --tail 2 lines"
assert_eq "$(berth logs --tail 0 lg 2>&1)" "" "logs --tail 0"
out=$(berth logs -t lg 2>/dev/null | head -1)
[[ "$out" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)\ one$ ]] && pass || fail "logs -t: [$out]"
expect_rc 0 berth logs "${lg_id:0:12}"
expect_rc 125 berth logs nosuch

# --- exec -------------------------------------------------------------------------------
berth run -d --name ex -e FOO=bar busybox sleep 300 >/dev/null
expect_rc 0 berth exec ex echo in-exec
assert_eq "$OUT" "in-exec" "exec output"
expect_rc 5 berth exec ex sh -c 'exit 5'
expect_rc 0 berth exec ex sh -c 'echo $FOO'
assert_eq "$OUT" "bar" "exec sees the container env"
expect_rc 0 berth exec -e BAZ=qux ex sh -c 'echo $BAZ'
assert_eq "$OUT" "qux" "exec -e"
expect_rc 0 berth exec -w /tmp ex pwd
assert_eq "$OUT" "/tmp" "exec -w"
expect_rc 0 berth exec -u nobody ex id -u
assert_eq "$OUT" "65534" "exec -u nobody"
expect_rc 0 berth exec -u 1000:1000 ex id
assert_contains "$OUT" "uid=1000 gid=1000" "exec -u uid:gid"
expect_rc 127 berth exec ex nosuchcmd
assert_contains "$ERR" "nosuchcmd" "exec missing command named"
expect_rc 0 sh -c "echo piped | ${B[*]} exec -i ex cat"
assert_eq "$OUT" "piped" "exec -i stdin"
expect_rc 125 berth exec ex3 true
assert_contains "$ERR" "running" "exec on stopped container"
expect_rc 125 berth exec nosuch true

# --- top --------------------------------------------------------------------------------
expect_rc 0 berth top ex
assert_contains "$OUT" "sleep 300" "top lists the process"

# --- stop, wait, kill -------------------------------------------------------------------
berth run -d --name stubborn busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
sleep 0.3
start=$(date +%s%N)
expect_rc 0 berth stop -t 1 stubborn
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$OUT" "stubborn" "stop prints the name"
(( elapsed >= 900 && elapsed < 8000 )) && pass || fail "stop -t 1 of a TERM-ignoring container took ${elapsed}ms"
assert_eq "$(inspect stubborn '{{.State.Status}} {{.State.ExitCode}}')" "exited 137" "SIGKILLed exit 137"

berth run -d --name trapper busybox sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done' >/dev/null
sleep 0.3
start=$(date +%s%N)
expect_rc 0 berth stop trapper
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
(( elapsed < 6000 )) && pass || fail "stop of a trapping container took ${elapsed}ms"
assert_eq "$(inspect trapper '{{.State.ExitCode}}')" "42" "stop: trap's exit code"
expect_rc 0 berth wait trapper
assert_eq "$OUT" "42" "wait on an exited container"
expect_rc 0 berth stop trapper  # stopping a stopped container is fine

berth run -d --name waiter busybox sh -c 'sleep 1; exit 7' >/dev/null
expect_rc 0 timeout 20 "${B[@]}" wait waiter
assert_eq "$OUT" "7" "wait returns the exit code"

# wait answers when the container ends, not once its exit work (done under the container's
# lock: teardown, unmount) is over: here that lock is held by someone else meanwhile.
berth run -d --name lockedwait busybox sh -c 'sleep 0.5; exit 5' >/dev/null
lw_id=$(berth inspect --format '{{.Id}}' lockedwait)
flock "$RUNROOT/locks/$lw_id" sleep 8 &
holder=$!
sleep 0.2
t0=$(date +%s%N)
expect_rc 0 timeout 20 "${B[@]}" wait lockedwait
assert_eq "$OUT" "5" "wait returns the exit code while the exit work waits for the lock"
(( ($(date +%s%N) - t0) / 1000000 < 4000 )) && pass || fail "wait took until the lock was released"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null || true
pkill -f "flock $RUNROOT/locks/$lw_id" 2>/dev/null || true
for _ in $(seq 100); do [[ $(inspect lockedwait '{{.State.Status}}') == exited ]] && break; sleep 0.1; done
assert_eq "$(inspect lockedwait '{{.State.Status}}')" "exited" "the exit work finishes once the lock is free"
berth rm lockedwait >/dev/null

berth run -d --name killme busybox sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done' >/dev/null
sleep 0.3
expect_rc 0 berth kill -s USR1 killme
assert_eq "$(timeout 20 "${B[@]}" wait killme)" "9" "kill -s USR1 reaches the trap"
expect_rc 125 berth kill killme
assert_contains "$ERR" "state" "kill of a stopped container"

# --- pause / unpause / restart / rename / exists ---------------------------------------
berth run -d --name pz busybox sleep 300 >/dev/null
expect_rc 0 berth pause pz
assert_eq "$(inspect pz '{{.State.Status}} {{.State.Paused}}')" "paused true" "pause"
assert_eq "$(berth ps --filter status=paused --format '{{.Names}}')" "pz" "ps status=paused"
expect_rc 0 berth unpause pz
assert_eq "$(inspect pz '{{.State.Status}} {{.State.Paused}}')" "running false" "unpause"
expect_rc 125 berth unpause pz
pid1=$(inspect pz '{{.State.Pid}}')
expect_rc 0 berth restart -t 0 pz
pid2=$(inspect pz '{{.State.Pid}}')
assert_eq "$(inspect pz '{{.State.Status}}')" "running" "restart: running"
[[ "$pid1" != "$pid2" && "$pid2" -gt 0 ]] && pass || fail "restart: new pid ($pid1 -> $pid2)"
expect_rc 0 berth restart ex3
assert_eq "$(timeout 20 "${B[@]}" wait ex3)" "3" "restart of an exited container runs it again"

expect_rc 0 berth rename pz pz2
expect_rc 0 berth container exists pz2
expect_rc 1 berth container exists pz
expect_rc 125 berth rename pz2 ex
assert_contains "$ERR" "ex" "rename onto a used name"
expect_rc 125 berth rename pz2 'bad name'

# --- ps ----------------------------------------------------------------------------------
berth run --name lab -l team=blue -l tier busybox true
out=$(berth ps --format '{{.Names}}' | sort | tr '\n' ' ')
assert_eq "$out" "ex pz2 " "ps shows running only"
assert_eq "$(berth ps -a --filter status=exited --format '{{.Names}}' | sort | tr '\n' ' ')" \
  "ex3 killme lab lg stubborn trapper waiter " "ps status=exited"
assert_eq "$(berth ps -a --filter name=lab --format '{{.Names}}')" "lab" "ps name="
assert_eq "$(berth ps -a --filter label=team=blue --format '{{.Names}}')" "lab" "ps label=k=v"
assert_eq "$(berth ps -a --filter label=tier --format '{{.Names}}')" "lab" "ps label=k"
assert_eq "$(berth ps -a --filter label=team=red --format '{{.Names}}')" "" "ps label mismatch"
assert_eq "$(berth ps -a --filter ancestor=busybox -q | wc -l)" "9" "ps ancestor="
assert_eq "$(berth ps -a --filter ancestor=localhost/busybox:latest -q | wc -l)" "9" "ps ancestor full name"
assert_eq "$(berth ps -a --filter exited=137 --format '{{.Names}}')" "stubborn" "ps exited=137"
expect_rc 125 berth ps --filter bogus=1
out=$(berth ps -q)
for l in $out; do [[ "$l" =~ ^[0-9a-f]{12}$ ]] || fail "ps -q line [$l]"; done
pass
assert_eq "$(berth ps -q --no-trunc | head -1 | tr -d '\n' | wc -c)" "64" "ps -q --no-trunc"
assert_eq "$(berth ps -a -n 1 --format '{{.Names}}')" "lab" "ps -n 1 is the newest"
# --sort: newest first without it; created and runningfor oldest first; names, command.
newest=$(berth ps -a --format '{{.CreatedAt}} {{.Names}}')
assert_eq "$newest" "$(printf '%s\n' "$newest" | sort -r)" "ps -a lists the newest first"
by_created=$(berth ps -a --sort created --format '{{.CreatedAt}} {{.Names}}')
assert_eq "$by_created" "$(printf '%s\n' "$newest" | sort)" "ps --sort created lists the oldest first"
by_names=$(berth ps -a --sort names --format '{{.Names}}')
assert_eq "$by_names" "$(printf '%s\n' "$by_names" | LC_ALL=C sort)" "ps --sort names"
by_cmd=$(berth ps -a --sort command --no-trunc --format '{{.Command}}')
assert_eq "$by_cmd" "$(printf '%s\n' "$by_cmd" | LC_ALL=C sort -s)" "ps --sort command"
assert_eq "$(berth ps -a --sort names -q | sort)" "$(berth ps -a -q | sort)" "ps --sort keeps every container"
expect_rc 125 berth ps --sort bogus
assert_contains "$ERR" "invalid option for --sort" "ps --sort bogus names the options"
head=$(berth ps -a | head -1)
[[ "$head" =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]] && pass || fail "ps header: [$head]"
berth ps -a --format json | python3 -c '
import json,sys
d=json.load(sys.stdin)
assert len(d)==9, len(d)
by={c["Names"][0]:c for c in d}
for k in ["Id","Names","State","Status","ExitCode","Command","Image","ImageID","Created","Labels","Pid","Exited","StartedAt","ExitedAt","AutoRemove"]:
    assert k in by["lab"], k
assert by["lab"]["State"]=="exited", by["lab"]["State"]
assert by["lab"]["ExitCode"]==0
assert by["stubborn"]["ExitCode"]==137
assert by["ex"]["State"]=="running"
assert by["lab"]["Command"]==["true"], by["lab"]["Command"]
assert by["lab"]["Image"]=="localhost/busybox:latest", by["lab"]["Image"]
assert by["lab"]["Labels"]["team"]=="blue"
assert len(by["lab"]["Id"])==64
assert by["ex"]["Status"].startswith("Up"), by["ex"]["Status"]
assert by["lab"]["Status"].startswith("Exited (0)"), by["lab"]["Status"]
' && pass || fail "ps --format json shape"
# A template gets the row's fields it names; {{json .}} the whole row.
assert_eq "$(berth ps -a --filter name=lab --format '{{.Names}} {{.State}} {{.Labels.team}} {{.ExitCode}}')" \
  "lab exited blue 0" "ps template with several fields"
berth ps -a --filter name=lab --format '{{json .}}' | python3 -c '
import json,sys
r=json.loads(sys.stdin.read())
for k in ["ID","Names","State","Status","Command","Image","CreatedAt","CreatedHuman","RunningFor","Labels","Ports","Networks","Pod","Size","UTS"]:
    assert k in r, k
assert r["Names"]=="lab" and r["Labels"]["team"]=="blue", r
' && pass || fail "ps --format {{json .}} has every field"

# --- inspect -----------------------------------------------------------------------------
out=$(berth inspect ex)
python3 -c '
import json,sys
d=json.load(sys.stdin)[0]
assert d["State"]["Status"]=="running" and d["State"]["Running"] is True
assert d["State"]["Pid"]>0
assert d["Name"]=="ex"
assert d["Config"]["Cmd"]==["sleep","300"], d["Config"]["Cmd"]
assert "FOO=bar" in d["Config"]["Env"]
assert d["HostConfig"]["RestartPolicy"]["Name"] in ("", "no"), d["HostConfig"]["RestartPolicy"]
for k in ["Id","Created","Path","Args","Image","ImageName","Mounts","NetworkSettings","GraphDriver","RestartCount"]:
    assert k in d, k
' <<<"$out" && pass || fail "inspect running container: $out"
pid=$(inspect ex '{{.State.Pid}}')
[[ -d /proc/$pid ]] && pass || fail "State.Pid $pid is a live process"
assert_eq "$(inspect stubborn '{{.State.Pid}}')" "0" "stopped container has no pid"
assert_eq "$(inspect ex '{{.Config.Cmd}}')" "[sleep 300]" "inspect Config.Cmd"
berth run -d --name rp --restart on-failure:3 busybox true >/dev/null
timeout 20 "${B[@]}" wait rp >/dev/null
assert_eq "$(inspect rp '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}')" \
  "on-failure:3" "inspect RestartPolicy"
expect_rc 125 berth inspect nosuch

# --- rm / prune -----------------------------------------------------------------------------
expect_rc 2 berth rm ex
assert_contains "$ERR" "running" "rm of a running container refused"
expect_rc 0 berth rm -f ex
assert_eq "$OUT" "ex" "rm -f prints the name"
expect_rc 1 berth container exists ex
expect_rc 1 berth rm nosuch
assert_contains "$ERR" "nosuch" "rm unknown named"
expect_rc 0 berth rm -i nosuch
expect_rc 0 berth rm lab
# Garbage of a CLI killed inside create or rm: directories without a record, one with its
# rootfs still mounted. prune collects them (unmounting first).
orphan=$(printf 'f%.0s' $(seq 64))
mkdir -p "$ROOT/containers/$orphan/upper" "$RUNROOT/containers/$orphan/merged" "$TEST_DIR/orphan-src"
echo keep >"$TEST_DIR/orphan-src/file"
mount --bind "$TEST_DIR/orphan-src" "$RUNROOT/containers/$orphan/merged"
expect_rc 0 berth container prune -f
assert_eq "$(grep -c " $RUNROOT/containers/$orphan" /proc/self/mountinfo || true)" "0" "prune unmounts an orphan rootfs"
[[ ! -e "$ROOT/containers/$orphan" && ! -e "$RUNROOT/containers/$orphan" ]] && pass || fail "prune removes orphan dirs"
assert_eq "$(cat "$TEST_DIR/orphan-src/file")" "keep" "orphan sweep unmounts before removing"
n=$(wc -l <<<"$OUT")
(( n >= 6 )) && pass || fail "prune lists removed IDs: $OUT"
# prune filters as podman's: label (all must match), label! (none may), until; others refused.
pk1=$(berth create --name pk1 -l tier=keep busybox true)
pk2=$(berth create --name pk2 -l tier=drop busybox true)
expect_rc 0 berth container prune -f --filter label!=tier=keep --filter label=tier
assert_contains "$OUT" "$pk2" "prune label= and label! remove the other labelled container"
assert_not_contains "$OUT" "$pk1" "prune label! keeps the container with that label"
expect_rc 1 berth container exists pk2
expect_rc 0 berth container exists pk1
expect_rc 125 berth container prune -f --filter bogus=1
assert_contains "$ERR" "bogus=1 is an invalid filter" "prune refuses an unknown filter"
expect_rc 0 berth system prune -f --filter label!=tier=keep
expect_rc 0 berth container exists pk1
expect_rc 0 berth rm pk1
assert_eq "$(berth ps -a --format '{{.Names}}')" "pz2" "prune keeps running containers"
berth rm -f -t 0 pz2 >/dev/null

# --- create / start ------------------------------------------------------------------------
expect_rc 0 berth create --name cr busybox sh -c 'echo created-ran; exit 6'
[[ "$OUT" =~ ^[0-9a-f]{64}$ ]] && pass || fail "create prints the ID"
assert_eq "$(inspect cr '{{.State.Status}}')" "created" "create: status created"
assert_eq "$(berth ps -a --filter status=created --format '{{.Names}}')" "cr" "ps status=created"
expect_rc 0 berth start cr
assert_eq "$OUT" "cr" "start prints the name"
assert_eq "$(timeout 20 "${B[@]}" wait cr)" "6" "started container ran"
assert_eq "$(berth logs cr)" "created-ran" "its output is logged"
expect_rc 6 timeout 20 "${B[@]}" start -a cr
assert_eq "$OUT" "created-ran" "start -a streams and passes the exit code"
berth create --name cr2 busybox echo attached >/dev/null
expect_rc 0 timeout 20 "${B[@]}" start --attach cr2
assert_eq "$OUT" "attached" "start --attach of a created container"
expect_rc 125 berth start nosuch

expect_rc 125 berth create --name cr busybox true
assert_contains "$ERR" "cr" "name clash names the container"
assert_contains "$ERR" "already in use" "name clash says in use"
old=$(berth inspect -f '{{.Id}}' cr)
expect_rc 0 berth run --replace --name cr busybox echo replaced
assert_eq "$OUT" "replaced" "--replace runs the new one"
new=$(berth inspect -f '{{.Id}}' cr)
[[ "$old" != "$new" ]] && pass || fail "--replace made a new container"
berth run -d --name busy busybox sleep 300 >/dev/null
expect_rc 0 berth run --replace -d --name busy busybox sleep 300
assert_eq "$(berth ps -a --filter name=busy -q | wc -l)" "1" "--replace of a running container"
berth rm -af -t 0 >/dev/null

# --- create flags -----------------------------------------------------------------------------
assert_eq "$(berth run --rm -e A=1 -e B=two busybox sh -c 'echo $A-$B')" "1-two" "-e"
assert_eq "$(berth run --rm -w /etc busybox pwd)" "/etc" "-w"
# podman 030-run "check workdir": a workdir given on the command line is not created.
expect_rc 126 berth run --rm -w /new/dir busybox pwd
assert_contains "$ERR" 'workdir "/new/dir" does not exist on container' "-w must exist"
assert_eq "$(berth run --rm -u nobody busybox id -un)" "nobody" "-u nobody"
# As podman: a numeric user and group missing from the image get entries in its passwd and group.
assert_eq "$(berth run --rm -u 123:456 busybox id)" "uid=123(123) gid=456(456) groups=456(456)" "-u uid:gid"
assert_eq "$(berth run --rm --entrypoint echo busybox ep-arg)" "ep-arg" "--entrypoint"
assert_eq "$(berth run --rm --entrypoint '["sh","-c"]' busybox 'echo json-ep')" "json-ep" "--entrypoint JSON"
hostdir="$TEST_DIR/hostdir"
mkdir -p "$hostdir"
echo from-host >"$hostdir/in.txt"
assert_eq "$(berth run --rm -v "$hostdir:/data" busybox sh -c 'cat /data/in.txt; echo from-ctr >/data/out.txt')" \
  "from-host" "-v bind mount visible"
assert_eq "$(cat "$hostdir/out.txt")" "from-ctr" "-v bind mount written back"
expect_rc 1 berth run --rm -v "$hostdir:/data:ro" busybox sh -c 'echo x >/data/ro.txt'
[[ ! -e "$hostdir/ro.txt" ]] && pass || fail ":ro bind mount was written"
assert_eq "$(berth run --rm --hostname myhost busybox hostname)" "myhost" "--hostname"
expect_rc 1 berth run --rm --read-only busybox touch /x
assert_contains "$ERR" "Read-only" "--read-only write fails"
assert_eq "$(berth run --rm --read-only busybox sh -c 'echo ok >/tmp/t && cat /tmp/t')" "ok" "--read-only keeps /tmp writable"
berth run --name lab2 -l a=b busybox true
assert_eq "$(inspect lab2 '{{.Config.Labels.a}}')" "b" "-l in inspect"
cid="$TEST_DIR/cidfile"
berth run -d --cidfile "$cid" --name cidc busybox true >/dev/null
assert_eq "$(cat "$cid")" "$(inspect cidc '{{.Id}}')" "--cidfile holds the ID"
expect_rc 125 berth run --cidfile "$cid" busybox true
assert_contains "$ERR" "$cid" "existing cidfile refused"

berth run --name jf --log-driver json-file busybox sh -c 'echo json-line' >/dev/null
assert_eq "$(berth logs jf)" "json-line" "json-file driver logs"
assert_eq "$(inspect jf '{{.HostConfig.LogConfig.Type}}')" "json-file" "json-file in inspect"
expect_rc 0 berth run --name nolog --log-driver none busybox echo not-logged
assert_eq "$OUT" "not-logged" "log-driver none still attaches"
expect_rc 125 berth logs nolog  # as podman (030-run "podman run --log-driver")
assert_contains "$ERR" "this container is using the 'none' log driver, cannot read logs" "log-driver none keeps no log"
# a journald log is followed through journald events: refused with the file backend (podman 090-events)
expect_rc 0 berth --events-backend=file create --name jlog --log-driver journald busybox true
expect_rc 125 berth --events-backend=file logs --follow jlog
assert_contains "$ERR" "using --follow with the journald --log-driver but without the journald --events-backend (file) is not supported" \
  "logs --follow of a journald log needs journald events"
berth rm jlog >/dev/null
berth run --name ms --log-opt max-size=2k busybox sh -c 'i=0; while [ $i -lt 400 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done' >/dev/null
logpath=$(inspect ms '{{.HostConfig.LogConfig.Path}}')
size=$(stat -c %s "$logpath")
(( size <= 4096 )) && pass || fail "--log-opt max-size=2k: log is $size bytes"
assert_eq "$(berth logs --tail 1 ms)" "line-399-xxxxxxxxxxxxxxxxxxxxx" "max-size keeps the newest lines"

# Resource flags reach the container's cgroups; update changes them live and for later starts.
cg() { berth exec "$1" cat "/sys/fs/cgroup/$2"; }
if [[ -d /sys/fs/cgroup/cpu ]]; then  # cgroup v1 files
  expect_rc 0 berth run -d --name res --cpu-shares 256 --cpus 0.5 --memory 64m --memory-reservation 32m --cpuset-cpus 0 busybox sleep 1000
  assert_eq "$(cg res cpu/cpu.shares)" "256" "--cpu-shares"
  assert_eq "$(cg res cpu/cpu.cfs_quota_us) $(cg res cpu/cpu.cfs_period_us)" "50000 100000" "--cpus 0.5"
  assert_eq "$(cg res memory/memory.limit_in_bytes)" "67108864" "--memory"
  assert_eq "$(cg res memory/memory.memsw.limit_in_bytes)" "134217728" "--memory without --memory-swap: twice the memory"
  assert_eq "$(cg res memory/memory.soft_limit_in_bytes)" "33554432" "--memory-reservation"
  assert_eq "$(cg res cpuset/cpuset.cpus)" "0" "--cpuset-cpus"
  assert_eq "$(inspect res '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.MemorySwap}}')" "500000000 256 134217728" "inspect shows the limits"
  expect_rc 0 berth update --cpu-shares 512 --memory 128m --memory-swap 512m res
  assert_eq "$OUT" "$(inspect res '{{.Id}}')" "update prints the ID"
  assert_eq "$(cg res cpu/cpu.shares)" "512" "update --cpu-shares, live"
  assert_eq "$(cg res memory/memory.limit_in_bytes) $(cg res memory/memory.memsw.limit_in_bytes)" "134217728 536870912" "update --memory/--memory-swap, live"
  assert_eq "$(cg res cpu/cpu.cfs_quota_us)" "50000" "update keeps what it does not change"
  berth stop -t 0 res >/dev/null
  expect_rc 0 berth update --cpu-shares 768 res
  berth start res >/dev/null
  assert_eq "$(cg res cpu/cpu.shares) $(cg res memory/memory.limit_in_bytes)" "768 134217728" "updates survive a restart"
  berth rm -f -t 0 res >/dev/null
fi
expect_rc 125 berth update --cpu-shares lots busybox-none
assert_contains "$ERR" "invalid argument \"lots\" for \"--cpu-shares\"" "update: bad value named"
expect_rc 125 berth run --rm --memory 64m --memory-swap 32m busybox true
assert_contains "$ERR" "--memory-swap" "swap below memory refused"
expect_rc 125 berth update --cpus 1 nosuchcontainer
assert_contains "$ERR" "nosuchcontainer" "update of a missing container names it"

# wait on a container that never ran returns its exit code (0) at once, as podman's;
# after a failed start it returns too.
berth create --name neverran busybox /no/such/command >/dev/null
expect_rc 0 timeout 5 "${B[@]}" wait neverran
assert_eq "$OUT" "0" "wait on a created container"
expect_rc 125 berth start neverran
expect_rc 0 timeout 5 "${B[@]}" wait neverran
# -t -i without a terminal on stdin: podman's warning, and the container still runs.
expect_rc 0 berth run --rm -t -i busybox echo hello </dev/null
assert_contains "$ERR" "The input device is not a TTY" "-it without a tty warns"
assert_contains "$OUT" "hello" "-it without a tty still runs"

# --- --rootfs: a host directory as the root filesystem ----------------------------------------------
expect_rc 0 berth image mount busybox
imgroot=$OUT
mkdir -p "$TEST_DIR/rootdir"
cp -a "$imgroot/." "$TEST_DIR/rootdir/"
expect_rc 0 berth run --name rfo --rootfs "$imgroot:O" sh -c 'echo new > /newfile; cat /newfile'
assert_eq "$OUT" "new" "--rootfs PATH:O runs from the directory"
assert_eq "$(ls "$imgroot/newfile" 2>&1 | grep -c 'No such file')" "1" ":O keeps the directory unchanged"
expect_rc 0 berth inspect rfo --format '{{.ImageDigest}}|{{.Image}}'
assert_eq "$OUT" "|" "a --rootfs container has no image"
expect_rc 0 berth diff rfo
assert_contains "$OUT" "A /newfile" "diff against the directory"
expect_rc 0 berth start -a rfo
assert_eq "$OUT" "new" "restart keeps the overlay's upper layer"
expect_rc 0 berth rm rfo
expect_rc 0 berth image unmount busybox
expect_rc 0 berth run --rm --rootfs "$TEST_DIR/rootdir" sh -c 'echo x > /written; id -un'
assert_eq "$OUT" "root" "--rootfs PATH without :O"
assert_eq "$(cat "$TEST_DIR/rootdir/written")" "x" "without :O the container writes into the directory"
expect_rc 125 berth run --rm --rootfs "$TEST_DIR/nonexistent" true
assert_contains "$ERR" "not a directory" "--rootfs of a missing directory"
mkdir -p "$TEST_DIR/a,b"
expect_rc 125 berth run --rm --rootfs "$TEST_DIR/a,b:O" true
assert_contains "$ERR" "cannot take a path with" "an overlay over a path with a comma is refused"

# --- nothing left behind ---------------------------------------------------------------------------
expect_rc 0 berth rm -af -t 0
assert_eq "$(berth ps -a -q)" "" "all removed"
assert_eq "$(grep -c " $TEST_DIR" /proc/self/mountinfo || true)" "0" "no mounts left under the test dir"
sleep 0.5
assert_eq "$(pgrep -f "$ROOT" || true)" "" "no processes left for this root"
assert_eq "$(ls "$ROOT/containers" 2>/dev/null)" "" "no container dirs left"
finish
