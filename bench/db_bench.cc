// The embedded database: durable inserts with 1, 8 and 32 writers, and point reads, next
// to a raw LMDB lookup through index::LmdbIndex (docs/performance.md). The raw
// write+fdatasync baseline is RawWriteFdatasync in wal_bench.cc.
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_options.h"
#include "bench/write_async.h"
#include "docdb/db.h"
#include "engine/operation_metrics.h"
#include "index/lmdb_index.h"
#include "json/validator.h"

namespace docdb {
namespace {

constexpr int kReadSetDocuments = 100'000;

std::filesystem::path BenchDir() {
  const char* dir = std::getenv("DOCDB_BENCH_DIR");
  std::filesystem::path path = dir ? dir : std::filesystem::temp_directory_path() / "docdb-bench";
  std::filesystem::create_directories(path);
  return path;
}

// The options every benchmark starts from (bench/bench_options.h).
Options BenchOptions() { return bench::BenchEngineOptions(); }

// A YCSB-style record: ten fields of 100 bytes, about 1 KiB of JSON.
std::string UserRecord(uint64_t n) {
  std::string doc = "{";
  for (int f = 0; f < 10; ++f) {
    if (f > 0) doc += ',';
    doc += "\"field" + std::to_string(f) + "\":\"";
    doc += std::string(100, static_cast<char>('a' + (n + f) % 26));
    doc += '"';
  }
  return doc + "}";
}

std::string Key(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "user%012llu", static_cast<unsigned long long>(n));
  return buf;
}

// How many WAL records each fdatasync made durable, on average, since `db` was opened.
void ReportRecordsPerSync(benchmark::State& state, DB& db) {
  if (Result<Stats> stats = db.GetStats(); stats.ok() && stats->wal_syncs > 0) {
    state.counters["records_per_sync"] =
        static_cast<double>(stats->last_lsn) / static_cast<double>(stats->wal_syncs);
  }
}

std::unique_ptr<DB> g_db;
std::atomic<uint64_t> g_next_id{0};

class DurableInsert : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State& state) override {
    if (state.thread_index() != 0) return;
    const std::filesystem::path dir = BenchDir() / "db";
    std::filesystem::remove_all(dir);
    Options options = BenchOptions();
    options.durability = Durability::kSync;
    options.io_backend = state.range(0) == 1 ? IoBackend::kPosix : IoBackend::kAuto;
    g_db = std::move(*DB::Open(dir.string(), options));
    g_next_id = 0;
  }
  void TearDown(const benchmark::State& state) override {
    if (state.thread_index() == 0) g_db.reset();
  }
};

