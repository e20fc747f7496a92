#!/usr/bin/env bash
# The container file system routes (archive HEAD/GET/PUT, export, changes, commit) with real
# clients against `berth system service`: the docker CLI (skipped when not installed),
# python3-docker, podman --remote (podman 4.3.1's bindings) and berth --remote; curl for
# status codes and hostile input.
source "$(dirname "$0")/lib.sh"
SOCK="$TEST_DIR/api.sock"
export HOME="$TEST_DIR/home"
mkdir -p "$HOME"
SVC_PID= TCP_PID=
cleanup_all() {
  [[ -n "$SVC_PID" ]] && kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null || true
  [[ -n "$TCP_PID" ]] && kill "$TCP_PID" 2>/dev/null || true
  cleanup_test_dir
}
trap cleanup_all EXIT
load_default_image

start_service "unix://$SOCK"

C=(curl -s --unix-socket "$SOCK" -o "$TEST_DIR/body" -w '%{http_code}')
P=(timeout 60 podman --remote --url "unix://$SOCK")
R=(timeout 60 "${B[@]}" --url "unix://$SOCK")
H=$TEST_DIR/host
mkdir -p "$H/src/sub"
echo one >"$H/src/a.txt"
echo two >"$H/src/sub/b.txt"
ln -s a.txt "$H/src/link"

# One running and one stopped container; the running one has a link out of its root.
expect_rc 0 berth run -d --name fr busybox sh -c 'mkdir -p /data && echo in-ctr >/data/f && ln -s / /data/evil && ln -s /etc/passwd /data/pw && sleep 1000'
expect_rc 0 berth create --name fs busybox true
for _ in $(seq 50); do berth exec fr test -e /data/pw 2>/dev/null && break; sleep 0.1; done

# ---- curl: the routes' shapes and status codes ---------------------------------------------
code=$("${C[@]}" -I "http://d/v1.41/containers/fr/archive?path=/data/f")
assert_eq "$code" "200" "HEAD archive of a file"
hdr=$(curl -s -I --unix-socket "$SOCK" "http://d/v1.41/containers/fr/archive?path=/data/f" |
  tr -d '\r' | sed -n 's/^X-Docker-Container-Path-Stat: //Ip')
stat_json=$(printf '%s' "$hdr" | base64 -d)
assert_contains "$stat_json" '"name":"f"' "path stat names the file"
assert_contains "$stat_json" '"size":7' "path stat has the size"
assert_contains "$stat_json" '"linkTarget":"/data/f"' "path stat has the link target"
code=$("${C[@]}" -I "http://d/v4.3.1/libpod/containers/fr/archive?path=/data/pw")
assert_eq "$code" "200" "HEAD archive of a link"
code=$("${C[@]}" -I "http://d/v1.41/containers/fr/archive?path=/no/such")
assert_eq "$code" "404" "HEAD archive of a missing path"
code=$("${C[@]}" "http://d/v1.41/containers/nosuchctr/archive?path=/")
assert_eq "$code" "404" "GET archive of a missing container"
code=$("${C[@]}" "http://d/v1.41/containers/fr/archive")
assert_eq "$code" "400" "GET archive without path"
assert_contains "$(cat "$TEST_DIR/body")" "path" "the 400 names the path parameter"
code=$("${C[@]}" "http://d/v1.41/containers/fr/archive?path=/data/f")
assert_eq "$code" "200" "GET archive"
assert_eq "$(tar -xOf "$TEST_DIR/body" f)" "in-ctr" "GET archive is a tar of the file"
code=$("${C[@]}" -X PUT --data-binary 'not a tar at all' "http://d/v1.41/containers/fr/archive?path=/data")
assert_eq "$code" "400" "PUT archive of a non-tar body"
assert_contains "$(cat "$TEST_DIR/body")" "tar" "the 400 says it is no tar archive"
code=$("${C[@]}" -X PUT --data-binary @/dev/null "http://d/v4.3.1/libpod/containers/fr/archive?path=/data&rename=%7Bbad")
assert_eq "$code" "400" "PUT archive with a bad rename map"
tar -C "$H/src" -cf "$TEST_DIR/up.tar" a.txt
code=$("${C[@]}" -X PUT --data-binary @"$TEST_DIR/up.tar" "http://d/v1.41/containers/fr/archive?path=/data")
assert_eq "$code" "200" "PUT archive"
expect_rc 0 berth exec fr cat /data/a.txt
assert_eq "$OUT" "one" "PUT archive wrote the file"
code=$("${C[@]}" -X PUT --data-binary @"$TEST_DIR/up.tar" "http://d/v1.41/containers/fr/archive?path=/no/such/dir")
assert_eq "$code" "404" "PUT archive into a missing directory"
code=$("${C[@]}" -X PUT --data-binary @"$TEST_DIR/up.tar" "http://d/v1.41/containers/fr/archive?path=/data/f")
assert_eq "$code" "400" "PUT archive onto a file"
expect_rc 1 berth exec fr test -e /no/such

