#!/usr/bin/env bash
# `berth system service`: listeners (unix 0660, tcp, bad schemes), _ping/version/info,
# the HTTP layer's limits (unknown routes, bad versions, huge bodies, malformed requests,
# slow and vanishing clients), CORS, the idle timeout and shutdown on SIGTERM.
source "$(dirname "$0")/lib.sh"
H="$BERTH_SRC/tests/system/api_helper.py"
SOCK="$TEST_DIR/api.sock"
SVC_PID=
stop_service() {
  [[ -n "$SVC_PID" ]] && kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=
}
trap 'stop_service; cleanup_test_dir' EXIT
wait_sock() {
  for _ in $(seq 100); do [[ -S "$1" ]] && return 0; sleep 0.05; done
  fail "socket $1 did not appear"
}
req() { python3 "$H" req "$SOCK" "$@"; }

# ---- bad URIs (podman's messages) -------------------------------------------------------
expect_rc 125 berth system service localhost:9292
assert_contains "$ERR" 'Error: API Service endpoint scheme "localhost" is not supported. Try tcp://localhost:9292 or unix:/localhost:9292' "bad scheme"
expect_rc 125 berth system service myunix.sock
assert_contains "$ERR" 'Error: API Service endpoint scheme "" is not supported. Try tcp://myunix.sock or unix:/myunix.sock' "no scheme"

# ---- unix socket, 0660 ----------------------------------------------------------------
"${B[@]}" system service --time 0 "unix://$SOCK" 2>"$TEST_DIR/svc.log" &
SVC_PID=$!
wait_sock "$SOCK"
assert_eq "$(stat -c %a "$SOCK")" "660" "socket mode"

out=$(req GET /_ping)
assert_eq "$(head -1 <<<"$out")" "200" "_ping status"
assert_contains "$out" "api-version: 1.41" "_ping API-Version"
assert_contains "$out" "libpod-api-version: 4.3.1" "_ping Libpod-API-Version"
assert_contains "$out" "docker-experimental: true" "_ping Docker-Experimental"
assert_contains "$out" "server: Libpod/" "_ping Server"
assert_eq "$(tail -1 <<<"$out")" "OK" "_ping body"
out=$(req HEAD /_ping)
assert_eq "$(head -1 <<<"$out")" "200" "HEAD _ping"
assert_eq "$(req GET /v4.3.1/libpod/_ping | head -1)" "200" "libpod _ping"

out=$(req GET /v1.41/version)
assert_contains "$out" '"ApiVersion":"1.41"' "compat version"
assert_contains "$out" '"Name":"Podman Engine"' "version components"
out=$(req GET /v4.3.1/libpod/info)
assert_contains "$out" "\"remoteSocket\":{\"path\":\"unix://$SOCK\"" "libpod info remote socket"
out=$(req GET /v1.41/info)
assert_contains "$out" '"OSType":"linux"' "compat info"

# ---- errors: routes, versions, methods -----------------------------------------------
out=$(req GET /v1.41/no/such/route)
assert_eq "$(head -1 <<<"$out")" "404" "unknown compat route"
assert_contains "$out" '{"message":"no such route: GET /v1.41/no/such/route"}' "compat 404 body"
out=$(req GET /v4.3.1/libpod/nothing)
assert_contains "$out" '"response":404' "libpod 404 body"
assert_contains "$out" '"cause":' "libpod 404 cause"
assert_eq "$(req GET /v1.12/version | head -1)" "400" "compat version too old"
assert_eq "$(req GET /v3.0.0/libpod/info | head -1)" "400" "libpod version 3 refused"
assert_eq "$(req GET /v5.2.0/libpod/_ping | head -1)" "200" "libpod version 5 accepted"
assert_eq "$(req POST /v1.41/version | head -1)" "405" "wrong method"
assert_eq "$(req GET '/v1.41/containers/%zz/json' | head -1)" "400" "bad path escape"
assert_eq "$(req GET '/v1.41/info?x=%' | head -1)" "400" "bad query escape"

# ---- hostile clients ------------------------------------------------------------------
assert_eq "$(python3 "$H" huge "$SOCK" /v1.41/containers/create 64)" "413" "64 MiB JSON body refused"
assert_eq "$(python3 "$H" garbage "$SOCK")" "HTTP/1.1 400 Bad Request" "garbage request"
assert_eq "$(python3 "$H" pipeline "$SOCK" 50)" "50" "pipelined keep-alive requests"
# The event loops: stalled clients (half headers, a reader that never reads) hold no
# loop, and a connection pipelining inline and threaded routes gets its answers in order.
assert_eq "$(python3 "$H" stalled "$SOCK" 20)" "200 0" "ping answered at once beside 21 stalled clients"
assert_eq "$(python3 "$H" mixed "$SOCK")" "200 200 200 404 404 404 200" "pipelined inline and threaded routes, in order"
python3 "$H" vanish "$SOCK" /v1.41/version >/dev/null
assert_eq "$(req GET /_ping | head -1)" "200" "service up after a vanished client"
kill -0 "$SVC_PID" && pass || fail "service died"
stop_service

# ---- header timeout (short limit through the hidden test knob) --------------------------
BERTH_API_HEADER_TIMEOUT_MS=500 "${B[@]}" system service --time 0 "unix://$SOCK" 2>>"$TEST_DIR/svc.log" &
SVC_PID=$!
wait_sock "$SOCK"
out=$(python3 "$H" slowheader "$SOCK" 5)
assert_contains "$out" "408" "slow header answered 408"
assert_eq "$(req GET /_ping | head -1)" "200" "service up after a slow client"
stop_service

# ---- tcp with CORS; without CORS no header ---------------------------------------------
PORT=$(python3 "$H" port)
"${B[@]}" system service --cors='*' -t 20 "tcp:127.0.0.1:$PORT" 2>>"$TEST_DIR/svc.log" &
SVC_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/_ping" && break; sleep 0.05; done
out=$(curl -s -D - "http://127.0.0.1:$PORT/_ping")
assert_contains "$out" "Access-Control-Allow-Origin: *" "CORS header"
stop_service
PORT=$(python3 "$H" port)
"${B[@]}" system service -t 20 "tcp://127.0.0.1:$PORT" 2>>"$TEST_DIR/svc.log" &
SVC_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/_ping" && break; sleep 0.05; done
out=$(curl -s -D - "http://127.0.0.1:$PORT/_ping")
assert_not_contains "$out" "Access-Control-Allow-Origin" "no CORS header by default"
stop_service

# ---- idle timeout; CORS debug message -----------------------------------------------------
start=$SECONDS
expect_rc 0 berth --log-level=debug system service --cors='*' -t 1 "unix://$SOCK"
assert_contains "$ERR" 'CORS Headers were set to \"*\"' "CORS debug message"
(( SECONDS - start <= 4 )) && pass || fail "idle timeout 1s took $((SECONDS - start))s"

# ---- SIGTERM: an in-flight streaming request does not keep the service alive -------------
"${B[@]}" system service --time 0 "unix://$SOCK" 2>>"$TEST_DIR/svc.log" &
SVC_PID=$!
wait_sock "$SOCK"
kill -TERM "$SVC_PID"
set +e
wait "$SVC_PID"
rc=$?
set -e
SVC_PID=
assert_eq "$rc" "0" "exit status after SIGTERM"

finish
