#!/usr/bin/env bash
# The SpecGenerator's checks as the engine's create applies them (podman's messages, nothing
# left behind), what the typed document carries into the container, and records written
# before the typed SpecGenerator still starting.
source "$(dirname "$0")/lib.sh"

load_default_image
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

# --- refused at create, with podman's messages, leaving no container ----------------------
expect_rc 125 berth run --log-driver=InvalidDriver busybox true
assert_eq "$ERR" "Error: running container create option: invalid log driver: invalid argument" \
  "invalid log driver (podman 030-run's message)"
expect_rc 125 berth create --hostname h --uts host busybox true
assert_eq "$ERR" "Error: invalid config provided: cannot set hostname when running in the host UTS namespace: invalid configuration" \
  "hostname with the host UTS namespace"
expect_rc 125 berth create --restart never busybox true
assert_contains "$ERR" '"never" is not a valid restart policy' "never is not a restart policy"
expect_rc 125 berth create --restart always:3 busybox true
assert_eq "$ERR" "Error: restart policy retries can only be specified with on-failure restart policy" \
  "retries need on-failure"
expect_rc 125 berth create --rm --restart always busybox true
assert_contains "$ERR" "the --rm option conflicts with --restart" "--rm with always"
expect_rc 125 berth create --shm-size 1m --ipc host busybox true
assert_contains "$ERR" "cannot set shmsize when running in the host IPC Namespace" "shm-size with host ipc"
expect_rc 125 berth create --init --pid host busybox true
assert_eq "$ERR" "Error: cannot add init binary as PID 1 (PID namespace isn't private)" "init with host pid"
expect_rc 125 berth create --sysctl net.ipv4.ip_forward=1 --network host busybox true 2>/dev/null
expect_rc 125 berth create --umask 999 busybox true
assert_eq "$ERR" "Error: running container create option: invalid umask string 999: invalid argument" "umask"
expect_rc 125 berth create --workdir rel busybox true
assert_contains "$ERR" "workdir \"rel\" must be an absolute path" "relative workdir"
assert_eq "$(berth ps -aq | wc -l)" "0" "refused creates leave no container"

# podman accepts these: so does berth.
expect_rc 0 berth create --name rmonf --rm --restart on-failure busybox true
expect_rc 0 berth create --name logopt --log-opt max-size=1.234m --log-opt frobnicate=x busybox true
assert_eq "$(berth inspect --format '{{.HostConfig.LogConfig.Size}}' logopt)" "1.234MB" \
  "max-size is decimal, shown as podman shows it"

expect_rc 0 berth run --name lognone --log-driver none busybox echo x
assert_eq "$(berth inspect --format '{{.HostConfig.LogConfig.Path}}' lognone)" "" "driver none has no log path"
expect_rc 125 berth logs lognone
assert_contains "$ERR" "this container is using the 'none' log driver, cannot read logs" "logs with driver none"

# --- what the document carries -------------------------------------------------------------
assert_eq "$(berth run --rm --network host busybox hostname)" "$(hostname)" \
  "--network host takes the host's hostname, as podman does"
assert_eq "$(berth run --rm --hostname given busybox hostname)" "given" "--hostname"
out=$(berth run --rm --ulimit nofile=512:1024 --env A=1 --label l=v busybox sh -c 'ulimit -n; echo $A')
assert_eq "$out" $'512\n1' "ulimit and env reach the process"
cid=$(berth create --label keep=yes busybox true)
assert_eq "$(berth inspect --format '{{.Config.Labels.keep}}' "$cid")" "yes" "labels from the stored spec"
assert_eq "$(berth ps -a --filter label=keep=yes -q | wc -l)" "1" "ps filters on stored labels"

