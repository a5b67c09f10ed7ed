// Durable WAL appends per second: the group-commit writer with 1, 8 and 32 appending
// threads, next to a plain write+fdatasync loop on the same disk (docs/performance.md).
//
// Set DOCDB_BENCH_DIR to choose the disk (default: the system temp directory). The WAL
// of the last benchmark run is kept there as <dir>/wal so that walinspect can read it.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "bench/bench_options.h"
#include "common/crc32c.h"
#include "io/file_system.h"
#include "io/wal_writer.h"

namespace docdb::io {
namespace {

std::filesystem::path BenchDir() {
  const char* dir = std::getenv("DOCDB_BENCH_DIR");
  std::filesystem::path path = dir ? dir : std::filesystem::temp_directory_path() / "docdb-bench";
  std::filesystem::create_directories(path);
  return path;
}

// Shared by the threads of one run; set up and torn down by thread 0.
std::unique_ptr<FileSystem> g_fs;
std::unique_ptr<WalWriter> g_writer;

class WalAppend : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State& state) override {
    if (state.thread_index() != 0) return;
    const std::filesystem::path wal = BenchDir() / "wal";
    std::filesystem::remove_all(wal);
    g_fs = std::move(*NewFileSystem(state.range(1) == 1 ? IoBackend::kPosix : IoBackend::kAuto));
    WalWriterOptions options;
    options.sync_mode = state.range(2) == 1 ? WalSyncMode::kNone : WalSyncMode::kSync;
    options.direct_io = bench::EnvSwitch("DOCDB_BENCH_WAL_DIRECT_IO");
    Result<std::unique_ptr<WalWriter>> writer = WalWriter::Open(g_fs.get(), wal.string(), options);
    if (!writer.ok()) std::abort();
    g_writer = std::move(*writer);
  }

  void TearDown(const benchmark::State& state) override {
    if (state.thread_index() != 0) return;
    if (!g_writer->Close().ok()) std::abort();
    g_writer.reset();
    g_fs.reset();
  }
};