code=$("${C[@]}" "http://d/v1.41/containers/fr/changes")
assert_eq "$code" "200" "changes"
changes=$(cat "$TEST_DIR/body")
assert_contains "$changes" '{"Path":"/data","Kind":1}' "changes lists the added directory with Docker's kind 1"
code=$("${C[@]}" "http://d/v1.41/containers/fr/changes?diffType=bogus")
assert_eq "$code" "400" "changes with a bad diffType"
code=$("${C[@]}" "http://d/v1.41/containers/fr/export")
assert_eq "$code" "200" "export"
assert_contains "$(tar -tf "$TEST_DIR/body")" "data/f" "export holds the container's files"
code=$("${C[@]}" -X POST "http://d/v1.41/commit?container=nosuchctr&repo=x")
assert_eq "$code" "404" "commit of a missing container"
code=$("${C[@]}" -X POST "http://d/v1.41/commit?repo=x")
assert_eq "$code" "400" "commit without a container"
code=$("${C[@]}" -X POST "http://d/v4.3.1/libpod/commit?container=fr&format=bogus")
assert_eq "$code" "400" "libpod commit with a bad format"

# ---- berth --remote ---------------------------------------------------------------------------
mkdir -p "$H/out1"
expect_rc 0 "${R[@]}" cp fr:/data/f "$H/out1/"
assert_eq "$(cat "$H/out1/f")" "in-ctr" "berth --remote cp container -> host dir"
expect_rc 0 "${R[@]}" cp fr:/data/f "$H/out1/renamed"
assert_eq "$(cat "$H/out1/renamed")" "in-ctr" "berth --remote cp container -> new host file name"
expect_rc 0 "${R[@]}" cp "$H/src" fr:/data/
expect_rc 0 berth exec fr cat /data/src/sub/b.txt /data/src/link
assert_eq "$OUT" "two
one" "berth --remote cp host dir -> container (with its link)"
expect_rc 0 "${R[@]}" cp "$H/src/." fr:/data/flat
expect_rc 0 berth exec fr cat /data/flat/a.txt
assert_eq "$OUT" "one" "berth --remote cp dir/. -> new container dir"
expect_rc 0 "${R[@]}" cp fr:/data/src "$H/out2"
assert_eq "$(cat "$H/out2/sub/b.txt")" "two" "berth --remote cp container dir -> new host dir"
expect_rc 0 "${R[@]}" cp fr:/data/f fs:/f-copy
expect_rc 0 berth cp fs:/f-copy "$H/out1/f-copy"
assert_eq "$(cat "$H/out1/f-copy")" "in-ctr" "berth --remote cp container -> stopped container"
tar -C "$H/src" -cf - a.txt | "${R[@]}" cp - fr:/tmp >/dev/null
expect_rc 0 berth exec fr cat /tmp/a.txt
assert_eq "$OUT" "one" "berth --remote cp - (tar on stdin)"
OUT=$("${R[@]}" cp fr:/data/f - | tar -xOf - f)
assert_eq "$OUT" "in-ctr" "berth --remote cp to stdout is a tar"
# Hostile: /data/evil -> / inside the container; following it must stay in the container.
mkdir -p "$H/out3"
expect_rc 0 "${R[@]}" cp fr:/data/evil/etc/passwd "$H/out3/passwd"
assert_eq "$(head -1 "$H/out3/passwd")" "root:x:0:0:root:/root:/bin/sh" "a link to / resolves inside the container"
expect_rc 0 "${R[@]}" cp "$H/src/a.txt" fr:/data/evil/tmp/
expect_rc 0 berth exec fr cat /tmp/a.txt
assert_eq "$OUT" "one" "copying through the container's link to / stays in the container"
[[ ! -e /tmp/a.txt || "$(cat /tmp/a.txt)" != one ]] && pass || fail "cp through a container link wrote to the host"
expect_rc 125 "${R[@]}" cp fr:/no/such "$H/out3/"
assert_contains "$ERR" '"/no/such" could not be found on container fr' "berth --remote cp of a missing path"
expect_rc 125 "${R[@]}" cp nosuchctr:/x "$H/out3/"
assert_contains "$ERR" 'nosuchctr' "berth --remote cp from a missing container"
expect_rc 125 "${R[@]}" cp "$H/src" fr:/data/f
assert_contains "$ERR" "destination must be a directory" "berth --remote cp dir onto a file"
expect_rc 0 "${R[@]}" diff fr
assert_contains "$OUT" "A /data/f" "berth --remote diff"
expect_rc 0 "${R[@]}" export -o "$H/exp.tar" fr
assert_contains "$(tar -tf "$H/exp.tar")" "data/f" "berth --remote export -o"
expect_rc 0 "${R[@]}" commit -q -c 'CMD ["cat", "/data/f"]' fr localhost/remote-commit:1
rid=$OUT
expect_rc 0 berth run --rm localhost/remote-commit:1
assert_eq "$OUT" "in-ctr" "berth --remote commit made a runnable image with the change and the CMD"
expect_rc 0 berth image inspect --format '{{.Id}}' localhost/remote-commit:1
assert_eq "$OUT" "$rid" "berth --remote commit printed the image ID"
expect_rc 0 "${R[@]}" image diff localhost/remote-commit:1
assert_contains "$OUT" "A /data/f" "berth --remote image diff"