# --- run/create flags of podman's 030-run, 170-run-userns and 190-run-ipcns ---------------
hostipc=$(readlink /proc/self/ns/ipc)
expect_rc 0 berth run --rm --ipc=none busybox readlink /proc/self/ns/ipc
assert_not_contains "$OUT" "$hostipc" "--ipc=none has its own namespace"
expect_rc 1 berth run --rm --ipc=none busybox ls /dev/shm
berth run -d --ipc=private --name ipcpriv busybox sleep 100 >/dev/null
expect_rc 125 berth run --rm --ipc=container:ipcpriv busybox true
assert_contains "$ERR" "is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the donor container)" \
  "a private IPC namespace is not shared"
berth run -d --name ipcdonor busybox sleep 100 >/dev/null
assert_eq "$(berth run --rm --ipc=container:ipcdonor busybox readlink /proc/self/ns/ipc)" \
  "$(berth exec ipcdonor readlink /proc/self/ns/ipc)" "--ipc=container: joins the donor's namespace"
assert_eq "$(berth run --rm --uts=container:ipcdonor busybox hostname)" "$(berth exec ipcdonor hostname)" \
  "--uts=container: joins the donor's namespace"
berth rm -f -t 0 ipcpriv ipcdonor >/dev/null
expect_rc 125 berth run --rm --userns=keep-id busybox true
assert_eq "$ERR" "Error: keep-id is only supported in rootless mode" "keep-id as root"
expect_rc 125 berth run --rm --userns=nomap busybox true
assert_eq "$ERR" "Error: nomap is only supported in rootless mode" "nomap as root"
expect_rc 125 berth run --rm --group-add keep-groups --group-add 457 busybox true
assert_contains "$ERR" "the '--group-add keep-groups' option is not allowed with any other --group-add options" "keep-groups alone"
expect_rc 0 berth run --rm --device-cgroup-rule="b 7:* rmw" busybox true
expect_rc 125 berth run --rm --device-cgroup-rule="b 7:* rmX" busybox true
assert_eq "$ERR" "Error: invalid device access in device-access-add: X" "device rule access"
expect_rc 125 berth run --rm --device-cgroup-rule="a a:* rmw" busybox true
assert_eq "$ERR" 'Error: strconv.ParseUint: parsing "a": invalid syntax' "device rule major"
for o in no-new-privileges no-new-privileges=true no-new-privileges:true no-new-privileges=false; do
  expect_rc 0 berth create --security-opt $o busybox true
done
expect_rc 0 berth run --rm --tz=UTC busybox test -f /etc/localtime
expect_rc 126 berth run --rm --tz=No/Such busybox true
assert_contains "$ERR" "unknown time zone No/Such" "--tz names a zone"
out=$(berth run --rm --unsetenv-all --env TERM=abc busybox /bin/env)
assert_not_contains "$out" "PATH=" "--unsetenv-all drops the defaults"
assert_contains "$out" "TERM=abc" "--unsetenv-all keeps --env"
assert_not_contains "$(berth run --rm --unsetenv=TERM busybox env)" "TERM=" "--unsetenv"
expect_rc 126 berth run --rm --workdir /i/do/not/exist busybox pwd
assert_contains "$ERR" 'workdir "/i/do/not/exist" does not exist on container' "a user workdir must exist"
mkdir -p "$TEST_DIR/wd" && echo in-wd >"$TEST_DIR/wd/f"
assert_eq "$(berth run --rm --workdir /nw -v "$TEST_DIR/wd/f:/nw/sub/f" busybox cat sub/f)" "in-wd" \
  "a workdir holding a mount is the runtime's to make"
expect_rc 0 berth run --rm -p 8080 --net=host busybox echo hi
assert_eq "$ERR" "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use" \
  "port mappings with the host network: podman's warning"
expect_rc 255 berth run --name tmo --timeout 1 busybox sleep 30
assert_eq "$(berth inspect --format '{{.State.Status}} {{.State.ExitCode}}' tmo)" "exited -1" "--timeout kills"
echo preserved >"$TEST_DIR/pf"
assert_eq "$(berth run --rm --preserve-fds=2 busybox sh -c 'cat <&4' 3</dev/null 4<"$TEST_DIR/pf")" "preserved" \
  "--preserve-fds hands fds to the container"
