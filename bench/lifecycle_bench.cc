// The lifecycle of a database's files (docs/lifecycle.md): reopen time after 10x, 20x
// and 40x the checkpoint interval of writes (flat with automatic checkpoints, growing
// without them), the write latency while checkpoints run, compaction throughput, and
// the directory's size after about 1 GB of overwrites.
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "docdb/db.h"

namespace docdb {
namespace {

constexpr uint64_t kCheckpointInterval = 4ull << 20;

std::filesystem::path FreshDir(const std::string& name) {
  const char* root = std::getenv("DOCDB_BENCH_DIR");
  std::filesystem::path path =
      std::filesystem::path(root ? root : std::filesystem::temp_directory_path().string()) /
      ("docdb-lifecycle-" + name);
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

// About 1 KiB of JSON.
std::string Record(uint64_t n) {
  return R"({"n":)" + std::to_string(n) + R"(,"pad":")" +
         std::string(1000, static_cast<char>('a' + n % 26)) + "\"}";
}

std::string Id(uint64_t n) { return "doc" + std::to_string(n % 10'000); }

template <typename Duration>
double Seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

// Reopen time after range(0) checkpoint intervals of overwrites, with automatic
// checkpoints (range(1) = 1) or without (0). The database closes without a checkpoint,
// so that each open replays what followed the last automatic one.
void BM_ReopenAfterIntervals(benchmark::State& state) {
  const auto intervals = static_cast<uint64_t>(state.range(0));
  const bool automatic = state.range(1) == 1;
  const std::filesystem::path dir = FreshDir("reopen");
  Options options;
  options.durability = Durability::kNone;  // the figure is the reopen, not the load
  options.checkpoint_interval_bytes = kCheckpointInterval;
  options.checkpoint_auto = automatic;
  options.checkpoint_on_close = false;
  {
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.string(), options));
    const uint64_t records = intervals * kCheckpointInterval / 1024;
    for (uint64_t n = 0; n < records; ++n) {
      if (!db->Put("default", Id(n), Record(n)).ok()) state.SkipWithError("put failed");
    }
  }
  uint64_t replayed = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Result<std::unique_ptr<DB>> db = DB::Open(dir.string(), options);
    state.SetIterationTime(Seconds(std::chrono::steady_clock::now() - start));
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      break;
    }
    replayed = (*db)->GetStats()->recovery.records_replayed;
  }
  state.counters["records_replayed"] = static_cast<double>(replayed);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ReopenAfterIntervals)
    ->ArgsProduct({{10, 20, 40}, {1, 0}})
    ->ArgNames({"intervals", "auto_checkpoint"})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

