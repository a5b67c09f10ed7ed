// WAL trimming (io/wal_trim.h): which segments a checkpoint LSN makes deletable, what is
// kept, and that a damaged header only makes a trim keep more.
#include "io/wal_trim.h"

#include <gtest/gtest.h>

#include "io/file_names.h"
#include "io/wal_format.h"
#include "io/wal_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wal_log.h"

namespace docdb::io {
namespace {

class WalTrimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = std::move(*NewFileSystem(IoBackend::kPosix));
    WalWriterOptions options;
    options.segment_size_bytes = 4096;
    std::unique_ptr<WalWriter> w = std::move(*WalWriter::Open(fs_.get(), wal_dir_, options));
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(w->Append(WalRecordType::kPut, testing::TestPayload(0, i, 200)).ok());
    }
    ASSERT_TRUE(w->Close().ok());
    Result<std::vector<WalSegmentSize>> segments = ListWalSegments(fs_.get(), wal_dir_);
    ASSERT_TRUE(segments.ok());
    ASSERT_GE(segments->size(), 5u);
    for (const WalSegmentSize& s : *segments) {
      numbers_.push_back(s.number);
      first_lsns_.push_back(FirstLsn(s.number));
    }
  }

  uint64_t FirstLsn(uint64_t number) {
    const std::string head =
        testing::ReadFileOrDie(WalSegmentPath(wal_dir_, number)).substr(0, kWalSegmentHeaderBytes);
    return DecodeWalSegmentHeader(head)->first_lsn;
  }

  testing::TempDir dir_;
  std::string wal_dir_ = dir_.Join("wal");
  std::unique_ptr<FileSystem> fs_;
  std::vector<uint64_t> numbers_;
  std::vector<uint64_t> first_lsns_;
};

TEST_F(WalTrimTest, ASegmentGoesOnlyWhenItsSuccessorBeginsAtOrBelowCheckpointPlusOne) {
  // Checkpoint at the last record of segment 2: segments 0, 1 and 2 (by index) are
  // wholly at or below it.
  const uint64_t c = first_lsns_[3] - 1;
  Result<WalTrimPlan> plan = PlanWalTrim(fs_.get(), wal_dir_, c, /*keep=*/0);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->deletable, std::vector<uint64_t>(numbers_.begin(), numbers_.begin() + 3));
  // One LSN less and segment 2 still holds a record above the checkpoint.
  plan = PlanWalTrim(fs_.get(), wal_dir_, c - 1, 0);
  EXPECT_EQ(plan->deletable, std::vector<uint64_t>(numbers_.begin(), numbers_.begin() + 2));
  // Keeping two of the three.
  plan = PlanWalTrim(fs_.get(), wal_dir_, c, 2);
  EXPECT_EQ(plan->deletable, std::vector<uint64_t>(numbers_.begin(), numbers_.begin() + 1));
  EXPECT_EQ(plan->kept_for_healing, 2u);
}

TEST_F(WalTrimTest, TheNewestSegmentIsNeverDeletedAndRecoveryStillReads) {
  const uint64_t last_lsn = 100;
  Result<WalTrimResult> trimmed = TrimWal(fs_.get(), wal_dir_, last_lsn, 0);
  ASSERT_TRUE(trimmed.ok()) << trimmed.status().ToString();
  EXPECT_EQ(trimmed->segments, numbers_.size() - 1);
  EXPECT_EQ(*ListWalSegments(fs_.get(), wal_dir_),
            (std::vector<WalSegmentSize>{{numbers_.back(), 4096}}));
  // A reader from the checkpoint on finds the log whole.
  WalReaderOptions options;
  options.start_lsn = last_lsn + 1;
  options.require_start_lsn = true;
  const testing::ReadBack back = testing::ReadWal(fs_.get(), wal_dir_, options);
  EXPECT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.end.last_lsn, last_lsn);
}

TEST_F(WalTrimTest, ADamagedHeaderOnlyMakesTheTrimKeepMore) {
  const auto damage = [&](size_t index) {
    const std::string path = WalSegmentPath(wal_dir_, numbers_[index]);
    std::string bytes = testing::ReadFileOrDie(path);
    bytes[10] ^= 0x5a;
    testing::WriteFileOrDie(path, bytes);
  };
  const uint64_t c = first_lsns_[3] - 1;  // C + 1 begins segment 3
  // A damaged segment before the one holding C + 1 goes like the others.
  damage(2);
  Result<WalTrimPlan> plan = PlanWalTrim(fs_.get(), wal_dir_, c, 0);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->deletable, std::vector<uint64_t>(numbers_.begin(), numbers_.begin() + 3));
  // With the header of segment 3 damaged instead, nothing proves that segment 2 ends at
  // C: it stays.
  damage(2);  // flips the same bits back
  damage(3);
  plan = PlanWalTrim(fs_.get(), wal_dir_, c, 0);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->deletable, std::vector<uint64_t>(numbers_.begin(), numbers_.begin() + 2));
}

}  // namespace
}  // namespace docdb::io