for i in 1 2 3 4 5 6 7 8; do
  expect_rc 1 berth run --rm busybox sh -c 'echo out-$0; exit 1' $i
  assert_eq "$OUT" "out-$i" "a short-lived container's output reaches run (pass $i)"
done
expect_rc 0 berth run --name att --attach stdin busybox echo hello
assert_eq "$OUT" "$(berth inspect --format '{{.Id}}' att)" "--attach stdin prints the ID"
cid=$(berth run -d --conmon-pidfile "$TEST_DIR/cpid" busybox sleep 100)
assert_eq "$(cat "$TEST_DIR/cpid")" "$(berth inspect --format '{{.State.ConmonPid}}' "$cid")" "--conmon-pidfile"
berth rm -f -t 0 "$cid" >/dev/null
expect_rc 126 berth --runtime-flag invalidflag run --rm busybox true
assert_contains "$ERR" "invalidflag" "--runtime-flag reaches the runtime"
cid=$(berth run -d --privileged --systemd=always busybox sleep 100)
assert_eq "$(berth exec "$cid" sh -c 'ls /dev/tty*')" "/dev/tty" "systemd mode takes no host ttys"
assert_contains "$(berth exec "$cid" cat /run/.containerenv)" 'engine="podman-' ".containerenv engine"
berth rm -f -t 0 "$cid" >/dev/null
berth tag busybox rmi-me
expect_rc 0 berth run --rm --rmi rmi-me true
expect_rc 1 berth image exists rmi-me

# --- a record written before the typed SpecGenerator ---------------------------------------
# Older berth stored "rlimits" (not podman's "r_limits") and accepted values the codec now
# refuses: the record must still start, with the rlimit applied and the bad key dropped.
cid=$(berth create --name legacy busybox sh -c 'ulimit -n')
sqlite3 "$ROOT/berth.db" "UPDATE containers SET config = json_set(config,
  '\$.spec.rlimits', json('[{\"type\":\"RLIMIT_NOFILE\",\"hard\":300,\"soft\":300}]'),
  '\$.spec.timeout', -5) WHERE id = '$cid'"
expect_rc 0 berth start -a legacy
assert_eq "$OUT" "300" "legacy rlimits still apply"
assert_contains "$ERR" "ignoring timeout" "the undecodable key is named in a warning"

# --- create flags completed in this round -------------------------------------------------
# --uidmap/--gidmap: a user namespace whose root owns the image's files through ID-mapped
# layers (never chowned on disk), on a private netns and on the default bridge.
chmod 0711 "$TEST_DIR"
expect_rc 0 berth run --name um --network none --uidmap 0:100000:65536 --gidmap 0:100000:65536 busybox \
  sh -c 'cat /proc/self/uid_map; stat -c %u:%g /bin/busybox; echo new >/etc/made; id -u'
assert_eq "$(tr -s ' ' <<<"$OUT" | sed 's/^ //' | head -1)" "0 100000 65536" "--uidmap: the user namespace's map"
assert_contains "$OUT" "0:0" "image files belong to the container's root"
assert_eq "$(tail -1 <<<"$OUT")" "0" "the process is root inside"
layer_owner=$(find "$ROOT" -path '*/diff/bin/busybox' -printf '%u\n' | sort -u)
assert_eq "$layer_owner" "root" "the image layer stays owned by the host's root on disk"
assert_eq "$(stat -c %u "$ROOT/containers/$(berth inspect -f '{{.Id}}' um)/upper/etc/made")" "100000" \
  "files the container writes belong to the mapped root on disk"
