#!/usr/bin/env bash
# network create/ls/inspect/rm/prune/exists: podman's output, messages and exit codes, the
# definitions store (--network-config-dir, podman reading berth's files and the reverse),
# hostile config files.
source "$(dirname "$0")/lib.sh"

rand() { head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c "${1:-8}"; }
# A random /24 in 10.200-249.x.0 that no interface or route on this host uses.
free_subnet() {
  local s
  for _ in $(seq 50); do
    s="10.$((200 + RANDOM % 50)).$((RANDOM % 256))"
    ip -4 route show | grep -q "^$s\." || ip -4 addr show | grep -q " $s\." || { echo "$s"; return; }
  done
}
P=(podman --root "$TEST_DIR/proot" --runroot "$TEST_DIR/prun" --network-config-dir "$ROOT/networks")

# --- the default network --------------------------------------------------------
out=$(berth network ls)
assert_eq "$(head -1 <<<"$out")" "NETWORK ID    NAME        DRIVER" "ls header"
assert_contains "$out" "2f259bab93aa  podman      bridge" "default network listed"
assert_eq "$(berth network ls --noheading)" "2f259bab93aa  podman      bridge" "--noheading"
assert_eq "$(berth network inspect --format '{{.NetworkInterface}} {{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}} {{.DNSEnabled}}' podman)" \
  "podman0 10.88.0.0/16 10.88.0.1 false" "default network definition"
[[ ! -e "$ROOT/networks/podman.json" ]] && pass || fail "the default network is never written"
expect_rc 125 berth network rm podman
assert_eq "$ERR" "Error: default network podman cannot be removed" "default network rm"
expect_rc 0 berth network exists podman
expect_rc 0 berth network exists 2f259bab

# --- create ----------------------------------------------------------------------
s1=$(free_subnet)
n1=a-$(rand)
n2=b-$(rand)
n3=c-$(rand)
br=bt$(rand 6)
assert_eq "$(berth network create --subnet "$s1.0/24" --gateway "$s1.9" --ip-range "$s1.128/25" \
  --label app=web --label tier -o mtu=1400 -o isolate=1 --interface-name "$br" "$n1")" "$n1" "create prints the name"
[[ -f "$ROOT/networks/$n1.json" ]] && pass || fail "definition written under <root>/networks"
j=$(cat "$ROOT/networks/$n1.json")
assert_contains "$j" $'{\n     "name": "'"$n1"$'",\n     "id": "' "podman's file layout"
assert_contains "$j" '"network_interface": "'"$br"'"' "--interface-name"
assert_contains "$j" '"lease_range": {
                    "start_ip": "'"$s1"'.129",
                    "end_ip": "'"$s1"'.255"' "--ip-range as podman 4.3.1 computes it"
assert_contains "$j" '"isolate": "true"' "isolate normalised for netavark"
assert_eq "$(berth network inspect --format '{{.Labels}} {{.Options}} {{.IPAMOptions}}' "$n1")" \
  "map[app:web tier:] map[isolate:true mtu:1400] map[driver:host-local]" "inspect maps"
berth network create "$n2" >/dev/null
berth network create --internal --disable-dns "$n3" >/dev/null
# Auto-allocated subnets differ and skip what the host uses; bridges are podmanN.
sub2=$(berth network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}}' "$n2")
sub3=$(berth network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}}' "$n3")
[[ "$sub2" != "$sub3" && "$sub2" == 10.* ]] && pass || fail "auto subnets: $sub2 $sub3"
assert_contains "$(berth network inspect --format '{{.NetworkInterface}}' "$n2")" "podman" "bridge name podmanN"
assert_eq "$(berth network inspect --format '{{range .Subnets}}[{{.Gateway}}]{{end}} {{.Internal}} {{.DNSEnabled}}' "$n3")" \
  "[] true false" "internal network without DNS has no gateway"

expect_rc 125 berth network create "$n1"
assert_eq "$ERR" "Error: network name $n1 already used: network already exists" "duplicate name"
assert_eq "$(berth network create --ignore "$n1")" "$n1" "--ignore returns the existing network"
for mode in none host bridge container ns private slirp4netns; do
  expect_rc 125 berth network create "$mode"
  assert_eq "$ERR" "Error: cannot create network with name \"$mode\" because it conflicts with a valid network mode" "$mode reserved"
