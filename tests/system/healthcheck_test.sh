#!/usr/bin/env bash
# Healthchecks: --health-* flags and the image's HEALTHCHECK, `healthcheck run` (exit codes
# and messages as podman's), State.Health and ps, health_status events, the schedule run by
# berth-monitor without any `healthcheck run`, and the on-failure actions really happening.
source "$(dirname "$0")/lib.sh"
load_default_image

# The check passes until /uh-oh exists (as podman's 220-healthcheck image).
CHECK='if test -e /uh-oh; then echo Uh-oh on stdout; echo Uh-oh on stderr >&2; exit 1; fi; echo Good on stdout; echo Good on stderr >&2'

wait_for() {  # wait_for SECONDS CMD...: until CMD succeeds
  local t=$1 i
  shift
  for ((i = 0; i < t * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}
health_is() { [[ "$(berth inspect --format '{{.State.Health.Status}}' "$1")" == "$2" ]]; }
status_is() { [[ "$(berth inspect --format '{{.State.Status}}' "$1")" == "$2" ]]; }

# --- flags and errors ----------------------------------------------------------------------
expect_rc 125 berth create --health-on-failure=kill busybox
assert_eq "$ERR" "Error: cannot set on-failure action to kill without a health check" "on-failure without a check"
expect_rc 125 berth create --health-on-failure=bogus --health-cmd true busybox
assert_contains "$ERR" 'invalid on-failure action "bogus"' "bad on-failure action"
expect_rc 125 berth create --health-cmd true --health-retries 0 busybox
assert_eq "$ERR" "Error: healthcheck-retries must be greater than 0" "retries 0"
expect_rc 125 berth create --health-cmd true --health-timeout 0s busybox
assert_eq "$ERR" "Error: healthcheck-timeout must be at least 1 second" "timeout 0"
expect_rc 125 berth create --health-cmd true --no-healthcheck busybox
assert_eq "$ERR" "Error: cannot specify both --no-healthcheck and --health-cmd" "both flags"
expect_rc 0 berth create --network none --name forms --health-cmd '["CMD","ls","-l"]' --health-start-period 2s busybox
expect_rc 0 berth inspect --format '{{json .Config.Healthcheck}}' forms
assert_eq "$OUT" '{"Test":["CMD","ls","-l"],"StartPeriod":2000000000,"Interval":30000000000,"Timeout":30000000000,"Retries":3}' "JSON array form"
expect_rc 0 berth create --network none --name forms2 --health-cmd '["ls","-l"]' busybox
expect_rc 0 berth inspect --format '{{json .Config.Healthcheck.Test}}' forms2
assert_eq "$OUT" '["CMD","ls","-l"]' "a JSON array without CMD"
expect_rc 0 berth create --network none --name forms3 --health-cmd 'CMD-SHELL echo a b' busybox
expect_rc 0 berth inspect --format '{{json .Config.Healthcheck.Test}}' forms3
assert_eq "$OUT" '["CMD-SHELL","echo a b"]' "CMD-SHELL form"
expect_rc 0 berth create --network none --name forms4 --health-cmd none busybox
expect_rc 0 berth inspect --format '{{.State.Health.Status}}|{{.Config.HealthcheckOnFailureAction}}' forms4
assert_eq "$OUT" "|none" "none: no health status"
expect_rc 0 berth inspect forms4
assert_eq "$(jq -r '.[0].Config | has("Healthcheck")' <<<"$OUT")" false "none: no Config.Healthcheck"
expect_rc 0 berth rm forms forms2 forms3 forms4

# --- healthcheck run on containers that cannot run one ---------------------------------------
expect_rc 125 berth healthcheck run nosuch
assert_eq "$ERR" 'Error: unable to look up nosuch to perform a health check: no container with name or ID "nosuch" found: no such container' "missing container"
expect_rc 0 berth create --network none --name created --health-cmd true busybox sleep 100
cid=$OUT
expect_rc 125 berth healthcheck run created
assert_eq "$ERR" "Error: container $cid is not running" "not running"
expect_rc 0 berth run --network none -d --name nohc busybox sleep 100
nid=$OUT
expect_rc 125 berth healthcheck run nohc
assert_eq "$ERR" "Error: container $nid has no defined healthcheck" "no healthcheck"
expect_rc 0 berth rm -f -t0 created nohc

# --- manual runs: status, log, ps, events ---------------------------------------------------
expect_rc 0 berth run --network none -d --name h1 --health-cmd "$CHECK" --health-interval disable --health-retries 2 busybox sleep 300
expect_rc 0 berth inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' h1
assert_eq "$OUT" "starting 0" "a new container is starting"
expect_rc 0 berth ps --format '{{.Names}} {{.Status}}'
assert_contains "$OUT" "h1 Up" "ps while starting"
assert_contains "$OUT" "(starting)" "ps shows starting"
expect_rc 0 berth healthcheck run h1
assert_eq "$OUT" "" "a healthy run prints nothing"
expect_rc 0 berth inspect --format '{{json .State.Healthcheck}}' h1
assert_eq "$(jq -r '.Status, .FailingStreak, .Log[-1].ExitCode' <<<"$OUT")" "healthy
0
0" "State.Healthcheck after a good run"
# Both streams are logged. Their relative order is not defined: runc copies a non-tty exec's
# stdout and stderr through two pipes of its own (crun passes one fd through), as with podman.
assert_eq "$(jq -r '.Log[-1].Output' <<<"$OUT" | sort)" "Good on stderr
Good on stdout" "the check's stdout and stderr are both in the log"
expect_rc 0 berth ps --filter health=healthy --format '{{.Names}} {{.Status}}'
assert_contains "$OUT" "(healthy)" "ps --filter health=healthy"
expect_rc 0 berth exec h1 touch /uh-oh
expect_rc 1 berth healthcheck run h1
assert_eq "$OUT" "unhealthy" "a failed run prints unhealthy"
expect_rc 0 berth inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' h1
assert_eq "$OUT" "healthy 1" "one failure of two retries"
expect_rc 1 berth healthcheck run h1
expect_rc 0 berth inspect --format '{{json .State.Health}}' h1
assert_eq "$(jq -r '.Status, .FailingStreak, .Log[-1].ExitCode' <<<"$OUT")" "unhealthy
2
1" "unhealthy after retries failures"
assert_eq "$(jq -r '.Log[-1].Output' <<<"$OUT" | sort)" "Uh-oh on stderr
Uh-oh on stdout" "a failed check's stdout and stderr are both in the log"
expect_rc 0 berth ps --filter health=unhealthy -q
assert_eq "$OUT" "$(berth inspect --format '{{.ID}}' h1 | cut -c1-12)" "ps --filter health=unhealthy"
expect_rc 0 berth ps -a --filter health=none --format '{{.Names}}'
assert_not_contains "$OUT" "h1" "health=none leaves out containers with a check"
for i in 1 2 3 4; do berth healthcheck run h1 >/dev/null 2>&1 || true; done
expect_rc 0 berth inspect --format '{{len .State.Health.Log}}' h1
assert_eq "$OUT" 5 "the log keeps the last 5 runs"
expect_rc 0 berth events --until 0s --filter event=health_status --format '{{.Name}} {{.HealthStatus}}'
assert_contains "$OUT" "h1 healthy" "health_status event (healthy)"
assert_contains "$OUT" "h1 unhealthy" "health_status event (unhealthy)"
expect_rc 0 status_is h1 running
pass
sleep 2
expect_rc 0 berth inspect --format '{{len .State.Health.Log}}' h1
assert_eq "$OUT" 5 "interval disable: no run scheduled"
expect_rc 0 berth rm -f -t0 h1

# --- the schedule: no healthcheck run, on-failure=kill ---------------------------------------
expect_rc 0 berth run --network none -d --name h2 --health-cmd "$CHECK" --health-interval 1s --health-retries 3 \
  --health-on-failure=kill busybox sleep 300
wait_for 10 health_is h2 healthy && pass || fail "the monitor's schedule made h2 healthy"
expect_rc 0 berth exec h2 touch /uh-oh
wait_for 15 status_is h2 exited && pass || fail "on-failure=kill: the scheduled checks killed h2"
expect_rc 0 berth inspect --format '{{.State.Health.Status}} {{.State.ExitCode}}' h2
assert_eq "$OUT" "unhealthy 137" "killed when unhealthy"
expect_rc 0 berth inspect --format '{{.State.Health.FailingStreak}}' h2
[[ "$OUT" -ge 3 ]] && pass || fail "at least retries failures before the kill: $OUT"
expect_rc 0 berth rm -f -t0 h2

# --- on-failure stop, restart, none (manual runs, retries 1) -----------------------------------
for policy in none stop restart; do
  expect_rc 0 berth run --network none -d --name h3 --health-cmd "$CHECK; rm -f /uh-oh-clean" --health-interval disable \
    --health-retries 1 --health-on-failure=$policy busybox sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  expect_rc 0 berth healthcheck run h3
  expect_rc 0 berth exec h3 touch /uh-oh
  expect_rc 1 berth healthcheck run h3
  assert_eq "$OUT" unhealthy "on-failure=$policy: unhealthy"
  expect_rc 0 berth inspect --format '{{.State.Status}} {{.Config.HealthcheckOnFailureAction}} {{.RestartCount}}' h3
  case $policy in
    none) assert_eq "$OUT" "running none 0" "on-failure=none leaves it running" ;;
    stop) assert_eq "$OUT" "exited stop 0" "on-failure=stop stops it" ;;
    restart)
      assert_eq "${OUT% *}" "running restart" "on-failure=restart restarts it"
      # The restarted container's health starts afresh.
      expect_rc 0 berth inspect --format '{{.State.Health.Status}}' h3
      assert_eq "$OUT" starting "a restarted container starts its health afresh" ;;
  esac
  expect_rc 0 berth rm -f -t0 h3
