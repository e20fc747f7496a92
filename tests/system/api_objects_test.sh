#!/usr/bin/env bash
# Volumes, networks, secrets, pods and Kubernetes YAML over the REST API, with real clients against
# `berth system service`: curl for status codes and JSON shapes (libpod and Docker trees),
# podman --remote (podman 4.3.1's Go bindings), the docker CLI, python3-docker and
# berth --remote; hostile bodies get 400 naming the field, unknown objects 404, and the
# service stays up. Test networks use 10.213.x.0/24 and are never set up on the host (their
# containers are not started).
source "$(dirname "$0")/lib.sh"
SOCK="$TEST_DIR/api.sock"
export HOME="$TEST_DIR/home"
mkdir -p "$HOME"
SVC_PID=
cleanup_all() {
  [[ -n "$SVC_PID" ]] && kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null || true
  berth pod rm -af -t 0 >/dev/null 2>&1 || true
  berth rm -af -t 0 >/dev/null 2>&1 || true
  cleanup_test_dir
}
trap cleanup_all EXIT
load_default_image

start_service "unix://$SOCK"

# api METHOD PATH [BODY]: sets CODE and BODY_OUT. PATH is below http://d (add /v4.3.1/libpod).
api() {
  local args=(-s -o "$TEST_DIR/body" -w '%{http_code}' --unix-socket "$SOCK" -X "$1")
  [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  CODE=$(curl "${args[@]}" "http://d$2")
  BODY_OUT=$(cat "$TEST_DIR/body")
}
L=/v4.3.1/libpod
# expect_api STATUS MSG METHOD PATH [BODY]
expect_api() {
  local want=$1 msg=$2
  shift 2
  api "$@"
  if [[ "$CODE" == "$want" ]]; then pass; else fail "$msg: $1 $2 answered $CODE, want $want: $BODY_OUT"; fi
}
jqo() { jq -r "$1" <<<"$BODY_OUT"; }
alive() {
  expect_api 200 "service alive after $1" GET /_ping
}

P=(timeout 60 podman --remote --url "unix://$SOCK")
R=(timeout 60 "$BERTH" --remote --url "unix://$SOCK")
remote() { "${R[@]}" "$@"; }

# ==== volumes =================================================================================
expect_api 201 "libpod volume create" POST "$L/volumes/create" '{"Name":"lv1","Labels":{"team":"a"},"Options":{}}'
assert_eq "$(jqo '.Name, .Driver, .Labels.team, .Scope')" $'lv1\nlocal\na\nlocal' "libpod volume create answer"
assert_eq "$(jqo .Mountpoint)" "$ROOT/volumes/lv1/_data" "libpod volume mountpoint"
expect_api 409 "libpod volume create of a taken name" POST "$L/volumes/create" '{"Name":"lv1"}'
assert_contains "$(jqo .message)" "already exists" "conflict message"
assert_eq "$(jqo .response)" "409" "error body carries the status"
expect_api 201 "libpod volume create IgnoreIfExists" POST "$L/volumes/create" '{"Name":"lv1","IgnoreIfExists":true}'
expect_api 200 "libpod volume list" GET "$L/volumes/json"
assert_eq "$(jqo '[.[].Name]|join(",")')" "lv1" "libpod volume list"
expect_api 201 "libpod volume create lv2" POST "$L/volumes/create" '{"Name":"lv2"}'
expect_api 200 "libpod volume list with a label filter" GET "$L/volumes/json?filters=%7B%22label%22%3A%5B%22team%3Da%22%5D%7D"
assert_eq "$(jqo '[.[].Name]|join(",")')" "lv1" "label filter"
expect_api 200 "libpod volume inspect" GET "$L/volumes/lv1/json"
assert_eq "$(jqo .Name)" "lv1" "libpod volume inspect"
# the same document the CLI prints
assert_eq "$(jq -S 'del(.MountCount)' <<<"$BODY_OUT")" "$(berth volume inspect lv1 | jq -S '.[0]|del(.MountCount)')" \
  "API and CLI inspect agree"
expect_api 204 "libpod volume exists" GET "$L/volumes/lv1/exists"
expect_api 404 "libpod volume exists (missing)" GET "$L/volumes/nosuchvol/exists"
expect_api 404 "libpod volume inspect (missing)" GET "$L/volumes/nosuchvol/json"
assert_contains "$(jqo .message)" "nosuchvol" "404 names the volume"
assert_eq "$(jqo .response)" "404" "404 body"
expect_api 404 "libpod volume rm (missing)" DELETE "$L/volumes/nosuchvol"
# in use: 409 without force, removed with its container with force
berth create --name volu -v lv2:/data busybox true >/dev/null
expect_api 409 "libpod volume rm in use" DELETE "$L/volumes/lv2"
assert_contains "$(jqo .message)" "being used" "in-use message"
expect_api 204 "libpod volume rm force" DELETE "$L/volumes/lv2?force=true"
expect_rc 1 berth container exists volu
expect_api 400 "libpod volume create with a bad Labels type" POST "$L/volumes/create" '{"Name":"x","Labels":"a=b"}'
assert_contains "$(jqo .message)" "Labels" "400 names the field"
expect_api 400 "libpod volume create with bad JSON" POST "$L/volumes/create" '{"Name":'
assert_contains "$(jqo .message)" "decode request body" "400 for bad JSON"
expect_rc 1 berth volume exists x
alive "bad volume bodies"
expect_api 201 "libpod volume create lv3" POST "$L/volumes/create" '{"Name":"lv3"}'
expect_api 200 "libpod volume prune" POST "$L/volumes/prune"
assert_eq "$(jqo '[.[].Id]|sort|join(",")')" "lv1,lv3" "libpod prune removes the unused volumes"
assert_eq "$(berth volume ls -q)" "" "nothing left after prune"

# Docker tree
expect_api 201 "compat volume create" POST /v1.41/volumes/create '{"Name":"dv1","Labels":{"k":"v"},"DriverOpts":{}}'
assert_eq "$(jqo '.Name, .Driver, .Labels.k, .Scope')" $'dv1\nlocal\nv\nlocal' "compat volume create answer"
expect_api 201 "compat volume create of an existing name returns it" POST /v1.41/volumes/create '{"Name":"dv1"}'
expect_api 200 "compat volume list" GET /v1.41/volumes
assert_eq "$(jqo '([.Volumes[].Name]|join(",")), (.Warnings|length)')" $'dv1\n0' "compat volume list shape"
expect_api 200 "compat volume inspect" GET /volumes/dv1
assert_eq "$(jqo '.Name, (.Options|type)')" $'dv1\nobject' "compat volume inspect"
expect_api 404 "compat volume inspect (missing)" GET /volumes/nosuchvol
assert_contains "$(jqo .message)" "nosuchvol" "compat 404 message"
expect_api 204 "compat volume rm force of a missing volume" DELETE "/volumes/nosuchvol?force=true"
expect_api 404 "compat volume rm of a missing volume" DELETE /volumes/nosuchvol
expect_api 200 "compat volume prune" POST /volumes/prune
assert_eq "$(jqo '.VolumesDeleted|join(",")')" "dv1" "compat prune answer"

# podman --remote
expect_rc 0 "${P[@]}" volume create --label via=podman pv1
assert_eq "$OUT" "pv1" "podman volume create"
expect_rc 0 "${P[@]}" volume ls --format '{{.Name}} {{.Driver}}'
assert_eq "$OUT" "pv1 local" "podman volume ls"
expect_rc 0 "${P[@]}" volume inspect --format '{{.Labels.via}} {{.Mountpoint}}' pv1
assert_eq "$OUT" "podman $ROOT/volumes/pv1/_data" "podman volume inspect"
expect_rc 0 "${P[@]}" volume exists pv1
expect_rc 1 "${P[@]}" volume exists nosuchvol
expect_rc 0 "${P[@]}" volume rm pv1
assert_eq "$(berth volume ls -q)" "" "podman volume rm"
expect_rc 1 "${P[@]}" volume rm nosuchvol
assert_contains "$ERR" "no such volume" "podman volume rm of a missing volume"

# docker CLI (not a Debian package here: skipped when not installed, as in api_clients_test)
D=(timeout 60 docker)
if command -v docker >/dev/null; then
export DOCKER_HOST="unix://$SOCK"
expect_rc 0 "${D[@]}" volume create --label via=docker dkv1
assert_eq "$OUT" "dkv1" "docker volume create"
expect_rc 0 "${D[@]}" volume ls --format '{{.Name}} {{.Driver}}'
assert_eq "$OUT" "dkv1 local" "docker volume ls"
expect_rc 0 "${D[@]}" volume inspect --format '{{.Labels.via}} {{.Mountpoint}}' dkv1
assert_eq "$OUT" "docker $ROOT/volumes/dkv1/_data" "docker volume inspect"
expect_rc 0 "${D[@]}" volume rm dkv1
assert_eq "$(berth volume ls -q)" "" "docker volume rm"
expect_rc 1 "${D[@]}" volume inspect nosuchvol
unset DOCKER_HOST
else
  echo "docker CLI not installed: its volume checks skipped" >&2
fi

# berth --remote
expect_rc 0 remote volume create --label via=berth bv1
expect_rc 0 remote volume ls --format '{{.Name}}'
assert_eq "$OUT" "bv1" "berth --remote volume ls"
expect_rc 0 remote volume inspect --format '{{.Labels.via}}' bv1
assert_eq "$OUT" "berth" "berth --remote volume inspect"
expect_rc 0 remote volume rm bv1
expect_rc 1 remote volume exists bv1

# ==== networks ================================================================================
expect_api 200 "libpod network create" POST "$L/networks/create" \
  '{"name":"bn1","driver":"bridge","subnets":[{"subnet":"10.213.1.0/24"}],"labels":{"t":"1"}}'
assert_eq "$(jqo '.name, .driver, .subnets[0].subnet, .subnets[0].gateway, .labels.t')" \
  $'bn1\nbridge\n10.213.1.0/24\n10.213.1.1\n1' "libpod network create answer"
net_id=$(jqo .id)
expect_api 409 "libpod network create of a taken name" POST "$L/networks/create" \
  '{"name":"bn1","subnets":[{"subnet":"10.213.9.0/24"}]}'
expect_api 400 "libpod network create with a bad subnet" POST "$L/networks/create" \
  '{"name":"bad","subnets":[{"subnet":"nonsense"}]}'
assert_contains "$(jqo .message)" "subnet" "bad subnet names the field"
expect_api 400 "libpod network create with a bad labels type" POST "$L/networks/create" '{"name":"bad","labels":[1]}'
assert_contains "$(jqo .message)" "labels" "bad labels names the field"
expect_api 200 "libpod network list" GET "$L/networks/json?filters=%7B%22name%22%3A%5B%22bn1%22%5D%7D"
assert_eq "$(jqo '[.[].name]|join(",")')" "bn1" "libpod network list with a name filter"
expect_api 200 "libpod network inspect" GET "$L/networks/bn1/json"
assert_eq "$(jqo .id)" "$net_id" "libpod network inspect"
assert_eq "$(jq -S . <<<"$BODY_OUT")" "$(berth network inspect bn1 | jq -S '.[0]')" "API and CLI network inspect agree"
expect_api 204 "libpod network exists" GET "$L/networks/bn1/exists"
expect_api 404 "libpod network exists (missing)" GET "$L/networks/nosuchnet/exists"
expect_api 404 "libpod network inspect (missing)" GET "$L/networks/nosuchnet/json"
assert_contains "$(jqo .message)" "nosuchnet" "network 404 names it"
# connect / disconnect a created (never started) container
berth create --name netc busybox true >/dev/null
expect_api 200 "libpod network connect" POST "$L/networks/bn1/connect" '{"container":"netc","aliases":["web"]}'
assert_contains "$(berth inspect --format '{{json .NetworkSettings.Networks}}' netc)" '"bn1"' "connected"
expect_api 409 "libpod network connect twice" POST "$L/networks/bn1/connect" '{"container":"netc"}'
expect_api 404 "libpod network connect of a missing container" POST "$L/networks/bn1/connect" '{"container":"nosuchctr"}'
expect_api 400 "libpod network connect with a bad body" POST "$L/networks/bn1/connect" '{"container":5}'
assert_contains "$(jqo .message)" "container" "connect 400 names the field"
expect_api 409 "libpod network rm in use" DELETE "$L/networks/bn1"
assert_contains "$(jqo .message)" "bn1" "in-use message names the network"
expect_api 200 "libpod network disconnect" POST "$L/networks/bn1/disconnect" '{"Container":"netc"}'
assert_not_contains "$(berth inspect --format '{{json .NetworkSettings.Networks}}' netc)" '"bn1"' "disconnected"
expect_api 200 "libpod network rm" DELETE "$L/networks/bn1"
assert_eq "$(jqo '.[0].Name')" "bn1" "libpod network rm answer"
expect_api 404 "libpod network rm (missing)" DELETE "$L/networks/bn1"
expect_api 200 "libpod network create bn2" POST "$L/networks/create" '{"name":"bn2","subnets":[{"subnet":"10.213.2.0/24"}]}'
expect_api 200 "libpod network prune" POST "$L/networks/prune"
assert_eq "$(jqo '[.[].Name]|join(",")')" "bn2" "libpod network prune removes unused networks"
expect_rc 1 berth network exists bn2
alive "network routes"

# Docker tree
expect_api 201 "compat network create" POST /v1.41/networks/create \
  '{"Name":"dn1","Driver":"bridge","IPAM":{"Config":[{"Subnet":"10.213.3.0/24","Gateway":"10.213.3.254"}]},"Labels":{"k":"v"}}'
dn1_id=$(jqo .Id)
[[ "$dn1_id" =~ ^[0-9a-f]{64}$ ]] && pass || fail "compat network create answers the ID: $BODY_OUT"
expect_api 400 "compat network create with a bad IPAM" POST /v1.41/networks/create '{"Name":"x","IPAM":{"Config":[{"Subnet":7}]}}'
assert_contains "$(jqo .message)" "Subnet" "compat 400 names the field"
expect_api 200 "compat network inspect" GET /v1.41/networks/dn1
assert_eq "$(jqo '.Name, .Id, .Driver, .Scope, .IPAM.Config[0].Subnet, .IPAM.Config[0].Gateway, .Labels.k, (.Containers|type)')" \
  "dn1
$dn1_id
bridge
local
10.213.3.0/24
10.213.3.254
v
object" "compat network inspect shape"
expect_api 200 "compat network list" GET /v1.41/networks
assert_contains "$(jqo '[.[].Name]|join(",")')" "dn1" "compat network list"
assert_contains "$(jqo '[.[].Name]|join(",")')" "bridge" "the default network is called bridge"
expect_api 200 "compat network inspect of bridge" GET /networks/bridge
assert_eq "$(jqo .Name)" "bridge" "bridge maps to the default network"
expect_api 404 "compat network inspect (missing)" GET /networks/nosuchnet
expect_api 200 "compat network connect" POST /networks/dn1/connect '{"Container":"netc","EndpointConfig":{"Aliases":["a1"]}}'
expect_api 200 "compat network inspect lists the container" GET /networks/dn1
assert_eq "$(jqo '[.Containers[].Name]|join(",")')" "netc" "compat Containers"
expect_api 200 "compat network disconnect" POST /networks/dn1/disconnect '{"Container":"netc"}'
expect_api 204 "compat network rm" DELETE /networks/dn1
expect_api 404 "compat network rm (missing)" DELETE /networks/dn1

# podman --remote
expect_rc 0 "${P[@]}" network create --subnet 10.213.4.0/24 --label via=podman pn1
assert_eq "$OUT" "pn1" "podman network create"
expect_rc 0 "${P[@]}" network ls --format '{{.Name}}' --filter name=pn1
assert_eq "$OUT" "pn1" "podman network ls"
expect_rc 0 "${P[@]}" network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}} {{.Labels.via}}' pn1
assert_eq "$OUT" "10.213.4.0/24 podman" "podman network inspect"
expect_rc 0 "${P[@]}" network exists pn1
expect_rc 1 "${P[@]}" network exists nosuchnet
expect_rc 0 "${P[@]}" network connect pn1 netc
expect_rc 0 "${P[@]}" network disconnect pn1 netc
expect_rc 0 "${P[@]}" network rm pn1
expect_rc 1 berth network exists pn1

