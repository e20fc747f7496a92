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

finish
