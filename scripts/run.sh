#!/usr/bin/env bash
# DocDB's main job, end to end, on ./data: installs what is missing, builds the release
# preset, appends durable records to a WAL in ./data/wal through the group-commit writer
# (1, 8 and 32 concurrent appenders, next to a plain write+fdatasync loop), then reads
# the log back offline with walinspect.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
mkdir -p data
DOCDB_BENCH_DIR="$PWD/data" build/release/bench/microbench \
  --benchmark_filter='WalAppend/Records/bytes:512/posix:0/nosync:0|RawWriteFdatasync' \
  --benchmark_min_time=0.5
build/release/tools/walinspect/walinspect verify data/wal
build/release/tools/walinspect/walinspect stats data/wal
