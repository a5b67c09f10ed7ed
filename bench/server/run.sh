#!/usr/bin/env bash
# The server benchmark (bench/server/README.md): docdbd next to Redis and PostgreSQL 15,
# each started in turn on temporary directories and a Unix socket, all durable (docdbd
# durability sync, Redis appendfsync always, PostgreSQL synchronous_commit and fsync on),
# 1 KiB values, 100,000 keys, one request in flight per connection. Measures durable
# puts at 1 and 32 connections, point gets at 32 and 1, and puts at 32 connections with
# 8 in flight each (docdbd and Redis only), then prints one table of ops/s and ratios.
# Raw outputs and server logs go to --out DIR. Runs as root (PostgreSQL then runs as the
# `postgres` user) or as an ordinary user. Exit code 0 when every run succeeded.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/server/run.sh [--seconds S] [--out DIR] [--tmp-dir DIR]
  --seconds S   length of each measured run (default 10)
  --out DIR     where raw outputs, logs and the table go (default: a new temporary dir)
  --tmp-dir DIR where the servers' data and sockets live, removed after (default $TMPDIR
                or /tmp); it must be a real disk for fsync to mean anything
EOF
}

run_seconds=10
out_dir=""
tmp_base="${TMPDIR:-/tmp}"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) run_seconds="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --tmp-dir) tmp_base="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$run_seconds" in
  ''|*[!0-9]*|0) echo "run.sh: --seconds takes a positive whole number" >&2; exit 2 ;;
esac

readonly records=100000
readonly value_bytes=1024
readonly pg_bin=/usr/lib/postgresql/15/bin
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

scripts/install-deps.sh --bench-servers
[ -f build/release/build.ninja ] || cmake --preset release >/dev/null
# Always through the build tool: a no-op when up to date, and never a stale binary.
cmake --build build/release --target docdbd docdb-load
docdbd_bin="$root/build/release/tools/docdbd/docdbd"
load_bin="$root/build/release/bench/server/docdb-load"

if [ -z "$out_dir" ]; then
  out_dir="$(mktemp -d "$tmp_base/docdb-server-bench-results.XXXXXX")"
fi
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
work="$(mktemp -d "$tmp_base/docdb-server-bench.XXXXXX")"
if [ "$(stat -f -c %T "$work")" = tmpfs ]; then
  echo "run.sh: warning: $work is on tmpfs, where fsync costs nothing; use --tmp-dir" >&2
fi

docdbd_pid=""
redis_pid=""
pg_data=""
# PostgreSQL refuses to run as root: then its programs run as the package's user.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi

# Sends SIGTERM to a server this script started and waits for it; SIGKILL after 60 s.
stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  set +e
  [ -n "$docdbd_pid" ] && stop_pid "$docdbd_pid"
  [ -n "$redis_pid" ] && stop_pid "$redis_pid"
  [ -n "$pg_data" ] && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until `check` succeeds, failing when the server process `pid` dies or 60 s pass.
wait_until_ready() {
  local name="$1" pid="$2"
  shift 2
  for _ in $(seq 600); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: $name exited during startup; see $out_dir/$name.log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "run.sh: $name not ready after 60 s; see $out_dir/$name.log" >&2
  return 1
}

declare -A result  # "<server> <row>" -> ops/s
note() { printf '== %s\n' "$*" >&2; }

document="$("$load_bin" --print-document --value-bytes "$value_bytes")"

# ---- docdbd ----------------------------------------------------------------------------
# One docdb-load run; its JSON goes to the results, its "run" ops/s to the table.
docdb_run() {
  local row="$1" file="$2"
  shift 2
  note "docdbd: $row"
  local rc=0
  "$load_bin" --socket "$work/docdb.sock" --records "$records" --value-bytes "$value_bytes" \
    --seconds "$run_seconds" --json "$@" >"$out_dir/$file.json" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "run.sh: docdb-load failed (exit $rc) in docdbd $row; see $out_dir/$file.json" >&2
    exit 1
  fi
  # The last ops_per_s is the measured run's (a --load phase comes before it).
  result["docdbd $row"]="$(grep -o '"ops_per_s":[0-9.eE+-]*' "$out_dir/$file.json" | tail -1 |
    cut -d: -f2)"
}