// Durable 1 KiB puts from one thread over ten thousand documents while another thread
// checkpoints after every 4 MiB written: the latencies of the writes that overlapped a
// checkpoint and of those that did not. (The disk of a shared machine stalls now and
// then whatever runs: compare the two sets, not a maximum with nothing.)
void BM_WriteLatencyDuringCheckpoints(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  const std::filesystem::path dir = FreshDir("checkpoint-latency");
  Options options;
  options.checkpoint_auto = false;  // the thread below checkpoints, and notes when
  options.compaction_auto = false;
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.string(), options));
  struct Write {
    Clock::time_point start;
    double us;
  };
  std::vector<Write> writes;
  std::vector<std::pair<Clock::time_point, Clock::time_point>> checkpoints;
  std::mutex mu;
  std::condition_variable cv;
  uint64_t written = 0;
  bool done = false;
  std::thread checkpointer([&] {
    uint64_t next = kCheckpointInterval;
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return done || written >= next; });
      if (done) return;
      next = written + kCheckpointInterval;
      lock.unlock();
      const Clock::time_point start = Clock::now();
      if (!db->Checkpoint().ok()) std::abort();
      const Clock::time_point end = Clock::now();
      lock.lock();
      checkpoints.emplace_back(start, end);
    }
  });
  uint64_t n = 0;
  for (auto _ : state) {
    const std::string body = Record(n);
    const Clock::time_point start = Clock::now();
    if (!db->Put("default", Id(n), body).ok()) state.SkipWithError("put failed");
    writes.push_back({start, Seconds(Clock::now() - start) * 1e6});
    ++n;
    {
      std::lock_guard<std::mutex> lock(mu);
      written += body.size();
    }
    cv.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_one();
  checkpointer.join();
  std::vector<double> during, outside;
  for (const Write& w : writes) {
    const auto end = w.start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double, std::micro>(w.us));
    const bool overlaps = std::any_of(checkpoints.begin(), checkpoints.end(), [&](const auto& c) {
      return w.start < c.second && end > c.first;
    });
    (overlaps ? during : outside).push_back(w.us);
  }
  const auto at = [](std::vector<double>& v, double q) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
  };
  state.counters["checkpoints"] = static_cast<double>(checkpoints.size());
  state.counters["during_writes"] = static_cast<double>(during.size());
  state.counters["during_p50_us"] = at(during, 0.50);
  state.counters["during_p99_us"] = at(during, 0.99);
  state.counters["during_max_us"] = at(during, 1.0);
  state.counters["outside_p50_us"] = at(outside, 0.50);
  state.counters["outside_p99_us"] = at(outside, 0.99);
  state.counters["outside_max_us"] = at(outside, 1.0);
  state.counters["checkpoint_max_wait_us"] =
      static_cast<double>(db->GetStats()->checkpoint_max_wait_us);
  db.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WriteLatencyDuringCheckpoints)->Iterations(40'000)->Unit(benchmark::kMicrosecond);

// Compact() of range(0) MiB of segments in which every other record is dead: the live
// bytes copied per second and the segment bytes reclaimed per second.
void BM_Compact(benchmark::State& state) {
  const uint64_t bytes = static_cast<uint64_t>(state.range(0)) << 20;
  Options options;
  options.durability = Durability::kNone;
  options.checkpoint_auto = false;
  options.compaction_auto = false;
  options.data_segment_size_bytes = 64ull << 20;
  uint64_t copied = 0;
  uint64_t reclaimed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::filesystem::path dir = FreshDir("compact");
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.string(), options));
    const uint64_t docs = bytes / 1024 / 2;
    for (uint64_t round = 0; round < 2; ++round) {
      for (uint64_t d = 0; d < docs; ++d) {
        // The second round overwrites the odd documents only: half of the first round's
        // records go dead, interleaved with live ones.
        if (round == 1 && d % 2 == 0) continue;
        if (!db->Put("default", "doc" + std::to_string(d), Record(d + round)).ok()) {
          state.SkipWithError("put failed");
        }
      }
    }
    if (!db->Checkpoint().ok()) state.SkipWithError("checkpoint failed");
    const Stats before = *db->GetStats();
    state.ResumeTiming();
    if (!db->Compact().ok()) state.SkipWithError("compact failed");
    state.PauseTiming();
    const Stats after = *db->GetStats();
    copied += after.compaction_bytes_copied - before.compaction_bytes_copied;
    reclaimed += after.compaction_bytes_reclaimed - before.compaction_bytes_reclaimed;
    db.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["copied_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(copied), benchmark::Counter::kIsRate);
  state.counters["reclaimed_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(reclaimed), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Compact)->Arg(256)->Unit(benchmark::kMillisecond)->Iterations(3);

// The bytes allocated in the database directory (blocks, not file sizes).
uint64_t AllocatedBytes(const std::filesystem::path& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (entry.is_regular_file() && ::stat(entry.path().c_str(), &st) == 0) {
      bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  return bytes;
}

// The bounded-disk run (tests/engine/db_bounded_disk_test.cc states the bound): 1,000
// documents of 1 KiB overwritten 1,000 times with the default options, then Checkpoint,
// Compact, Checkpoint. Counters: the directory's size at the end and at its largest while
// writing (sampled every 100 rounds), and the write rate.
void BM_OverwriteFootprint(benchmark::State& state) {
  constexpr int kDocs = 1000;
  constexpr int kRounds = 1000;
  constexpr int kBatch = 250;
  uint64_t final_bytes = 0;
  uint64_t peak_bytes = 0;
  for (auto _ : state) {
    const std::filesystem::path dir = FreshDir("footprint");
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.string()));
    for (int round = 0; round < kRounds; ++round) {
      for (int first = 0; first < kDocs; first += kBatch) {
        WriteBatch batch;
        for (int d = first; d < first + kBatch; ++d) {
          batch.Put("default", "doc" + std::to_string(d), Record(static_cast<uint64_t>(round)));
        }
        if (!db->Write(batch).ok()) state.SkipWithError("write failed");
      }
      if (round % 100 == 99) peak_bytes = std::max(peak_bytes, AllocatedBytes(dir));
    }
    if (!db->Checkpoint().ok() || !db->Compact().ok() || !db->Checkpoint().ok()) {
      state.SkipWithError("checkpoint or compaction failed");
    }
    final_bytes = AllocatedBytes(dir);
    db.reset();
    std::filesystem::remove_all(dir);
  }
  state.counters["final_MiB"] = static_cast<double>(final_bytes) / (1 << 20);
  state.counters["peak_MiB"] = static_cast<double>(peak_bytes) / (1 << 20);
  state.counters["documents_per_second"] = benchmark::Counter(
      static_cast<double>(kDocs) * kRounds * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OverwriteFootprint)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace docdb
