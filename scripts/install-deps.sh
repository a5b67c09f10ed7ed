#!/usr/bin/env bash
# Installs, from Debian 12's archive, every package DocDB builds, tests and benchmarks
# with; does nothing when all are present. Needs root (or sudo) only when installing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev clang-format clang-tidy
  liburing-dev liblmdb-dev rapidjson-dev libcli11-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev libsystemd-dev libedit-dev
  librocksdb-dev libwiredtiger-dev libleveldb-dev libsqlite3-dev
  redis-server postgresql-15
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
