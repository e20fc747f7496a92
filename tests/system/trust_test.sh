#!/usr/bin/env bash
# image trust set/show: podman's output for round trips, signedBy with key files, --raw,
# --json, argument errors, hostile policy files (left unchanged), and a pull refused by a
# policy that trust set wrote.
source "$(dirname "$0")/lib.sh"
export HOME="$TEST_DIR/home"  # no policy or registries.d from the real home
mkdir -p "$HOME"
HELPER="$BERTH_SRC/tests/system/registry_helper.py"
P="$TEST_DIR/policy.json"
trust() { berth image trust "$@"; }

# ---- argument errors: nothing is written --------------------------------------------
expect_rc 125 trust set --policypath="$P" --type=bogus default
assert_eq "$ERR" "Error: invalid choice: bogus (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')" "bad --type"
expect_rc 125 trust set --policypath="$P" default
assert_eq "$ERR" "Error: at least one public key must be defined for type 'signedBy'" "signedBy (the default type) needs --pubkeysfile"
expect_rc 125 trust set --policypath="$P" -t sigstoreSigned default
assert_eq "$ERR" "Error: at least one public key must be defined for type 'sigstoreSigned'" "sigstoreSigned needs --pubkeysfile"
expect_rc 125 trust set --policypath="$P" -t reject -f /k.gpg default
assert_eq "$ERR" "Error: 1 public keys unexpectedly provided for trust type reject" "no keys for reject"
expect_rc 125 trust set --policypath="$P" -t reject docker.io
assert_eq "$ERR" "Error: default trust policy must be set" "a registry's policy needs a default"
expect_rc 125 trust set --policypath="$P" -t reject 'a b'
assert_eq "$ERR" 'Error: invalid image uri: a b: parse "http://a b": invalid character " " in host name' "bad registry"
expect_rc 125 trust set --policypath="$P" -t reject '*.example.com'
assert_eq "$ERR" 'Error: invalid image uri: *.example.com' "wildcard registry refused as podman does"
expect_rc 125 trust set --policypath="$P" -t reject
assert_contains "$ERR" "Error: accepts 1 arg(s), received 0" "set needs REGISTRY"
if [[ -e "$P" ]]; then fail "a refused set wrote $P"; else pass; fi
expect_rc 125 trust show --policypath="$P"
assert_contains "$ERR" "Error: open $P: " "show of a missing file names it"
expect_rc 125 berth image trust
assert_contains "$ERR" "Error: missing command" "trust alone needs a subcommand"

# ---- round trips (expected texts are podman 4.3.1's) -------------------------------
expect_rc 0 trust set --policypath="$P" --type=accept default
assert_eq "$(cat "$P")" '{
    "default": [
        {
            "type": "insecureAcceptAnything"
        }
    ]
}' "policy.json as podman writes it (no final newline)"
assert_eq "$(tail -c1 "$P" | od -An -c | tr -d ' ')" "}" "no final newline"
expect_rc 0 trust show --policypath="$P"
assert_eq "$OUT" "$(printf '%s\n' 'TRANSPORT   NAME        TYPE        ID          STORE' 'all         default     accept                  ')" "show table"
expect_rc 0 trust set --policypath="$P" -t reject default
expect_rc 0 trust set --policypath="$P" -t reject docker.io
expect_rc 0 trust show --policypath="$P"
assert_eq "$OUT" "$(printf '%s\n' 'TRANSPORT   NAME        TYPE        ID          STORE' \
  'all         default     reject                  ' 'repository  docker.io   reject                  ')" "show after a registry set"
expect_rc 0 trust show -n --policypath="$P" docker.io
assert_eq "$OUT" "$(printf '%s\n' 'all         default     reject                  ' 'repository  docker.io   reject                  ')" "-n; REGISTRY is accepted and the whole policy shown, as podman"
expect_rc 0 trust set --policypath="$P" -t accept docker.io
expect_rc 0 trust show --policypath="$P" --json
assert_eq "$OUT" '[
  {
    "transport": "all",
    "name": "* (default)",
    "repo_name": "default",
    "type": "reject"
  },
  {
    "transport": "repository",
    "name": "docker.io",
    "repo_name": "docker.io",
    "type": "accept"
  }
]' "--json: podman's fields, default first"
expect_rc 0 trust show --policypath="$P" --raw
assert_eq "$OUT" "$(cat "$P")" "--raw is the file"
assert_eq "$(trust show --policypath="$P" --raw | md5sum)" "$( (cat "$P"; echo) | md5sum)" "--raw is the file byte for byte plus a newline"