BENCHMARK_DEFINE_F(DurableInsert, Documents)(benchmark::State& state) {
  const std::string body = UserRecord(static_cast<uint64_t>(state.thread_index()));
  for (auto _ : state) {
    Result<uint64_t> v = g_db->Insert("default", Key(g_next_id++), body);
    if (!v.ok()) state.SkipWithError(v.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) ReportRecordsPerSync(state, *g_db);
}
BENCHMARK_REGISTER_F(DurableInsert, Documents)
    ->ArgName("posix")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(8)
    ->Threads(32)
    ->UseRealTime();

// Durable inserts through WriteAsync, each thread waiting for its own: the commit
// thread's grouping next to the synchronous path's leader-based group commit
// (DurableInsert/Documents) at the same thread counts.
BENCHMARK_DEFINE_F(DurableInsert, ThroughCommitThread)(benchmark::State& state) {
  const std::string body = UserRecord(static_cast<uint64_t>(state.thread_index()));
  for (auto _ : state) {
    WriteBatch batch;
    batch.Put("default", Key(g_next_id++), body);
    if (!bench::CommitThroughWriteAsync(*g_db, std::move(batch)).ok()) {
      state.SkipWithError("WriteAsync failed");
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) ReportRecordsPerSync(state, *g_db);
}
BENCHMARK_REGISTER_F(DurableInsert, ThroughCommitThread)
    ->ArgName("posix")
    ->Arg(0)
    ->Threads(1)
    ->Threads(8)
    ->Threads(32)
    ->UseRealTime();

// Durable inserts while the first writer also checkpoints every 100 of its inserts: how
// long a checkpoint waits for the writes in flight before it can freeze the overlay
// (docs/recovery.md, "Checkpoint"), reported as checkpoint_max_wait_us.
BENCHMARK_DEFINE_F(DurableInsert, WithCheckpoints)(benchmark::State& state) {
  const std::string body = UserRecord(static_cast<uint64_t>(state.thread_index()));
  uint64_t n = 0;
  for (auto _ : state) {
    Result<uint64_t> v = g_db->Insert("default", Key(g_next_id++), body);
    if (!v.ok()) state.SkipWithError(v.status().ToString().c_str());
    if (state.thread_index() == 0 && ++n % 100 == 0) {
      if (Status s = g_db->Checkpoint(); !s.ok()) state.SkipWithError(s.ToString().c_str());
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    if (Result<Stats> stats = g_db->GetStats(); stats.ok()) {
      state.counters["checkpoints"] = static_cast<double>(stats->checkpoints);
      state.counters["checkpoint_max_wait_us"] = static_cast<double>(stats->checkpoint_max_wait_us);
    }
  }
}
BENCHMARK_REGISTER_F(DurableInsert, WithCheckpoints)
    ->ArgName("posix")
    ->Arg(0)
    ->Threads(32)
    ->UseRealTime();

// One thread keeping `in_flight` durable WriteAsync inserts of 1 KiB in flight: what a
// server's I/O thread gets from the commit thread (docs/architecture.md, "Asynchronous
// writes"). Compare with RawBatchedWriteFdatasync, the disk's batched limit.
void AsyncInsert(benchmark::State& state) {
  const int max_in_flight = static_cast<int>(state.range(0));
  const std::filesystem::path dir = BenchDir() / "db-async";
  std::filesystem::remove_all(dir);
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.string(), BenchOptions()));
  const std::string body = UserRecord(7);
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  bool failed = false;
  uint64_t n = 0;
  for (auto _ : state) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < max_in_flight; });
      ++in_flight;
    }
    WriteBatch batch;
    batch.Put("default", Key(n++), body);
    db->WriteAsync(std::move(batch), [&](Result<uint64_t> v) {
      std::lock_guard<std::mutex> lock(mu);
      failed |= !v.ok();
      --in_flight;
      cv.notify_one();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  if (failed) state.SkipWithError("a WriteAsync failed");
  state.SetItemsProcessed(state.iterations());
  ReportRecordsPerSync(state, *db);
}
BENCHMARK(AsyncInsert)->ArgName("in_flight")->Arg(32)->UseRealTime();

// Relaxed inserts (durability none) of 1 KiB documents from one thread, keys in scrambled
// order as YCSB's load inserts them (an odd multiplier permutes the 64-bit numbers): the
// caller's whole write path (validation, the WAL write to the page cache, the segment
// append, the overlay) with the checkpoints it triggers. Compare with docdb-bench's
// relaxed load against RocksDB.
void RelaxedInsert(benchmark::State& state) {
  const std::filesystem::path dir = BenchDir() / "db-relaxed";
  std::filesystem::remove_all(dir);
  Options options = BenchOptions();
  options.durability = Durability::kNone;
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.string(), options));
  std::vector<std::string> bodies;
  for (uint64_t f = 0; f < 26; ++f) bodies.push_back(UserRecord(f));
  uint64_t n = 0;
  for (auto _ : state) {
    Result<uint64_t> v = db->Insert("default", Key(n * 0x9E3779B97F4A7C15ull), bodies[n % 26]);
    if (!v.ok()) state.SkipWithError(v.status().ToString().c_str());
    ++n;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(RelaxedInsert)->UseRealTime();

// What every write of a 1 KiB document costs before it is logged: validating it and
// writing it minified (json/validator.h), the caller's share of the write path.
void ValidateAndMinify(benchmark::State& state) {
  const std::string body = UserRecord(7);
  for (auto _ : state) {
    Result<std::string> minified = json::ValidateAndMinifyJson(body);
    if (!minified.ok()) state.SkipWithError(minified.status().ToString().c_str());
    benchmark::DoNotOptimize(minified);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(ValidateAndMinify);

// What metrics add to every operation: its Start and Finish (two clock readings, three
// relaxed atomic increments), off and on, from one and two threads at once
// (docs/performance.md, "Metrics").
void OperationMetricsRecord(benchmark::State& state) {
  static engine::OperationMetrics disabled(false);
  static engine::OperationMetrics enabled(true);
  engine::OperationMetrics& metrics = state.range(0) == 1 ? enabled : disabled;
  for (auto _ : state) {
    const auto start = metrics.Start();
    metrics.Finish(engine::Operation::kGet, StatusCode::kOk, start);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(OperationMetricsRecord)->ArgName("enabled")->Arg(0)->Arg(1)->Threads(1)->Threads(2);

// Point reads of 1 KiB documents, all in the index (after a checkpoint), page cache warm.
// Loaded once, kept for every thread count.
std::unique_ptr<DB> g_read_db;

class PointRead : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State& state) override {
    if (state.thread_index() != 0 || g_read_db) return;
    const std::filesystem::path dir = BenchDir() / "db-read";
    std::filesystem::remove_all(dir);
    Options options = BenchOptions();
    options.durability = Durability::kNone;
    g_read_db = std::move(*DB::Open(dir.string(), options));
    for (int i = 0; i < kReadSetDocuments; ++i) {
      if (!g_read_db
               ->Put("default", Key(static_cast<uint64_t>(i)), UserRecord(static_cast<uint64_t>(i)))
               .ok())
        std::abort();
    }
    if (!g_read_db->Checkpoint().ok()) std::abort();
  }
};

BENCHMARK_DEFINE_F(PointRead, Documents)(benchmark::State& state) {
  std::mt19937_64 rng(static_cast<uint64_t>(state.thread_index()) + 1);
  for (auto _ : state) {
    Result<Document> doc = g_read_db->Get("default", Key(rng() % kReadSetDocuments));
    if (!doc.ok()) state.SkipWithError(doc.status().ToString().c_str());
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_REGISTER_F(PointRead, Documents)->Threads(1)->Threads(2)->UseRealTime();

// The floor for a point read: one LMDB lookup of a 28-byte location.
std::unique_ptr<index::LmdbIndex> g_index;

void RawLmdbGet(benchmark::State& state) {
  if (state.thread_index() == 0 && !g_index) {
    const std::filesystem::path dir = BenchDir() / "lmdb";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    g_index = std::move(*index::LmdbIndex::Open(dir.string()));
    std::vector<index::IndexChange> changes;
    for (int i = 0; i < kReadSetDocuments; ++i) {
      changes.push_back({Key(static_cast<uint64_t>(i)),
                         index::DocLocation{1, static_cast<uint64_t>(i), 1024, 1}});
    }
    if (!g_index->ApplyCheckpoint(changes, {}, {}, {1, {}}).ok()) std::abort();
  }
  std::mt19937_64 rng(static_cast<uint64_t>(state.thread_index()) + 1);
  for (auto _ : state) {
    auto loc = g_index->Get(Key(rng() % kReadSetDocuments));
    if (!loc.ok() || !loc->has_value()) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(loc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(RawLmdbGet)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace docdb
