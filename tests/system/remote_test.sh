#!/usr/bin/env bash
# Remote mode: `berth --remote --url unix://SOCK` (and --connection, CONTAINER_HOST,
# CONTAINER_CONNECTION) against `berth system service` on a private socket and root gives
# the same output and exit codes as local mode for images and containers; `system
# connection` keeps podman's containers.conf destinations; commands the service has no
# route for fail naming the command; podman --remote reads what berth --remote wrote.
source "$(dirname "$0")/lib.sh"
SOCK="$TEST_DIR/api.sock"
SVC_PID=
stop_all() {
  [[ -n "$SVC_PID" ]] && kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=
}
trap 'stop_all; cleanup_test_dir' EXIT
export HOME="$TEST_DIR/home"
mkdir -p "$HOME"
# Connections go to a private containers.conf, never the host's.
export CONTAINERS_CONF="$TEST_DIR/containers.conf"
printf '[containers]\n' >"$CONTAINERS_CONF"
unset CONTAINER_HOST CONTAINER_CONNECTION CONTAINER_SSHKEY

wait_sock() {
  for _ in $(seq 200); do [[ -S "$1" ]] && return 0; sleep 0.05; done
  fail "socket $1 did not appear"
}
R=("$BERTH" --remote --url "unix://$SOCK")
remote() { "${R[@]}" "$@"; }
# same MSG CMD...: the command's stdout and exit code are the same locally and remotely.
same() {
  local msg=$1 lrc rrc lout rout
  shift
  set +e
  lout=$(berth "$@" 2>"$TEST_DIR/lerr")
  lrc=$?
  rout=$(remote "$@" 2>"$TEST_DIR/rerr")
  rrc=$?
  set -e
  assert_eq "$rrc" "$lrc" "$msg: exit code (remote stderr: $(cat "$TEST_DIR/rerr"))"
  assert_eq "$rout" "$lout" "$msg: output"
  OUT=$rout
}

load_default_image
IMG=localhost/busybox:latest

# ---- no service yet ----------------------------------------------------------------------
expect_rc 125 remote images
assert_contains "$ERR" "Cannot connect to Podman. Please verify your connection" "no service: podman's hint"
assert_contains "$ERR" "Error: unable to connect to Podman socket" "no service: cause"
assert_contains "$ERR" "dial unix $SOCK: connect: no such file or directory" "no service: dial error"
expect_rc 125 "$BERTH" --remote --url "ssh://root@localhost/run/x.sock" images
assert_contains "$ERR" "ssh" "ssh URIs: a clear error"

"${B[@]}" system service --time 0 "unix://$SOCK" 2>"$TEST_DIR/svc.log" &
SVC_PID=$!
wait_sock "$SOCK"

# ---- version, info -----------------------------------------------------------------------
out=$(remote version)
assert_contains "$out" $'Client:       berth Engine\nVersion:' "version: client block"
assert_contains "$out" $'\n\nServer:       berth Engine\nVersion:' "version: server block"
assert_eq "$(remote version --format '{{.Server.APIVersion}}')" "$(berth version --format '{{.Client.APIVersion}}')" \
  "version: server API version"
assert_eq "$(remote info --format '{{.Store.GraphRoot}}')" "$ROOT" "info: the service's root"
assert_eq "$(remote info --format '{{.Host.RemoteSocket.Path}}')" "unix://$SOCK" "info: remote socket"

# ---- images ------------------------------------------------------------------------------
# The default table shows CREATED ("Less than a second ago" turns into "1 second ago"
# between the two calls): the table is compared without it.
same "images" images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'
assert_contains "$OUT" "localhost/busybox" "images lists the default image"
same "images --format" images --format '{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}}'
same "images -q --no-trunc" images -q --no-trunc
same "image inspect" image inspect "$IMG"
same "inspect --format" image inspect --format '{{.Id}} {{.Config.Cmd}} {{.RepoTags}}' "$IMG"
same "history --format" history --no-trunc --format '{{.ID}} {{.CreatedBy}}' "$IMG"
same "image exists" image exists "$IMG"
same "image exists missing" image exists localhost/nope:1
expect_rc 0 remote tag "$IMG" localhost/remote-tag:v1
same "images after remote tag" images --format '{{.Repository}}:{{.Tag}}' --sort repository
assert_contains "$OUT" "localhost/remote-tag:v1" "remote tag visible"
expect_rc 0 remote untag "$IMG" localhost/remote-tag:v1
expect_rc 0 berth image exists "$IMG"
expect_rc 1 berth image exists localhost/remote-tag:v1
expect_rc 0 remote tag "$IMG" localhost/remote-tag:v2
expect_rc 0 remote rmi localhost/remote-tag:v2
assert_eq "$OUT" "Untagged: localhost/remote-tag:v2" "rmi of a second tag untags"
same "rmi missing" rmi localhost/nope:1
assert_contains "$(cat "$TEST_DIR/rerr")" "localhost/nope:1" "rmi missing names the image"