# ---- signedBy with key files --------------------------------------------------------
cat >"$TEST_DIR/key.asc" <<'KEY'
-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEaxbdtxYJKwYBBAHaRw8BAQdA/k2W7y1V038y4zvyJDboR8jmITKBXTnZar9V
Ki6jKj+0I0JlcnRoIFRydXN0IFRlc3QgPHRydXN0QGJlcnRoLnRlc3Q+iJAEExYI
ADgWIQRR7O0mk4e+t9hpuyhN9H2h6uUV6AUCaxbdtwIbAwULCQgHAgYVCgkICwIE
FgIDAQIeAQIXgAAKCRBN9H2h6uUV6GXdAP9aZlhLv8LC7A2e9gP0N3sccY7R531g
zRUojDJAnUT3jgEAlwZn1a2n2t6JdjXpQYWW1UVVtng+hTq9YE1gTUa7IwQ=
=rw5v
-----END PGP PUBLIC KEY BLOCK-----
KEY
expect_rc 0 trust set --policypath="$P" -t signedBy -f "$TEST_DIR/key.asc" -f "$TEST_DIR/gone.gpg" quay.io/podman
quay=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["transports"]["docker"]["quay.io/podman"]))' "$P")
assert_eq "$quay" "[{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"$TEST_DIR/key.asc\"}, {\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"$TEST_DIR/gone.gpg\"}]" "one signedBy requirement per key file"
expect_rc 0 trust show -n --policypath="$P"
assert_contains "$OUT" "repository  quay.io/podman  signed      trust@berth.test" "the key's identity in the ID column"
assert_eq "$(grep -c 'quay.io/podman' <<<"$OUT")" "2" "one line per requirement"
assert_contains "$ERR" "Getting key identity: open $TEST_DIR/gone.gpg" "a missing key file is logged, as podman"
expect_rc 0 trust show --policypath="$P" --json
assert_eq "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([(e["repo_name"], e["type"], e.get("gpg_id")) for e in d])' <<<"$OUT")" \
  "[('default', 'reject', None), ('docker.io', 'accept', None), ('quay.io/podman', 'signed', 'trust@berth.test'), ('quay.io/podman', 'signed', None)]" "--json with gpg_id"

# ---- other entries are kept ---------------------------------------------------------
cat >"$P" <<'EOF2'
{
  "default": [{"type": "insecureAcceptAnything"}],
  "transports": {
    "docker": {
      "registry.example/ns": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k.gpg",
                               "signedIdentity": {"type": "matchRepository"}}],
      "quay.io": [{"type": "reject"}]
    },
    "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]},
    "atomic": {"reg.local": [{"type": "reject"}]}
  }
}
EOF2
expect_rc 0 trust set --policypath="$P" -t accept quay.io
expect_rc 0 trust set --policypath="$P" -t accept reg.local
got=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$P")
assert_eq "$got" '{"default": [{"type": "insecureAcceptAnything"}], "transports": {"atomic": {"reg.local": [{"type": "insecureAcceptAnything"}]}, "docker": {"quay.io": [{"type": "insecureAcceptAnything"}], "registry.example/ns": [{"keyPath": "/k.gpg", "keyType": "GPGKeys", "signedIdentity": {"type": "matchRepository"}, "type": "signedBy"}]}, "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]}}}' \
  "the other transports, scopes and signedIdentity survive; a scope is replaced where it is"
expect_rc 0 trust show -n --policypath="$P"
assert_eq "$(awk '{print $1, $2, $3}' <<<"$OUT")" "$(printf '%s\n' 'all default accept' 'atomic reg.local accept' 'repository quay.io accept' 'repository registry.example/ns signed' 'docker-daemon accept ')" "transports and scopes sorted"

# ---- hostile policy files: clear error naming the file, exit 125, file unchanged -----
check_unchanged() {  # FILE CONTENT-FILE MESSAGE
  if cmp -s "$1" "$2"; then pass; else fail "$3: $1 was changed"; fi
}
H="$TEST_DIR/hostile.json"
for bad in '{"default": [{"type": "reject"}' 'not json at all' '[1, 2]' \
  '{"default": [], "transports": "docker"}' '{"default": [], "transports": {"docker": ["docker.io"]}}'; do
  printf '%s' "$bad" >"$H"
  cp "$H" "$H.orig"
  expect_rc 125 trust set --policypath="$H" -t reject default
  assert_contains "$ERR" "Error: could not read trust policies from $H: " "set on [$bad] names the file"
  check_unchanged "$H" "$H.orig" "set on [$bad]"
  if ls "$TEST_DIR" | grep -q 'hostile.json.tmp'; then fail "temp file left behind for [$bad]"; else pass; fi
