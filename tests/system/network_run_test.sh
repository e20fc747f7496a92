#!/usr/bin/env bash
# Containers on networks, end to end with real netavark, aardvark-dns and runc: two
# containers on a named network reach each other by IP and by name, -p publishes on
# 127.0.0.1, teardown leaves no netns or address allocation (rm, --rm, kill -9 of berth),
# inspect NetworkSettings, /etc/hosts and /etc/resolv.conf. Traffic goes only to the
# test's own containers and to 127.0.0.1; subnets and names are random.
source "$(dirname "$0")/lib.sh"
load_default_image

rand() { head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c "${1:-8}"; }
free_subnet() {
  local s
  for _ in $(seq 50); do
    s="10.$((200 + RANDOM % 50)).$((RANDOM % 256))"
    ip -4 route show | grep -q "^$s\." || ip -4 addr show | grep -q " $s\." || { echo "$s"; return; }
  done
}
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 10000))
    ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}
# The addresses IPAM holds for container ID $1 (none: empty).
ipam_of() { [[ -f "$RUNROOT/networks/ipam.json" ]] && grep -o "\"[0-9.]*\":\"$1\"" "$RUNROOT/networks/ipam.json" || true; }
netns_count() { ls "$RUNROOT/netns" 2>/dev/null | wc -l; }

s=$(free_subnet)
net=nr-$(rand)
berth network create --subnet "$s.0/24" "$net" >/dev/null
trap 'berth rm -a -f -t 0 >/dev/null 2>&1 || true; berth network rm -f "$net" >/dev/null 2>&1 || true; cleanup_test_dir' EXIT

# --- two containers on a named network: by IP and by name -------------------------
srv=$(berth run -d --name "srv-$net" --network "$net" --network-alias web busybox \
  sh -c 'echo hello-by-nc > /tmp/msg; while true; do nc -l -p 7000 < /tmp/msg; done')
