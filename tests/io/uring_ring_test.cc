// UringRingPool: a ring that saw an error is drained and destroyed, never reused, so that
// no stale submission or completion reaches the next caller (docs/io.md).
#include "io/uring_ring.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "tests/support/temp_dir.h"

namespace docdb::io {
namespace {

using Step = UringRingPool::Step;

// A pool writing to one file; skipped where the kernel refuses io_uring.
class UringRingPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Status supported = pool_.CheckSupported(); !supported.ok()) {
      GTEST_SKIP() << "io_uring unavailable here: " << supported.ToString();
    }
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd_, 0) << "open " << path_ << ": errno " << errno;
  }

  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Result<UringWriteAndSyncResult> WriteAndSync(uint64_t offset, std::string_view data) {
    return pool_.WriteAndSync(fd_, offset, data, path_);
  }

  Status Sync() { return pool_.Sync(fd_, path_); }

  void FailNextOperation(Step step, int err = 0) { pool_.FailNextOperationForTesting(step, err); }

  // Writes `data` at `offset` and expects the kernel to report all of it written and synced.
  void ExpectWriteAndSyncWorks(uint64_t offset, std::string_view data) {
    Result<UringWriteAndSyncResult> done = WriteAndSync(offset, data);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_EQ(done->write_result, static_cast<int64_t>(data.size()));
    EXPECT_EQ(done->sync_result, 0);
  }

  void ExpectRings(uint64_t created, uint64_t discarded, size_t free) {
    const UringRingPool::Counters counters = pool_.counters();
    EXPECT_EQ(counters.created, created);
    EXPECT_EQ(counters.discarded, discarded);
    EXPECT_EQ(counters.free, free);
  }

  std::string FileContents() const { return testing::ReadFileOrDie(path_); }

  testing::TempDir dir_;
  const std::string path_ = dir_.Join("file");
  int fd_ = -1;
  UringRingPool pool_;
};

TEST_F(UringRingPoolTest, HealthyRingIsReused) {
  ExpectWriteAndSyncWorks(0, "abc");
  ASSERT_TRUE(Sync().ok());
  ExpectWriteAndSyncWorks(3, "def");
  ExpectRings(/*created=*/1, /*discarded=*/0, /*free=*/1);
  EXPECT_EQ(FileContents(), "abcdef");
}

TEST_F(UringRingPoolTest, FailedSubmitDiscardsTheRing) {
  FailNextOperation(Step::kSubmit, EBUSY);
  Result<UringWriteAndSyncResult> failed = WriteAndSync(0, "stale");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError) << failed.status().ToString();
  EXPECT_EQ(failed.status().sys_errno(), EBUSY);
  ExpectRings(/*created=*/1, /*discarded=*/1, /*free=*/0);

  ExpectWriteAndSyncWorks(8, "fresh");
  ExpectRings(/*created=*/2, /*discarded=*/1, /*free=*/1);
}

TEST_F(UringRingPoolTest, FailedSubmitLeavesNoStaleWriteForTheNextCaller) {
  FailNextOperation(Step::kSubmit, EBUSY);
  ASSERT_FALSE(WriteAndSync(0, "stale").ok());

  ExpectWriteAndSyncWorks(8, "fresh");
  EXPECT_EQ(FileContents(), std::string(8, '\0') + "fresh");
}

TEST_F(UringRingPoolTest, FailedWaitDiscardsTheRing) {
  FailNextOperation(Step::kWait, ETIME);
  Result<UringWriteAndSyncResult> failed = WriteAndSync(0, "first");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError) << failed.status().ToString();
  EXPECT_EQ(failed.status().sys_errno(), ETIME);
  ExpectRings(/*created=*/1, /*discarded=*/1, /*free=*/0);
}

TEST_F(UringRingPoolTest, FailedWaitReturnsOnlyOnceTheSubmittedWriteIsDone) {
  FailNextOperation(Step::kWait, ETIME);
  ASSERT_FALSE(WriteAndSync(0, "first").ok());
  // The kernel had taken the write, so it must be finished with the buffer by now.
  EXPECT_EQ(FileContents(), "first");
}

TEST_F(UringRingPoolTest, FailedWaitLeavesNoStaleCompletionForTheNextCaller) {
  // A write to a read-only descriptor fails at once (EBADF, and its linked fdatasync is
  // cancelled), so both completions are waiting, unreaped, when the wait fails.
  const int read_only = ::open(path_.c_str(), O_RDONLY);
  ASSERT_GE(read_only, 0);
  FailNextOperation(Step::kWait, ETIME);
  ASSERT_FALSE(pool_.WriteAndSync(read_only, 0, "first", path_).ok());
  ::close(read_only);

  ExpectWriteAndSyncWorks(0, "second");
  EXPECT_EQ(FileContents(), "second");
}

TEST_F(UringRingPoolTest, InterruptedWaitIsRetriedOnTheSameRing) {
  FailNextOperation(Step::kWait, EINTR);
  ExpectWriteAndSyncWorks(0, "abc");
  ExpectRings(/*created=*/1, /*discarded=*/0, /*free=*/1);
}

TEST_F(UringRingPoolTest, NullSqeIsAnError) {
  FailNextOperation(Step::kGetSqe);
  Result<UringWriteAndSyncResult> write = WriteAndSync(0, "never");
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.status().code(), StatusCode::kIoError) << write.status().ToString();

  FailNextOperation(Step::kGetSqe);
  Status sync = Sync();
  EXPECT_EQ(sync.code(), StatusCode::kIoError) << sync.ToString();
  ExpectRings(/*created=*/2, /*discarded=*/2, /*free=*/0);

  ExpectWriteAndSyncWorks(0, "again");
  EXPECT_EQ(FileContents(), "again");
}

TEST_F(UringRingPoolTest, FailedSyncSubmitIsAnIoErrorKeepingErrno) {
  FailNextOperation(Step::kSubmit, ENOSPC);
  Status sync = Sync();
  EXPECT_EQ(sync.code(), StatusCode::kIoError) << sync.ToString();
  EXPECT_EQ(sync.sys_errno(), ENOSPC);
  ExpectRings(/*created=*/1, /*discarded=*/1, /*free=*/0);
  ASSERT_TRUE(Sync().ok());
}

}  // namespace
}  // namespace docdb::io
