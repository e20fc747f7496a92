#!/usr/bin/env bash
# CLI compatibility with podman: flag parsing (list flags split on commas where podman's do),
# container selection (--all/--latest/--filter/--cidfile), exit codes, and flags that were
# once accepted and ignored.
source "$(dirname "$0")/lib.sh"

load_default_image
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

inspect() { berth inspect --format "$2" "$1"; }

# --- list flags: StringSlice splits on commas, StringArray does not ---------------------------
# CHOWN is bit 0, KILL bit 5: CapEff 0x21 proves both names of one --cap-add value were applied.
expect_rc 0 berth run --rm --cap-drop all --cap-add CHOWN,KILL busybox grep CapEff /proc/self/status
assert_contains "$OUT" "0000000000000021" "--cap-add A,B adds both capabilities"
expect_rc 0 berth run --rm --cap-drop all --cap-add '"CHOWN",KILL' busybox grep CapEff /proc/self/status
assert_contains "$OUT" "0000000000000021" "--cap-add takes CSV quoting"
expect_rc 125 berth run --rm --cap-add 'CH"OWN' busybox true
assert_contains "$ERR" 'bare " in non-quoted-field' "bad CSV in a list flag"
expect_rc 0 berth run --rm -e A=1,B=2 busybox sh -c 'echo "$A"'
assert_eq "$OUT" "1,B=2" "--env keeps its commas (StringArray)"
expect_rc 0 berth run --rm --group-add 10,20 busybox id -G
assert_eq "$OUT" "0 10 20" "--group-add splits on commas"
expect_rc 125 berth ps --all=maybe
assert_contains "$ERR" 'invalid argument "maybe" for "-a, --all" flag' "bad bool value names the flag"
expect_rc 0 berth ps --all=F -q

# --- exit codes ------------------------------------------------------------------------------
expect_rc 1 berth rm nosuch
expect_rc 0 berth rm --force nosuch
assert_eq "$OUT$ERR" "" "rm --force of a missing container is silent"
berth run -d --name busy busybox sleep 300 >/dev/null
expect_rc 2 berth rm busy
assert_contains "$ERR" "$(inspect busy '{{.Id}}') as it is running" "rm of a running container names it"
expect_rc 1 berth rm busy nosuch  # "no such container" wins over "running"
expect_rc 125 berth rm -t 3 busy
assert_contains "$ERR" "--force option must be specified to use the --time option" "rm -t without -f"
expect_rc 1 berth rmi nosuch:1
expect_rc 0 berth rmi --force nosuch:1
expect_rc 2 berth rmi busybox
expect_rc 127 berth exec busy /no/such/command
expect_rc 127 berth run --rm busybox /no/such/command
expect_rc 125 berth exec nosuch true
expect_rc 125 berth exec --preserve-fds 1 busy true
assert_contains "$ERR" "--preserve-fds is not supported" "exec --preserve-fds is refused, not ignored"

# --- selection: --latest, --all, --filter, --cidfile --------------------------------------------
berth create --name c1 --label sel=yes busybox true >/dev/null
berth create --name c2 busybox true >/dev/null
expect_rc 125 berth stop -l busy
assert_contains "$ERR" "--latest and containers cannot be used together" "stop -l NAME"
expect_rc 125 berth kill --all --latest
assert_contains "$ERR" "--all and --latest cannot be used together" "kill --all --latest"
expect_rc 125 berth stop
assert_contains "$ERR" "you must provide at least one name or id" "stop without names"
expect_rc 125 berth stop --filter name=c1 c1
assert_contains "$ERR" "--filter takes no arguments" "stop --filter with names"
expect_rc 125 berth pause --filter bogus
assert_contains "$ERR" 'invalid filter "bogus"' "filter without ="
echo "$(inspect busy '{{.Id}}')" >"$TEST_DIR/cid"
expect_rc 0 berth pause --cidfile "$TEST_DIR/cid"
assert_eq "$(inspect busy '{{.State.Status}}')" "paused" "pause --cidfile"
expect_rc 0 berth unpause --filter name=busy
assert_eq "$OUT" "$(inspect busy '{{.Id}}')" "unpause --filter prints the ID"
assert_eq "$(inspect busy '{{.State.Status}}')" "running" "unpause --filter"

# ps --filter without -a sees running containers only; a status filter sees them all.
assert_eq "$(berth ps --filter name=c1 --format '{{.Names}}')" "" "ps --filter without -a"
assert_eq "$(berth ps -a --filter name=c1 --format '{{.Names}}')" "c1" "ps -a --filter"
assert_eq "$(berth ps --filter status=created --format '{{.Names}}' | sort | tr '\n' ' ')" "c1 c2 " \
  "ps --filter status= without -a"