ipaddr=$(berth inspect --format "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$srv")
[[ "$ipaddr" == "$s".* ]] && pass || fail "address from the network's subnet: [$ipaddr]"
assert_eq "$(berth inspect --format '{{.HostConfig.NetworkMode}}' "$srv")" "bridge" "NetworkMode"
assert_eq "$(berth inspect --format '{{.NetworkSettings.SandboxKey}}' "$srv")" "$RUNROOT/netns/$srv" "SandboxKey"
assert_contains "$(berth inspect --format "{{(index .NetworkSettings.Networks \"$net\").Aliases}}" "$srv")" "web" "alias"
assert_eq "$(ipam_of "$srv")" "\"$ipaddr\":\"$srv\"" "IPAM records the address"
assert_contains "$(berth exec "$srv" cat /etc/hosts)" "$ipaddr	${srv:0:12} srv-$net" "/etc/hosts names the container"
assert_contains "$(berth exec "$srv" cat /etc/resolv.conf)" "nameserver $s.1" "aardvark-dns in resolv.conf"
for i in $(seq 50); do berth exec "$srv" sh -c 'netstat -ltn | grep -q :7000' && break; sleep 0.1; done
out=$(berth run --rm --network "$net" busybox nc -w 5 "$ipaddr" 7000)
assert_eq "$out" "hello-by-nc" "reach the other container by IP"
out=$(berth run --rm --network "$net" busybox nc -w 5 "srv-$net" 7000)
assert_eq "$out" "hello-by-nc" "reach the other container by name (aardvark-dns)"
out=$(berth run --rm --network "$net" busybox nc -w 5 web 7000)
assert_eq "$out" "hello-by-nc" "reach the other container by its alias"
# A static address and MAC.
want_ip="$s.77"
out=$(berth run --rm --network "$net" --ip "$want_ip" --mac-address 92:d0:c6:0a:29:33 busybox ip addr show eth0)
assert_contains "$out" "inet $want_ip/24" "--ip"
assert_contains "$out" "link/ether 92:d0:c6:0a:29:33" "--mac-address"
expect_rc 126 berth run --rm --network "$net" --ip "$ipaddr" busybox true
assert_contains "$ERR" "$ipaddr" "an address in use is refused"
expect_rc 125 berth run --rm --network "nope-$(rand)" busybox true
assert_contains "$ERR" "network not found" "unknown network"

# --- wget from a container (busybox httpd in the other one) ----------------------
web=$(berth run -d --network "$net" busybox sh -c 'echo hello-by-http > /tmp/index.html; httpd -f -p 80 -h /tmp')
for i in $(seq 50); do berth exec "$web" sh -c 'netstat -ltn | grep -q :80' && break; sleep 0.1; done
webip=$(berth inspect --format "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$web")
assert_eq "$(berth run --rm --network "$net" busybox wget -q -O - "http://$webip/")" "hello-by-http" "wget by IP"
assert_eq "$(berth run --rm --network "$net" busybox timeout 5 wget -q -O - "http://${web:0:12}/")" "hello-by-http" \
  "wget by short ID"
# In the container's own network namespace, to 127.0.0.1.
assert_eq "$(berth exec "$web" wget -q -O - http://127.0.0.1/)" "hello-by-http" "wget to 127.0.0.1"

# --- -p publishes on 127.0.0.1; stop ends it ------------------------------------------
hp=$(free_port)
pub=$(berth run -d --network "$net" -p "127.0.0.1:$hp:80" busybox \
  sh -c 'echo published > /tmp/index.html; httpd -f -p 80 -h /tmp')
for i in $(seq 50); do berth exec "$pub" sh -c 'netstat -ltn | grep -q :80' && break; sleep 0.1; done
assert_eq "$(curl -s --max-time 5 "http://127.0.0.1:$hp/")" "published" "-p reachable on 127.0.0.1"
assert_eq "$(berth port "$pub")" "80/tcp -> 127.0.0.1:$hp" "port"
assert_contains "$(berth ps --format '{{.Ports}}' --filter id="$pub")" "127.0.0.1:$hp->80/tcp" "ps PORTS"
assert_eq "$(berth inspect --format '{{json .NetworkSettings.Ports}}' "$pub")" \
  "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$hp\"}]}" "inspect Ports"
berth stop -t 0 "$pub" >/dev/null
curl -s --max-time 2 "http://127.0.0.1:$hp/" >/dev/null && fail "port still published after stop" || pass
assert_eq "$(ipam_of "$pub")" "" "stop releases the address"
[[ ! -e "$RUNROOT/netns/$pub" ]] && pass || fail "stop removes the netns"
berth start "$pub" >/dev/null
for i in $(seq 50); do curl -s --max-time 1 "http://127.0.0.1:$hp/" >/dev/null && break; sleep 0.1; done
assert_eq "$(curl -s --max-time 5 "http://127.0.0.1:$hp/")" "published" "start sets the network up again"
berth rm -f -t 0 "$pub" >/dev/null
[[ ! -e "$RUNROOT/netns/$pub" ]] && pass || fail "rm removes the netns"
assert_eq "$(ipam_of "$pub")" "" "rm releases the address"
# -P: exposed ports get random host ports.
pp=$(berth run -d --network "$net" --expose 8080 -P busybox sleep 100)
assert_contains "$(berth port "$pp" 8080)" "0.0.0.0:" "-P maps an exposed port"
berth rm -f -t 0 "$pp" >/dev/null

# --- teardown on every exit path ------------------------------------------------------
id=$(berth run -d --rm --network "$net" busybox true)
for i in $(seq 100); do berth container exists "$id" || break; sleep 0.1; done
expect_rc 1 berth container exists "$id"
assert_eq "$(ipam_of "$id")" "" "--rm container that exited: address released (by berth-cleanup)"
[[ ! -e "$RUNROOT/netns/$id" ]] && pass || fail "--rm container that exited: netns removed"
# The default network, with --network-config-dir: berth-cleanup finds the definitions.
cfg="$TEST_DIR/netconf"
mkdir -p "$cfg"
B2=("${B[@]}" --network-config-dir "$cfg")
s2=$(free_subnet)
"${B2[@]}" network create --subnet "$s2.0/24" "c$net" >/dev/null
id=$("${B2[@]}" run -d --network "c$net" busybox true)
for i in $(seq 100); do [[ "$("${B2[@]}" inspect --format '{{.State.Status}}' "$id")" == exited ]] && break; sleep 0.1; done
for i in $(seq 50); do [[ -e "$RUNROOT/netns/$id" ]] || break; sleep 0.1; done
[[ ! -e "$RUNROOT/netns/$id" ]] && pass || fail "exit with --network-config-dir: netns removed by berth-cleanup"
assert_eq "$(ipam_of "$id")" "" "exit with --network-config-dir: address released"
"${B2[@]}" rm "$id" >/dev/null
"${B2[@]}" network rm "c$net" >/dev/null
# kill -9 of the CLI while `run` waits for its container: the next command tears down.
berth run --name "k9-$net" --network "$net" busybox sleep 1000 >/dev/null 2>&1 &
runpid=$!
for i in $(seq 100); do [[ "$(berth inspect --format '{{.State.Status}}' "k9-$net" 2>/dev/null)" == running ]] && break; sleep 0.1; done
kill -9 "$runpid"
wait "$runpid" 2>/dev/null || true
k9=$(berth inspect --format '{{.Id}}' "k9-$net")
[[ -n "$(ipam_of "$k9")" ]] && pass || fail "running container keeps its address after kill -9 of run"
berth rm -f -t 0 "k9-$net" >/dev/null
assert_eq "$(ipam_of "$k9")" "" "kill -9 of run, then rm: address released"
[[ ! -e "$RUNROOT/netns/$k9" ]] && pass || fail "kill -9 of run, then rm: netns removed"
# kill -9 of the monitor: the container dies with no exit record; the next command tears down.
id=$(berth run -d --network "$net" busybox sleep 1000)
mon=$(berth inspect --format '{{.State.ConmonPid}}' "$id")
kill -9 "$mon" "$(berth inspect --format '{{.State.Pid}}' "$id")"
for i in $(seq 50); do [[ "$(berth inspect --format '{{.State.Status}}' "$id")" == exited ]] && break; sleep 0.1; done
assert_eq "$(berth inspect --format '{{.State.Status}}' "$id")" "exited" "monitor killed: exited"
[[ ! -e "$RUNROOT/netns/$id" ]] && pass || fail "monitor killed: netns removed"
assert_eq "$(ipam_of "$id")" "" "monitor killed: address released"
berth rm "$id" >/dev/null

# --- network connect / disconnect ---------------------------------------------------
s3=$(free_subnet)
net2=nc-$(rand)
berth network create --subnet "$s3.0/24" "$net2" >/dev/null
cc=$(berth run -d --network "$net" busybox sleep 1000)
berth network connect --alias second "$net2" "$cc"
out=$(berth exec "$cc" ip addr show eth1)
assert_contains "$out" "inet $s3." "connect adds eth1 on the second network"
assert_contains "$(berth inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$cc")" "$net2" \
  "inspect shows the connected network"
assert_contains "$(berth ps --format '{{.Networks}}' --filter id="$cc")" "$net2" "ps Networks"
expect_rc 125 berth network connect "$net2" "$cc"
assert_contains "$ERR" "already connected" "connect twice"
[[ -n "$(ipam_of "$cc" | grep "$s3")" ]] && pass || fail "connect allocates an address"
berth network disconnect "$net2" "$cc"
expect_rc 1 berth exec "$cc" ip addr show eth1
assert_eq "$(ipam_of "$cc" | grep "$s3" || true)" "" "disconnect releases the address"
expect_rc 125 berth network disconnect "$net2" "$cc"
assert_contains "$ERR" "not connected" "disconnect twice"
# Connected while stopped: set up at the next start.
berth stop -t 0 "$cc" >/dev/null
berth network connect "$net2" "$cc"
berth start "$cc" >/dev/null
assert_contains "$(berth exec "$cc" ip addr show eth1)" "inet $s3." "connect while stopped applies at start"
expect_rc 2 berth network rm "$net2"  # podman: 2 for a network in use
berth network rm -f "$net2" >/dev/null
expect_rc 1 berth container exists "$cc"

# --- other modes --------------------------------------------------------------------
assert_eq "$(berth run --rm --net none busybox ip -o link | wc -l)" "1" "--net is podman's alias of --network"
assert_eq "$(berth run --rm --network none busybox ls /sys/class/net)" "lo" "--network none: loopback only"
assert_eq "$(berth run --rm --network host busybox hostname)" "$(hostname)" "--network host: the host's name"
out=$(berth run --rm --network "$net" --dns 192.0.2.53 --dns-search example.test --dns-option ndots:3 \
  --add-host "foo.test:192.0.2.7" --hostname hn busybox sh -c 'cat /etc/resolv.conf /etc/hosts; hostname')
assert_contains "$out" "nameserver 192.0.2.53" "--dns"
assert_contains "$out" "search example.test" "--dns-search"
assert_contains "$out" "options ndots:3" "--dns-option"
assert_contains "$out" "192.0.2.7	foo.test" "--add-host"
assert_contains "$out" $'\nhn' "--hostname"
assert_contains "$(berth run --rm --dns-opt ndots:4 busybox cat /etc/resolv.conf)" "options ndots:4" "--dns-opt alias"
# As podman: no resolv.conf without a network, and so no DNS options for one.
expect_rc 125 berth run --rm --network none --dns-opt ndots:4 busybox true
assert_contains "$ERR" "conflicting options: dns and the network mode: none" "DNS options refused with --network none"
assert_eq "$(berth run --rm --network none busybox sh -c 'test -e /etc/resolv.conf && echo has || echo none')" "none" \
  "--network none: no resolv.conf (podman's disabled network)"
# --http-proxy (default on) passes the host's proxy variables; =false does not.
assert_eq "$(http_proxy=http://proxy.test:3128 berth run --rm --network none busybox sh -c 'echo "p=$http_proxy"')" "p=http://proxy.test:3128" "--http-proxy default"
assert_eq "$(http_proxy=http://proxy.test:3128 berth run --rm --network none --http-proxy=false busybox sh -c 'echo "p=$http_proxy"')" "p=" "--http-proxy=false"
# containers.conf [containers]: DNS defaults, base hosts file, host.containers.internal.
printf '192.0.2.10 basehost1\n192.0.2.11 basehost2 # c\n' >"$TEST_DIR/basehosts"
cat >"$TEST_DIR/ctr.conf" <<EOF
[containers]
dns_searches = ["example.com"]
dns_servers = ["192.0.2.1", "192.0.2.2"]
dns_options = ["ndots:2"]
base_hosts_file = "$TEST_DIR/basehosts"
host_containers_internal_ip = "192.0.2.99"
EOF
out=$(CONTAINERS_CONF="$TEST_DIR/ctr.conf" berth run --rm --network "$net" busybox sh -c 'cat /etc/resolv.conf /etc/hosts')
assert_contains "$out" "search example.com" "containers.conf dns_searches"
assert_contains "$out" $'nameserver 192.0.2.1\nnameserver 192.0.2.2' "containers.conf dns_servers, in order"
assert_contains "$out" "options ndots:2" "containers.conf dns_options"
assert_contains "$out" "192.0.2.11	basehost2" "containers.conf base_hosts_file"
assert_contains "$out" "192.0.2.99	host.containers.internal" "containers.conf host_containers_internal_ip"
out=$(CONTAINERS_CONF="$TEST_DIR/ctr.conf" berth run --rm --network "$net" --dns 192.0.2.53 busybox cat /etc/resolv.conf)
assert_not_contains "$out" "192.0.2.1" "--dns overrides containers.conf dns_servers"
# Published host ports are reserved while the container lives: a second container asking for
# one fails to start (126, podman's message); network reload keeps addresses, MAC and ports.
rp=$(free_port)
rid=$(berth run -d -p "127.0.0.1:$rp:80" --network "$net" busybox httpd -f -p 80 -h /etc)
ss -Htlnp "sport = :$rp" | grep -q berth-monitor && pass || fail "host port $rp held by the monitor"
expect_rc 126 berth run -d -p "127.0.0.1:$rp:80" --network "$net" busybox true
assert_contains "$ERR" "cannot listen on the TCP port: listen tcp4 127.0.0.1:$rp: bind: address already in use" "port conflict named"
before=$(berth inspect --format "{{(index .NetworkSettings.Networks \"$net\").IPAddress}} {{(index .NetworkSettings.Networks \"$net\").MacAddress}}" "$rid")
expect_rc 0 berth network reload "$rid"
assert_eq "$OUT" "$rid" "network reload prints the ID"
assert_eq "$(berth inspect --format "{{(index .NetworkSettings.Networks \"$net\").IPAddress}} {{(index .NetworkSettings.Networks \"$net\").MacAddress}}" "$rid")" "$before" "reload keeps IP and MAC"
expect_rc 0 curl -s -m 5 -o /dev/null "http://127.0.0.1:$rp/passwd"
expect_rc 125 berth network reload
assert_contains "$ERR" "no arguments given" "reload without containers"
berth rm -f -t 0 "$rid" >/dev/null
ss -Htln "sport = :$rp" | grep -q . && fail "port $rp still held after rm" || pass
# container: joins the other container's namespace.
out=$(berth run --rm --network "container:$srv" busybox nc -w 5 127.0.0.1 7000)
assert_eq "$out" "hello-by-nc" "--network container:"
expect_rc 125 berth run --rm --network "$net" --network host busybox true
assert_contains "$ERR" "can only set extra network names" "host as an extra network"

# slirp4netns: tap0 at CIDR+100, DNS at CIDR+3, ports forwarded by slirp4netns itself (both
# port handlers), the process gone after rm; a bad option is named.
out=$(berth run --rm --network slirp4netns:cidr=10.213.7.0/24 --name slirpy --hostname slirpy busybox \
  sh -c 'ip -4 addr show tap0; cat /etc/resolv.conf /etc/hosts')
assert_contains "$out" "inet 10.213.7.100/24" "slirp4netns address"
assert_contains "$out" "nameserver 10.213.7.3" "slirp4netns DNS first"
assert_contains "$out" "$(printf '10.213.7.100\tslirpy slirpy')" "own name in /etc/hosts"
assert_contains "$out" "$(printf '%s\thost.containers.internal' "$(hostname -I | cut -d' ' -f1)")" "host.containers.internal is the host's address"
for handler in slirp4netns rootlesskit; do
  sp=$(free_port)
  sid=$(berth run -d -p "127.0.0.1:$sp:80" --network "slirp4netns:port_handler=$handler" busybox httpd -f -p 80 -h /etc)
  got=
  for ((i = 0; i < 50; i++)); do
    got=$(curl -s -m 2 "http://127.0.0.1:$sp/hostname" || true)
    [[ -n "$got" ]] && break
    sleep 0.1
  done
  assert_eq "$got" "${sid:0:12}" "a published port through slirp4netns ($handler)"
  spid=$(berth inspect --format '{{.State.Pid}}' "$sid")
  berth rm -f -t 0 "$sid" >/dev/null
  pgrep -f "slirp4netns.*${sid}" >/dev/null && fail "slirp4netns of $sid still running after rm" || pass
  ss -Htln "sport = :$sp" | grep -q . && fail "port $sp still open after rm" || pass
done
expect_rc 125 berth run --rm --network slirp4netns:bogus=1 busybox true
assert_contains "$ERR" 'unknown option for slirp4netns: "bogus=1"' "bad slirp4netns option"
expect_rc 125 berth run --rm --network slirp4netns:cidr=300.1.1.0/24 busybox true
assert_contains "$ERR" 'invalid slirp4netns cidr "300.1.1.0/24"' "bad slirp4netns cidr"

berth rm -a -f -t 0 >/dev/null
assert_eq "$(netns_count)" "0" "no netns left"
assert_eq "$(grep -c '"[0-9.]*":"' "$RUNROOT/networks/ipam.json" || true)" "0" "no address left"
berth network rm "$net" >/dev/null
finish
