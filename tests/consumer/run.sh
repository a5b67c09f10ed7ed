#!/usr/bin/env bash
# Installs the DocDB build tree into a temporary prefix, checks the programs, the
# service unit and the documentation are there (and that the installed docdbsh runs),
# then builds tests/consumer against it twice, through the CMake package and through
# pkg-config, and runs both.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
# The programs, the service unit and the documentation are installed too, and run.
for f in bin/docdbd bin/docdbsh bin/docdbctl bin/walinspect lib/systemd/system/docdbd.service \
         share/bash-completion/completions/docdbctl share/bash-completion/completions/docdbsh \
         share/doc/docdb/server.md share/doc/docdb/shell.md share/doc/docdb/lifecycle.md; do
  [ -e "$work/prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
"$work/prefix/bin/docdbsh" --data-dir "$work/shell-data" -c '.put a {"installed": true}' \
  -c '.get a' | grep -q '"installed":true'
cmake -S "$source_dir" -B "$work/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
"$work/cmake-build/consumer" "$work/db-cmake"

PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name docdb.pc)")
export PKG_CONFIG_PATH
# shellcheck disable=SC2046
c++ -o "$work/pc-consumer" "$source_dir/main.cc" $(pkg-config --cflags --libs docdb)
"$work/pc-consumer" "$work/db-pkgconfig"