# start: --filter selects among all containers and prints IDs; sig-proxy needs --attach.
expect_rc 0 berth start --filter label=sel=yes
assert_eq "$OUT" "$(inspect c1 '{{.Id}}')" "start --filter prints the started ID"
assert_eq "$(inspect c2 '{{.State.Status}}')" "created" "start --filter leaves the others"
expect_rc 125 berth start --all c2
assert_contains "$ERR" "either start all containers or the container(s) provided in the arguments" "start --all NAME"
expect_rc 125 berth start --sig-proxy c2
assert_contains "$ERR" "you cannot use sig-proxy without --attach" "start --sig-proxy without -a"
expect_rc 0 berth start busy
assert_eq "$OUT" "" "start of a running container prints nothing (podman)"

# restart --running restarts only the running containers of the selection.
pid1=$(inspect busy '{{.State.Pid}}')
expect_rc 0 berth restart --running --all -t 0
assert_eq "$OUT" "$(inspect busy '{{.Id}}')" "restart --running --all: the running one only"
[[ "$(inspect busy '{{.State.Pid}}')" != "$pid1" ]] && pass || fail "restart --running restarted busy"
assert_eq "$(inspect c2 '{{.State.Status}}')" "created" "restart --running leaves created containers"

# init --all initializes what can be and skips the rest; cleanup --all cleans every container.
berth create --name c3 busybox true >/dev/null
expect_rc 0 berth init --all
assert_contains "$OUT" "$(inspect c3 '{{.Id}}')" "init --all initialized c3"
expect_rc 125 berth init --all c3
assert_contains "$ERR" "no arguments are needed with --all" "init --all NAME"
expect_rc 0 berth container cleanup --all
assert_contains "$OUT" "$(inspect c1 '{{.Id}}')" "cleanup --all lists every container"
expect_rc 125 berth container cleanup --exec abc c1
assert_contains "$ERR" "exec sessions" "cleanup --exec is refused, not ignored"

# --- ps --ns / --pod / --external ----------------------------------------------------------
pid=$(inspect busy '{{.State.Pid}}')
net=$(readlink /proc/"$pid"/ns/net | tr -dc 0-9)
expect_rc 0 berth ps --ns --filter name=busy --format '{{.Names}} {{.NET}} {{.Namespaces.PIDNS}}'
assert_eq "$OUT" "busy $net $(readlink /proc/"$pid"/ns/pid | tr -dc 0-9)" "ps --ns: the container's namespaces"
head=$(berth ps --ns | head -1)
[[ "$head" =~ ^CONTAINER\ ID\ +NAMES\ +PID\ +CGROUPNS\ +IPC\ +MNT\ +NET\ +PIDNS\ +USERNS\ +UTS$ ]] && pass ||
  fail "ps --ns header: [$head]"
head=$(berth ps --pod | head -1)
[[ "$head" =~ NAMES\ +POD\ ID\ +PODNAME$ ]] && pass || fail "ps --pod header: [$head]"
expect_rc 125 berth ps --ns --size
assert_contains "$ERR" "size and namespace options conflict" "ps --ns --size"
expect_rc 0 berth ps --external -a -q
assert_eq "$(echo "$OUT" | wc -l)" "$(berth ps -a -q | wc -l)" "ps --external: berth's store has only its own containers"

# help [command...] shows a command's help; an unknown topic says so with the root's.
expect_rc 0 berth help container ps
assert_contains "$OUT" "container list [options]" "help container ps"
assert_eq "$OUT" "$(berth container ps --help)" "help X == X --help"
expect_rc 0 berth help nosuch
assert_contains "$OUT" 'Unknown help topic [`nosuch`]' "help of an unknown topic"
# --latest with names is refused by every command that has -l.
for cmd in attach logs wait inspect unmount; do
  expect_rc 125 berth $cmd -l busy
  assert_contains "$ERR" "--latest and" "$cmd -l with a name"
done
expect_rc 0 berth container exists --external busy

# start --filter restart-policy: "none" is a container created without --restart.
sf=$(berth run -d busybox true)
berth wait "$sf" >/dev/null
expect_rc 0 berth start --filter restart-policy=always "$sf"
assert_eq "$OUT" "" "start --filter restart-policy=always skips a container without one"
expect_rc 0 berth start --filter restart-policy=none "$sf"
assert_eq "$OUT" "$sf" "start --filter restart-policy=none starts it"
expect_rc 125 berth start --filter restart-policy=fakepolicy "$sf"
assert_eq "$ERR" "Error: fakepolicy invalid restart policy" "unknown restart policy in a filter"

finish