# ---- podman --remote ----------------------------------------------------------------------------
mkdir -p "$H/p"
expect_rc 0 "${P[@]}" cp fr:/data/f "$H/p/pf"
assert_eq "$(cat "$H/p/pf")" "in-ctr" "podman --remote cp container -> host"
expect_rc 0 "${P[@]}" cp "$H/src" fr:/psrc
expect_rc 0 berth exec fr cat /psrc/sub/b.txt
assert_eq "$OUT" "two" "podman --remote cp host dir -> container"
expect_rc 0 "${P[@]}" diff fr
assert_contains "$OUT" "A /psrc" "podman --remote diff"
expect_rc 0 "${P[@]}" export -o "$H/p/exp.tar" fr
assert_contains "$(tar -tf "$H/p/exp.tar")" "psrc/a.txt" "podman --remote export"
expect_rc 0 "${P[@]}" commit -q fr localhost/podman-commit:1
expect_rc 0 berth run --rm localhost/podman-commit:1 cat /psrc/a.txt
assert_eq "$OUT" "one" "podman --remote commit"

# ---- docker CLI ---------------------------------------------------------------------------------
if command -v docker >/dev/null; then
  export DOCKER_HOST="unix://$SOCK"
  D=(timeout 60 docker)
  mkdir -p "$H/d"
  expect_rc 0 "${D[@]}" cp fr:/data/f "$H/d/df"
  assert_eq "$(cat "$H/d/df")" "in-ctr" "docker cp container -> host"
  expect_rc 0 "${D[@]}" cp "$H/src" fr:/dsrc
  expect_rc 0 berth exec fr cat /dsrc/a.txt
  assert_eq "$OUT" "one" "docker cp host dir -> container"
  expect_rc 1 "${D[@]}" cp fr:/no/such "$H/d/"
  assert_contains "$ERR" "Could not find the file /no/such in container fr" "docker cp of a missing path"
  expect_rc 0 "${D[@]}" diff fr
  assert_contains "$OUT" "A /dsrc" "docker diff"
  "${D[@]}" export fr >"$H/d/exp.tar"
  assert_contains "$(tar -tf "$H/d/exp.tar")" "dsrc/a.txt" "docker export"
  expect_rc 0 "${D[@]}" commit -c 'ENV FROM_DOCKER=1' fr docker-commit:1
  assert_contains "$OUT" "sha256:" "docker commit prints the image ID"
  expect_rc 0 berth run --rm docker.io/library/docker-commit:1 sh -c 'echo $FROM_DOCKER; cat /dsrc/a.txt'
  assert_eq "$OUT" "1
