#include "io/wal_writer.h"

#include <gtest/gtest.h>

#include "io/file_names.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wal_log.h"

namespace docdb::io {
namespace {

using testing::ReadWal;
using testing::TestPayload;

// Every test runs twice: buffered segments, and direct I/O (WalWriterOptions::direct_io).
class WalWriterTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { fs_ = std::move(*NewFileSystem(IoBackend::kAuto)); }

  std::unique_ptr<WalWriter> OpenWriter(WalWriterOptions options = {}) {
    options.direct_io = GetParam();
    Result<std::unique_ptr<WalWriter>> w = WalWriter::Open(fs_.get(), wal_dir_, options);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }

  std::vector<uint64_t> AppendRecords(WalWriter* w, int count, int writer = 0, size_t size = 64) {
    std::vector<uint64_t> lsns;
    for (int i = 0; i < count; ++i) {
      Result<uint64_t> lsn = w->Append(WalRecordType::kPut, TestPayload(writer, i, size));
      EXPECT_TRUE(lsn.ok()) << lsn.status().ToString();
      lsns.push_back(lsn.ok() ? *lsn : 0);
    }
    return lsns;
  }

  testing::TempDir dir_;
  std::string wal_dir_ = dir_.Join("wal");
  std::unique_ptr<FileSystem> fs_;
};

TEST_P(WalWriterTest, AppendsGetDenseLsnsFromOne) {
  auto w = OpenWriter();
  EXPECT_EQ(AppendRecords(w.get(), 5), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(back.payloads[3], TestPayload(0, 3));
  EXPECT_EQ(back.end.reason, WalEndReason::kClean);
  EXPECT_EQ(back.end.last_lsn, 5u);
}

TEST_P(WalWriterTest, ReopenContinuesTheSequenceInTheSameSegment) {
  auto w = OpenWriter();
  AppendRecords(w.get(), 3);
  ASSERT_TRUE(w->Close().ok());
  w = OpenWriter();
  EXPECT_EQ(AppendRecords(w.get(), 2, 1), (std::vector<uint64_t>{4, 5}));
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(*fs_->ListDir(wal_dir_), (std::vector<std::string>{WalSegmentFileName(1)}))
      << "a clean reopen goes on in the preallocated segment instead of leaving files behind";
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(back.payloads[4], TestPayload(1, 1));
}

// Regression: a reopened writer reported last LSN 0 until its first append, and a
// checkpoint taken then recorded LSN 0 over an index that was far ahead.
TEST_P(WalWriterTest, StatsStartAtTheLastLsnOfTheLog) {
  auto w = OpenWriter();
  AppendRecords(w.get(), 4);
  ASSERT_TRUE(w->Close().ok());
  w = OpenWriter();
  EXPECT_EQ(w->stats().last_lsn, 4u);
  EXPECT_EQ(w->stats().records, 0u);
}

TEST_P(WalWriterTest, SegmentsRotateAtTheSizeLimitAndStayInOrder) {
  WalWriterOptions options;
  options.segment_size_bytes = 1024;
  auto w = OpenWriter(options);
  AppendRecords(w.get(), 40, 0, 100);  // 120 bytes each: 8 per segment
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->stats().rotations, 5u) << "the first segment and four rotations";
  EXPECT_EQ(fs_->ListDir(wal_dir_)->size(), 5u);
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_EQ(back.lsns.size(), 40u);
  for (size_t i = 0; i < 40; ++i)
    EXPECT_EQ(back.payloads[i], TestPayload(0, static_cast<int>(i), 100));
}

TEST_P(WalWriterTest, RecordLargerThanASegmentGetsASegmentOfItsOwn) {
  WalWriterOptions options;
  options.segment_size_bytes = 4096;
  auto w = OpenWriter(options);
  AppendRecords(w.get(), 1, 0, 10);
  const std::string big(20000, 'B');
  ASSERT_TRUE(w->Append(WalRecordType::kPut, big).ok());
  AppendRecords(w.get(), 1, 1, 10);
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_EQ(back.payloads.size(), 3u);
  EXPECT_EQ(back.payloads[1], big);
  EXPECT_EQ(fs_->ListDir(wal_dir_)->size(), 3u);
}

TEST_P(WalWriterTest, AppendAllGivesConsecutiveLsnsAndNeverSplitsAcrossSegments) {
  WalWriterOptions options;
  options.segment_size_bytes = 1024;
  auto w = OpenWriter(options);
  AppendRecords(w.get(), 5, /*writer=*/0, /*size=*/100);  // most of the first segment
  std::vector<std::string> payloads;
  std::vector<WalAppendRecord> records;
  for (int i = 0; i < 4; ++i) payloads.push_back(TestPayload(1, i, 100));
  for (const std::string& p : payloads) records.push_back({WalRecordType::kPut, p});
  Result<uint64_t> first = w->AppendAll(records);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 6u);
  EXPECT_EQ(w->AppendAll({}).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(back.payloads[5], payloads[0]);
  EXPECT_EQ(back.payloads[8], payloads[3]);
  auto reader = std::move(*WalReader::OpenDir(fs_.get(), wal_dir_));
  ASSERT_EQ(reader->segments().size(), 2u);
  EXPECT_EQ(reader->segments()[1].first_lsn, 6u) << "the unit began a segment of its own";
}

TEST_P(WalWriterTest, OversizedPayloadIsRejectedWithoutTrace) {
  auto w = OpenWriter();
  const std::string huge(kWalMaxPayloadBytes + 1, 'x');
  EXPECT_EQ(w->Append(WalRecordType::kPut, huge).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AppendRecords(w.get(), 1), (std::vector<uint64_t>{1}));
}

TEST_P(WalWriterTest, EveryDurabilityModeAnswersWithWrittenRecords) {
  for (WalSyncMode mode : {WalSyncMode::kSync, WalSyncMode::kPeriodic, WalSyncMode::kNone}) {
    SCOPED_TRACE(std::string(WalSyncModeName(mode)));
    testing::TempDir dir;
    WalWriterOptions options;
    options.sync_mode = mode;
    options.periodic_sync_interval_ms = 5;
    options.direct_io = GetParam();
    auto w = std::move(*WalWriter::Open(fs_.get(), dir.Join("wal"), options));
    AppendRecords(w.get(), 20);
    // Readable by another reader before Close: an answered append is in the file.
    EXPECT_EQ(ReadWal(fs_.get(), dir.Join("wal")).lsns.size(), 20u);
    ASSERT_TRUE(w->Sync().ok());
    ASSERT_TRUE(w->Close().ok());
  }
}

TEST_P(WalWriterTest, SyncModeSyncsEveryGroupAndNoneModeOnlyWhenAsked) {
  WalWriterOptions options;
  auto w = OpenWriter(options);
  const uint64_t syncs_before = w->stats().syncs;
  AppendRecords(w.get(), 3);
  EXPECT_EQ(w->stats().syncs - syncs_before, 3u);
  ASSERT_TRUE(w->Close().ok());

  testing::TempDir dir;
  options.sync_mode = WalSyncMode::kNone;
  options.direct_io = GetParam();
  auto none = std::move(*WalWriter::Open(fs_.get(), dir.Join("wal"), options));
  const uint64_t none_before = none->stats().syncs;
  AppendRecords(none.get(), 3);
  EXPECT_EQ(none->stats().syncs, none_before);
  ASSERT_TRUE(none->Sync().ok());
  EXPECT_EQ(none->stats().syncs, none_before + 1);
}

TEST_P(WalWriterTest, ClosedWriterRefusesAppends) {
  auto w = OpenWriter();
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->Append(WalRecordType::kPut, "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Close().code(), StatusCode::kFailedPrecondition);
}

TEST_P(WalWriterTest, LeftoverTempSegmentIsRemovedOnOpen) {
  auto w = OpenWriter();
  ASSERT_TRUE(w->Close().ok());
  testing::WriteFileOrDie(WalSegmentTempPath(wal_dir_, 2), "half-made segment");
  w = OpenWriter();
  EXPECT_FALSE(*fs_->FileExists(WalSegmentTempPath(wal_dir_, 2)));
}

TEST_P(WalWriterTest, TornTailIsCutOffBeforeNewRecords) {
  auto w = OpenWriter();
  AppendRecords(w.get(), 3, 0, 200);
  ASSERT_TRUE(w->Close().ok());
  // Damage the last record's payload, as a crash in the middle of its write would.
  const std::string path = WalSegmentPath(wal_dir_, 1);
  std::string bytes = testing::ReadFileOrDie(path);
  const size_t third = kWalSegmentHeaderBytes + 2 * WalEncodedRecordBytes(200);
  bytes[third + 100] ^= 0x55;
  testing::WriteFileOrDie(path, bytes);

  w = OpenWriter();
  EXPECT_EQ(AppendRecords(w.get(), 1, 9, 10), (std::vector<uint64_t>{3}));
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.end.reason, WalEndReason::kClean)
      << "no trace of the torn record may remain after the new one: " << back.end.detail;
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(back.payloads[2], TestPayload(9, 0, 10));
}

TEST_P(WalWriterTest, CorruptLogIsNotAppendedTo) {
  WalWriterOptions options;
  options.segment_size_bytes = 1024;
  auto w = OpenWriter(options);
  AppendRecords(w.get(), 20, 0, 100);
  ASSERT_TRUE(w->Close().ok());
  const std::string path = WalSegmentPath(wal_dir_, 1);
  std::string bytes = testing::ReadFileOrDie(path);
  bytes[kWalSegmentHeaderBytes + 30] ^= 1;
  testing::WriteFileOrDie(path, bytes);
  options.direct_io = GetParam();
  Result<std::unique_ptr<WalWriter>> reopened = WalWriter::Open(fs_.get(), wal_dir_, options);
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
}

TEST_P(WalWriterTest, ModeNamesParseBack) {
  for (WalSyncMode m : {WalSyncMode::kSync, WalSyncMode::kPeriodic, WalSyncMode::kNone}) {
    EXPECT_EQ(*ParseWalSyncMode(WalSyncModeName(m)), m);
  }
  EXPECT_EQ(ParseWalSyncMode("fsync").status().code(), StatusCode::kInvalidArgument);
}

// Records of every size, across block boundaries, rotations and reopens: with direct I/O
// each group rewrites the partial last block, which must come back exactly.
TEST_P(WalWriterTest, RecordsOfEverySizeReadBackAcrossBlocksRotationsAndReopens) {
  WalWriterOptions options;
  options.segment_size_bytes = 64 << 10;
  std::vector<std::string> written;
  for (int life = 0; life < 3; ++life) {
    auto w = OpenWriter(options);
    for (size_t size : {1, 7, 100, 4000, 4096, 4097, 9000, 30000, 12, 70000, 3}) {
      written.push_back(TestPayload(life, static_cast<int>(written.size()), size));
      ASSERT_TRUE(w->Append(WalRecordType::kPut, written.back()).ok());
    }
    ASSERT_TRUE(w->Close().ok());
  }
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.end.reason, WalEndReason::kClean) << back.end.detail;
  EXPECT_EQ(back.payloads, written);
}

