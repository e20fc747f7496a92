#!/usr/bin/env bash
# docker-compose (Debian's 1.29, python3-docker) against `berth system service`: a
# two-service project with a user-defined network and a named volume, brought up, probed
# (ps, logs, exec, run --rm, name resolution over the network) and brought down again.
source "$(dirname "$0")/lib.sh"
if ! command -v docker-compose >/dev/null; then
  echo "SKIP: docker-compose not installed (scripts/deps.sh --test installs it)"
  exit 0
fi
SOCK="$TEST_DIR/api.sock"
export HOME="$TEST_DIR/home"
mkdir -p "$HOME"
SVC_PID=
cleanup_all() {
  [[ -n "$SVC_PID" ]] && kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null || true
  berth rm -af -t 0 >/dev/null 2>&1 || true
  berth network rm -f proj_front >/dev/null 2>&1 || true
  cleanup_test_dir
}
trap cleanup_all EXIT
load_default_image

start_service "unix://$SOCK"

export DOCKER_HOST="unix://$SOCK"
# run and exec through docker-py and dockerpty, not through a docker CLI binary (the
# default when one is installed; tried below too).
export COMPOSE_INTERACTIVE_NO_CLI=1
P="$TEST_DIR/proj"
mkdir -p "$P"
# web serves /www (the named volume) on the network "front"; client fetches the page by
# the service name "web" and prints it.
cat >"$P/docker-compose.yml" <<'EOF'
version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo page-from-web >/www/index.html && echo web-started && exec httpd -f -p 8080 -h /www"]
    volumes:
      - www:/www
    networks:
      - front
  client:
    image: busybox
    command: ["sh", "-c", "for i in $$(seq 100); do wget -q -O - http://web:8080/index.html && break; sleep 0.1; done; echo client-done; exec sleep 1000"]
    depends_on:
      - web
    networks:
      - front
networks:
  front: {}
volumes:
  www: {}
EOF
DC=(timeout 120 docker-compose -p proj -f "$P/docker-compose.yml" --ansi never)

up_and_check() {
  local round=$1
  expect_rc 0 "${DC[@]}" up -d
  assert_contains "$ERR" "Creating proj_web_1" "up creates web ($round)"
  assert_contains "$ERR" "Creating proj_client_1" "up creates client ($round)"
  expect_rc 0 "${DC[@]}" ps
  assert_contains "$OUT" "proj_web_1" "ps lists web ($round)"
  assert_contains "$OUT" "proj_client_1" "ps lists client ($round)"
  assert_contains "$OUT" "Up" "ps shows them running ($round)"
  local i
  for i in $(seq 100); do
    "${DC[@]}" logs --no-color client 2>/dev/null | grep -q client-done && break
    sleep 0.1
  done
  expect_rc 0 "${DC[@]}" logs --no-color
  assert_contains "$OUT" "web-started" "logs show web's output ($round)"
  assert_contains "$OUT" "page-from-web" "client fetched web's page by service name ($round)"
  assert_contains "$OUT" "client-done" "logs show client's output ($round)"
}

# ---- up ----------------------------------------------------------------------------------------
up_and_check first
expect_rc 0 berth network ls --format '{{.Name}}'
assert_contains "$OUT" "proj_front" "the project network exists"
expect_rc 0 berth volume ls --format '{{.Name}}'
assert_contains "$OUT" "proj_www" "the project volume exists"
expect_rc 0 berth inspect --format '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}}' proj_web_1
assert_eq "$OUT" "proj web" "compose labels on the container"
expect_rc 0 berth network inspect --format '{{index .Labels "com.docker.compose.network"}}' proj_front
assert_eq "$OUT" "front" "compose labels on the network"
expect_rc 0 berth volume inspect --format '{{index .Labels "com.docker.compose.volume"}}' proj_www
assert_eq "$OUT" "www" "compose labels on the volume"
expect_rc 0 berth inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' proj_client_1
assert_eq "$OUT" "proj_front " "client is on the project network only"
expect_rc 0 berth inspect --format '{{range .NetworkSettings.Networks}}{{range .Aliases}}{{.}} {{end}}{{end}}' proj_web_1
assert_contains "$OUT" "web " "web's alias on the network is its service name"
# Label filters are ANDed (compose selects a service's containers by project and service).
expect_rc 0 berth ps -a --filter label=com.docker.compose.project=proj --filter label=com.docker.compose.service=web --format '{{.Names}}'
assert_eq "$OUT" "proj_web_1" "ps with two label filters"

