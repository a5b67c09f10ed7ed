// The WAL under failing disks and power cuts, through the fault-injecting FileSystem.
#include <gtest/gtest.h>

#include <cerrno>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "io/fault_file_system.h"
#include "io/wal_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wal_log.h"

namespace docdb::io {
namespace {

using testing::ReadWal;
using testing::TestPayload;

// Every test runs twice: buffered segments, and direct I/O (WalWriterOptions::direct_io).
class WalFaultTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    base_ = std::move(*NewFileSystem(IoBackend::kPosix));
    fs_ = std::make_unique<FaultFileSystem>(base_.get(), 1);
  }

  std::unique_ptr<WalWriter> OpenWriter(WalWriterOptions options = {}) {
    options.direct_io = GetParam();
    if (options.segment_size_bytes == WalWriterOptions{}.segment_size_bytes) {
      options.segment_size_bytes = 64 << 10;
    }
    Result<std::unique_ptr<WalWriter>> w = WalWriter::Open(fs_.get(), wal_dir_, options);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    // The fault file system models direct I/O, so it is always used when asked for.
    if (w.ok() && options.sync_mode == WalSyncMode::kSync) {
      EXPECT_EQ((*w)->direct_io(), GetParam());
    }
    return w.ok() ? std::move(*w) : nullptr;
  }

  testing::TempDir dir_;
  std::string wal_dir_ = dir_.Join("wal");
  std::unique_ptr<FileSystem> base_;
  std::unique_ptr<FaultFileSystem> fs_;
};

TEST_P(WalFaultTest, FsyncErrorPoisonsWriterAndIsNeverRetried) {
  auto w = OpenWriter();
  ASSERT_TRUE(w->Append(WalRecordType::kPut, "before").ok());
  const uint64_t syncs_before = fs_->OpCount(FaultOp::kSync);
  fs_->InjectFault({FaultOp::kSync, 1, EIO});
  Result<uint64_t> failed = w->Append(WalRecordType::kPut, "lost?");
  ASSERT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(failed.status().sys_errno(), EIO);
  EXPECT_EQ(fs_->OpCount(FaultOp::kSync), syncs_before + 1) << "exactly one fsync attempt";
  // The fault was one-shot, yet every later append fails with the same status.
  Result<uint64_t> later = w->Append(WalRecordType::kPut, "after");
  EXPECT_EQ(later.status(), failed.status());
  EXPECT_EQ(w->Sync(), failed.status());
  EXPECT_EQ(fs_->OpCount(FaultOp::kSync), syncs_before + 1);
  EXPECT_EQ(w->poisoned(), failed.status());
}

TEST_P(WalFaultTest, WriteEioPoisonsWriter) {
  auto w = OpenWriter();
  fs_->InjectFault({FaultOp::kWrite, 1, EIO});
  EXPECT_EQ(w->Append(WalRecordType::kPut, "x").status().code(), StatusCode::kIoError);
  EXPECT_EQ(w->Append(WalRecordType::kPut, "y").status().code(), StatusCode::kIoError);
}

TEST_P(WalFaultTest, NoSpaceMidWriteIsCutBackAndWritesResumeWhenSpaceReturns) {
  auto w = OpenWriter();
  ASSERT_EQ(*w->Append(WalRecordType::kPut, "one"), 1u);
  fs_->InjectFault({FaultOp::kWrite, 1, ENOSPC, /*torn_write=*/true});
  Result<uint64_t> full = w->Append(WalRecordType::kPut, std::string(3000, 'x'));
  ASSERT_EQ(full.status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(full.status().sys_errno(), ENOSPC);
  // Space is back: the LSN the failed append had is given to the next one.
  ASSERT_EQ(*w->Append(WalRecordType::kPut, "two"), 2u);
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.end.reason, WalEndReason::kClean) << back.end.detail;
  EXPECT_EQ(back.payloads, (std::vector<std::string>{"one", "two"}));
}