# docker CLI
if command -v docker >/dev/null; then
export DOCKER_HOST="unix://$SOCK"
expect_rc 0 "${D[@]}" network create --subnet 10.213.5.0/24 --label via=docker dkn1
expect_rc 0 "${D[@]}" network ls --format '{{.Name}}'
assert_contains "$OUT" "dkn1" "docker network ls"
expect_rc 0 "${D[@]}" network inspect --format '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Labels.via}}' dkn1
assert_eq "$OUT" "10.213.5.0/24 docker" "docker network inspect"
expect_rc 0 "${D[@]}" network connect dkn1 netc
expect_rc 0 "${D[@]}" network inspect --format '{{range .Containers}}{{.Name}}{{end}}' dkn1
assert_eq "$OUT" "netc" "docker network inspect shows the connected container"
expect_rc 1 "${D[@]}" network rm dkn1
assert_contains "$ERR" "dkn1" "docker network rm of a network in use"
expect_rc 0 "${D[@]}" network disconnect dkn1 netc
expect_rc 0 "${D[@]}" network rm dkn1
expect_rc 1 "${D[@]}" network inspect dkn1
unset DOCKER_HOST
else
  echo "docker CLI not installed: its network checks skipped" >&2
fi

# berth --remote
expect_rc 0 remote network create --subnet 10.213.6.0/24 rn1
expect_rc 0 remote network ls --format '{{.Name}}' --filter name=rn1
assert_eq "$OUT" "rn1" "berth --remote network ls"
expect_rc 0 remote network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}}' rn1
assert_eq "$OUT" "10.213.6.0/24" "berth --remote network inspect"
expect_rc 0 remote network rm rn1
expect_rc 1 remote network exists rn1
berth rm netc >/dev/null