# ---- exec and run ----------------------------------------------------------------------------
expect_rc 0 "${DC[@]}" exec -T web cat /www/index.html
assert_eq "$OUT" "page-from-web" "exec -T web reads the volume"
expect_rc 0 "${DC[@]}" exec -T client wget -q -O - http://web:8080/index.html
assert_eq "$OUT" "page-from-web" "exec -T client reaches web by name"
expect_rc 3 "${DC[@]}" exec -T web sh -c 'exit 3'
# dockerpty attaches after compose started the one-off (with Docker too): output written
# before the attach is not streamed, hence the sleep.
expect_rc 0 "${DC[@]}" run --rm -T client sh -c 'sleep 0.5; echo one-off'
assert_contains "$OUT" "one-off" "run --rm prints the one-off's output"
expect_rc 4 "${DC[@]}" run --rm -T client sh -c 'sleep 0.5; exit 4'
if command -v docker >/dev/null; then
  OUT=$(COMPOSE_INTERACTIVE_NO_CLI= "${DC[@]}" run --rm -T client echo via-docker-cli 2>"$TEST_DIR/stderr") || true
  assert_contains "$OUT" "via-docker-cli" "run --rm through the docker CLI (docker start --attach)"
  OUT=$(COMPOSE_INTERACTIVE_NO_CLI= "${DC[@]}" exec -T web echo exec-via-cli 2>"$TEST_DIR/stderr") || true
  assert_eq "$OUT" "exec-via-cli" "exec through the docker CLI"
fi
expect_rc 0 "${DC[@]}" run --rm -T client sh -c 'sleep 0.5; wget -q -O - http://web:8080/index.html'
assert_contains "$OUT" "page-from-web" "a one-off container reaches web by name"
expect_rc 0 berth ps -a --format '{{.Names}}'
assert_not_contains "$OUT" "run" "run --rm removed its container"

# ---- converge, recreate, scale -----------------------------------------------------------------
expect_rc 0 "${DC[@]}" up -d
assert_contains "$ERR" "proj_web_1 is up-to-date" "a second up leaves web as it is"
assert_contains "$ERR" "proj_client_1 is up-to-date" "a second up leaves client as it is"
expect_rc 0 "${DC[@]}" exec -T web sh -c 'echo kept >/www/kept'
expect_rc 0 "${DC[@]}" up -d --force-recreate -t 1
assert_contains "$ERR" "Recreating proj_web_1" "force-recreate recreates web"
expect_rc 0 "${DC[@]}" exec -T web cat /www/kept
assert_eq "$OUT" "kept" "the recreated web has the same named volume"
expect_rc 0 "${DC[@]}" stop -t 1
expect_rc 0 berth ps --format '{{.Names}}'
assert_eq "$OUT" "" "stop stops the project"
expect_rc 0 "${DC[@]}" start
expect_rc 0 "${DC[@]}" up -d --scale client=2
assert_contains "$ERR" "Creating proj_client_2" "scale creates a second client"
expect_rc 0 "${DC[@]}" ps
assert_contains "$OUT" "proj_client_2" "ps lists the scaled client"

# ---- down ------------------------------------------------------------------------------------
expect_rc 0 "${DC[@]}" down -v -t 1
assert_contains "$ERR" "Removing proj_web_1" "down removes web"
assert_contains "$ERR" "Removing proj_client_2" "down removes the scaled client"
assert_contains "$ERR" "Removing network proj_front" "down removes the network"
assert_contains "$ERR" "Removing volume proj_www" "down removes the volume"
assert_eq "$(berth ps -aq)" "" "no containers after down"
expect_rc 0 berth network ls --format '{{.Name}}'
assert_not_contains "$OUT" "proj_front" "no project network after down"
expect_rc 0 berth volume ls -q
assert_eq "$OUT" "" "no volumes after down -v"

# ---- again -------------------------------------------------------------------------------------
up_and_check second
expect_rc 0 "${DC[@]}" down -v -t 1
assert_eq "$(berth ps -aq)" "" "no containers after the second down"
expect_rc 0 berth volume ls -q
assert_eq "$OUT" "" "no volumes after the second down"

