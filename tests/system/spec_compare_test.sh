#!/usr/bin/env bash
# The OCI config.json berth generates, compared field by field with the one podman 4.3.1
# generates for the same flags (both with runc, the same image, `create` + `init`). Every
# difference is either fixed or listed below with its reason; a listed difference that no
# longer occurs fails the test too, so the list stays true.
source "$(dirname "$0")/lib.sh"
if ! command -v podman >/dev/null; then
  echo "SKIP: podman (the reference) is not installed"
  exit 0
fi
load_default_image
PM=(podman --root "$TEST_DIR/pm/root" --runroot "$TEST_DIR/pm/run" --cgroup-manager cgroupfs --runtime runc
  --events-backend none)
berth save -o "$TEST_DIR/bb.tar" busybox >/dev/null
expect_rc 0 "${PM[@]}" load -q -i "$TEST_DIR/bb.tar"
# The "userns" case runs as a mapped root, which must get through to the roots (both
# engines make their own directories 0711; mktemp's 0700 would stop it).
chmod 0711 "$TEST_DIR"
mkdir -p "$TEST_DIR/hostdir"
echo hi >"$TEST_DIR/hostdir/f"

# Differences in every case.
cat >"$TEST_DIR/allowed-all" <<'ALLOWED'
annotations.io.kubernetes.cri-o.Created	podman stamps the creation time; berth keeps it in its database
?process.rlimits.*	with no default_ulimits in containers.conf podman writes no rlimits and its runtime inherits podman's own (open files raised to the hard limit); berth writes the host's hard limits, so the container gets the same either way
?linux.resources.devices	berth writes the default device rules (null, zero, full, random, urandom, tty, console, ptmx, pts, mknod) that runc and crun otherwise add themselves, so the cgroup is the same under either runtime
ALLOWED

# compare NAME ALLOWED_EXTRA FLAGS... -- ARGS...
compare() {
  local name=$1 extra=$2
  shift 2
  local flags=() args=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do flags+=("$1"); shift; done
  shift
  args=("$@")
  local bid pid bcfg pcfg
  bid=$(berth --runtime runc create "${flags[@]}" busybox "${args[@]}") || { fail "$name: berth create"; return; }
  pid=$("${PM[@]}" create "${flags[@]}" busybox "${args[@]}") || { fail "$name: podman create"; return; }
  berth --runtime runc init "$bid" >/dev/null || { fail "$name: berth init"; return; }
  "${PM[@]}" init "$pid" >/dev/null || { fail "$name: podman init"; return; }
  bcfg=$(berth inspect --format '{{.OCIConfigPath}}' "$bid")
  pcfg=$("${PM[@]}" inspect --format '{{.OCIConfigPath}}' "$pid")
  { cat "$TEST_DIR/allowed-all"; printf '%s\n' "$extra"; } >"$TEST_DIR/allowed"
  if out=$(python3 "$BERTH_SRC/tests/system/spec_compare.py" "$bcfg" "$bid" "$pcfg" "$pid" "$TEST_DIR/allowed"); then
    pass
  else
    fail "$name: config.json differs from podman's:
$(grep -v '^allowed' <<<"$out")"
  fi
  [[ -n "${VERBOSE:-}" ]] && echo "== $name" && echo "$out"
  berth rm -f -t 0 "$bid" >/dev/null
  "${PM[@]}" rm -f -t 0 "$pid" >/dev/null
}

compare "defaults" "" --network none -- true
compare "process" "" --network none -e A=1 -e B=two --workdir /tmp --user 1000:1000 --group-add 10 \
  --umask 0027 --hostname h1 --env-host=false --unsetenv TERM -- sh -c 'echo $A'
compare "security" "" --network none --cap-add NET_ADMIN,SYS_TIME --cap-drop CHOWN \
  --security-opt no-new-privileges --read-only -- true
compare "privileged" "" --network none --privileged -- true
# (No --ulimit: podman 4.3.1's init fails here with one, on RLIMIT_NPROC.)
compare "resources" "" --network none --memory 64m --memory-reservation 32m --memory-swap 128m --cpus 1.5 \
  --cpu-shares 512 --pids-limit 100 --oom-score-adj 100 \
  --sysctl net.ipv4.ip_forward=1 --shm-size 32m -- true
compare "storage" "" --network none -v "$TEST_DIR/hostdir:/data:ro" -v "$TEST_DIR/hostdir:/rw:rw,nosuid" \
  --tmpfs /scratch:size=10m,mode=1777 --mount type=tmpfs,destination=/t2 --device /dev/null:/dev/mynull \
  -- true
compare "namespaces" "" --pid host --ipc host --uts host --network host -- true
compare "init" "" --network none --init -- true
compare "masks" "" --network none --security-opt mask=/etc/secret --security-opt unmask=/proc/kcore -- true
compare "userns" "" --network none --uidmap 0:100000:65536 --gidmap 0:200000:65536 -- true
compare "cgroups" "" --network none --cgroupns private --cgroup-parent /berth-test --personality LINUX32 -- true
compare "env" "" --network none --env-merge 'PATH=/opt/bin:${PATH}' -e ONLY=1 -- true
compare "env-all" "" --network none --unsetenv-all -e ONLY=1 -- /bin/true
compare "passwd" "" --network none --user 4242:4343 --passwd-entry '$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/false' \
  --read-only --read-only-tmpfs=false -- true
compare "chroot" "" --network host --chrootdirs /jail -- true
finish