# ==== secrets =================================================================================
api POST "$L/secrets/create?name=ls1&driver=file&labels=%7B%22a%22%3A%22b%22%7D" 'top-secret-1'
assert_eq "$CODE" "200" "libpod secret create: $BODY_OUT"
sec_id=$(jqo .ID)
[[ "$sec_id" =~ ^[0-9a-f]{25}$ ]] && pass || fail "secret create answers a 25-hex ID: $BODY_OUT"
expect_api 409 "libpod secret create of a taken name" POST "$L/secrets/create?name=ls1" 'x'
expect_api 200 "libpod secret inspect" GET "$L/secrets/ls1/json"
assert_eq "$(jqo '.ID, .Spec.Name, .Spec.Driver.Name, .Spec.Labels.a')" "$sec_id
ls1
file
b" "libpod secret inspect"
assert_not_contains "$BODY_OUT" "top-secret-1" "inspect never shows the data"
assert_eq "$(jq -S . <<<"$BODY_OUT")" "$(berth secret inspect ls1 | jq -S '.[0]')" "API and CLI secret inspect agree"
expect_api 200 "libpod secret list" GET "$L/secrets/json"
assert_eq "$(jqo '[.[].Spec.Name]|join(",")')" "ls1" "libpod secret list"
expect_api 204 "libpod secret exists" GET "$L/secrets/ls1/exists"
expect_api 404 "libpod secret exists (missing)" GET "$L/secrets/nosuchsecret/exists"
expect_api 404 "libpod secret inspect (missing)" GET "$L/secrets/nosuchsecret/json"
assert_contains "$(jqo .message)" "nosuchsecret" "secret 404 names it"
expect_api 400 "libpod secret create with a bad labels parameter" POST "$L/secrets/create?name=x&labels=notjson" 'x'
assert_contains "$(jqo .message)" "labels" "400 names the parameter"
expect_api 204 "libpod secret rm" DELETE "$L/secrets/ls1"
expect_api 404 "libpod secret rm (missing)" DELETE "$L/secrets/ls1"
# Docker tree
expect_api 201 "compat secret create" POST /v1.41/secrets/create "{\"Name\":\"ds1\",\"Data\":\"$(printf dsecret | base64)\"}"
expect_api 200 "compat secret inspect" GET /secrets/ds1
assert_eq "$(jqo '.Spec.Name, .Version.Index')" $'ds1\n1' "compat secret inspect"
expect_api 400 "compat secret create with bad base64" POST /secrets/create '{"Name":"ds2","Data":"!!"}'
assert_contains "$(jqo .message)" "Data" "compat secret 400 names the field"
expect_api 204 "compat secret rm" DELETE /secrets/ds1
# podman --remote
printf 'podman-secret' >"$TEST_DIR/s1"
expect_rc 0 "${P[@]}" secret create ps1 "$TEST_DIR/s1"
ps1_id=$OUT
expect_rc 0 "${P[@]}" secret ls --format '{{.Name}}'
assert_eq "$OUT" "ps1" "podman secret ls"
expect_rc 0 "${P[@]}" secret inspect --format '{{.ID}} {{.Spec.Name}}' ps1
assert_eq "$OUT" "$ps1_id ps1" "podman secret inspect"
expect_rc 125 "${P[@]}" secret create ps1 "$TEST_DIR/s1"
expect_rc 0 "${P[@]}" secret rm ps1
expect_rc 125 berth secret inspect ps1
# berth --remote: the data reaches a container run by the service
expect_rc 0 remote secret create rs1 "$TEST_DIR/s1"
expect_rc 0 remote secret ls --format '{{.Name}}'
assert_eq "$OUT" "rs1" "berth --remote secret ls"
expect_rc 0 remote secret inspect --format '{{.Spec.Name}}' rs1
assert_eq "$OUT" "rs1" "berth --remote secret inspect"
expect_rc 0 berth run --rm --secret rs1 busybox cat /run/secrets/rs1
assert_eq "$OUT" "podman-secret" "a secret created remotely holds its data"
expect_rc 0 remote secret rm rs1
expect_rc 125 remote secret inspect rs1
alive "secret routes"