bench_docdbd() {
  # DOCDB_BENCH_METRICS=false measures docdbd without operation metrics (their cost).
  "$docdbd_bin" --data-dir "$work/docdb" --socket "$work/docdb.sock" \
    --set engine.durability=sync --set server.metrics_listen=127.0.0.1:0 \
    --set "engine.metrics_enabled=${DOCDB_BENCH_METRICS:-true}" 2>"$out_dir/docdbd.log" &
  docdbd_pid=$!
  wait_until_ready docdbd "$docdbd_pid" test -S "$work/docdb.sock"
  docdb_run "put 1" docdbd-put-c1 --workload put --connections 1
  docdb_run "put 32" docdbd-put-c32 --workload put --connections 32
  docdb_run "get 32" docdbd-get-c32 --workload get --connections 32 --load
  docdb_run "get 1" docdbd-get-c1 --workload get --connections 1
  docdb_run "put 32 P8" docdbd-put-c32-p8 --workload put --connections 32 --pipeline 8
  stop_pid "$docdbd_pid"
  docdbd_pid=""
}

# ---- Redis -----------------------------------------------------------------------------
redis_rps() { tail -1 "$1" | cut -d, -f2 | tr -d '"'; }

# redis-benchmark takes a request count, not a duration: a short calibration run at the
# same settings sizes the measured one to about --seconds.
redis_run() {
  local row="$1" file="$2" test="$3" clients="$4" pipeline="$5"
  local args=(-s "$work/redis.sock" -t "$test" -d "$value_bytes" -c "$clients" -P "$pipeline"
    -r "$records" --csv -q)
  note "redis: $row"
  local calibration=$((clients * pipeline * 100))
  [ "$calibration" -ge 2000 ] || calibration=2000
  redis-benchmark "${args[@]}" -n "$calibration" >"$out_dir/$file.calibration.csv"
  local rps n
  rps="$(redis_rps "$out_dir/$file.calibration.csv")"
  n="$(awk -v r="$rps" -v s="$run_seconds" -v m="$calibration" \
    'BEGIN { n = int(r * s); print (n > m ? n : m) }')"
  redis-benchmark "${args[@]}" -n "$n" >"$out_dir/$file.csv"
  result["redis $row"]="$(redis_rps "$out_dir/$file.csv")"
}

# Sets every key redis-benchmark's gets choose from (key:000000000000 .. records-1) to
# the same 1 KiB document, in one pipelined stream.
redis_load() {
  note "redis: load $records keys"
  awk -v n="$records" -v doc="$document" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = sprintf("key:%012d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(doc), doc
    }
  }' | redis-cli -s "$work/redis.sock" --pipe >"$out_dir/redis-load.txt"
  grep -q 'errors: 0, replies: '"$records" "$out_dir/redis-load.txt" || {
    echo "run.sh: loading Redis failed; see $out_dir/redis-load.txt" >&2
    exit 1
  }
}

bench_redis() {
  mkdir "$work/redis"
  redis-server --port 0 --unixsocket "$work/redis.sock" --unixsocketperm 700 \
    --dir "$work/redis" --appendonly yes --appendfsync always --save '' \
    --daemonize no >"$out_dir/redis.log" 2>&1 &
  redis_pid=$!
  wait_until_ready redis "$redis_pid" redis-cli -s "$work/redis.sock" ping
  redis_run "put 1" redis-set-c1 set 1 1
  redis_run "put 32" redis-set-c32 set 32 1
  redis_load
  redis_run "get 32" redis-get-c32 get 32 1
  redis_run "get 1" redis-get-c1 get 1 1
  redis_run "put 32 P8" redis-set-c32-p8 set 32 8
  stop_pid "$redis_pid"
  redis_pid=""
}

# ---- PostgreSQL ------------------------------------------------------------------------
pg_sql() { "${as_pg[@]}" "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_dir" -U postgres -d postgres "$@"; }