TEST_P(WalFaultTest, NoSpaceLeavesNothingOfAnAppendAllUnit) {
  auto w = OpenWriter();
  ASSERT_EQ(*w->Append(WalRecordType::kPut, "one"), 1u);
  const std::string big(3000, 'x');
  const WalAppendRecord unit[] = {{WalRecordType::kPut, "a"}, {WalRecordType::kPut, big}};
  fs_->InjectFault({FaultOp::kWrite, 1, ENOSPC, /*torn_write=*/true});
  EXPECT_EQ(w->AppendAll(unit).status().code(), StatusCode::kNoSpace);
  ASSERT_EQ(*w->AppendAll(unit), 2u);
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.payloads, (std::vector<std::string>{"one", "a", big}));
}

TEST_P(WalFaultTest, NoSpaceForANewSegmentIsNotSticky) {
  WalWriterOptions options;
  options.segment_size_bytes = 1024;
  auto w = OpenWriter(options);
  const std::string payload(300, 'p');
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->Append(WalRecordType::kPut, payload).ok());
  fs_->InjectFault({FaultOp::kAllocate, 1, ENOSPC});
  Result<uint64_t> full = w->Append(WalRecordType::kPut, payload);
  ASSERT_EQ(full.status().code(), StatusCode::kNoSpace) << full.status().ToString();
  EXPECT_EQ(*w->Append(WalRecordType::kPut, payload), 4u);
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4}));
}

// Power cuts at seeded random points, with the disk keeping a random subset of what was
// not synced: in sync mode every acknowledged record survives, with its exact payload.
TEST_P(WalFaultTest, AcknowledgedRecordsSurvivePowerCuts) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TempDir dir;
    const std::string wal_dir = dir.Join("wal");
    FaultFileSystem fs(base_.get(), seed);
    std::mt19937_64 rng(seed);
    WalWriterOptions options;
    options.segment_size_bytes = 2048;
    options.direct_io = GetParam();
    std::vector<std::string> acknowledged;
    for (int life = 0; life < 3; ++life) {
      auto w = WalWriter::Open(&fs, wal_dir, options);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      const int appends = static_cast<int>(rng() % 40);
      for (int i = 0; i < appends; ++i) {
        std::string payload = TestPayload(life, i, 16 + rng() % 300);
        Result<uint64_t> lsn = (*w)->Append(WalRecordType::kPut, payload);
        ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
        ASSERT_EQ(*lsn, acknowledged.size() + 1);
        acknowledged.push_back(std::move(payload));
      }
      ASSERT_TRUE(fs.PowerCut(PowerCutMode::kRandomUnsynced).ok());
      w->reset();
      fs.Restart();
      testing::ReadBack back = ReadWal(&fs, wal_dir);
      ASSERT_TRUE(back.status.ok()) << back.status.ToString();
      ASSERT_EQ(back.payloads, acknowledged);
    }
  }
}

// Eight appenders, so that with direct I/O a group is written while the one before it is
// in flight, and one write failing: the records acknowledged are exactly those read back
// (nothing after the failed group is acknowledged, even where it reached the disk), and
// every later append fails.
TEST_P(WalFaultTest, IoErrorWithGroupsInFlightAcknowledgesNothingAfterIt) {
  for (int nth : {2, 5, 12}) {
    SCOPED_TRACE("write " + std::to_string(nth) + " fails");
    const std::string wal_dir = dir_.Join("wal-" + std::to_string(nth));
    WalWriterOptions options;
    options.direct_io = GetParam();
    options.segment_size_bytes = 1 << 20;
    auto w = std::move(*WalWriter::Open(fs_.get(), wal_dir, options));
    std::mutex mu;
    std::set<uint64_t> acknowledged = {*w->Append(WalRecordType::kPut, "first")};
    fs_->InjectFault({FaultOp::kWrite, static_cast<uint64_t>(nth), EIO});
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 20; ++i) {
          Result<uint64_t> lsn = w->Append(WalRecordType::kPut, TestPayload(t, i, 700));
          if (!lsn.ok()) continue;
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.insert(*lsn);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(w->poisoned().code(), StatusCode::kIoError);
    EXPECT_EQ(w->Append(WalRecordType::kPut, "later").status().code(), StatusCode::kIoError);
    w.reset();
    testing::ReadBack back = ReadWal(fs_.get(), wal_dir);
    ASSERT_TRUE(back.status.ok()) << back.status.ToString();
    EXPECT_EQ(std::set<uint64_t>(back.lsns.begin(), back.lsns.end()), acknowledged)
        << back.end.detail;
    fs_->ClearFaults();
  }
}

