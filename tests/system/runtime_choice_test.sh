#!/usr/bin/env bash
# The OCI runtime berth picks for this host's cgroups, and resource limits enforced by each
# runtime that can run here (read from inside the container).
source "$(dirname "$0")/lib.sh"

load_default_image
trap 'berth rm -af -t 0 >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

# 1. The default follows the real condition: crun refuses a hybrid host only while a
#    controller sits on the unified hierarchy.
controllers=""
hybrid=0
if [[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs && "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" == cgroup2fs ]]; then
  hybrid=1
  controllers=$(cat /sys/fs/cgroup/unified/cgroup.controllers)
fi
name=$(berth info --format '{{.Host.OCIRuntime.Name}}')
reason=$(berth info --format '{{.Host.OCIRuntime.Reason}}')
if ((hybrid)) && [[ -n "$controllers" ]]; then
  assert_eq "$name" runc "hybrid host with [$controllers] on the unified hierarchy: runc"
  assert_contains "$reason" "${controllers%% *} on the unified hierarchy" "info names the controller"
  assert_contains "$reason" "berth system move-cgroup-controllers" "info says how to get crun"
elif command -v crun >/dev/null; then
  assert_eq "$name" crun "crun where it can run (hybrid=$hybrid)"
  assert_not_contains "$reason" "refuses" "no refusal given as the reason"
fi

# 2. move-cgroup-controllers: nothing to do when nothing is on the unified hierarchy; a clear
#    refusal on a host that is not hybrid. (The move itself is a host change that lasts until
#    reboot, so the test does not make it: a private mount namespace shows it a v1-only host.)
if ((hybrid)) && [[ -z "$controllers" ]]; then
  expect_rc 0 berth system move-cgroup-controllers
  assert_eq "$OUT" "no controller on the unified hierarchy: crun can run" "nothing to move"
fi
if command -v unshare >/dev/null; then
  set +e
  out=$(unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup && exec "$@"' \
    sh "${B[@]}" system move-cgroup-controllers 2>&1)
  rc=$?
  set -e
  assert_eq "$rc" 125 "move-cgroup-controllers on a host without cgroup2 fails"
  assert_contains "$out" "not hybrid: there is nothing to move" "and says why"
fi

# 3. crun gets the seccomp filter compiled once by berth (run.oci.seccomp_bpf_data): the very
#    program crun builds itself from the profile, and enforced.
if [[ "$name" == crun ]]; then
  a=$(berth create --network none busybox true)
  berth init "$a" >/dev/null
  c=$(berth create --network none busybox true)
  BERTH_SECCOMP_PRECOMPILE=0 berth init "$c" >/dev/null
  runroot=$(berth info --format '{{.Store.RunRoot}}')
  assert_contains "$(cat "$runroot/containers/$a/config.json")" "run.oci.seccomp_bpf_data" "annotation in the bundle"
  assert_not_contains "$(cat "$runroot/containers/$c/config.json")" "run.oci.seccomp_bpf_data" "no annotation when disabled"
  if cmp -s "$runroot/runtime/crun/$a/seccomp.bpf" "$runroot/runtime/crun/$c/seccomp.bpf" &&
    [[ -s "$runroot/runtime/crun/$a/seccomp.bpf" ]]; then pass; else fail "precompiled filter differs from crun's own"; fi
  berth rm -f "$a" "$c" >/dev/null
  expect_rc 0 berth run --rm busybox grep Seccomp: /proc/self/status
  assert_contains "$OUT" "Seccomp:	2" "the filter is in force"
  expect_rc 0 berth run --rm --security-opt seccomp=unconfined busybox grep Seccomp: /proc/self/status
  assert_contains "$OUT" "Seccomp:	0" "unconfined: no filter"
  # A profile that denies one syscall: the precompiled filter denies it too.
  python3 - /usr/share/containers/seccomp.json "$TEST_DIR/deny-mkdir.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for s in p["syscalls"]:
    s["names"] = [n for n in s["names"] if n not in ("mkdir", "mkdirat")]
json.dump(p, open(sys.argv[2], "w"))
PY
  expect_rc 1 berth run --rm --security-opt seccomp="$TEST_DIR/deny-mkdir.json" busybox mkdir /tmp/x
  assert_contains "$ERR$OUT" "mkdir" "a custom profile's denial holds"
fi

# 4. Limits hold under every runtime that can run here: read from inside the container.
runtimes=(runc)
[[ "$name" == crun ]] && runtimes+=(crun)
for rt in "${runtimes[@]}"; do
  command -v "$rt" >/dev/null || continue
  if [[ "$(stat -f -c %T /sys/fs/cgroup)" == cgroup2fs ]]; then
    read_limits='cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
  else
    read_limits='cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
  fi
  expect_rc 0 berth run --rm --runtime "$rt" --memory 64m --pids-limit 50 busybox sh -c "$read_limits"
  assert_eq "$(echo $OUT)" "67108864 50" "$rt: --memory and --pids-limit seen inside the container"
  # The pids limit is enforced, not only written: the shell cannot fork 40 children.
  expect_rc 2 berth run --rm --runtime "$rt" --pids-limit 20 busybox sh -c \
    'for i in $(seq 40); do sleep 5 & done; echo all started'
  assert_contains "$ERR" "can't fork" "$rt: --pids-limit 20 stops the 21st process"
  assert_not_contains "$OUT" "all started" "$rt: not all 40 started"
done

finish
