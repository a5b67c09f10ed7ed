#!/usr/bin/env bash
# Checks docdbd's systemd unit (packaging/docdbd.service.in) with systemd-analyze verify,
# pointed at the docdbd just built. Exit code 77 (skipped) where systemd-analyze is missing.
set -euo pipefail
unit_in=$1
docdbd=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -e "s|@DOCDBD_PATH@|$docdbd|" -e "s|@DOCDB_DOC_PATH@|$work|" "$unit_in" >"$work/docdbd.service"
grep -q '^Type=notify$' "$work/docdbd.service"
systemd-analyze verify "$work/docdbd.service"