# ==== pods ====================================================================================
expect_api 201 "libpod pod create" POST "$L/pods/create" '{"name":"lp1","labels":{"t":"1"},"share_parent":true}'
lp1=$(jqo .Id)
[[ "$lp1" =~ ^[0-9a-f]{64}$ ]] && pass || fail "pod create answers the ID: $BODY_OUT"
expect_api 409 "libpod pod create of a taken name" POST "$L/pods/create" '{"name":"lp1"}'
expect_api 400 "libpod pod create with a bad labels type" POST "$L/pods/create" '{"name":"bad","labels":"x"}'
assert_contains "$(jqo .message)" "labels" "pod create 400 names the field"
expect_api 400 "libpod pod create with a bad port" POST "$L/pods/create" '{"name":"bad","portmappings":[{"host_port":"x"}]}'
assert_contains "$(jqo .message)" "portmappings[0].host_port" "pod create 400 names the nested field"
expect_rc 1 berth pod exists bad
expect_api 200 "libpod pod list" GET "$L/pods/json"
assert_eq "$(jqo '([.[].Name]|join(",")), .[0].Id, .[0].Status, .[0].Labels.t, (.[0].Containers|length)')" \
  "lp1
$lp1
Created
1
1" "libpod pod list"
expect_api 200 "libpod pod inspect" GET "$L/pods/lp1/json"
assert_eq "$(jqo '.Id, .Name, .State')" "$lp1
lp1
Created" "libpod pod inspect"
assert_eq "$(jq -S 'del(.State)' <<<"$BODY_OUT")" "$(berth pod inspect lp1 | jq -S 'del(.State)')" "API and CLI pod inspect agree"
expect_api 204 "libpod pod exists" GET "$L/pods/lp1/exists"
expect_api 404 "libpod pod exists (missing)" GET "$L/pods/nosuchpod/exists"
expect_api 404 "libpod pod inspect (missing)" GET "$L/pods/nosuchpod/json"
assert_contains "$(jqo .message)" "nosuchpod" "pod 404 names it"
expect_api 404 "libpod pod start (missing)" POST "$L/pods/nosuchpod/start"
berth create --pod lp1 --name lp1c busybox sleep 100 >/dev/null
expect_api 200 "libpod pod start" POST "$L/pods/lp1/start"
assert_eq "$(jqo .Id)" "$lp1" "pod start answer"
expect_api 304 "libpod pod start of a running pod" POST "$L/pods/lp1/start"
expect_api 200 "libpod pod top" GET "$L/pods/lp1/top"
assert_contains "$(jqo '.Titles|join(",")')" "PID" "pod top titles"
assert_contains "$(jqo '[.Processes[]|join(" ")]|join("\n")')" "sleep 100" "pod top lists the member's process"
expect_api 200 "libpod pod stats" GET "$L/pods/stats?namesOrIDs=lp1"
assert_contains "$(jqo '[.[].Name]|join(",")')" "lp1c" "pod stats lists the member"
expect_api 200 "libpod pod pause" POST "$L/pods/lp1/pause"
assert_eq "$(berth pod inspect --format '{{.State}}' lp1)" "Paused" "paused over the API"
expect_api 200 "libpod pod unpause" POST "$L/pods/lp1/unpause"
expect_api 409 "libpod pod rm of a running pod" DELETE "$L/pods/lp1"
expect_api 200 "libpod pod stop" POST "$L/pods/lp1/stop?t=0"
expect_api 304 "libpod pod stop of a stopped pod" POST "$L/pods/lp1/stop"
expect_api 409 "libpod pod kill of a stopped pod" POST "$L/pods/lp1/kill"
expect_api 200 "libpod pod rm" DELETE "$L/pods/lp1"
assert_eq "$(jqo .Id)" "$lp1" "pod rm answer"
expect_rc 1 berth container exists lp1c
expect_api 404 "libpod pod rm (missing)" DELETE "$L/pods/lp1"
expect_api 201 "libpod pod create lp2" POST "$L/pods/create" '{"name":"lp2"}'
lp2=$(jqo .Id)
expect_api 200 "libpod pod prune" POST "$L/pods/prune"
assert_eq "$(jqo '[.[].Id]|join(",")')" "$lp2" "pod prune answer"
expect_rc 1 berth pod exists lp2
alive "pod routes"

