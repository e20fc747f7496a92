# The observation and tuning routes with real clients: events, system df/prune, container
# and pod stats, top streams, update, image search. Sourced by api_clients_test.sh once the
# service runs (SOCK, R = the registry, P = podman --remote, H, SVC_PID set).
BR=(timeout 60 "$BERTH" --remote --url "unix://$SOCK")
CU=(curl -s --unix-socket "$SOCK")
# get PATH: the status code on the first line, then the body.
get() { python3 "$H" req "$SOCK" GET "$1"; }
status_of() { head -1 <<<"$1"; }
body_of() { sed '1,/^\r\?$/d' <<<"$1"; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
have_docker=false
command -v docker >/dev/null && have_docker=true
D=(timeout 60 env DOCKER_HOST="unix://$SOCK" docker)

# ---- events ---------------------------------------------------------------------------------
t0=$(date +%s)
sleep 1
expect_rc 0 "${P[@]}" run -d --name ev1 busybox sleep 100
ev1=$OUT
expect_rc 3 berth run --name ev2 busybox sh -c 'exit 3'
sleep 1
t1=$(($(date +%s) + 1))
sleep 1.2
expect_rc 0 "${P[@]}" events --stream=false --since "$t0" --until "$t1" --filter container=ev1 --format '{{.Status}} {{.Name}} {{.ID}}'
assert_contains "$OUT" "start ev1 $ev1" "podman events: the start of ev1 with its name and ID"
assert_not_contains "$OUT" "ev2" "podman events --filter container=ev1 leaves ev2 out"
expect_rc 0 "${P[@]}" events --stream=false --since "$t0" --until "$t1" --filter event=died --filter container=ev2 --format '{{.Name}} {{.ContainerExitCode}}'
assert_eq "$OUT" "ev2 3" "podman events --filter event=died: ev2's exit code"
out=$(get "/v4.3.1/libpod/events?stream=false&since=$t0&until=$t1&filters=$(enc '{"container":["ev1"],"event":["start"]}')")
assert_eq "$(status_of "$out")" "200" "GET /libpod/events"
line=$(body_of "$out" | grep "\"Action\"" | head -1 || true)
assert_contains "$line" '"Type":"container"' "libpod event Type"
assert_contains "$line" '"Action":"start"' "libpod event Action"
assert_contains "$line" "\"ID\":\"$ev1\"" "libpod event Actor.ID"
assert_contains "$line" '"name":"ev1"' "libpod event Actor.Attributes.name"
assert_contains "$line" '"scope":"local"' "libpod event scope"
assert_contains "$line" '"timeNano":' "libpod event timeNano"
out=$(get "/v1.41/events?since=$t0&until=$t1&filters=$(enc '{"container":{"ev2":true}}')")
assert_contains "$(body_of "$out")" '"Action":"die"' "compat events: died is die"
assert_contains "$(body_of "$out")" '"exitCode":"3"' "compat events: the exit code attribute"
assert_contains "$(body_of "$out")" '"from":"' "compat events: from (the image)"
out=$(get "/v1.41/events?stream=false&filters=notjson")
assert_eq "$(status_of "$out")" "400" "events with malformed filters"
assert_contains "$out" "filters" "the error names the filters"
out=$(get "/v1.41/events?stream=false&filters=$(enc '{"bogus":["x"]}')")
assert_eq "$(status_of "$out")" "400" "events with an unknown filter"
assert_contains "$out" "bogus" "the error names the unknown filter"
out=$(get "/v1.41/events?stream=maybe")
assert_eq "$(status_of "$out")" "400" "events with a non-boolean stream"
assert_contains "$out" "stream" "the error names stream"
# A live stream sees a container started after it began, and ends when the client goes.
fds_before=$(ls "/proc/$SVC_PID/fd" | wc -l)
"${CU[@]}" -N --max-time 4 "http://d/v4.3.1/libpod/events?filters=$(enc '{"container":["ev3"]}')" >"$TEST_DIR/evstream" &
cpid=$!
sleep 1
berth run -d --name ev3 busybox sleep 100 >/dev/null
wait "$cpid" || true
sleep 0.5
fds_after=$(ls "/proc/$SVC_PID/fd" | wc -l)
[[ "$fds_after" -le "$fds_before" ]] && pass || fail "the events stream ended with its client: $fds_before fds before, $fds_after after"
assert_contains "$(cat "$TEST_DIR/evstream")" '"name":"ev3"' "a streamed event for a container started during the stream"
assert_contains "$(cat "$TEST_DIR/evstream")" '"Action":"start"' "the streamed start event"
expect_rc 0 "${BR[@]}" events --stream=false --since "$t0" --until "$t1" --filter container=ev1 --format '{{.Status}} {{.Name}}'
assert_contains "$OUT" "start ev1" "berth --remote events"
assert_not_contains "$OUT" "ev2" "berth --remote events applies --filter"
timeout 3 "$BERTH" --remote --url "unix://$SOCK" events --filter container=ev4 --format '{{.Status}} {{.Name}}' >"$TEST_DIR/bev" 2>&1 &
bpid=$!
sleep 1
berth create --name ev4 busybox true >/dev/null
wait "$bpid" || true
assert_contains "$(cat "$TEST_DIR/bev")" "create ev4" "berth --remote events streams new events"
if $have_docker; then
  expect_rc 0 "${D[@]}" events --since "$t0" --until "$t1" --filter container=ev1 --format '{{.Status}} {{.Actor.Attributes.name}}'
  assert_contains "$OUT" "start ev1" "docker events --since/--until"
fi

# ---- container stats ------------------------------------------------------------------------
expect_rc 0 berth run -d --name st1 busybox sh -c 'x=$(head -c 2000000 /dev/zero | tr "\0" a); sleep 100'
st1=$OUT
sleep 1
expect_rc 0 "${P[@]}" stats --no-stream --format '{{.Name}} {{.MemUsage}}' st1
assert_contains "$OUT" "st1 " "podman stats --no-stream names the container"
assert_not_contains "$OUT" "st1 0B" "podman stats shows memory in use"
out=$(get "/v4.3.1/libpod/containers/stats?containers=st1&stream=false")
assert_eq "$(status_of "$out")" "200" "GET /libpod/containers/stats"
j=$(body_of "$out")
assert_eq "$(jq -r '.Error' <<<"$j")" "null" "libpod stats Error is null"
assert_eq "$(jq -r '.Stats[0].ContainerID' <<<"$j")" "$st1" "libpod stats ContainerID"
assert_eq "$(jq -r '.Stats[0].Name' <<<"$j")" "st1" "libpod stats Name"
[[ "$(jq -r '.Stats[0].MemUsage' <<<"$j")" -gt 0 ]] && pass || fail "libpod stats MemUsage > 0: $j"
[[ "$(jq -r ".Stats[0].PIDs" <<<"$j")" -ge 1 ]] && pass || fail "libpod stats PIDs >= 1: $j"
n=$("${CU[@]}" -N --max-time 2.5 "http://d/v4.3.1/libpod/containers/stats?containers=st1&interval=1" | grep -c '"Stats"' || true)
[[ "$n" -ge 2 ]] && pass || fail "libpod stats streams a sample a second: $n samples"
out=$(get "/v4.3.1/libpod/containers/stats?containers=st1&interval=abc")
assert_eq "$(status_of "$out")" "400" "stats with a non-numeric interval"
assert_contains "$out" "interval" "the error names interval"
out=$(get "/v4.3.1/libpod/containers/stats?containers=nosuch&stream=false")
assert_eq "$(status_of "$out")" "404" "stats of a missing container"
out=$(get "/v1.41/containers/st1/stats?stream=false")
assert_eq "$(status_of "$out")" "200" "GET /containers/{name}/stats"
j=$(body_of "$out")
assert_eq "$(jq -r '.id' <<<"$j")" "$st1" "compat stats id"
[[ "$(jq -r '.memory_stats.usage' <<<"$j")" -gt 0 ]] && pass || fail "compat stats memory usage > 0: $j"
[[ "$(jq -r '.cpu_stats.system_cpu_usage' <<<"$j")" -gt 0 ]] && pass || fail "compat stats system_cpu_usage: $j"
assert_eq "$(jq -r '.networks.eth0 | has("rx_bytes")' <<<"$j")" "true" "compat stats networks.eth0.rx_bytes"
out=$(get "/v1.41/containers/nosuch/stats?stream=false")
assert_eq "$(status_of "$out")" "404" "compat stats of a missing container"
out=$(get "/v1.41/containers/st1/stats?stream=true&one-shot=true")
assert_eq "$(status_of "$out")" "400" "one-shot with stream=true"
expect_rc 0 "${BR[@]}" stats --no-stream --format '{{.ID}} {{.Name}} {{.MemUsage}}' st1
assert_contains "$OUT" "${st1:0:12} st1 " "berth --remote stats --no-stream"
assert_not_contains "$OUT" "st1 0B" "berth --remote stats shows memory in use"
timeout 3.5 "$BERTH" --remote --url "unix://$SOCK" stats --interval 1 --format '{{.Name}}' st1 >"$TEST_DIR/bstats" 2>&1 || true
n=$(grep -c '^st1$' "$TEST_DIR/bstats" || true)
[[ "$n" -ge 2 ]] && pass || fail "berth --remote stats streams: $n samples ($(cat "$TEST_DIR/bstats"))"
if $have_docker; then
  expect_rc 0 "${D[@]}" stats --no-stream --format '{{.Name}} {{.ID}} {{.MemUsage}}' st1
  assert_contains "$OUT" "st1 " "docker stats --no-stream"
  assert_not_contains "$OUT" "0B /" "docker stats shows memory in use"
fi

# ---- top streams, pod top and pod stats ------------------------------------------------------
n=$("${CU[@]}" -N --max-time 2.5 "http://d/v4.3.1/libpod/containers/st1/top?stream=true&delay=1" | grep -c '"Titles"' || true)
[[ "$n" -ge 2 ]] && pass || fail "container top streams every second: $n bodies"
out=$(get "/v1.41/containers/st1/top?stream=true&delay=0")
assert_eq "$(status_of "$out")" "400" "top with delay 0"
assert_contains "$out" "delay" "the error names delay"
expect_rc 0 berth pod create --name op1
expect_rc 0 berth run -d --pod op1 --name op1c busybox sleep 100
expect_rc 0 "${P[@]}" pod top op1
assert_contains "$OUT" "sleep 100" "podman pod top"
n=$("${CU[@]}" -N --max-time 2.5 "http://d/v4.3.1/libpod/pods/op1/top?stream=true&delay=1" | grep -c '"Titles"' || true)
[[ "$n" -ge 2 ]] && pass || fail "pod top streams every second: $n bodies"
out=$(get "/v4.3.1/libpod/pods/op1/top?delay=0")
assert_eq "$(status_of "$out")" "400" "pod top with delay 0"
out=$(get "/v4.3.1/libpod/pods/nosuchpod/top")
assert_eq "$(status_of "$out")" "404" "pod top of a missing pod"
expect_rc 0 "${P[@]}" pod stats --no-stream --format '{{.Name}}' op1
assert_contains "$OUT" "op1c" "podman pod stats --no-stream"
n=$("${CU[@]}" -N --max-time 2.5 "http://d/v4.3.1/libpod/pods/stats?namesOrIDs=op1&stream=true&delay=1" | grep -c 'op1c' || true)
[[ "$n" -ge 2 ]] && pass || fail "pod stats streams every second: $n arrays"
out=$(get "/v4.3.1/libpod/pods/stats?namesOrIDs=op1&delay=x")
assert_eq "$(status_of "$out")" "400" "pod stats with a non-numeric delay"

# ---- update ---------------------------------------------------------------------------------
cg_file() {  # cg_file CONTAINER v1-controller v1-file v2-file: the container's cgroup file
  local pid path
  pid=$(berth inspect -f '{{.State.Pid}}' "$1")
  path=$(awk -F: -v c="$2" '$2 ~ "(^|,)"c"(,|$)" {print $3}' "/proc/$pid/cgroup")
  if [[ -n "$path" && -f "/sys/fs/cgroup/$2$path/$3" ]]; then cat "/sys/fs/cgroup/$2$path/$3"
  else path=$(awk -F: '$1 == "0" {print $3}' "/proc/$pid/cgroup"); cat "/sys/fs/cgroup$path/$4"; fi
}
expect_rc 0 "${P[@]}" update --cpus 0.5 st1
expect_rc 0 berth inspect -f '{{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}}' st1
assert_eq "$OUT" "50000 100000" "podman update --cpus 0.5: the quota"
assert_eq "$(cg_file st1 cpu cpu.cfs_quota_us cpu.max | cut -d' ' -f1)" "50000" "podman update: the cgroup's quota"
out=$(python3 "$H" req "$SOCK" POST /v4.3.1/libpod/containers/st1/update '{"memory": {"limit": "lots"}}')
assert_eq "$(status_of "$out")" "400" "libpod update with a wrong type"
assert_contains "$out" "memory.limit" "the error names the field"
out=$(python3 "$H" req "$SOCK" POST /v4.3.1/libpod/containers/nosuch/update '{"memory": {"limit": 100000000}}')
assert_eq "$(status_of "$out")" "404" "libpod update of a missing container"
out=$(python3 "$H" req "$SOCK" POST /v4.3.1/libpod/containers/st1/update '{"pids": {"limit": 77}}')
assert_eq "$(status_of "$out")" "201" "libpod update answers 201"
assert_contains "$out" "\"$st1\"" "libpod update answers the ID"
assert_eq "$(cg_file st1 pids pids.max pids.max)" "77" "libpod update: pids limit in the cgroup"
out=$(python3 "$H" req "$SOCK" POST /v1.41/containers/st1/update '{"Memory": "x"}')
assert_eq "$(status_of "$out")" "400" "compat update with a wrong type"
assert_contains "$out" "Memory" "the compat error names the field"
expect_rc 0 "${BR[@]}" update --memory 80m st1
assert_eq "$OUT" "$st1" "berth --remote update prints the ID"
expect_rc 0 berth inspect -f '{{.HostConfig.Memory}}' st1
assert_eq "$OUT" "83886080" "berth --remote update --memory 80m"
assert_eq "$(cg_file st1 memory memory.limit_in_bytes memory.max)" "83886080" "berth --remote update: the cgroup's limit"
if $have_docker; then
  expect_rc 0 "${D[@]}" update --memory 64m --memory-swap 128m st1
  expect_rc 0 berth inspect -f '{{.HostConfig.Memory}}' st1
  assert_eq "$OUT" "67108864" "docker update --memory 64m"
  assert_eq "$(cg_file st1 memory memory.limit_in_bytes memory.max)" "67108864" "docker update: the cgroup's limit"
fi

# ---- system df and prune ----------------------------------------------------------------------
nctr=$(berth ps -aq | wc -l)
expect_rc 0 "${P[@]}" system df --format '{{.Type}} {{.Total}}'
assert_contains "$OUT" "Containers $nctr" "podman system df counts the containers"
assert_contains "$OUT" "Images " "podman system df lists images"
out=$(get /v4.3.1/libpod/system/df)
assert_eq "$(status_of "$out")" "200" "GET /libpod/system/df"
assert_eq "$(body_of "$out" | jq '.Containers | length')" "$nctr" "libpod df Containers"
assert_eq "$(body_of "$out" | jq -r '[.Containers[] | select(.Names == "st1")][0].ContainerID')" "$st1" "libpod df names st1"
out=$(get /v1.41/system/df)
assert_eq "$(body_of "$out" | jq -r 'has("LayersSize") and has("BuildCache")')" "true" "compat df shape"
assert_eq "$(body_of "$out" | jq '.Containers | length')" "$nctr" "compat df Containers"
expect_rc 0 "${BR[@]}" system df --format '{{.Type}} {{.Total}}'
assert_contains "$OUT" "Containers $nctr" "berth --remote system df"
if $have_docker; then
  expect_rc 0 "${D[@]}" system df --format '{{.Type}} {{.TotalCount}}'
  assert_contains "$OUT" "Containers $nctr" "docker system df"
fi
expect_rc 0 berth run --name dead1 busybox true
dead1=$(berth inspect -f '{{.Id}}' dead1)
expect_rc 0 berth volume create obsv1
expect_rc 0 berth network create obsn1
expect_rc 0 "${P[@]}" system prune -f --volumes
assert_contains "$OUT" "$dead1" "podman system prune removes an exited container"
assert_contains "$OUT" $'Deleted Volumes\nobsv1' "podman system prune --volumes removes an unused volume"
assert_contains "$OUT" $'Deleted Networks\nobsn1' "podman system prune removes an unused network"
assert_eq "$(berth volume ls -q --filter name=obsv1)" "" "the pruned volume is gone"
assert_eq "$(berth ps -a --filter name=dead1 -q)" "" "the pruned container is gone"
expect_rc 0 berth ps -q --filter name=st1
assert_eq "$OUT" "${st1:0:12}" "system prune leaves running containers"
expect_rc 0 berth run --name dead2 busybox true
dead2=$(berth inspect -f '{{.Id}}' dead2)
expect_rc 0 berth volume create obsv2
out=$(python3 "$H" req "$SOCK" POST "/v4.3.1/libpod/system/prune?volumes=true")
assert_eq "$(status_of "$out")" "200" "POST /libpod/system/prune"
assert_eq "$(body_of "$out" | jq -r '.ContainerPruneReports[0].Id, .VolumePruneReports[0].Id, has("ReclaimedSpace")')" \
  "$dead2"$'\nobsv2\ntrue' "system prune report: ContainerPruneReports, VolumePruneReports, ReclaimedSpace"
expect_rc 0 berth run --name dead3 busybox true
dead3=$(berth inspect -f '{{.Id}}' dead3)
expect_rc 0 "${BR[@]}" system prune -f
assert_contains "$OUT" "$dead3" "berth --remote system prune"
out=$(python3 "$H" req "$SOCK" POST "/v4.3.1/libpod/system/prune?filters=$(enc '{"bogus":["1"]}')")
assert_eq "$(status_of "$out")" "400" "system prune with an unknown filter"
out=$(python3 "$H" req "$SOCK" POST "/v4.3.1/libpod/system/prune?filters=%7B")
assert_eq "$(status_of "$out")" "400" "system prune with malformed filters"

# ---- image search -----------------------------------------------------------------------------
expect_rc 0 "${P[@]}" search --format '{{.Name}}' "$R/lib/busy"
assert_eq "$OUT" "$R/lib/busybox" "podman search against the local registry"
expect_rc 0 "${P[@]}" search --list-tags "$R/lib/busybox"
assert_eq "$(awk 'NR > 1 {print $1, $2}' <<<"$OUT")" "$R/lib/busybox 1" "podman search --list-tags"
out=$(get "/v1.41/images/search?term=$(enc "$R/lib/busy")")
assert_eq "$(status_of "$out")" "200" "GET /images/search"
assert_eq "$(body_of "$out" | jq -r '.[0].name, .[0].star_count, .[0].is_official')" "$R/lib/busybox"$'\n0\nfalse' "compat search shape"
out=$(get "/v4.3.1/libpod/images/search?term=$(enc "$R/lib/busy")&filters=$(enc '{"stars":["x"]}')")
assert_eq "$(status_of "$out")" "400" "search with a bad stars filter"
out=$(get "/v4.3.1/libpod/images/search")
assert_eq "$(status_of "$out")" "400" "search without a term"
if $have_docker; then
  expect_rc 0 "${D[@]}" search --format '{{.Name}}' "$R/lib/busy"
  assert_eq "$OUT" "$R/lib/busybox" "docker search"
fi

# ---- docker-py ----------------------------------------------------------------------------------
OUT=$(timeout 120 python3 - "$SOCK" "$R" "$t0" <<'PY' 2>&1
import sys, time, docker
sock, reg, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = docker.DockerClient(base_url="unix://" + sock, version="1.41")
ctr = c.containers.get("st1")
s = ctr.stats(stream=False)
assert s["id"] == ctr.id and s["name"].lstrip("/") == "st1", (s["id"], s["name"])
assert s["memory_stats"]["usage"] > 0, s["memory_stats"]
# stream=false waits for a second sample, as Docker's daemon: precpu is filled
assert s["precpu_stats"]["cpu_usage"]["total_usage"] > 0 and s["precpu_stats"]["system_cpu_usage"] > 0, s["precpu_stats"]
it = ctr.stats(stream=True, decode=True)
first = next(it)
assert first["cpu_stats"]["cpu_usage"]["total_usage"] > 0, first["cpu_stats"]
assert first["precpu_stats"]["cpu_usage"]["total_usage"] > 0, first["precpu_stats"]
t = time.time()
second = next(it)
assert time.time() - t < 2.5, "a sample a second, as Docker's daemon sends them"
assert second["precpu_stats"]["cpu_usage"] == first["cpu_stats"]["cpu_usage"], (first, second)
ctr.update(mem_limit="96m")
ctr.reload()
assert ctr.attrs["HostConfig"]["Memory"] == 96 << 20, ctr.attrs["HostConfig"]["Memory"]
start = time.time()
py = c.containers.run("busybox", ["sleep", "100"], detach=True, name="pyev")
until = int(time.time()) + 2
evs = list(c.events(since=int(start) - 1, until=until, decode=True, filters={"container": "pyev"}))
assert any(e["Action"] == "start" and e["Actor"]["Attributes"]["name"] == "pyev" and e["id"] == py.id
           for e in evs), evs
py.remove(force=True)
df = c.df()
assert "LayersSize" in df and any(x["Id"] == ctr.id for x in df["Containers"]), df
res = c.images.search(reg + "/lib/busy")
assert [r["name"] for r in res] == [reg + "/lib/busybox"], res
print("docker-py obs ok")
PY
)
assert_contains "$OUT" "docker-py obs ok" "docker-py stats, update, events, df, search"

berth rm -f -t 0 ev1 ev3 ev4 st1 ev2 >/dev/null 2>&1 || true
berth pod rm -f op1 >/dev/null 2>&1 || true
assert_eq "$(python3 "$H" req "$SOCK" GET /_ping | head -1)" "200" "service up after the streams"
