#!/usr/bin/env bash
# DocDB's main job on ./data: installs what is missing, builds the release preset, and
# opens docdbsh on the docdbd serving ./data (socket ./data/docdb.sock). A docdbd already
# serving ./data is used and left running. Otherwise one is started (log:
# ./data/docdbd.log) and shut down gracefully when the shell exits, unless
# DOCDB_KEEP_SERVER=1 asks to leave it running. Arguments go to docdbsh:
# scripts/run.sh -c '.list-dbs'.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target docdbd docdbsh
bin=build/release/tools
shell=("$bin/docdbsh/docdbsh" --socket ./data/docdb.sock)
if "${shell[@]}" -c .pwd >/dev/null 2>&1; then
  echo "run.sh: using the docdbd already serving ./data" >&2
  exec "${shell[@]}" "$@"
fi
mkdir -p -m 700 data
(umask 077 && : >>data/docdbd.log)
"$bin/docdbd/docdbd" --data-dir ./data 2>>data/docdbd.log &
server=$!
if [ "${DOCDB_KEEP_SERVER:-0}" = 1 ]; then
  echo "run.sh: docdbd (pid $server) keeps running after the shell; stop it with kill $server" >&2
else
  trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
fi
# docdbd answers once its default database is open; give it up to 30 s (a long recovery).
for _ in $(seq 300); do
  "${shell[@]}" -c .pwd >/dev/null 2>&1 && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "run.sh: docdbd did not start; the end of data/docdbd.log:" >&2
    tail -5 data/docdbd.log >&2
    exit 1
  fi
  sleep 0.1
done
"${shell[@]}" "$@"