# podman --remote
expect_rc 0 "${P[@]}" pod create --name pp1 --label via=podman
pp1=$OUT
expect_rc 0 "${P[@]}" pod ps --format '{{.Name}} {{.Status}}'
assert_eq "$OUT" "pp1 Created" "podman pod ps"
expect_rc 0 "${P[@]}" pod inspect --format '{{.Name}} {{.Labels.via}}' pp1
assert_eq "$OUT" "pp1 podman" "podman pod inspect"
expect_rc 0 "${P[@]}" pod exists pp1
expect_rc 1 "${P[@]}" pod exists nosuchpod
expect_rc 0 "${P[@]}" pod start pp1
expect_rc 0 "${P[@]}" pod ps --format '{{.Name}} {{.Status}}'
assert_eq "$OUT" "pp1 Running" "podman pod start"
expect_rc 0 "${P[@]}" pod stop -t 0 pp1
expect_rc 0 "${P[@]}" pod rm pp1
expect_rc 1 berth pod exists pp1

# berth --remote
expect_rc 0 remote pod create --name rp1 --label via=berth
rp1=$OUT
expect_rc 0 remote pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
assert_eq "$OUT" "rp1 Created 1" "berth --remote pod ps"
expect_rc 0 remote pod inspect --format '{{.Name}} {{.Labels.via}}' rp1
assert_eq "$OUT" "rp1 berth" "berth --remote pod inspect"
berth create --pod rp1 --name rp1c busybox sleep 100 >/dev/null
expect_rc 0 remote pod start rp1
assert_eq "$OUT" "$rp1" "berth --remote pod start prints the ID"
expect_rc 0 remote pod top rp1
assert_contains "$OUT" "sleep 100" "berth --remote pod top"
expect_rc 0 remote pod stats --no-stream --format '{{.Name}}' rp1
assert_contains "$OUT" "rp1c" "berth --remote pod stats"
expect_rc 0 remote pod stop -t 0 rp1
assert_eq "$OUT" "$rp1" "berth --remote pod stop"
expect_rc 0 remote pod rm rp1
expect_rc 1 remote pod exists rp1
expect_rc 1 remote pod rm nosuchpod
assert_contains "$ERR" "no such pod" "berth --remote pod rm of a missing pod"