// Direct I/O is used in sync mode where the file system takes O_DIRECT (ext4, xfs), and
// never in the relaxed modes.
TEST_P(WalWriterTest, DirectIoIsUsedInSyncModeWhereTheFileSystemAllowsIt) {
  auto w = OpenWriter();
  const Result<std::unique_ptr<File>> probe = fs_->OpenDirect(WalSegmentPath(wal_dir_, 1));
  ASSERT_TRUE(probe.ok() || probe.status().code() == StatusCode::kNotSupported);
  EXPECT_EQ(w->direct_io(), GetParam() && probe.ok());
  testing::TempDir dir;
  WalWriterOptions relaxed;
  relaxed.sync_mode = WalSyncMode::kNone;
  relaxed.direct_io = true;
  auto none = std::move(*WalWriter::Open(fs_.get(), dir.Join("wal"), relaxed));
  EXPECT_FALSE(none->direct_io());
}

// A power cut during a direct write may keep any prefix of its 512-byte sectors. The
// write begins by rewriting the last block's old bytes unchanged, so whatever prefix
// lands, the records before it are intact and the new one is whole or a torn tail; the
// log reads and is appended to as ever.
TEST(WalDirectTest, TailBlockTornAtEvery512ByteBoundaryKeepsEveryEarlierRecord) {
  std::unique_ptr<FileSystem> fs = std::move(*NewFileSystem(IoBackend::kAuto));
  testing::TempDir dir;
  const std::string wal_dir = dir.Join("wal");
  WalWriterOptions options;
  options.direct_io = true;
  options.segment_size_bytes = 64 << 10;
  const std::vector<std::string> before_records = {TestPayload(0, 0, 100), TestPayload(0, 1, 700),
                                                   TestPayload(0, 2, 1500)};
  const std::string torn_record = TestPayload(1, 0, 5000);  // spans two blocks and more
  const auto append = [&](const std::vector<std::string>& payloads) {
    auto w = std::move(*WalWriter::Open(fs.get(), wal_dir, options));
    if (!w->direct_io()) return false;
    for (const std::string& p : payloads) EXPECT_TRUE(w->Append(WalRecordType::kPut, p).ok());
    EXPECT_TRUE(w->Close().ok());
    return true;
  };
  if (!append(before_records)) GTEST_SKIP() << "the file system refuses O_DIRECT";
  const std::string path = WalSegmentPath(wal_dir, 1);
  const std::string before = testing::ReadFileOrDie(path);
  ASSERT_TRUE(append({torn_record}));
  const std::string after = testing::ReadFileOrDie(path);
  ASSERT_EQ(before.size(), after.size());
  size_t first_change = 0;
  while (before[first_change] == after[first_change]) ++first_change;
  int kept = 0;
  int dropped = 0;
  for (size_t cut = first_change / 512 * 512; cut <= first_change + torn_record.size() + 512;
       cut += 512) {
    SCOPED_TRACE("sectors kept up to byte " + std::to_string(cut));
    testing::WriteFileOrDie(path, after.substr(0, cut) + before.substr(cut));
    testing::ReadBack back = ReadWal(fs.get(), wal_dir);
    ASSERT_TRUE(back.status.ok()) << back.status.ToString();
    std::vector<std::string> expected = before_records;
    if (back.payloads.size() == expected.size() + 1) expected.push_back(torn_record);
    ASSERT_EQ(back.payloads, expected);
    ++(expected.size() > before_records.size() ? kept : dropped);
    // And the log goes on after whatever it kept.
    ASSERT_TRUE(append({"next"}));
    expected.push_back("next");
    EXPECT_EQ(ReadWal(fs.get(), wal_dir).payloads, expected);
  }
  EXPECT_GT(dropped, 5) << "cuts inside the new record";
  EXPECT_GT(kept, 0) << "cuts after it";
}

INSTANTIATE_TEST_SUITE_P(Io, WalWriterTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Direct" : "Buffered";
                         });

}  // namespace
}  // namespace docdb::io
