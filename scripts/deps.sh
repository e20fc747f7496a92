#!/usr/bin/env bash
# Installs berth's build and test dependencies from Debian packages (idempotent).
set -euo pipefail
BUILD_PKGS=(build-essential cmake ninja-build ccache pkg-config
  nlohmann-json3-dev libsqlite3-dev libssl-dev libarchive-dev zlib1g-dev libzstd-dev
  libfmt-dev libgtest-dev libgmock-dev libcurl4-openssl-dev libtomlplusplus-dev libboost-dev)
RUN_PKGS=(busybox-static runc crun golang-github-containers-common netavark aardvark-dns iptables)
TEST_PKGS=(podman docker-registry python3-docker tmux hyperfine wrk uidmap apache2-utils openssl curl python3 libcrypt-dev sqlite3
  clang libclang-rt-14-dev)
want=("${BUILD_PKGS[@]}" "${RUN_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST_PKGS[@]}"); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "berth: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
