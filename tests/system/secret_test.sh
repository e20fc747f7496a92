#!/usr/bin/env bash
# Secrets: the `secret` commands (file driver: data 0600 under the root, never shown),
# --secret as a mounted file (owner, mode, target) and as an environment variable, seen from
# inside real containers; a secret removed after create stays in the container; kill -9.
source "$(dirname "$0")/lib.sh"
load_default_image

printf 'topsecret' >"$TEST_DIR/s1"
expect_rc 0 berth secret create --label a=b s1 "$TEST_DIR/s1"
id1=$OUT
[[ "$id1" =~ ^[0-9a-f]{25}$ ]] && pass || fail "a secret ID is 25 hex: [$id1]"
expect_rc 125 berth secret create s1 "$TEST_DIR/s1"
assert_eq "$ERR" "Error: s1: secret name in use" "duplicate name"
expect_rc 0 bash -c "printf 'from-stdin' | ${B[*]} secret create s2 -"
id2=$OUT
expect_rc 125 berth secret create 'a/b' "$TEST_DIR/s1"
assert_contains "$ERR" "a/b: invalid secret name" "hostile name refused"
: >"$TEST_DIR/empty"
expect_rc 125 berth secret create e "$TEST_DIR/empty"
assert_eq "$ERR" "Error: secret data must be larger than 0 and less than 512000 bytes" "empty data"
expect_rc 125 berth secret create -d pass e "$TEST_DIR/s1"
assert_eq "$ERR" "Error: invalid driver" "unknown driver"
MYSEC=from-env expect_rc 0 berth secret create --env s3 MYSEC

# Stored 0600 under the root, the data nowhere in the listing or inspect output.
f="$ROOT/secrets/filedriver/$id1"
assert_eq "$(stat -c %a "$f" 2>&1)" 600 "data file mode"
assert_eq "$(cat "$f")" topsecret "data file content"
assert_eq "$(stat -c %a "$ROOT/secrets/filedriver")" 700 "data directory mode"
expect_rc 0 berth secret inspect s1
assert_eq "$(jq -r '.[0].ID, .[0].Spec.Name, .[0].Spec.Driver.Name, .[0].Spec.Labels.a' <<<"$OUT")" "$id1
s1
file
b" "inspect JSON"
assert_not_contains "$OUT" topsecret "inspect never shows the data"
expect_rc 0 berth secret inspect --format '{{.Spec.Name}} {{.ID}}' s2
assert_eq "$OUT" "s2 $id2" "inspect --format"
expect_rc 125 berth secret inspect nope
assert_eq "$ERR" 'Error: inspecting secret: no secret with name or id "nope": no such secret' "inspect missing"
expect_rc 0 berth secret ls
assert_eq "$(head -1 <<<"$OUT" | tr -s ' ')" "ID NAME DRIVER CREATED UPDATED" "ls header"
assert_eq "$(wc -l <<<"$OUT")" 4 "ls lists 3 secrets"
expect_rc 0 berth secret ls --noheading --filter name=s2 --format '{{.ID}} {{.Name}} {{.Driver}}'
assert_eq "$OUT" "$id2 s2 file" "ls --filter name --format"
expect_rc 0 berth secret ls -q --filter id=${id1:0:6}
assert_eq "$OUT" "$id1" "ls -q --filter id prefix"
expect_rc 0 berth secret exists s1
expect_rc 0 berth secret exists "$id1"
expect_rc 1 berth secret exists nope

# --- in containers -----------------------------------------------------------------------
expect_rc 0 berth run --network none --rm --secret s1 --secret s2,type=env,target=MYENV \
  --secret source=s1,target=/etc/foo,uid=5,gid=6,mode=0400 --secret s3,target=rel \
  busybox sh -c 'cat /run/secrets/s1; echo; echo $MYENV; stat -c "%u %g %a" /run/secrets/s1 /etc/foo; cat /etc/foo; echo; cat /run/secrets/rel; echo; (echo hi > /run/secrets/s1) 2>/dev/null || echo read-only'
assert_eq "$OUT" "topsecret
from-stdin
0 0 444
5 6 400
topsecret
from-env
read-only" "mount and env secrets from inside the container"
expect_rc 0 berth run --network none --rm --secret s2,type=env busybox sh -c 'echo $s2'
assert_eq "$OUT" "from-stdin" "env secret named after the secret"
expect_rc 125 berth run --network none --rm --secret nope busybox true
assert_eq "$ERR" 'Error: no secret with name or id "nope": no such secret' "missing secret at create"
expect_rc 125 berth run --network none --rm --secret s1,type=env,uid=3 busybox true
assert_contains "$ERR" "UID, GID, Mode options cannot be set with secret type env" "env with uid"
expect_rc 125 berth run --network none --rm --secret s1,type=foo busybox true
assert_contains "$ERR" "type foo is invalid" "bad type"
expect_rc 125 berth run --network none --rm --secret s1,target=../../etc/x busybox true
assert_contains "$ERR" "must not contain" "target with .."

expect_rc 0 berth create --network none --name c1 --secret s1 --secret s2,type=env busybox sh -c 'cat /run/secrets/s1; echo; echo $s2'
expect_rc 0 berth inspect --format '{{json .Config.Secrets}}' c1
assert_eq "$OUT" "[{\"Name\":\"s1\",\"ID\":\"$id1\",\"UID\":0,\"GID\":0,\"Mode\":292}]" "inspect Config.Secrets"
expect_rc 0 berth inspect c1
assert_not_contains "$OUT" topsecret "container inspect never shows a secret"
assert_not_contains "$OUT" from-stdin "container inspect never shows an env secret"
# podman: removing a secret in use is safe, the container keeps its copy.
expect_rc 0 berth secret rm s1 s2
assert_eq "$OUT" "$id1
$id2" "rm prints the IDs"
[[ ! -e "$f" ]] && pass || fail "secret rm deletes the data file"
expect_rc 0 berth start -a c1
assert_eq "$OUT" "topsecret
from-stdin" "the container keeps the secrets it was created with"
expect_rc 0 berth rm c1
expect_rc 125 berth secret rm s1
assert_eq "$ERR" 'Error: no secret with name or id "s1": no such secret' "rm missing"

# kill -9 of a create leaves a consistent store: listed secrets have their data.
for i in 1 2 3 4 5; do
  berth secret create "k$i" "$TEST_DIR/s1" >/dev/null 2>&1 &
  pid=$!
  sleep 0.0$((RANDOM % 9))
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
done
expect_rc 0 berth secret ls -q
for id in $OUT; do [[ -f "$ROOT/secrets/filedriver/$id" ]] || fail "secret $id listed without data"; done
pass
expect_rc 0 berth secret rm -a
expect_rc 0 berth secret ls -q
assert_eq "$OUT" "" "secret rm -a"
finish
