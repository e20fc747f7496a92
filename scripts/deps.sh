#!/usr/bin/env bash
# Installs berth's build and test dependencies from Debian packages (idempotent).
set -euo pipefail
BUILD_PKGS=(build-essential cmake ninja-build ccache pkg-config
  nlohmann-json3-dev libsqlite3-dev libssl-dev libarchive-dev zlib1g-dev libzstd-dev
  libfmt-dev libgtest-dev libgmock-dev libcurl4-openssl-dev libtomlplusplus-dev libboost-dev libyaml-dev libseccomp-dev libisal-dev)
RUN_PKGS=(busybox-static runc crun golang-github-containers-common netavark aardvark-dns iptables catatonit slirp4netns)
# Commands the tests call under another package's name: nc (ncat, via the "nc" alternative),
# htpasswd (apache2-utils), unshare (util-linux, essential). Checked after the install.
TEST_PKGS=(podman buildah docker-registry python3-docker docker-compose tmux hyperfine wrk uidmap apache2-utils openssl curl python3 libcrypt-dev sqlite3
  clang libclang-rt-14-dev jq procps iproute2 ncat expect python3-yaml groff-base python3-websocket criu)
want=("${BUILD_PKGS[@]}" "${RUN_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST_PKGS[@]}"); fi
# apt_wait ARGS...: apt-get ARGS, waiting (up to BERTH_APT_WAIT seconds, default 900)
# while another apt or dpkg holds its locks instead of failing at once.
# DPkg::Lock::Timeout covers the dpkg frontend lock; `apt-get update` takes the
# lists lock without waiting, so a lock failure is retried until the deadline.
apt_wait() {
  local deadline=$((SECONDS + ${BERTH_APT_WAIT:-900})) out rc
  while :; do
    rc=0
    out=$(apt-get -o DPkg::Lock::Timeout=60 "$@" 2>&1) || rc=$?
    if ((rc == 0)); then return 0; fi
    if grep -qiE 'could not get lock|unable to (acquire|lock)|is another process using it' <<<"$out" &&
       ((SECONDS < deadline)); then
      echo "berth: apt is busy (another apt/dpkg holds its lock); waiting" >&2
      sleep 5
      continue
    fi
    printf '%s\n' "$out" >&2
    return "$rc"
  done
}
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "berth: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt_wait update -qq
  apt_wait install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ "${1:-}" == "--test" ]]; then
  for cmd in nc htpasswd unshare docker-registry docker-compose podman buildah groff; do
    command -v "$cmd" >/dev/null || { echo "berth: $cmd is missing after the install" >&2; exit 1; }
  done
fi