done
expect_rc 125 berth network create 'bad/name'
assert_eq "$ERR" "Error: network name bad/name invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument" "bad name"
expect_rc 125 berth network create --subnet "$s1.0/25" "x-$(rand)"
assert_eq "$ERR" "Error: subnet $s1.0/25 is already used on the host or by another config" "overlapping subnet"
expect_rc 125 berth network create --subnet 127.0.0.0/24 "x-$(rand)"
assert_contains "$ERR" "is already used on the host" "host subnet refused"
expect_rc 125 berth network create --gateway 10.1.1.1 "x-$(rand)"
assert_eq "$ERR" "Error: cannot set gateway or range without subnet" "gateway without subnet"
expect_rc 125 berth network create --subnet 10.1.0.0/33 "x-$(rand)"
assert_eq "$ERR" "Error: invalid CIDR address: 10.1.0.0/33" "bad subnet"
expect_rc 125 berth network create -d ipvlan "x-$(rand)"
assert_eq "$ERR" "Error: unsupported driver ipvlan: invalid argument" "ipvlan (netavark 1.4 has no driver for it)"
expect_rc 125 berth network create -o foo=bar "x-$(rand)"
assert_eq "$ERR" "Error: unsupported bridge network option foo" "bad option"
expect_rc 125 berth network create --interface-name "$br" "x-$(rand)"
assert_eq "$ERR" "Error: bridge name $br already in use" "bridge name in use"
expect_rc 125 berth network create -d macvlan -o parent=nosuchif0 --subnet "$(free_subnet).0/24" "x-$(rand)"
assert_eq "$ERR" "Error: parent interface nosuchif0 does not exist" "macvlan parent checked"
[[ -z "$(ls "$ROOT/networks" | grep '^x-')" ]] && pass || fail "failed creates leave no file"

# --- ls ----------------------------------------------------------------------------
assert_eq "$(berth network ls -q | tr '\n' ' ')" "$n1 $n2 $n3 podman " "sorted by name"
assert_eq "$(berth network ls -q --filter label=app=web)" "$n1" "label filter"
assert_eq "$(berth network ls -q --filter label=tier --filter label=app)" "$n1" "label filters AND"
assert_eq "$(berth network ls -q --filter 'label!=app' | tr '\n' ' ')" "$n2 $n3 podman " "label! filter"
assert_eq "$(berth network ls -q --filter name="^[ab]-" | tr '\n' ' ')" "$n1 $n2 " "name regex"
id2=$(berth network inspect --format '{{.ID}}' "$n2")
assert_eq "$(berth network ls -q --filter id="${id2:0:10}")" "$n2" "id filter"
assert_eq "$(berth network ls -q --filter driver=macvlan)" "" "driver filter"
assert_eq "$(berth network ls -q --filter dangling=true | tr '\n' ' ')" "$n1 $n2 $n3 " "dangling excludes the default"
assert_eq "$(berth network ls -q --filter dangling=false)" "podman" "dangling=false"
assert_eq "$(berth network ls -q --filter until=2000-01-01)" "" "until filter"
expect_rc 125 berth network ls --filter bogus=1
assert_eq "$ERR" 'Error: invalid filter "bogus"' "unknown filter"
expect_rc 125 berth network ls --filter dangling=maybe
assert_eq "$ERR" 'Error: invalid dangling filter value "maybe"' "bad dangling value"
expect_rc 125 berth network ls --filter name
assert_eq "$ERR" "Error: filter input must be in the form of filter=value: name is invalid" "filter syntax"
assert_eq "$(berth network ls --format '{{.Name}}|{{.Labels}}' --filter name="$n1")" "$n1|app=web,tier=" "Labels column"
assert_eq "$(berth network ls --no-trunc --format '{{.ID}}' --filter name="$n2")" "$id2" "--no-trunc"
assert_eq "$(berth network ls --format '{{.ID}}' --filter name="$n2")" "${id2:0:12}" "truncated ID"
out=$(berth network ls --format 'table {{.Name}}\t{{.Driver}}' --filter name="$n2")
assert_eq "$out" "$(printf '%-12s%s\n%-12s%s' NAME DRIVER "$n2" bridge)" "table format"
json=$(berth network ls --format json --filter name="$n1")
assert_contains "$json" $'[\n  {\n    "name": "'"$n1"'"' "ls json indent"

