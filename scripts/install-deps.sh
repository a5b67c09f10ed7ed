#!/usr/bin/env bash
# Installs, from Debian 12's archive, every package DocDB builds and tests with; does
# nothing when all are present. Needs root (or sudo) only when installing.
# --bench-servers also installs Redis and PostgreSQL for bench/server/run.sh. Tests and
# benchmarks start every server they use (Prometheus, Redis, PostgreSQL) themselves on
# temporary directories, so apt is told never to start a package's service (a
# policy-rc.d that refuses every start while packages install).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3
  clang libclang-rt-14-dev clang-format clang-tidy
  liburing-dev liblmdb-dev rapidjson-dev libcli11-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev libsystemd-dev libedit-dev libspdlog-dev help2man prometheus
  librocksdb-dev libwiredtiger-dev libleveldb-dev libsqlite3-dev
)
if [ "${1:-}" = "--bench-servers" ]; then
  packages+=(redis-server redis-tools postgresql-15)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  # Exit code 101 means "action forbidden" to invoke-rc.d: no service starts.
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