# ==== python3-docker ==========================================================================
OUT=$(timeout 120 python3 - "$SOCK" <<'PY' 2>&1
import sys, docker
c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="1.41")
v = c.volumes.create(name="pyv1", labels={"via": "py"})
assert v.name == "pyv1", v.attrs
assert c.volumes.get("pyv1").attrs["Labels"] == {"via": "py"}
assert "pyv1" in [x.name for x in c.volumes.list()]
try:
    c.volumes.get("nosuchvol")
    raise SystemExit("missing volume found")
except docker.errors.NotFound:
    pass
v.remove()
assert "pyv1" not in [x.name for x in c.volumes.list()]
ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet="10.213.7.0/24")])
n = c.networks.create("pyn1", driver="bridge", ipam=ipam)
got = c.networks.get(n.id)
assert got.name == "pyn1", got.attrs
assert got.attrs["IPAM"]["Config"][0]["Subnet"] == "10.213.7.0/24", got.attrs
assert "pyn1" in [x.name for x in c.networks.list()]
ctr = c.containers.create("busybox", ["true"], name="pync")
n.connect(ctr)
n.reload()
assert [x.name for x in n.containers] == ["pync"], n.attrs
n.disconnect(ctr)
ctr.remove()
n.remove()
try:
    c.networks.get("pyn1")
    raise SystemExit("removed network found")