expect_rc 0 berth start -a um
assert_eq "$(grep -c idmapped-layers /proc/self/mountinfo)" "0" "no ID-mapped mount left once it stopped"
expect_rc 0 berth rm um
expect_rc 0 berth run --rm --uidmap 0:200000:65536 busybox sh -c 'id -u; ip -o link | grep -c eth0'
assert_eq "$OUT" "0
1" "--uidmap on the default bridge network"
expect_rc 0 berth run --rm --network none --uidmap 0:100000:65536 -v uvol:/data busybox sh -c 'touch /data/x && stat -c %u /data/x'
assert_eq "$OUT" "0" "a new volume belongs to the mapped root"
assert_eq "$(stat -c %u "$(berth volume inspect -f '{{.Mountpoint}}' uvol)/x")" "100000" "... which is 100000 on the host"
expect_rc 125 berth create --uidmap 0:x:1 busybox true
assert_contains "$ERR" 'UID setting is malformed' "a malformed --uidmap is refused"
# ... and on the vfs driver: the container's own copy through an ID-mapped bind.
V=("$BERTH" --root "$TEST_DIR/vroot" --runroot "$TEST_DIR/vrun" --storage-driver vfs)
bash "$BERTH_SRC/scripts/make-default-image.sh" "${V[@]}" >/dev/null
expect_rc 0 "${V[@]}" run --name umv --network none --uidmap 0:100000:65536 --gidmap 0:100000:65536 busybox \
  sh -c 'cat /proc/self/uid_map; stat -c %u:%g /bin/busybox; echo new >/etc/made; stat -c %u /etc/made; id -u'
assert_eq "$(tr -s ' ' <<<"$OUT" | sed 's/^ //' | head -1)" "0 100000 65536" "--uidmap on vfs: the user namespace's map"
assert_eq "$(sed -n 2p <<<"$OUT")" "0:0" "--uidmap on vfs: image files belong to the container's root"
assert_eq "$(sed -n 3,4p <<<"$OUT")" "0
0" "--uidmap on vfs: the container writes and runs as its root"
expect_rc 0 "${V[@]}" start -a umv
assert_contains "$(tr -s " " <<<"$OUT")" "0 100000 65536" "--uidmap on vfs: restart"
expect_rc 0 "${V[@]}" rm umv
assert_eq "$(grep -c " $TEST_DIR/vrun" /proc/self/mountinfo)" "0" "--uidmap on vfs: nothing left mounted"

# --sysctl, --oom-score-adj, --cgroupns, --personality, --env-merge, --label-file, --requires,
# --pidfile: seen from inside, or on the host.
expect_rc 0 berth run --rm --network none --sysctl net.ipv4.ip_forward=1 --oom-score-adj 123 --cgroupns private \
  --env-merge 'PATH=/opt/bin:${PATH}' busybox \
  sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj; echo $PATH'
assert_eq "$OUT" "1
123
/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "sysctl, oom score, env-merge"
expect_rc 125 berth create --oom-score-adj 2000 busybox true
assert_contains "$ERR" "out of range" "an oom score beyond 1000 is refused"
expect_rc 125 berth create --sysctl nonsense busybox true
assert_contains "$ERR" "KEY=VALUE" "a sysctl without = is refused"
printf '# labels\nteam=infra\n\nbare\n' >"$TEST_DIR/labels"
cid=$(berth create --label-file "$TEST_DIR/labels" -l team=override busybox true)
assert_eq "$(berth inspect -f '{{index .Config.Labels "team"}}/{{index .Config.Labels "bare"}}' "$cid")" "override/" \
  "--label-file, with -l taking precedence"
berth create --name base busybox sleep 100 >/dev/null
berth create --name needs --requires base --pidfile "$TEST_DIR/needs.pid" busybox sleep 100 >/dev/null
expect_rc 0 berth start needs
assert_eq "$(berth inspect -f '{{.State.Running}}' base)" "true" "--requires: the required container starts first"
assert_eq "$(cat "$TEST_DIR/needs.pid")" "$(berth inspect -f '{{.State.Pid}}' needs)" "--pidfile holds the container's PID"
expect_rc 125 berth rm -f base
assert_contains "$ERR" "dependent containers" "a required container cannot be removed before its dependent"
berth rm -f -t 0 needs base >/dev/null
expect_rc 125 berth create --requires no-such-ctr busybox true
assert_contains "$ERR" "no-such-ctr" "--requires names a missing container"

finish