# ---- the same calls from docker-py, one by one -----------------------------------------------
OUT=$(timeout 120 python3 - "$SOCK" <<'PY' 2>&1
import sys, docker
api = docker.APIClient(base_url="unix://" + sys.argv[1], version="1.38")
net = api.create_network("pynet", labels={"com.docker.compose.project": "py"}, check_duplicate=True)
try:
    api.create_network("pynet", check_duplicate=True)
    raise AssertionError("a duplicate network was created")
except docker.errors.APIError as e:
    assert e.status_code == 409, e
assert [n["Name"] for n in api.networks(filters={"label": ["com.docker.compose.project=py"]})] == ["pynet"]
assert api.networks(filters={"label": ["com.docker.compose.project=other"]}) == []
vol = api.create_volume("pyvol", labels={"com.docker.compose.project": "py"})
assert [v["Name"] for v in api.volumes(filters={"label": "com.docker.compose.project=py"})["Volumes"]] == ["pyvol"]
ctr = api.create_container(
    "busybox", ["sh", "-c", "echo vol-data >/data/f; exec sleep 100"], volumes=["/data", "/anon"],
    labels={"com.docker.compose.project": "py"},
    host_config=api.create_host_config(network_mode="pynet", binds=["pyvol:/data:rw"]),
    networking_config=api.create_networking_config({"pynet": api.create_endpoint_config(aliases=["py-alias"])}))
api.start(ctr)
info = api.inspect_container(ctr)
assert "py-alias" in info["NetworkSettings"]["Networks"]["pynet"]["Aliases"], info["NetworkSettings"]
assert info["NetworkSettings"]["Networks"]["pynet"]["IPAddress"], info["NetworkSettings"]
dests = {m["Destination"]: m for m in info["Mounts"]}
assert dests["/data"]["Name"] == "pyvol" and dests["/data"]["Type"] == "volume", info["Mounts"]
assert dests["/anon"]["Type"] == "volume", info["Mounts"]
assert ctr["Id"] in api.inspect_network(net["Id"])["Containers"], api.inspect_network(net["Id"])
listed = api.containers(filters={"label": "com.docker.compose.project=py"})
assert list(listed[0]["NetworkSettings"]["Networks"]) == ["pynet"], listed
assert listed[0]["HostConfig"]["NetworkMode"] == "pynet", listed
# Resolved by its alias from another container on the network.
out = api.create_container("busybox", ["nslookup", "py-alias"], host_config=api.create_host_config(network_mode="pynet"))
api.start(out)
assert api.wait(out)["StatusCode"] == 0, api.logs(out)
api.remove_container(out)
# Disconnect and connect again with another alias, by the network's ID.
api.disconnect_container_from_network(ctr, net["Id"])
assert "pynet" not in api.inspect_container(ctr)["NetworkSettings"]["Networks"]
api.connect_container_to_network(ctr, net["Id"], aliases=["py-alias2"])
assert "py-alias2" in api.inspect_container(ctr)["NetworkSettings"]["Networks"]["pynet"]["Aliases"]
api.remove_container(ctr, force=True, v=True)
api.remove_network(net["Id"])
assert api.networks(names=["pynet"]) == []
api.remove_volume("pyvol")
print("docker-py ok")
PY
)
assert_contains "$OUT" "docker-py ok" "networks, volumes and aliases through docker-py"
expect_rc 0 berth volume ls -q
assert_eq "$OUT" "" "remove with v=True removed the anonymous volume"

# ---- `up` attached: output of both services until they exit (follows /events and attach) -----
mkdir -p "$TEST_DIR/att"
cat >"$TEST_DIR/att/docker-compose.yml" <<'EOF'
version: "3"
services:
  a:
    image: busybox
    command: sh -c 'echo from-a; sleep 1; echo a-done'
  b:
    image: busybox
    command: sh -c 'echo from-b'
EOF
DA=(timeout 120 docker-compose -p att -f "$TEST_DIR/att/docker-compose.yml" --ansi never)
expect_rc 0 "${DA[@]}" up
assert_contains "$OUT" "from-a" "up (attached) shows a's first line"
assert_contains "$OUT" "a-done" "up (attached) follows a to its end"
assert_contains "$OUT" "from-b" "up (attached) shows b's output"
assert_contains "$OUT" "att_a_1 exited with code 0" "up (attached) sees a exit (events)"
expect_rc 0 "${DA[@]}" down
expect_rc 0 berth ps -aq --filter label=com.docker.compose.project=att
assert_eq "$OUT" "" "down after an attached up removes its containers"

kill -0 "$SVC_PID" && pass || fail "the service died"
finish