one" "docker commit with --change"
  unset DOCKER_HOST
else
  echo "SKIP: docker CLI not installed"
fi

# ---- docker-py ------------------------------------------------------------------------------------
OUT=$(timeout 120 python3 - "$SOCK" <<'PY' 2>&1 || true
import io, sys, tarfile, docker
c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
ctr = c.containers.get("fr")
bits, stat = ctr.get_archive("/data/f")
data = b"".join(bits)
assert stat["name"] == "f" and stat["size"] == 7, stat
member = tarfile.open(fileobj=io.BytesIO(data)).extractfile("f").read()
assert member == b"in-ctr\n", member
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    info = tarfile.TarInfo("py.txt")
    payload = b"from-docker-py\n"
    info.size = len(payload)
    t.addfile(info, io.BytesIO(payload))
assert ctr.put_archive("/data", buf.getvalue()) is True
rc, out = ctr.exec_run(["cat", "/data/py.txt"])
assert rc == 0 and out == b"from-docker-py\n", (rc, out)
kinds = {d["Path"]: d["Kind"] for d in ctr.diff()}
assert kinds.get("/data/py.txt") == 1, kinds
img = ctr.commit(repository="pycommit", tag="2", changes=["LABEL via=docker-py"])
assert img.labels.get("via") == "docker-py", img.labels
try:
    ctr.get_archive("/no/such")
    raise SystemExit("get_archive of a missing path did not fail")
except docker.errors.NotFound:
    pass
print("docker-py files ok")
PY
)
assert_contains "$OUT" "docker-py files ok" "docker-py get_archive/put_archive/diff/commit"

# ---- attach/ws (Docker's WebSocket attach) with docker-py's attach_socket(ws=True) ----------------
# The Python that has both docker-py and websocket-client (Debian's python3-websocket).
PY=python3
"$PY" -c 'import docker, websocket' 2>/dev/null || PY=/usr/bin/python3
expect_rc 0 berth run -d -i --name wsc busybox sh -c 'while read l; do echo "got:$l"; done; sleep 1000'
# docker-py speaks WebSocket only to tcp:// services.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_service "tcp:127.0.0.1:$PORT"
OUT=$(timeout 60 "$PY" - "$PORT" <<'PY' 2>&1 || true
import sys, time, docker
c = docker.APIClient(base_url="tcp://127.0.0.1:" + sys.argv[1], version="1.41")
ws = c.attach_socket("wsc", params={"stdin": 1, "stdout": 1, "stream": 1}, ws=True)
ws.send("hello-ws\n")
got = ""
deadline = time.time() + 20
while "got:hello-ws" not in got and time.time() < deadline:
    got += ws.recv()
assert "got:hello-ws" in got, got
ws.close()
print("ws attach ok")
PY
)
assert_contains "$OUT" "ws attach ok" "docker-py attach_socket(ws=True): stdin in, output out"
expect_rc 0 berth inspect --format '{{.State.Running}}' wsc
assert_eq "$OUT" "true" "closing the WebSocket ends the attach, not the container"
code=$("${C[@]}" "http://d/v1.41/containers/wsc/attach/ws?stream=1")
assert_eq "$code" "400" "attach/ws without a WebSocket handshake"
# A hostile frame (unmasked) gets a close frame and the service stays up.
OUT=$(timeout 20 "$PY" - "$SOCK" <<'PY' 2>&1 || true
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET /v1.41/containers/wsc/attach/ws?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: d\r\n"
          b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          b"Sec-WebSocket-Version: 13\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
assert b" 101 " in head and b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head, head
s.sendall(b"\x81\x05hello")  # not masked: a protocol error
data = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    data += d
assert b"\x88" in data and b"not masked" in data, data
print("ws hostile ok")
PY
)
assert_contains "$OUT" "ws hostile ok" "an unmasked client frame is refused with a close frame"
expect_rc 0 curl -s --unix-socket "$SOCK" http://d/_ping
assert_eq "$OUT" "OK" "the service is up after the hostile WebSocket"
berth rm -f -t 0 wsc >/dev/null
kill "$TCP_PID" 2>/dev/null && wait "$TCP_PID" 2>/dev/null || true

kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null || true
SVC_PID=
finish
