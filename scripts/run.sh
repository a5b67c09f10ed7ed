#!/usr/bin/env bash
# DocDB's main job on ./data: installs what is missing, builds the release preset, starts
# docdbd on ./data (socket ./data/docdb.sock, log ./data/docdbd.log) and opens docdbsh on
# it. Arguments go to docdbsh (scripts/run.sh -c '.list-dbs'). When the shell exits,
# docdbd shuts down gracefully (docs/server.md, "Shutdown").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target docdbd docdbsh
bin=build/release/tools
mkdir -p -m 700 data
(umask 077 && : >>data/docdbd.log)
"$bin/docdbd/docdbd" --data-dir ./data 2>>data/docdbd.log &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
# docdbd answers once its default database is open; give it up to 30 s (a long recovery).
for _ in $(seq 300); do
  "$bin/docdbsh/docdbsh" -c .pwd >/dev/null 2>&1 && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "run.sh: docdbd did not start; the end of data/docdbd.log:" >&2
    tail -5 data/docdbd.log >&2
    exit 1
  fi
  sleep 0.1
done
"$bin/docdbsh/docdbsh" "$@"