except docker.errors.NotFound:
    pass
print("py-ok")
PY
)
assert_eq "$(tail -1 <<<"$OUT")" "py-ok" "python3-docker volumes and networks ($OUT)"

# ==== Kubernetes YAML =========================================================================
cat >"$TEST_DIR/kpod.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: apikube
spec:
  containers:
  - name: main
    image: localhost/busybox:latest
    command: ["sleep", "1000"]
    env:
    - name: FROM
      value: yaml
EOF
# curl: play (start=false keeps it cheap), the report's shape, generate, down.
CODE=$(curl -s -o "$TEST_DIR/body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
  --data-binary @"$TEST_DIR/kpod.yaml" "http://d$L/play/kube?start=false&network=none")
BODY_OUT=$(cat "$TEST_DIR/body")
assert_eq "$CODE" "200" "POST /play/kube ($BODY_OUT)"
assert_eq "$(jq -c '[(.Pods | length), (.Pods[0].Containers | length), (.Volumes | length)]' <<<"$BODY_OUT")" "[1,1,0]" "play report shape"
expect_rc 0 berth inspect apikube-main --format '{{.State.Status}} {{range .Config.Env}}{{.}} {{end}}'
assert_contains "$OUT" "created " "played, not started"
assert_contains "$OUT" "FROM=yaml" "the YAML's env"
expect_api 200 "GET /generate/kube" GET "$L/generate/kube?names=apikube"
assert_contains "$BODY_OUT" "name: apikube" "generated YAML names the pod"
assert_contains "$BODY_OUT" "value: yaml" "generated YAML has the env"
expect_api 404 "generate of an unknown pod" GET "$L/kube/generate?names=nosuchpod"
expect_api 400 "generate without names" GET "$L/generate/kube"
CODE=$(curl -s -o "$TEST_DIR/body" -w '%{http_code}' --unix-socket "$SOCK" -X DELETE \
  --data-binary @"$TEST_DIR/kpod.yaml" "http://d$L/play/kube")