// Two groups in flight at once, the first one's write held by the file system until the
// second's was tried.
class WalOverlapTest : public WalFaultTest {
 protected:
  void SetUp() override {
    WalFaultTest::SetUp();
    writer_ = OpenWriter();
    // Past the first block, so that this write zero-fills ahead and the next ones
    // change no extent: those may overlap.
    ASSERT_EQ(*writer_->Append(WalRecordType::kPut, first_), 1u);
  }

  // Appends "a" (its write held) and then "b", whose write is tried while "a"'s is held:
  // `before_b` runs before "b" is appended, `after_b` once its write was tried, and then
  // "a"'s write is released.
  void AppendBesideAHeldWrite(const std::function<void()>& before_b,
                              const std::function<void()>& after_b) {
    fs_->HoldNextDirectWrite();
    std::thread a([&] { a_ = writer_->Append(WalRecordType::kPut, "a"); });
    fs_->WaitForHeldWrite();
    before_b();
    const uint64_t writes = fs_->OpCount(FaultOp::kWrite);
    std::thread b([&] { b_ = writer_->Append(WalRecordType::kPut, "b"); });
    while (fs_->OpCount(FaultOp::kWrite) == writes) std::this_thread::yield();
    after_b();
    fs_->ReleaseHeldWrite();
    a.join();
    b.join();
  }

  const std::string first_ = std::string(5000, 'f');
  std::unique_ptr<WalWriter> writer_;
  Result<uint64_t> a_ = Status::Internal("not appended");
  Result<uint64_t> b_ = Status::Internal("not appended");
};

TEST_P(WalOverlapTest, BothGroupsAreAnsweredInLsnOrderAndReadBackAcrossThePadding) {
  AppendBesideAHeldWrite([] {}, [] {});
  ASSERT_TRUE(a_.ok()) << a_.status().ToString();
  ASSERT_TRUE(b_.ok()) << b_.status().ToString();
  EXPECT_EQ(*a_, 2u);
  EXPECT_EQ(*b_, 3u);
  ASSERT_TRUE(writer_->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.payloads, (std::vector<std::string>{first_, "a", "b"}));
  EXPECT_EQ(back.end.reason, WalEndReason::kClean) << back.end.detail;
}

TEST_P(WalOverlapTest, AFailedSecondGroupLeavesTheFirstAcknowledged) {
  // The next write tried is "b"'s; "a"'s, held, is tried after it.
  AppendBesideAHeldWrite([&] { fs_->InjectFault({FaultOp::kWrite, 1, EIO}); }, [] {});
  ASSERT_TRUE(a_.ok()) << "written before the failure: " << a_.status().ToString();
  EXPECT_EQ(b_.status().code(), StatusCode::kIoError);
  EXPECT_EQ(writer_->Append(WalRecordType::kPut, "later").status().code(), StatusCode::kIoError);
  writer_.reset();
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.payloads, (std::vector<std::string>{first_, "a"}));
}

