#!/bin/bash
# Regenerates podman-4.3.1/*.json: the exact create bodies podman's bindings send
# (`podman --remote create ...` against fake_podman_service.py). Needs podman (the remote
# client only) and python3. Not run by CI: the captured files are committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/podman-$(podman --version | awk '{print $3}')
tmp=$(mktemp -d /tmp/sgcap.XXXXXX)
mkdir -p "$out"
python3 "$here/fake_podman_service.py" "$tmp/s.sock" "$tmp" &
srv=$!
trap 'kill $srv; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -S "$tmp/s.sock" ] && break; sleep 0.1; done

cap() {
  local name=$1; shift
  rm -f "$tmp/body.json"
  podman --remote --url "unix://$tmp/s.sock" create "$@" >/dev/null
  # The socket path is random: store it as a fixed one so regenerating is reproducible.
  sed "s|$tmp/s.sock|/tmp/sgcap/s.sock|g" "$tmp/body.json" > "$out/$name.json"
  echo "captured $name"
}

cap minimal alpine
cap full --name full -t -i --env A=1 --env B=two --label l1=v1 --annotation a1=v1 \
  --workdir /srv --user 1000:1000 --group-add 10 --hostname h1 --stop-signal SIGINT \
  --stop-timeout 30 --restart on-failure:3 --log-driver json-file --log-opt max-size=10m \
  --log-opt tag=x --memory 64m --memory-reservation 32m --memory-swap 128m --cpus 1.5 \
  --cpu-shares 512 --cpuset-cpus 0 --pids-limit 100 --blkio-weight 300 \
  --ulimit nofile=1024:2048 --oom-score-adj 100 --sysctl net.ipv4.ip_forward=1 \
  --cap-add NET_ADMIN --cap-drop MKNOD --security-opt no-new-privileges \
  --security-opt seccomp=unconfined --read-only --init --shm-size 128m --tmpfs /run1:size=10m \
  -v /tmp:/hosttmp:ro,z -v named:/data -v /anon --mount type=tmpfs,destination=/t2 \
  --mount type=bind,src=/tmp,dst=/b2,ro=true --health-cmd "true" --health-interval 5s \
  --health-retries 4 --health-timeout 2s --health-start-period 1s --health-on-failure kill \
  -p 8080:80 -p 127.0.0.1:9000-9001:9000-9001/udp --expose 7000 --dns 1.1.1.1 \
  --dns-search example.com --dns-option ndots:2 --add-host foo:10.0.0.1 --pid host \
  --ipc private --umask 0077 --timeout 100 --device /dev/null:/dev/mynull:rw \
  --device-read-bps /dev/null:1mb --unsetenv X --tz UTC alpine sh -c 'echo <hi> & bye'
cap network --name net1 --network bridge --ip 10.88.0.5 --mac-address 92:d0:c6:0a:29:33 \
  --network-alias foo --network-alias bar -P --no-hosts alpine
cap netns --network ns:/run/netns/x --uts host --cgroupns private --cgroup-parent /mine \
  --cgroups disabled --systemd always --image-volume tmpfs --entrypoint '["/bin/sh","-c"]' \
  --privileged --personality LINUX32 --chrootdirs /x --requires abc --volumes-from other:ro \
  --sdnotify conmon --http-proxy=false --unsetenv-all --passwd-entry 'u:x:1:1::/:/bin/sh' \
  --device-cgroup-rule 'c 1:3 rwm' --blkio-weight-device /dev/null:200 \
  --device-write-iops /dev/null:100 --memory-swappiness 10 --oom-kill-disable \
  --cpu-period 50000 --cpu-quota 20000 --cpu-rt-runtime 10 --cpu-rt-period 100 \
  --cpuset-mems 0 --kernel-memory 100m --stop-signal 9 --log-opt path=/tmp/x.log \
  --health-cmd '["CMD","/bin/true","x"]' --no-healthcheck=false alpine
cap userns --uidmap 0:100000:65536 --gidmap 0:100000:65536 --security-opt label=disable \
  --security-opt apparmor=unconfined --security-opt mask=/a:/b --security-opt unmask=ALL \
  --security-opt seccomp=/etc/x.json --read-only-tmpfs=false --read-only --workdir /w \
  --entrypoint '' --tmpfs /x --mount type=volume,src=v1,dst=/v1,ro \
  --mount type=image,src=alpine,dst=/img --mount type=devpts,destination=/dev/pts2 \
  -v /tmp:/o:O alpine true
cap netcontainer --network container:abc --pid container:abc --ipc container:abc \
  --uts ns:/proc/1/ns/uts --userns host --no-healthcheck --health-on-failure none alpine
cap envfile --env-file /etc/hostname --label-file /etc/hostname --annotation k=v \
  --secret mysec --secret mysec2,type=env,target=TOK alpine
cap rootfs --rootfs /tmp/rootfs:O true