// Args: payload bytes, backend (0 auto, 1 posix), durability (0 sync, 1 none).
BENCHMARK_DEFINE_F(WalAppend, Records)(benchmark::State& state) {
  const std::string payload(static_cast<size_t>(state.range(0)), 'd');
  for (auto _ : state) {
    Result<uint64_t> lsn = g_writer->Append(WalRecordType::kPut, payload);
    if (!lsn.ok()) state.SkipWithError(lsn.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
  if (state.thread_index() == 0) {
    const WalWriterStats stats = g_writer->stats();
    state.counters["records_per_sync"] = static_cast<double>(stats.records) /
                                         static_cast<double>(std::max<uint64_t>(stats.syncs, 1));
  }
}
BENCHMARK_REGISTER_F(WalAppend, Records)
    ->ArgNames({"bytes", "posix", "nosync"})
    ->Args({512, 0, 0})
    ->Threads(1)
    ->Threads(8)
    ->Threads(32)
    ->UseRealTime();
BENCHMARK_REGISTER_F(WalAppend, Records)
    ->ArgNames({"bytes", "posix", "nosync"})
    ->Args({512, 1, 0})
    ->Args({4096, 0, 0})
    ->Threads(1)
    ->Threads(32)
    ->UseRealTime();
BENCHMARK_REGISTER_F(WalAppend, Records)
    ->ArgNames({"bytes", "posix", "nosync"})
    ->Args({512, 0, 1})
    ->Args({512, 1, 1})
    ->Threads(1)
    ->UseRealTime();

// The baseline: one pwrite + fdatasync per record, appending (the file grows, so every
// sync also writes the size) or overwriting preallocated space.
void RawWriteFdatasync(benchmark::State& state) {
  const bool preallocate = state.range(1) == 1;
  const std::string path = (BenchDir() / "raw-fdatasync.dat").string();
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  if (preallocate && ::fallocate(fd, 0, 0, 256 << 20) != 0) std::abort();
  ::fsync(fd);
  const std::string payload(static_cast<size_t>(state.range(0)), 'r');
  off_t offset = 0;
  for (auto _ : state) {
    if (::pwrite(fd, payload.data(), payload.size(), offset) !=
            static_cast<ssize_t>(payload.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("write or fdatasync failed");
      break;
    }
    offset += static_cast<off_t>(payload.size());
  }
  ::close(fd);
  ::unlink(path.c_str());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(RawWriteFdatasync)
    ->ArgNames({"bytes", "prealloc"})
    ->Args({512, 0})
    ->Args({512, 1})
    ->Args({1024, 0})
    ->Args({1024, 1})
    ->UseRealTime();

// The disk's batched limit: 32 records of 1 KiB written with one pwrite and made durable
// with one fdatasync, as a group commit of 32 writers at best would. Items are records.
void RawBatchedWriteFdatasync(benchmark::State& state) {
  constexpr size_t kRecords = 32;
  constexpr size_t kRecordBytes = 1024;
  const bool preallocate = state.range(0) == 1;
  const std::string path = (BenchDir() / "raw-batched-fdatasync.dat").string();
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  if (preallocate && ::fallocate(fd, 0, 0, 1ll << 30) != 0) std::abort();
  ::fsync(fd);
  const std::string group(kRecords * kRecordBytes, 'g');
  off_t offset = 0;
  for (auto _ : state) {
    if (::pwrite(fd, group.data(), group.size(), offset) != static_cast<ssize_t>(group.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("write or fdatasync failed");
      break;
    }
    offset = (offset + static_cast<off_t>(group.size())) % (1ll << 30);
  }
  ::close(fd);
  ::unlink(path.c_str());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRecords));
}
BENCHMARK(RawBatchedWriteFdatasync)->ArgName("prealloc")->Arg(0)->Arg(1)->UseRealTime();

// Whether fdatasyncs of one file overlap: each thread writes 16 KiB (a group commit of
// ~13 1 KiB records) at its own offsets of one preallocated file and fdatasyncs it. If
// the device completes overlapping flushes together, syncs per second grow with threads,
// and a WAL that lets a second group's sync start before the first one's ends would too.
int g_concurrent_fd = -1;
std::atomic<int64_t> g_concurrent_slot{0};

void ConcurrentFdatasync(benchmark::State& state) {
  const std::string path = (BenchDir() / "concurrent-fdatasync.dat").string();
  if (state.thread_index() == 0) {
    ::unlink(path.c_str());
    g_concurrent_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (g_concurrent_fd < 0 || ::fallocate(g_concurrent_fd, 0, 0, 1ll << 30) != 0) std::abort();
    ::fsync(g_concurrent_fd);
    g_concurrent_slot = 0;
  }
  const std::string payload(16 << 10, 'c');
  for (auto _ : state) {
    // Past 1 GiB the slots wrap around: overwriting is as good for this measurement.
    const off_t offset = static_cast<off_t>((g_concurrent_slot++ % 65536) * payload.size());
    if (::pwrite(g_concurrent_fd, payload.data(), payload.size(), offset) !=
            static_cast<ssize_t>(payload.size()) ||
        ::fdatasync(g_concurrent_fd) != 0) {
      state.SkipWithError("write or fdatasync failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    // Every thread has left its loop here: Google Benchmark waits for all of them.
    ::close(g_concurrent_fd);
    ::unlink(path.c_str());
  }
}
BENCHMARK(ConcurrentFdatasync)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// The checksum over every record written and read (common/crc32c.h): a small WAL record,
// the WAL record of a 1 KiB document, a 4 KiB block; the instruction (portable:0) and the
// table it falls back to (portable:1).
void Crc32c(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + 1);
  const bool portable = state.range(1) == 1;
  for (auto _ : state) {
    const uint32_t crc =
        portable ? crc32c::ExtendPortable(0, data.data(), data.size()) : crc32c::Value(data);
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(Crc32c)->ArgNames({"bytes", "portable"})->ArgsProduct({{100, 1176, 4096}, {0, 1}});

}  // namespace
}  // namespace docdb::io