TEST_P(WalOverlapTest, AFailedFirstGroupFailsTheSecondThoughItReachedTheDisk) {
  AppendBesideAHeldWrite([] {}, [&] { fs_->InjectFault({FaultOp::kWrite, 1, EIO}); });
  EXPECT_EQ(a_.status().code(), StatusCode::kIoError);
  EXPECT_EQ(b_.status(), a_.status()) << "nothing after the failed group is acknowledged";
  EXPECT_EQ(writer_->poisoned(), a_.status());
  writer_.reset();
  // "b" is on disk, after the unwritten group: the end of the log, not corruption.
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.payloads, (std::vector<std::string>{first_}));
  EXPECT_EQ(back.end.reason, WalEndReason::kTornTail) << back.end.detail;
  EXPECT_EQ(back.end.dropped_records, 1u);
  // A writer reopened there erases "b" and gives its LSN to the next append.
  auto reopened = OpenWriter();
  EXPECT_EQ(*reopened->Append(WalRecordType::kPut, "again"), 2u);
  ASSERT_TRUE(reopened->Close().ok());
  back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.payloads, (std::vector<std::string>{first_, "again"}));
  EXPECT_EQ(back.end.reason, WalEndReason::kClean) << back.end.detail;
}

TEST_P(WalOverlapTest, APowerCutWithTheFirstGroupInFlightKeepsEverythingAcknowledged) {
  AppendBesideAHeldWrite([] {}, [&] { ASSERT_TRUE(fs_->PowerCut().ok()); });
  EXPECT_FALSE(a_.ok());
  EXPECT_FALSE(b_.ok()) << "answered only after the group before it";
  writer_.reset();
  fs_->Restart();
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.payloads, (std::vector<std::string>{first_}));
}

// Direct I/O only: buffered groups are written one at a time.
INSTANTIATE_TEST_SUITE_P(Io, WalOverlapTest, ::testing::Values(true),
                         [](const ::testing::TestParamInfo<bool>&) { return "Direct"; });

// In periodic mode an answered append may be lost only if no sync covered it yet.
TEST_P(WalFaultTest, PeriodicModeKeepsEverythingUpToTheLastSync) {
  WalWriterOptions options;
  options.sync_mode = WalSyncMode::kPeriodic;
  options.periodic_sync_interval_ms = 60'000;  // only explicit syncs in this test
  auto w = OpenWriter(options);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->Append(WalRecordType::kPut, TestPayload(0, i)).ok());
  ASSERT_TRUE(w->Sync().ok());
  for (int i = 5; i < 8; ++i) ASSERT_TRUE(w->Append(WalRecordType::kPut, TestPayload(0, i)).ok());
  ASSERT_TRUE(fs_->PowerCut().ok());
  w.reset();
  fs_->Restart();
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok());
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

// Where the file system refuses O_DIRECT (tmpfs on older kernels), sync mode falls back
// to buffered writes and fdatasync, and loses nothing.
TEST_P(WalFaultTest, WithoutDirectIoTheLogIsWrittenAndSyncedBuffered) {
  fs_->RefuseDirectIo();
  WalWriterOptions options;
  options.direct_io = true;
  options.segment_size_bytes = 4096;
  Result<std::unique_ptr<WalWriter>> w = WalWriter::Open(fs_.get(), wal_dir_, options);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_FALSE((*w)->direct_io());
  const uint64_t syncs_before = fs_->OpCount(FaultOp::kSync);
  std::vector<std::string> written;
  for (int i = 0; i < 20; ++i) {  // across several segments
    written.push_back(TestPayload(0, i, 500));
    ASSERT_TRUE((*w)->Append(WalRecordType::kPut, written.back()).ok());
  }
  EXPECT_FALSE((*w)->direct_io());
  EXPECT_GE(fs_->OpCount(FaultOp::kSync) - syncs_before, 20u) << "an fdatasync per append";
  ASSERT_TRUE(fs_->PowerCut().ok());
  w->reset();
  fs_->Restart();
  EXPECT_EQ(ReadWal(fs_.get(), wal_dir_).payloads, written);
}

INSTANTIATE_TEST_SUITE_P(Io, WalFaultTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Direct" : "Buffered";
                         });

}  // namespace
}  // namespace docdb::io