done
printf '%s' '{"default": [], "transports": {"docker": 7}}' >"$H"
expect_rc 125 trust set --policypath="$H" -t reject default
assert_contains "$ERR" "transports.docker: expected object, got number" "the wrong field is named"
printf '%s' '{"default": [{"type": 7}]}' >"$H"
expect_rc 125 trust show --policypath="$H"
assert_eq "$ERR" "Error: could not show trust policies: could not read trust policies: could not parse trust policies from $H: default[0].type: expected string, got number" "show names file and field"
printf '%s' '{"default": [{"type": "reject"}], "transports": {"docker": {"x": {"type": "reject"}}}}' >"$H"
expect_rc 125 trust show --policypath="$H" --json
assert_contains "$ERR" "from $H: transports.docker.x: expected array, got object" "show --json checks types too"
# A FIFO is refused at once (no blocking read) and left in place.
mkfifo "$TEST_DIR/fifo.json"
expect_rc 125 timeout 10 "${B[@]}" image trust set --policypath="$TEST_DIR/fifo.json" -t accept default
assert_contains "$ERR" "not a regular file" "a FIFO policy path is refused"
if [[ -p "$TEST_DIR/fifo.json" ]]; then pass; else fail "the FIFO was replaced"; fi
# A symlinked policy.json: its target is replaced, the link and the target's mode kept.
mkdir -p "$TEST_DIR/etc"
printf '%s' '{"default": [{"type": "insecureAcceptAnything"}]}' >"$TEST_DIR/etc/real.json"
chmod 0640 "$TEST_DIR/etc/real.json"
ln -s "$TEST_DIR/etc/real.json" "$TEST_DIR/link.json"
expect_rc 0 trust set --policypath="$TEST_DIR/link.json" -t reject default
if [[ -L "$TEST_DIR/link.json" ]]; then pass; else fail "the symlink was replaced by a file"; fi
assert_eq "$(stat -c %a "$TEST_DIR/etc/real.json")" "640" "mode kept"
assert_contains "$(cat "$TEST_DIR/etc/real.json")" '"type": "reject"' "the target was written"

# ---- remote: refused as podman-remote refuses it -------------------------------------
expect_rc 125 berth --remote image trust show
assert_eq "$ERR" "Error: cannot use command \"$(basename "$BERTH") image trust show\" with the remote podman client" "not supported remotely"

# ---- pull honours what trust set wrote -----------------------------------------------
start_local_registry
R=$REG
export CONTAINERS_REGISTRIES_CONF="$TEST_DIR/registries.conf"
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" >"$CONTAINERS_REGISTRIES_CONF"
python3 "$HELPER" archive "$TEST_DIR/img.tar" localhost/trusted:1 amd64 1 >/dev/null
expect_rc 0 berth load -i "$TEST_DIR/img.tar"
expect_rc 0 berth push -q trusted:1 "$R/test/trusted:1"
# The pull reads ~/.config/containers/policy.json first.
UP="$HOME/.config/containers/policy.json"
mkdir -p "$(dirname "$UP")"
bpull() { "$BERTH" --root "$TEST_DIR/pullroot" --runroot "$TEST_DIR/pullrun" pull -q "$@"; }
expect_rc 0 trust set --policypath="$UP" -t reject default
expect_rc 125 bpull "$R/test/trusted:1"
assert_contains "$ERR" "Source image rejected: Running image docker://$R/test/trusted:1 is rejected by policy." "a reject default refuses the pull"
expect_rc 0 trust set --policypath="$UP" -t accept default
expect_rc 0 trust set --policypath="$UP" -t reject "$R"
expect_rc 125 bpull "$R/test/trusted:1"
assert_contains "$ERR" "rejected by policy" "a reject for the registry refuses the pull"
expect_rc 0 trust set --policypath="$UP" -t accept "$R"
expect_rc 0 bpull "$R/test/trusted:1"
assert_eq "$("$BERTH" --root "$TEST_DIR/pullroot" --runroot "$TEST_DIR/pullrun" images -q | wc -l)" "1" "accepted again: the pull succeeds"

finish
