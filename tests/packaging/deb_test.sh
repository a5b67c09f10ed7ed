#!/usr/bin/env bash
# Builds the Debian package from a build directory (cmake/DocdbPackage.cmake) and checks
# it: its file list, dependencies computed from the programs' libraries, and that the
# docdbsh it holds runs. Arguments: the build directory. Exit code 77 (skipped) where
# dpkg-deb or dpkg-shlibdeps is missing.
set -euo pipefail
build_dir=$1
for tool in dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || {
  cat "$work/cpack.log" >&2
  exit 1
}
deb=$(ls "$work"/out/docdb_*.deb)
dpkg-deb -c "$deb" | awk '{print $NF}' >"$work/files"
for f in ./usr/bin/docdbd ./usr/bin/docdbsh ./usr/bin/docdbctl ./usr/bin/walinspect \
         ./usr/lib/systemd/system/docdbd.service \
         ./usr/share/bash-completion/completions/docdbctl \
         ./usr/share/doc/docdb/lifecycle.md ./usr/include/docdb/db.h \
         ./usr/lib/cmake/docdb/docdbConfig.cmake ./usr/lib/pkgconfig/docdb.pc \
         ./usr/share/man/man1/docdbctl.1 ./usr/share/man/man1/walinspect.1; do
  grep -qxF "$f" "$work/files" || { echo "not in the package: $f" >&2; exit 1; }
done
# Nothing of the build or the tests leaks in.
if grep -E 'test|/tmp/|build/' "$work/files" | grep -v '/doc/' >&2; then
  echo "unexpected files in the package" >&2
  exit 1
fi
depends=$(dpkg-deb -f "$deb" Depends)
for lib in liblmdb0 liburing2 libsystemd0 libedit2; do
  grep -q "$lib" <<<"$depends" || { echo "Depends lacks $lib: $depends" >&2; exit 1; }
done
dpkg-deb -x "$deb" "$work/root"
# The manual pages come from the programs' own --help: every subcommand is there.
man1="$work/root/usr/share/man/man1"
grep -q '^\.SH NAME' "$man1/docdbctl.1" || { echo "docdbctl.1 has no NAME" >&2; exit 1; }
for sub in verify backup 'rebuild\\-index' 'heal\\-stats'; do
  grep -q "^$sub" "$man1/docdbctl.1" || { echo "docdbctl.1 lacks $sub" >&2; exit 1; }
done
"$work/root/usr/bin/docdbsh" --data-dir "$work/data" -c '.put a {"packaged": true}' \
  -c '.get a' | grep -q '"packaged":true'
echo "$(basename "$deb"): $(wc -l <"$work/files") entries; Depends: $depends"