assert_eq "$CODE" "200" "DELETE /play/kube"
assert_eq "$(jq -c '[(.StopReport | length), (.RmReport | length), .RmReport[0].Err]' "$TEST_DIR/body")" "[1,1,null]" "down's report"
expect_rc 1 berth pod exists apikube
# Bad YAML is a 400 naming the problem; an empty body too.
printf 'kind: Pod\nmetadata: [1\n' >"$TEST_DIR/bad.yaml"
CODE=$(curl -s -o "$TEST_DIR/body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
  --data-binary @"$TEST_DIR/bad.yaml" "http://d$L/kube/play")
assert_eq "$CODE" "400" "play of malformed YAML ($(cat "$TEST_DIR/body"))"
expect_api 400 "play without a body" POST "$L/play/kube"
# podman --remote: kube play, generate and down through podman 4.3.1's bindings.
expect_rc 0 "${P[@]}" kube play --start=false --network none "$TEST_DIR/kpod.yaml"
assert_contains "$OUT" "Pod:" "podman --remote kube play prints the pod"
expect_rc 0 berth pod exists apikube
expect_rc 0 "${P[@]}" kube generate apikube
assert_contains "$OUT" "name: apikube" "podman --remote kube generate"
expect_rc 0 "${P[@]}" kube down "$TEST_DIR/kpod.yaml"
assert_contains "$OUT" "Pods removed:" "podman --remote kube down"
expect_rc 1 berth pod exists apikube
# berth --remote: the same through berth's own client.
expect_rc 0 remote kube play --start=false --network none "$TEST_DIR/kpod.yaml"
assert_contains "$OUT" "Pod:" "berth --remote kube play prints the pod"
expect_rc 0 berth inspect apikube-main --format '{{.State.Status}}'
assert_eq "$OUT" "created" "berth --remote kube play created the container"
expect_rc 0 remote kube generate apikube
assert_contains "$OUT" "name: apikube" "berth --remote kube generate"
expect_rc 125 remote kube play --service-container "$TEST_DIR/kpod.yaml"
assert_contains "$ERR" "only supported locally" "the service container is refused remotely"
expect_rc 0 remote kube down "$TEST_DIR/kpod.yaml"
assert_contains "$OUT" "Pods removed:" "berth --remote kube down"
expect_rc 1 berth pod exists apikube
alive "kube routes"

# ==== healthcheck run =========================================================================
expect_rc 0 berth run -d --name hcapi --health-cmd 'test -e /tmp/ok' busybox sleep 1000
expect_api 200 "healthcheck of a failing check" GET "$L/containers/hcapi/healthcheck"
assert_eq "$(jqo .Status)" "unhealthy" "healthcheck route: unhealthy"
expect_rc 0 berth exec hcapi touch /tmp/ok
expect_api 200 "healthcheck of a passing check" GET "$L/containers/hcapi/healthcheck"
assert_eq "$(jqo .Status)" "healthy" "healthcheck route: healthy"
expect_rc 0 "${P[@]}" healthcheck run hcapi
expect_rc 0 remote healthcheck run hcapi
expect_rc 0 berth exec hcapi rm /tmp/ok
expect_rc 1 "${P[@]}" healthcheck run hcapi
assert_contains "$OUT" "unhealthy" "podman --remote healthcheck run prints unhealthy"
expect_rc 1 remote healthcheck run hcapi
assert_contains "$OUT" "unhealthy" "berth --remote healthcheck run prints unhealthy"
expect_api 404 "healthcheck of a missing container" GET "$L/containers/nosuchctr/healthcheck"
expect_rc 0 berth run -d --name nohc busybox sleep 1000
expect_api 409 "healthcheck of a container without one" GET "$L/containers/nohc/healthcheck"
assert_contains "$(jqo .message)" "no defined healthcheck" "409 names the cause"
expect_rc 0 berth rm -f -t 0 hcapi nohc

# ==== hostile requests ========================================================================
expect_api 400 "pod create with a non-object body" POST "$L/pods/create" '[1,2]'
expect_api 400 "network create with truncated JSON" POST "$L/networks/create" '{"name":"x",'
expect_api 400 "compat volume create with a bad Name type" POST /volumes/create '{"Name":["x"]}'
assert_contains "$(jqo .message)" "Name" "compat volume 400 names the field"
expect_api 404 "an unknown route" GET "$L/volumes/a/b/c"
head -c 600000 /dev/zero | tr '\0' 'a' >"$TEST_DIR/big"
CODE=$(curl -s -o "$TEST_DIR/body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
  --data-binary @"$TEST_DIR/big" "http://d$L/secrets/create?name=big")
assert_eq "$CODE" "400" "an oversized secret is refused ($(cat "$TEST_DIR/body"))"
expect_rc 125 berth secret inspect big
alive "hostile requests"
kill -0 "$SVC_PID" && pass || fail "the service died"

finish
