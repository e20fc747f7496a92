#!/usr/bin/env bash
# The REST API with real clients against `berth system service`: podman --remote
# (podman 4.3.1's Go bindings), the docker CLI (skipped when not installed),
# python3-docker and berth --remote; pulls from a local docker-registry. Hostile requests leave the
# service up.
source "$(dirname "$0")/lib.sh"
H="$BERTH_SRC/tests/system/api_helper.py"
SOCK="$TEST_DIR/api.sock"
export HOME="$TEST_DIR/home"
mkdir -p "$HOME"
SVC_PID=
cleanup_all() {
  [[ -n "$SVC_PID" ]] && kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null || true
  berth rm -af -t 0 >/dev/null 2>&1 || true
  cleanup_test_dir
}
trap cleanup_all EXIT
load_default_image

# ---- a registry with busybox in it ---------------------------------------------------------
start_local_registry
R=$REG
export CONTAINERS_REGISTRIES_CONF="$TEST_DIR/registries.conf"
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" >"$CONTAINERS_REGISTRIES_CONF"
expect_rc 0 berth push -q busybox "$R/lib/busybox:1"

start_service "unix://$SOCK"

# ---- podman --remote -------------------------------------------------------------------------
P=(timeout 60 podman --remote --url "unix://$SOCK")
expect_rc 0 "${P[@]}" version
assert_contains "$OUT" "Server:       Podman Engine" "podman version shows the server"
expect_rc 0 "${P[@]}" info --format '{{.Store.GraphDriverName}} {{.Host.RemoteSocket.Path}}'
assert_contains "$OUT" "unix://$SOCK" "podman info remote socket"
expect_rc 0 "${P[@]}" pull "$R/lib/busybox:1"
assert_contains "$ERR" "Copying blob" "podman pull progress"
expect_rc 0 "${P[@]}" images --format '{{.Repository}}:{{.Tag}}'
assert_contains "$OUT" "$R/lib/busybox:1" "podman images lists the pulled image"
expect_rc 0 "${P[@]}" run -d --name pr1 busybox sh -c 'echo to-out; echo to-err >&2; sleep 100'
cid=$OUT
expect_rc 0 "${P[@]}" ps --format '{{.Names}} {{.Status}}'
assert_contains "$OUT" "pr1 Up" "podman ps"
sleep 0.3
expect_rc 0 "${P[@]}" logs pr1
assert_eq "$OUT" "to-out" "podman logs stdout"
assert_eq "$ERR" "to-err" "podman logs stderr"
expect_rc 0 "${P[@]}" exec pr1 sh -c 'echo exec-out; id -u'
assert_eq "$OUT" $'exec-out\n0' "podman exec output"
expect_rc 5 "${P[@]}" exec pr1 sh -c 'exit 5'
expect_rc 0 "${P[@]}" stop -t 1 pr1
expect_rc 0 "${P[@]}" inspect --format '{{.State.Status}}' pr1
assert_eq "$OUT" "exited" "podman inspect after stop"
expect_rc 0 "${P[@]}" rm pr1
assert_eq "$(berth ps -aq)" "" "podman rm removed the container"
expect_rc 1 "${P[@]}" rm nosuchcontainer
assert_contains "$ERR" "no such container" "podman rm of a missing container"

# ---- build through the API: podman --remote (/libpod/build) ----------------------------------
BC="$TEST_DIR/buildctx"
mkdir -p "$BC"
echo remote-file >"$BC/f.txt"
printf 'FROM busybox\nCOPY f.txt /f\nRUN cat /f\nCMD ["cat", "/f"]\n' >"$BC/Containerfile"
expect_rc 0 "${P[@]}" build -t rbuild "$BC"
assert_contains "$OUT" "STEP 3/4: RUN cat /f" "podman --remote build streams the steps"
assert_contains "$OUT" "remote-file" "podman --remote build streams RUN output"
expect_rc 0 berth run --rm rbuild
assert_eq "$OUT" "remote-file" "the remotely built image runs locally"
printf 'FROM busybox\nRUN exit 3\n' >"$BC/Containerfile"
expect_rc 3 "${P[@]}" build -t rfail "$BC"
assert_contains "$ERR" "exit status 3" "podman --remote build reports the failed RUN"
expect_rc 0 berth rmi rbuild