done

# --- HEALTHCHECK from the image (docker-archive with a Healthcheck in its config) -----------
expect_rc 0 berth save --format docker-archive -o "$TEST_DIR/bb.tar" busybox
mkdir -p "$TEST_DIR/arch"
tar -C "$TEST_DIR/arch" -xf "$TEST_DIR/bb.tar"
python3 - "$TEST_DIR/arch" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
cfg_name = m[0]["Config"]
cfg = json.load(open(os.path.join(d, cfg_name)))
cfg.setdefault("config", {})["Healthcheck"] = {"Test": ["CMD-SHELL", "echo from-image"], "Interval": 1000000000, "Retries": 2}
data = json.dumps(cfg).encode()
h = hashlib.sha256(data).hexdigest()
os.remove(os.path.join(d, cfg_name))
open(os.path.join(d, h + ".json"), "wb").write(data)
m[0]["Config"] = h + ".json"
m[0]["RepoTags"] = ["localhost/hcimage:latest"]
json.dump(m, open(os.path.join(d, "manifest.json"), "w"))
if os.path.exists(os.path.join(d, "repositories")): os.remove(os.path.join(d, "repositories"))
PY
tar -C "$TEST_DIR/arch" -cf "$TEST_DIR/hc.tar" .
expect_rc 0 berth load -i "$TEST_DIR/hc.tar"
expect_rc 0 berth run --network none -d --name h4 localhost/hcimage:latest sleep 300
expect_rc 0 berth inspect --format '{{json .Config.Healthcheck}}' h4
assert_eq "$OUT" '{"Test":["CMD-SHELL","echo from-image"],"Interval":1000000000,"Timeout":30000000000,"Retries":2}' "the image's HEALTHCHECK with the default timeout"
wait_for 10 health_is h4 healthy && pass || fail "the image's healthcheck runs on schedule"
expect_rc 0 berth inspect --format '{{(index .State.Health.Log 0).Output}}' h4
assert_eq "$OUT" "from-image" "the image's check ran in the container"
expect_rc 0 berth run --network none -d --name h5 --no-healthcheck localhost/hcimage:latest sleep 300
expect_rc 125 berth healthcheck run h5
assert_contains "$ERR" "has no defined healthcheck" "--no-healthcheck drops the image's check"
expect_rc 0 berth run --network none -d --name h6 --health-cmd 'echo mine' localhost/hcimage:latest sleep 300
expect_rc 0 berth inspect --format '{{json .Config.Healthcheck.Test}}' h6
assert_eq "$OUT" '["CMD-SHELL","echo mine"]' "--health-cmd overrides the image's"
expect_rc 0 berth rm -f -t0 h4 h5 h6

# A hostile image Healthcheck (wrong types) is refused naming the field.
python3 - "$TEST_DIR/arch" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
cfg_name = m[0]["Config"]
cfg = json.load(open(os.path.join(d, cfg_name)))
cfg["config"]["Healthcheck"] = {"Test": ["CMD-SHELL", "true"], "Interval": -5}
data = json.dumps(cfg).encode()
h = hashlib.sha256(data).hexdigest()
os.remove(os.path.join(d, cfg_name))
open(os.path.join(d, h + ".json"), "wb").write(data)
m[0]["Config"] = h + ".json"
m[0]["RepoTags"] = ["localhost/badhc:latest"]
json.dump(m, open(os.path.join(d, "manifest.json"), "w"))
PY
tar -C "$TEST_DIR/arch" -cf "$TEST_DIR/bad.tar" .
expect_rc 0 berth load -i "$TEST_DIR/bad.tar"
expect_rc 125 berth create localhost/badhc:latest
assert_contains "$ERR" "Healthcheck.Interval: must not be negative" "a negative image interval is refused"
finish
