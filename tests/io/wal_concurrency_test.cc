// Many threads appending at once: group commit must give every record one unique LSN,
// keep the sequence dense, and leave every record readable after reopen.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "io/wal_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wal_log.h"

namespace docdb::io {
namespace {

using testing::ReadWal;
using testing::TestPayload;

void AppendFromThreads(WalWriter* w, int threads, int per_thread,
                       std::vector<std::vector<uint64_t>>* lsns) {
  lsns->assign(threads, {});
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        Result<uint64_t> lsn = w->Append(WalRecordType::kPut, TestPayload(t, i, 32 + (i % 7) * 50));
        ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
        (*lsns)[t].push_back(*lsn);
        if (i % 50 == 49) {
          ASSERT_TRUE(w->Sync().ok());
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
}

void CheckEveryRecord(FileSystem* fs, const std::string& wal_dir, int threads, int per_thread,
                      const std::vector<std::vector<uint64_t>>& lsns) {
  testing::ReadBack back = ReadWal(fs, wal_dir);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  ASSERT_EQ(back.lsns.size(), static_cast<size_t>(threads * per_thread));
  for (size_t i = 0; i < back.lsns.size(); ++i) ASSERT_EQ(back.lsns[i], i + 1) << "dense from 1";
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < per_thread; ++i) {
      const uint64_t lsn = lsns[t][i];
      ASSERT_EQ(back.payloads[lsn - 1], TestPayload(t, i, 32 + (i % 7) * 50))
          << "thread " << t << " append " << i << " got LSN " << lsn;
      if (i > 0) {
        EXPECT_GT(lsn, lsns[t][i - 1]) << "one thread's appends stay in order";
      }
    }
  }
}

TEST(WalConcurrencyTest, ConcurrentAppendersGetUniqueDenseReadableLsns) {
  struct Case {
    WalSyncMode mode;
    bool direct_io;  // in sync mode, groups then overlap (with block padding)
  };
  for (const Case c : {Case{WalSyncMode::kSync, true}, Case{WalSyncMode::kSync, false},
                       Case{WalSyncMode::kPeriodic, false}, Case{WalSyncMode::kNone, false}}) {
    SCOPED_TRACE(std::string(WalSyncModeName(c.mode)) + (c.direct_io ? ", direct" : ""));
    testing::TempDir dir;
    auto fs = std::move(*NewFileSystem(IoBackend::kAuto));
    WalWriterOptions options;
    options.sync_mode = c.mode;
    options.direct_io = c.direct_io;
    options.periodic_sync_interval_ms = 2;
    options.segment_size_bytes = 16 << 10;  // many rotations under contention
    options.max_group_bytes = 4 << 10;
    constexpr int kThreads = 8;
    constexpr int kPerThread = 200;
    auto w = std::move(*WalWriter::Open(fs.get(), dir.Join("wal"), options));
    std::vector<std::vector<uint64_t>> lsns;
    AppendFromThreads(w.get(), kThreads, kPerThread, &lsns);
    const WalWriterStats stats = w->stats();
    EXPECT_EQ(stats.records, static_cast<uint64_t>(kThreads * kPerThread));
    EXPECT_EQ(stats.last_lsn, static_cast<uint64_t>(kThreads * kPerThread));
    ASSERT_TRUE(w->Close().ok());
    CheckEveryRecord(fs.get(), dir.Join("wal"), kThreads, kPerThread, lsns);
  }
}

TEST(WalConcurrencyTest, GroupCommitBatchesConcurrentAppends) {
  testing::TempDir dir;
  auto fs = std::move(*NewFileSystem(IoBackend::kAuto));
  auto w = std::move(*WalWriter::Open(fs.get(), dir.Join("wal"), {}));
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::vector<std::vector<uint64_t>> lsns;
  AppendFromThreads(w.get(), kThreads, kPerThread, &lsns);
  const WalWriterStats stats = w->stats();
  // With 16 appenders waiting on fdatasync, groups must hold more than one record.
  EXPECT_LT(stats.group_commits, stats.records) << "syncs " << stats.syncs;
  ASSERT_TRUE(w->Close().ok());
  CheckEveryRecord(fs.get(), dir.Join("wal"), kThreads, kPerThread, lsns);
}

}  // namespace
}  // namespace docdb::io