# ---- docker CLI ------------------------------------------------------------------------------
if command -v docker >/dev/null; then
  export DOCKER_HOST="unix://$SOCK"
  D=(timeout 60 docker)
  expect_rc 0 "${D[@]}" version --format '{{.Server.APIVersion}}'
  assert_eq "$OUT" "1.41" "docker negotiates API 1.41"
  printf 'FROM busybox\nRUN echo docker-built >/d\n' >"$BC/Dockerfile"
  DOCKER_BUILDKIT=0 expect_rc 0 "${D[@]}" build -t dbuild "$BC"
  assert_contains "$OUT" "Successfully built" "docker build (classic builder API)"
  expect_rc 0 "${D[@]}" run --rm dbuild cat /d
  assert_eq "$OUT" "docker-built" "the docker-built image runs"
  expect_rc 0 "${D[@]}" rmi dbuild
  expect_rc 0 "${D[@]}" run --rm busybox echo hello-docker
  assert_eq "$OUT" "hello-docker" "docker run --rm output"
  expect_rc 7 "${D[@]}" run --rm busybox sh -c 'exit 7'
  OUT=$(echo stdin-data | "${D[@]}" run -i --rm busybox cat)
  assert_eq "$OUT" "stdin-data" "docker run -i"
  expect_rc 0 "${D[@]}" run -d --name dk1 busybox sh -c 'echo dlog; sleep 100'
  expect_rc 0 "${D[@]}" ps --format '{{.Names}} {{.State}}'
  assert_contains "$OUT" "dk1 running" "docker ps"
  sleep 0.3
  expect_rc 0 "${D[@]}" logs dk1
  assert_eq "$OUT" "dlog" "docker logs"
  expect_rc 0 "${D[@]}" exec dk1 echo docker-exec
  assert_eq "$OUT" "docker-exec" "docker exec"
  expect_rc 0 "${D[@]}" stop -t 1 dk1
  expect_rc 0 "${D[@]}" rm dk1
  expect_rc 0 "${D[@]}" pull "$R/lib/busybox:1"
  expect_rc 0 "${D[@]}" tag "$R/lib/busybox:1" "$R/lib/retag:2"
  expect_rc 0 "${D[@]}" images --format '{{.Repository}}:{{.Tag}}'
  assert_contains "$OUT" "$R/lib/retag:2" "docker images after tag"
  expect_rc 0 "${D[@]}" rmi "$R/lib/retag:2"
  assert_contains "$OUT" "Untagged: $R/lib/retag:2" "docker rmi"
  expect_rc 1 "${D[@]}" rmi nosuch/image:1
  unset DOCKER_HOST
else
  echo "SKIP: docker CLI not installed"
fi

# ---- docker-py -------------------------------------------------------------------------------
OUT=$(timeout 120 python3 - "$SOCK" "$R" <<'PY' 2>&1
import sys, docker
sock, reg = sys.argv[1], sys.argv[2]
c = docker.DockerClient(base_url="unix://" + sock, version="1.41")
out = c.containers.run("busybox", ["sh", "-c", "echo py-run"], remove=True)
assert out == b"py-run\n", out
ctr = c.containers.run("busybox", ["sh", "-c", "echo bg; sleep 100"], detach=True, name="py1")
assert "py1" in [x.name for x in c.containers.list()], "list"
r = ctr.exec_run(["sh", "-c", "echo ex; exit 4"])
assert r.exit_code == 4 and r.output == b"ex\n", r
import time; time.sleep(0.3)
assert ctr.logs() == b"bg\n", ctr.logs()
ctr.stop(timeout=1)
ctr.remove()
img = c.images.pull(reg + "/lib/busybox", tag="1")
assert reg + "/lib/busybox:1" in img.tags, img.tags
assert any(reg + "/lib/busybox:1" in i.tags for i in c.images.list())
c.images.remove(reg + "/lib/busybox:1")
import io
img, logs = c.images.build(fileobj=io.BytesIO(b"FROM busybox\nRUN echo py-built >/py\nCMD [\"cat\", \"/py\"]\n"), tag="pybuild")
assert "localhost/pybuild:latest" in img.tags, img.tags
assert any("py-built" in l.get("stream", "") for l in logs), "RUN output streamed"
assert c.containers.run("pybuild", remove=True) == b"py-built\n"
try:
    c.images.build(fileobj=io.BytesIO(b"FROM busybox\nRUN exit 3\n"), tag="pyfail")
    raise AssertionError("a failing RUN built")
except docker.errors.BuildError as e:
    assert "exit status 3" in str(e), str(e)
c.images.remove("pybuild")
print("docker-py ok")
PY
)
assert_contains "$OUT" "docker-py ok" "docker-py containers and images"

# ---- events, df/prune, stats, top streams, update, search ----------------------------------
source "$(dirname "$0")/api_obs_checks.sh"

# ---- hostile requests: clear 4xx, the service stays up ------------------------------------
out=$(python3 "$H" req "$SOCK" POST /v1.41/containers/create '{"Image": "busybox", "Cmd": 5}')
assert_eq "$(head -1 <<<"$out")" "400" "wrong type in Docker create"
assert_contains "$out" "Cmd" "the error names the field"
out=$(python3 "$H" req "$SOCK" POST /v4.3.1/libpod/containers/create '{"image": "busybox", "command": "sh"}')
assert_eq "$(head -1 <<<"$out")" "400" "wrong type in a SpecGenerator"
assert_contains "$out" "command" "the libpod error names the field"
out=$(python3 "$H" req "$SOCK" POST /v1.41/containers/create '{"Image": "busybox", ')
assert_eq "$(head -1 <<<"$out")" "400" "malformed JSON"
out=$(python3 "$H" req "$SOCK" POST /v1.41/containers/create '{"Image": "no/such/image:1"}')
assert_eq "$(head -1 <<<"$out")" "404" "create from a missing image is 404 (docker pulls then)"
out=$(python3 "$H" req "$SOCK" GET /v1.41/containers/nosuch/json)
assert_eq "$(head -1 <<<"$out")" "404" "inspect of a missing container"
assert_eq "$(python3 "$H" huge "$SOCK" /v4.3.1/libpod/containers/create 40)" "413" "huge create body"
berth run -d --name chatty busybox sh -c 'while :; do echo line; done' >/dev/null
python3 "$H" vanish "$SOCK" '/v1.41/containers/chatty/logs?follow=1&stdout=1' >/dev/null
berth rm -f -t 0 chatty >/dev/null
assert_eq "$(python3 "$H" req "$SOCK" GET /_ping | head -1)" "200" "service up after all that"
kill -0 "$SVC_PID" && pass || fail "the service died"

finish