# save on the client side, load back through the service
expect_rc 0 remote save -o "$TEST_DIR/img.tar" "$IMG"
[[ -s "$TEST_DIR/img.tar" ]] && tar -tf "$TEST_DIR/img.tar" | grep manifest.json >/dev/null && pass ||
  fail "remote save writes a docker-archive on the client"
expect_rc 0 remote tag "$IMG" localhost/loadme:1
expect_rc 0 remote rmi localhost/loadme:1
expect_rc 0 berth rmi -f "$IMG"
expect_rc 1 berth image exists "$IMG"
out=$(remote load -i "$TEST_DIR/img.tar")
assert_contains "$out" "Loaded image" "remote load"
expect_rc 0 berth image exists "$IMG"

# pull and push through the service, against a registry on 127.0.0.1
start_local_registry
PORT=${REG##*:}
REF=127.0.0.1:$PORT/remote/busybox:1
expect_rc 0 remote push --tls-verify=false "$IMG" "$REF"
expect_rc 0 remote pull --tls-verify=false -q "$REF"
assert_eq "$OUT" "$(berth image inspect --format '{{.Id}}' "$REF")" "pull -q prints the image ID"
expect_rc 125 remote pull --tls-verify=false "127.0.0.1:$PORT/remote/missing:1"
assert_contains "$ERR" "remote/missing" "pull of a missing image names it"
expect_rc 0 remote rmi "$REF"

# ---- containers --------------------------------------------------------------------------
cid=$(remote create --name rc1 "$IMG" sh -c 'echo out; echo err >&2; exit 3')
[[ "$cid" =~ ^[0-9a-f]{64}$ ]] && pass || fail "remote create prints the ID: $cid"
same "ps -a" ps -a --format '{{.ID}} {{.Image}} {{.Command}} {{.Status}} {{.Names}}'
assert_contains "$OUT" "rc1" "ps -a lists the remote container"
same "container exists" container exists rc1
expect_rc 0 remote start rc1
expect_rc 0 remote wait rc1
assert_eq "$OUT" "3" "wait prints the exit code"
same "logs" logs rc1
assert_eq "$(remote logs rc1 2>&1 >/dev/null)" "err" "logs: stderr stays stderr"
same "inspect" container inspect --format '{{.Id}} {{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.Config.Cmd}}' rc1
same "inspect json" container inspect rc1
expect_rc 0 remote rename rc1 rc1b
assert_eq "$(berth inspect --format '{{.Name}}' "$cid")" "rc1b" "remote rename"
expect_rc 0 remote rm rc1b
assert_eq "$OUT" "rc1b" "rm prints the name"
same "rm missing" rm nosuch
same "rm -i missing" rm -i nosuch

# run: foreground output and exit code, --rm
expect_rc 7 remote run --rm "$IMG" sh -c 'echo hello; exit 7'
assert_eq "$OUT" "hello" "run --rm: output"
assert_eq "$(berth ps -aq | wc -l)" "0" "run --rm removed the container"
# stdin through -i
assert_eq "$(echo piped | remote run --rm -i "$IMG" cat)" "piped" "run -i: stdin"

# run -d, exec, top, pause/unpause, restart, stop, kill
cid=$(remote run -d --name rc2 "$IMG" sleep 1000)
[[ "$cid" =~ ^[0-9a-f]{64}$ ]] && pass || fail "run -d prints the ID"
# (State, not Status: "Up Less than a second" may turn "Up 1 second" between the two calls.)
same "ps running" ps --format '{{.Names}} {{.State}}'
assert_contains "$OUT" "rc2 running" "rc2 is up"
assert_contains "$(remote ps --format '{{.Names}} {{.Status}}')" "rc2 Up" "remote ps: Status"
expect_rc 0 remote exec rc2 sh -c 'echo in-exec; id -u'
assert_eq "$OUT" $'in-exec\n0' "exec output"
expect_rc 5 remote exec rc2 sh -c 'exit 5'
assert_eq "$(echo from-stdin | remote exec -i rc2 cat)" "from-stdin" "exec -i: stdin"
expect_rc 0 remote exec -d rc2 sleep 5
expect_rc 127 remote exec rc2 /no/such/binary
expect_rc 0 remote top rc2
assert_contains "$OUT" "sleep 1000" "top lists the process"
expect_rc 0 remote pause rc2
assert_eq "$(berth inspect --format '{{.State.Status}}' rc2)" "paused" "remote pause"
expect_rc 0 remote unpause rc2
assert_eq "$(berth inspect --format '{{.State.Status}}' rc2)" "running" "remote unpause"
pid1=$(berth inspect --format '{{.State.Pid}}' rc2)
expect_rc 0 remote restart -t 1 rc2
pid2=$(berth inspect --format '{{.State.Pid}}' rc2)
[[ "$pid1" != "$pid2" && "$(berth inspect --format '{{.State.Status}}' rc2)" == running ]] && pass ||
  fail "remote restart: pid $pid1 -> $pid2"
expect_rc 0 remote kill -s KILL rc2  # sleep as PID 1 ignores TERM: wait would never return
expect_rc 0 remote wait rc2
expect_rc 0 remote start rc2
expect_rc 0 remote stop -t 1 rc2
assert_eq "$OUT" "rc2" "stop prints the name"
assert_eq "$(berth inspect --format '{{.State.Status}}' rc2)" "exited" "remote stop"
same "stop missing" stop nosuch
expect_rc 0 remote rm -f rc2

# attach to a running container: its output reaches the remote client
remote run -d --name rc3 "$IMG" sh -c 'sleep 1; echo attached-out; sleep 1; exit 4' >/dev/null
expect_rc 4 remote attach rc3
assert_contains "$OUT" "attached-out" "attach: output"
expect_rc 0 remote rm rc3

# the same containers are seen by both sides
berth create --name lc1 "$IMG" true >/dev/null
same "ps -a after local create" ps -a --format '{{.Names}} {{.Status}}'
same "ps -a --no-trunc -q" ps -a --no-trunc -q
expect_rc 0 remote rm lc1

# ---- system df and the event log read through the service ----------------------------------
same "system df" system df --format '{{.Type}} {{.Total}} {{.Active}}'
ev_until=$(($(date +%s) + 1))
sleep 1.1
same "events replay" events --stream=false --since 0 --until "$ev_until" --format '{{.Type}} {{.Status}} {{.Name}} {{.ID}}'
same "events replay with a filter" events --stream=false --since 0 --until "$ev_until" --filter type=container --filter event=create --format '{{.Name}}'

# ---- file systems through the archive routes (api_files_test covers them in depth) ---------
berth create --name rc4 "$IMG" true >/dev/null
expect_rc 0 remote cp rc4:/etc/passwd "$TEST_DIR/passwd"
assert_contains "$(cat "$TEST_DIR/passwd")" "root:x:0:0" "remote cp from a created container"
same "diff of a created container" diff rc4
expect_rc 0 remote export -o "$TEST_DIR/x.tar" rc4
assert_contains "$(tar -tf "$TEST_DIR/x.tar")" "etc/passwd" "remote export"

# ---- commands the service has no route for: a clear error naming the command ---------------
expect_rc 125 remote mount rc4
assert_contains "$ERR" "mount is not supported in remote mode" "mount unsupported"
expect_rc 125 remote system renumber
assert_contains "$ERR" "system renumber is not supported in remote mode" "system renumber unsupported"
expect_rc 0 remote volume create rvexp
expect_rc 125 remote volume export -o "$TEST_DIR/v.tar" rvexp
assert_contains "$ERR" "volume export is not supported in remote mode" "volume export unsupported"
expect_rc 0 remote volume rm rvexp
expect_rc 125 remote manifest create localhost/list:1
assert_contains "$ERR" "manifest create is not supported in remote mode" "manifest unsupported"
berth rm rc4 >/dev/null

# ---- connection selection ------------------------------------------------------------------
out=$("$BERTH" system connection ls)
assert_eq "$out" "Name        URI         Identity    Default" "connection ls: none"
expect_rc 0 "$BERTH" system connection add svc "unix://$SOCK"
expect_rc 0 "$BERTH" system connection add other tcp://127.0.0.1:1
out=$("$BERTH" system connection ls)
assert_contains "$out" "svc         unix://$SOCK" "connection ls: svc"
assert_contains "$(grep '^svc' <<<"$out")" "true" "the first connection is the default"
assert_contains "$(grep '^other' <<<"$out")" "false" "the second is not"
assert_eq "$("$BERTH" system connection ls -q)" $'other\nsvc' "connection ls -q"
# --connection, CONTAINER_CONNECTION, the default, CONTAINER_HOST all reach the service
assert_eq "$("$BERTH" --connection svc info --format '{{.Store.GraphRoot}}')" "$ROOT" "--connection"
assert_eq "$(CONTAINER_CONNECTION=svc "$BERTH" info --format '{{.Store.GraphRoot}}')" "$ROOT" "CONTAINER_CONNECTION"
assert_eq "$("$BERTH" --remote info --format '{{.Store.GraphRoot}}')" "$ROOT" "--remote uses the default connection"
assert_eq "$(CONTAINER_HOST="unix://$SOCK" "$BERTH" info --format '{{.Store.GraphRoot}}')" "$ROOT" "CONTAINER_HOST"
expect_rc 125 "$BERTH" --connection other info
assert_contains "$ERR" "dial tcp 127.0.0.1:1: connect: connection refused" "--connection other: its URI"
expect_rc 0 "$BERTH" system connection default other
assert_contains "$(grep '^other' <<<"$("$BERTH" system connection ls)")" "true" "default moved"
expect_rc 125 "$BERTH" --remote info
expect_rc 125 "$BERTH" system connection default nosuch
assert_eq "$ERR" 'Error: "nosuch" destination is not defined. See "podman system connection add ..." to create a connection' \
  "default of a missing destination"
expect_rc 0 "$BERTH" system connection rename svc svc2
expect_rc 0 "$BERTH" --connection svc2 images -q
expect_rc 125 "$BERTH" system connection add bad tcp://localhost
assert_eq "$ERR" "Error: tcp scheme requires a port either via --port or in destination URL" "tcp without port"
expect_rc 125 "$BERTH" system connection add bad user@somehost
assert_contains "$ERR" "ssh destinations (ssh://user@somehost) are not supported" "ssh destinations"
# podman reads the same file
out=$(podman system connection ls --format '{{.Name}} {{.URI}} {{.Default}}')
assert_eq "$out" $'other tcp://127.0.0.1:1 true\nsvc2 unix://'"$SOCK"' false' "podman lists berth's connections"
out=$("$BERTH" system connection ls --format json)
assert_contains "$out" '"Name": "svc2",' "connection ls json"
assert_contains "$out" '"IsMachine": false,' "connection ls json IsMachine"
expect_rc 0 "$BERTH" system connection rm other
expect_rc 0 "$BERTH" system connection rm --all
assert_eq "$("$BERTH" system connection ls -q)" "" "rm --all"
grep -q '^\[containers\]' "$CONTAINERS_CONF" && pass || fail "the rest of containers.conf is kept"

# ---- podman --remote sees what berth --remote made ------------------------------------------
remote run -d --name rc5 "$IMG" sleep 1000 >/dev/null
out=$(timeout 60 podman --remote --url "unix://$SOCK" ps --format '{{.Names}}')
assert_contains "$out" "rc5" "podman --remote ps"
out=$(timeout 60 podman --remote --url "unix://$SOCK" exec rc5 echo via-podman)
assert_eq "$out" "via-podman" "podman --remote exec"
expect_rc 0 remote rm -f -t 0 rc5

stop_all
finish