# --- inspect -------------------------------------------------------------------------
expect_rc 125 berth network inspect nosuch "$n2"
assert_eq "$ERR" "Error: inspecting object: network nosuch: unable to find network with name or ID nosuch: network not found" "inspect missing"
assert_contains "$OUT" '"name": "'"$n2"'"' "inspect prints what it found"
expect_rc 125 berth network inspect nosuch
assert_eq "$OUT" "[]" "inspect of nothing"
ambig=$(berth network ls --no-trunc --format '{{.ID}}' | cut -c1 | sort | uniq -d | head -1)
if [[ -n "$ambig" ]]; then
  expect_rc 125 berth network inspect "$ambig"
  assert_contains "$ERR" "more than one result for network ID $ambig" "ambiguous ID prefix"
fi

# --- podman reads berth's files and berth reads podman's ------------------------------
if command -v podman >/dev/null; then
  assert_eq "$("${P[@]}" network inspect "$n1")" "$(berth network inspect "$n1")" "podman sees berth's network"
  np=p-$(rand)
  "${P[@]}" network create --subnet "$(free_subnet).0/24" --label from=podman "$np" >/dev/null
  assert_eq "$(berth network inspect "$np")" "$("${P[@]}" network inspect "$np")" "berth sees podman's network"
  assert_eq "$("${P[@]}" network ls -q | tr '\n' ' ')" "$(berth network ls -q | tr '\n' ' ')" "same list"
  berth network rm "$np" >/dev/null
  expect_rc 1 "${P[@]}" network exists "$np"
fi

# --- --network-config-dir ------------------------------------------------------------
alt="$TEST_DIR/altnets"
nalt=alt-$(rand)
"$BERTH" --root "$ROOT" --runroot "$RUNROOT" --network-config-dir "$alt" network create "$nalt" >/dev/null
[[ -f "$alt/$nalt.json" && ! -e "$ROOT/networks/$nalt.json" ]] && pass || fail "--network-config-dir honoured"
expect_rc 1 berth network exists "$nalt"
assert_eq "$("$BERTH" --root "$ROOT" --runroot "$RUNROOT" --network-config-dir "$alt" network ls -q | tr '\n' ' ')" \
  "$nalt podman " "a config dir is a separate set of networks"

# --- hostile definitions: skipped with a warning, the rest still works ------------------
printf '{"name": 5}' >"$ROOT/networks/junk.json"
ln -s /etc/passwd "$ROOT/networks/link.json"
mkfifo "$ROOT/networks/fifo.json"
head -c 2000000 /dev/zero >"$ROOT/networks/huge.json"
sed "s/\"$n2\"/\"renamed\"/" "$ROOT/networks/$n2.json" >"$ROOT/networks/mismatch.json"
expect_rc 0 timeout 10 "${B[@]}" network ls -q
assert_eq "$(tr '\n' ' ' <<<"$OUT")" "$n1 $n2 $n3 podman " "bad files skipped"
assert_contains "$ERR" "junk.json" "warning names the bad file"
assert_contains "$ERR" 'does not match file name' "name mismatch warned"
assert_contains "$ERR" 'mismatch.json' "name mismatch warning names the file"
rm -f "$ROOT/networks"/{junk,link,fifo,huge,mismatch}.json

# --- rm / exists / prune ---------------------------------------------------------------
expect_rc 1 berth network rm nosuch
assert_eq "$ERR" "Error: unable to find network with name or ID nosuch: network not found" "rm missing"
expect_rc 0 berth network rm -f nosuch
expect_rc 125 berth network rm -t 3 "$n3"
assert_eq "$ERR" "Error: --force option must be specified to use the --time option" "rm -t without -f"
expect_rc 1 berth network rm "$n3" nosuch
assert_eq "$OUT" "$n3" "rm removes what it can"
expect_rc 1 berth network exists "$n3"
assert_eq "$(echo n | berth network prune)" "WARNING! This will remove all networks not used by at least one container.
Are you sure you want to continue? [y/N] " "prune asks"
expect_rc 0 berth network exists "$n2"
assert_eq "$(berth network prune -f --filter label=app)" "$n1" "prune with a label filter"
expect_rc 125 berth network prune -f --filter name=x
assert_eq "$ERR" 'Error: invalid filter "name"' "prune filters"
assert_eq "$(berth network prune -f)" "$n2" "prune removes the rest"
assert_eq "$(berth network ls -q)" "podman" "only the default is left"
assert_eq "$(ls "$ROOT/networks" | grep -Ev '^(netavark|cni)\.lock$')" "" "no definition file left (podman leaves its lock)"

finish
