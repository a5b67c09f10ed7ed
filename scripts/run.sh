#!/usr/bin/env bash
# DocDB's main job, end to end, on ./data: installs what is missing, builds the release
# preset, runs the embedded engine (durable inserts with 1, 8 and 32 writers, point reads)
# and the WAL group-commit benchmarks next to a plain write+fdatasync loop, then reads the
# database's WAL back offline with walinspect. (The server and shell will take over this
# command once they exist.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target microbench walinspect
mkdir -p data
DOCDB_BENCH_DIR="$PWD/data" build/release/bench/microbench \
  --benchmark_filter='DurableInsert|PointRead|RawLmdbGet|RawWriteFdatasync' \
  --benchmark_min_time=0.5
build/release/tools/walinspect/walinspect verify data/db/wal
build/release/tools/walinspect/walinspect stats data/db/wal