pg_run() {
  local row="$1" file="$2" script="$3" clients="$4"
  local threads=$((clients < 2 ? clients : 2))
  note "postgresql: $row"
  "${as_pg[@]}" "$pg_bin/pgbench" -M prepared -n -h "$pg_dir" -U postgres -c "$clients" \
    -j "$threads" -T "$run_seconds" -f "$pg_dir/$script" postgres >"$out_dir/$file.txt" 2>&1
  result["postgresql $row"]="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out_dir/$file.txt")"
}

bench_postgresql() {
  pg_dir="$work/pg"
  mkdir "$pg_dir"
  if [ "$(id -u)" -eq 0 ]; then
    # The postgres user must reach its directory inside this root-owned one.
    chmod 711 "$work"
    chown postgres: "$pg_dir"
  fi
  # A working directory the postgres user can read (the clone may be under /root).
  cd "$pg_dir"
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C \
    --no-sync >"$out_dir/postgresql-initdb.log" 2>&1
  pg_data="$pg_dir/data"
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_dir/server.log" -w start -o \
    "-c listen_addresses='' -c unix_socket_directories='$pg_dir' -c synchronous_commit=on -c fsync=on" \
    >/dev/null
  # Keys 'user' + 12 digits, 0 .. records-1, like docdb-load's.
  local key="'user' || lpad(:k::text, 12, '0')"
  printf '%s\n' "\\set k random(0, $((records - 1)))" \
    "INSERT INTO kv VALUES ($key, '$document') ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;" \
    | "${as_pg[@]}" tee "$pg_dir/upsert.sql" >/dev/null
  printf '%s\n' "\\set k random(0, $((records - 1)))" "SELECT doc FROM kv WHERE id = $key;" \
    | "${as_pg[@]}" tee "$pg_dir/select.sql" >/dev/null
  pg_sql -c "CREATE TABLE kv (id text PRIMARY KEY, doc jsonb)"
  pg_run "put 1" postgresql-upsert-c1 upsert.sql 1
  pg_run "put 32" postgresql-upsert-c32 upsert.sql 32
  note "postgresql: load $records rows"
  pg_sql -c "INSERT INTO kv SELECT 'user' || lpad(g::text, 12, '0'), '$document'::jsonb
             FROM generate_series(0, $((records - 1))) g
             ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc" \
    -c "VACUUM ANALYZE kv" >"$out_dir/postgresql-load.txt"
  pg_run "get 32" postgresql-select-c32 select.sql 32
  pg_run "get 1" postgresql-select-c1 select.sql 1
  cp "$pg_dir/server.log" "$out_dir/postgresql.log"
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null
  pg_data=""
  cd "$root"
}

# ---- the table -------------------------------------------------------------------------
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-";
                                   else printf "%.2f\n", a / b }'
}
ops() { [ -n "$1" ] && printf '%.0f' "$1" || printf '%s' "-"; }

print_table() {
  printf '%-22s %5s %12s %12s %12s %9s %9s\n' workload conns docdbd redis postgresql \
    docdbd/redis docdbd/pg
  local spec row label conns
  for spec in "put 1|durable put|1" "put 32|durable put|32" "get 32|point get|32" \
    "get 1|point get|1" "put 32 P8|durable put, pipeline 8|32"; do
    IFS='|' read -r row label conns <<<"$spec"
    local d="${result["docdbd $row"]:-}" r="${result["redis $row"]:-}"
    local p="${result["postgresql $row"]:-}"
    printf '%-22s %5s %12s %12s %12s %9s %9s\n' "$label" "$conns" "$(ops "$d")" "$(ops "$r")" \
      "$(ops "$p")" "$(ratio "$d" "$r")" "$(ratio "$d" "$p")"
  done
}

{
  echo "run.sh --seconds $run_seconds, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit" \
    "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "$(nproc) CPUs, $(uname -r), data on $(df -P "$work" | awk 'NR == 2 { print $1 }')"
  "$docdbd_bin" --version
  redis-server --version
  "$pg_bin/postgres" --version
} >"$out_dir/environment.txt"

bench_docdbd
bench_redis
bench_postgresql

echo
echo "ops/s; $value_bytes-byte values, $records keys, ${run_seconds} s per run, one request" \
  "in flight per connection unless pipelined; every write durable before its reply"
print_table | tee "$out_dir/table.txt"
echo "raw outputs: $out_dir"
