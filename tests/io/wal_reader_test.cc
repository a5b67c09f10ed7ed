#include "io/wal_reader.h"

#include <gtest/gtest.h>

#include "io/file_names.h"
#include "io/wal_format.h"
#include "io/wal_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wal_log.h"

namespace docdb::io {
namespace {

using testing::ReadWal;
using testing::TestPayload;

constexpr size_t kPayloadBytes = 100;  // with the header, exactly 120 bytes: no padding
constexpr uint64_t kRecordBytes = kWalRecordHeaderBytes + kPayloadBytes;

class WalReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = std::move(*NewFileSystem(IoBackend::kPosix)); }

  // Writes `count` records through a writer with `segment_bytes` segments, then closes.
  void WriteLog(int count, uint64_t segment_bytes = 4096, int writer_id = 0) {
    WalWriterOptions options;
    options.segment_size_bytes = segment_bytes;
    auto w = WalWriter::Open(fs_.get(), wal_dir_, options);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE((*w)->Append(WalRecordType::kPut, TestPayload(writer_id, i, kPayloadBytes)).ok());
    }
    ASSERT_TRUE((*w)->Close().ok());
  }

  std::string SegmentPath(uint64_t n) const { return WalSegmentPath(wal_dir_, n); }
  static uint64_t RecordOffset(int index) { return kWalSegmentHeaderBytes + index * kRecordBytes; }

  void FlipByte(uint64_t segment, uint64_t offset) {
    std::string bytes = testing::ReadFileOrDie(SegmentPath(segment));
    bytes[offset] ^= 0x40;
    testing::WriteFileOrDie(SegmentPath(segment), bytes);
  }

  testing::TempDir dir_;
  std::string wal_dir_ = dir_.Join("wal");
  std::unique_ptr<FileSystem> fs_;
};

TEST_F(WalReaderTest, MissingDirectoryIsAnEmptyLog) {
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_TRUE(back.status.ok());
  EXPECT_TRUE(back.lsns.empty());
  EXPECT_EQ(back.end.reason, WalEndReason::kClean);
  EXPECT_EQ(back.end.last_lsn, 0u);
  EXPECT_EQ(back.end.segment, 0u);
}

// The crash this guards against: power lost while the last record was being written.
// Whatever prefix of it reached the disk, the log ends cleanly after the record before.
TEST_F(WalReaderTest, TornTailAtEveryByteOffsetIsEndOfLog) {
  WriteLog(3);
  const std::string intact = testing::ReadFileOrDie(SegmentPath(1));
  const uint64_t last = RecordOffset(2);
  for (uint64_t cut = last; cut < last + kRecordBytes; ++cut) {
    for (bool zero_fill : {false, true}) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + (zero_fill ? " (zeroed)" : " (truncated)"));
      std::string damaged = intact.substr(0, cut);
      if (zero_fill) damaged.resize(intact.size(), '\0');
      testing::WriteFileOrDie(SegmentPath(1), damaged);

      // A prefix of only zero bytes cannot be told from unwritten space: a clean end.
      const bool written =
          intact.substr(last, cut - last).find_first_not_of('\0') != std::string::npos;

      testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
      ASSERT_TRUE(back.status.ok()) << back.status.ToString();
      ASSERT_EQ(back.lsns, (std::vector<uint64_t>{1, 2}));
      EXPECT_EQ(back.end.last_lsn, 2u);
      EXPECT_EQ(back.end.offset, last);
      EXPECT_EQ(back.end.reason, written ? WalEndReason::kTornTail : WalEndReason::kClean);
      EXPECT_EQ(back.end.dropped_bytes > 0, written);

      WalReaderOptions absolute;
      absolute.mode = WalRecoveryMode::kAbsolute;
      testing::ReadBack strict = ReadWal(fs_.get(), wal_dir_, absolute);
      EXPECT_EQ(strict.status.code(), written ? StatusCode::kCorruption : StatusCode::kOk);

      // The writer cuts the torn bytes off and goes on from LSN 3.
      WalWriterOptions options;
      options.segment_size_bytes = 4096;
      auto w = WalWriter::Open(fs_.get(), wal_dir_, options);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      EXPECT_EQ(*(*w)->Append(WalRecordType::kPut, "after"), 3u);
      ASSERT_TRUE((*w)->Close().ok());
      testing::ReadBack after = ReadWal(fs_.get(), wal_dir_);
      EXPECT_EQ(after.end.reason, WalEndReason::kClean) << after.end.detail;
      EXPECT_EQ(after.lsns, (std::vector<uint64_t>{1, 2, 3}));
    }
  }
}

TEST_F(WalReaderTest, FlippedBitMidLogIsCorruptionNamingSegmentOffsetAndLsn) {
  WriteLog(10);
  FlipByte(1, RecordOffset(4) + 50);
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.status.code(), StatusCode::kCorruption);
  EXPECT_EQ(back.lsns.size(), 4u) << "records before the damage are still read";
  const std::string message(back.status.message());
  EXPECT_NE(message.find(WalSegmentFileName(1)), std::string::npos) << message;
  EXPECT_NE(message.find("offset " + std::to_string(RecordOffset(4))), std::string::npos)
      << message;
  EXPECT_NE(message.find("LSN 5"), std::string::npos) << message;
  EXPECT_EQ(back.end.reason, WalEndReason::kCorruption);
}

TEST_F(WalReaderTest, DamageFollowedByALaterSegmentIsCorruptionNotATornTail) {
  WriteLog(40, 1024);                 // several segments
  FlipByte(1, RecordOffset(6) + 30);  // the last record of segment 1
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.status.code(), StatusCode::kCorruption) << back.end.detail;
}

TEST_F(WalReaderTest, SalvageSkipsTheDamagedRecordAndGoesOn) {
  WriteLog(10);
  FlipByte(1, RecordOffset(4) + 50);
  WalReaderOptions options;
  options.mode = WalRecoveryMode::kSalvage;
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_, options);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4, 6, 7, 8, 9, 10}));
  EXPECT_EQ(back.end.salvaged_regions, 1u);
}

TEST_F(WalReaderTest, MissingSegmentIsCorruption) {
  WriteLog(40, 1024);
  ASSERT_TRUE(fs_->RemoveFile(SegmentPath(2)).ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.status.code(), StatusCode::kCorruption);
  EXPECT_NE(back.status.message().find("missing"), std::string::npos) << back.status.ToString();
}

TEST_F(WalReaderTest, StartLsnSkipsWholeEarlierSegmentsUnread) {
  WriteLog(40, 1024);
  FlipByte(1, RecordOffset(1) + 10);  // damage that only a full read would meet
  WalReaderOptions options;
  options.start_lsn = 25;
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_, options);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  ASSERT_FALSE(back.lsns.empty());
  EXPECT_EQ(back.lsns.front(), 25u);
  EXPECT_EQ(back.lsns.back(), 40u);
}

TEST_F(WalReaderTest, OneSegmentFileReadsOnItsOwn) {
  WriteLog(40, 1024);
  auto reader = WalReader::OpenSegmentFile(fs_.get(), SegmentPath(2));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  WalRecord record;
  std::vector<uint64_t> lsns;
  while (*(*reader)->Next(&record)) lsns.push_back(record.lsn);
  EXPECT_EQ(lsns, (std::vector<uint64_t>{9, 10, 11, 12, 13, 14, 15, 16})) << "8 records a segment";
  EXPECT_EQ((*reader)->end().reason, WalEndReason::kClean);
}

TEST_F(WalReaderTest, UnknownInformationalRecordsAreSkippedAndCounted) {
  auto w = std::move(*WalWriter::Open(fs_.get(), wal_dir_, {}));
  ASSERT_TRUE(w->Append(WalRecordType::kPut, "a").ok());
  ASSERT_TRUE(w->Append(static_cast<WalRecordType>(200), "from a newer version").ok());
  ASSERT_TRUE(w->Append(WalRecordType::kPut, "b").ok());
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok());
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(back.end.skipped_records, 1u);
}

TEST_F(WalReaderTest, UnknownMandatoryRecordStopsReadingWithNotSupported) {
  auto w = std::move(*WalWriter::Open(fs_.get(), wal_dir_, {}));
  ASSERT_TRUE(w->Append(WalRecordType::kPut, "a").ok());
  ASSERT_TRUE(w->Append(static_cast<WalRecordType>(77), "must be understood").ok());
  ASSERT_TRUE(w->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.status.code(), StatusCode::kNotSupported);
  EXPECT_NE(back.status.message().find("(LSN 2)"), std::string::npos) << back.status.ToString();
  EXPECT_EQ(back.lsns.size(), 1u);
  EXPECT_EQ(back.end.last_lsn, 1u) << "the record that was not understood was not read";
}

TEST_F(WalReaderTest, RecoveryModeNamesParseBack) {
  for (auto m : {WalRecoveryMode::kTolerateTornTail, WalRecoveryMode::kAbsolute,
                 WalRecoveryMode::kSalvage}) {
    EXPECT_EQ(*ParseWalRecoveryMode(WalRecoveryModeName(m)), m);
  }
  EXPECT_EQ(ParseWalRecoveryMode("best-effort").status().code(), StatusCode::kInvalidArgument);
}

// A segment whose records 1-3 were written one group at a time and 4-6 by one group
// write (each knowing only LSN 3 durable): what a group commit leaves on disk.
std::string SegmentWithAFinalGroup() {
  std::string bytes = EncodeWalSegmentHeader({1, 1});
  for (uint64_t lsn = 1; lsn <= 6; ++lsn) {
    AppendWalRecord(&bytes, lsn, static_cast<uint8_t>(WalRecordType::kPut),
                    TestPayload(0, static_cast<int>(lsn), kPayloadBytes),
                    /*durable_lsn=*/lsn <= 3 ? lsn - 1 : 3);
  }
  bytes.resize(8192, '\0');
  return bytes;
}

TEST_F(WalReaderTest, WholeRecordsAfterATornOneOfTheFinalGroupEndTheLog) {
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  std::string bytes = SegmentWithAFinalGroup();
  bytes[RecordOffset(3) + 30] ^= 0x40;  // LSN 4 torn; 5 and 6 of its group whole
  testing::WriteFileOrDie(SegmentPath(1), bytes);
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(back.end.reason, WalEndReason::kTornTail);
  EXPECT_EQ(back.end.offset, RecordOffset(3));
  EXPECT_EQ(back.end.dropped_records, 2u);
  EXPECT_EQ(back.end.dropped_bytes, 3 * kRecordBytes);

  WalReaderOptions absolute;
  absolute.mode = WalRecoveryMode::kAbsolute;
  EXPECT_EQ(ReadWal(fs_.get(), wal_dir_, absolute).status.code(), StatusCode::kCorruption);
}

TEST_F(WalReaderTest, DamagedFinalGroupOfASegmentWithASuccessorIsCorruption) {
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  std::string bytes = SegmentWithAFinalGroup();
  bytes[RecordOffset(3) + 30] ^= 0x40;  // as in the test above, but a segment follows
  testing::WriteFileOrDie(SegmentPath(1), bytes);
  std::string next = EncodeWalSegmentHeader({2, 7});
  AppendWalRecord(&next, 7, static_cast<uint8_t>(WalRecordType::kPut), "seven", 6);
  next.resize(4096, '\0');
  testing::WriteFileOrDie(SegmentPath(2), next);
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.status.code(), StatusCode::kCorruption) << "segment 2 was acknowledged";
  EXPECT_EQ(back.end.reason, WalEndReason::kCorruption);
}

TEST_F(WalReaderTest, DamageBeforeARecordWrittenOnceItWasDurableIsCorruption) {
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  std::string bytes = SegmentWithAFinalGroup();
  bytes[RecordOffset(2) + 30] ^= 0x40;  // LSN 3: records 4-6 knew it durable
  testing::WriteFileOrDie(SegmentPath(1), bytes);
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.status.code(), StatusCode::kCorruption);
  EXPECT_EQ(back.end.reason, WalEndReason::kCorruption);
  EXPECT_NE(back.end.detail.find("LSN 3"), std::string::npos) << back.end.detail;
}

TEST_F(WalReaderTest, MissingOldestSegmentIsCorruptionWhenTheStartIsRequired) {
  WriteLog(40, /*segment_bytes=*/1024);
  const testing::ReadBack whole = ReadWal(fs_.get(), wal_dir_);
  ASSERT_GT(whole.end.segment, 2u);
  ASSERT_TRUE(fs_->RemoveFile(SegmentPath(1)).ok());
  WalReaderOptions recovery;
  recovery.start_lsn = 1;
  recovery.require_start_lsn = true;
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_, recovery);
  EXPECT_EQ(back.status.code(), StatusCode::kCorruption);
  EXPECT_NE(back.status.message().find("from LSN 1 to"), std::string::npos)
      << back.status.ToString();

  recovery.mode = WalRecoveryMode::kSalvage;
  back = ReadWal(fs_.get(), wal_dir_, recovery);
  EXPECT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.end.salvaged_regions, 1u);
  EXPECT_EQ(back.lsns.back(), 40u);
  WalReaderOptions forensics;  // not asked to reach back: reads what is there
  forensics.start_lsn = 1;
  EXPECT_TRUE(ReadWal(fs_.get(), wal_dir_, forensics).status.ok());
}

TEST_F(WalReaderTest, WriterBeginsANewSegmentAfterASalvagedRead) {
  WriteLog(5);
  FlipByte(1, RecordOffset(1) + 30);
  WalReaderOptions salvage;
  salvage.mode = WalRecoveryMode::kSalvage;
  auto reader = std::move(*WalReader::OpenDir(fs_.get(), wal_dir_, salvage));
  WalRecord record;
  while (*reader->Next(&record)) {
  }
  ASSERT_EQ(reader->end().salvaged_regions, 1u);
  auto w = WalWriter::Open(fs_.get(), wal_dir_, {}, reader->end());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  Result<uint64_t> lsn = (*w)->Append(WalRecordType::kPut, "after");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*lsn, 6u);
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(testing::ReadFileOrDie(SegmentPath(1)).find("after"), std::string::npos)
      << "nothing appended behind the damage";
  WalReaderOptions from_new;
  from_new.start_lsn = 6;
  from_new.require_start_lsn = true;
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_, from_new);
  EXPECT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{6}));
}

TEST_F(WalReaderTest, SegmentsWhollyBeforeTheStartNeedNoGoodHeaderNorUnbrokenNumbers) {
  WriteLog(40, /*segment_bytes=*/1024);
  const testing::ReadBack whole = ReadWal(fs_.get(), wal_dir_);
  ASSERT_GE(whole.end.segment, 4u);
  ASSERT_TRUE(fs_->RemoveFile(SegmentPath(2)).ok());
  FlipByte(1, 3);  // segment 1's magic
  const uint64_t third_first_lsn = [&] {
    WalReaderOptions all;
    all.mode = WalRecoveryMode::kSalvage;
    auto r = std::move(*WalReader::OpenDir(fs_.get(), wal_dir_, all));
    return r->segments().front().first_lsn;
  }();
  ASSERT_GT(third_first_lsn, 1u);
  WalReaderOptions from_third;
  from_third.start_lsn = third_first_lsn;
  from_third.require_start_lsn = true;
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_, from_third);
  EXPECT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns.back(), 40u);
  EXPECT_FALSE(ReadWal(fs_.get(), wal_dir_).status.ok()) << "read from LSN 1 it is damaged";
}

TEST_F(WalReaderTest, VersionOneLogIsReadAndContinuedInANewSegment) {
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  std::string bytes = EncodeWalSegmentHeader({1, 1, /*version=*/1});
  for (uint64_t lsn = 1; lsn <= 3; ++lsn) {
    // Version 1 wrote zeros where the durable distance now is.
    AppendWalRecord(&bytes, lsn, static_cast<uint8_t>(WalRecordType::kPut), "v1", lsn);
  }
  bytes.resize(4096, '\0');
  testing::WriteFileOrDie(SegmentPath(1), bytes);
  auto w = WalWriter::Open(fs_.get(), wal_dir_, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(*(*w)->Append(WalRecordType::kPut, "v2"), 4u);
  ASSERT_TRUE((*w)->Close().ok());
  const std::string after = testing::ReadFileOrDie(SegmentPath(1));
  EXPECT_TRUE(after.compare(0, bytes.size(), bytes) == 0 &&
              after.find_first_not_of('\0', bytes.size()) == std::string::npos)
      << "never appended to";
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4}));
  auto reader = std::move(*WalReader::OpenDir(fs_.get(), wal_dir_));
  ASSERT_EQ(reader->segments().size(), 2u);
  EXPECT_EQ(reader->segments()[0].version, 1u);
  EXPECT_EQ(reader->segments()[1].version, kWalFormatVersion);
}

// Records 1-2, zeros to the first block boundary, then the records of a group written
// while 1-2 were still in flight (durable through 0): `at_boundary` is the first LSN there.
std::string SegmentWithBlockPadding(uint32_t version, uint64_t at_boundary) {
  std::string bytes = EncodeWalSegmentHeader({1, 1, version});
  for (uint64_t lsn = 1; lsn <= 2; ++lsn) {
    AppendWalRecord(&bytes, lsn, static_cast<uint8_t>(WalRecordType::kPut), "before", lsn - 1);
  }
  bytes.resize(kWalBlockBytes, '\0');
  for (uint64_t lsn = at_boundary; lsn < at_boundary + 2; ++lsn) {
    AppendWalRecord(&bytes, lsn, static_cast<uint8_t>(WalRecordType::kPut), "after", 0);
  }
  bytes.resize(2 * kWalBlockBytes, '\0');
  return bytes;
}

TEST_F(WalReaderTest, BlockPaddingIsSkippedWhenTheNextLsnFollowsIt) {
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  testing::WriteFileOrDie(SegmentPath(1), SegmentWithBlockPadding(kWalFormatVersion, 3));
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(back.end.reason, WalEndReason::kClean) << back.end.detail;
  // A writer goes on after the last record, in the second block.
  auto w = WalWriter::Open(fs_.get(), wal_dir_, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(*(*w)->Append(WalRecordType::kPut, "five"), 5u);
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(ReadWal(fs_.get(), wal_dir_).lsns, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

TEST_F(WalReaderTest, BlockPaddingShorterThanARecordHeaderIsSkippedToo) {
  // A group that ends 8 or 16 bytes before a block boundary leaves less padding than a
  // record header: the reader must not take the next group's first bytes for part of a
  // header there. 24 bytes is a whole header of zeros.
  for (const uint64_t gap : {8u, 16u, 24u}) {
    SCOPED_TRACE("padding of " + std::to_string(gap) + " bytes");
    std::string bytes = EncodeWalSegmentHeader({1, 1, kWalFormatVersion});
    const uint64_t payload = kWalBlockBytes - gap - bytes.size() - kWalRecordHeaderBytes;
    AppendWalRecord(&bytes, 1, static_cast<uint8_t>(WalRecordType::kPut), std::string(payload, 'p'),
                    0);
    ASSERT_EQ(bytes.size(), kWalBlockBytes - gap);
    bytes.resize(kWalBlockBytes, '\0');
    for (uint64_t lsn = 2; lsn <= 3; ++lsn) {
      AppendWalRecord(&bytes, lsn, static_cast<uint8_t>(WalRecordType::kPut), "after", 0);
    }
    bytes.resize(2 * kWalBlockBytes, '\0');
    ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
    testing::WriteFileOrDie(SegmentPath(1), bytes);
    testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
    ASSERT_TRUE(back.status.ok()) << back.status.ToString();
    EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(back.end.reason, WalEndReason::kClean) << back.end.detail;
  }
}

TEST_F(WalReaderTest, AGroupLostBeforeBlockPaddingEndsTheLogThere) {
  // LSNs 3-4 were never written; 5-6 (written beside them, never acknowledged) follow.
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  testing::WriteFileOrDie(SegmentPath(1), SegmentWithBlockPadding(kWalFormatVersion, 5));
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(back.end.reason, WalEndReason::kTornTail) << back.end.detail;
  EXPECT_EQ(back.end.dropped_records, 2u);
}

TEST_F(WalReaderTest, BlockPaddingInAVersionTwoSegmentIsDamage) {
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  testing::WriteFileOrDie(SegmentPath(1), SegmentWithBlockPadding(2, 3));
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2})) << "version 2 never padded";
  EXPECT_EQ(back.end.reason, WalEndReason::kTornTail) << back.end.detail;
}

TEST_F(WalReaderTest, TornTailOfAVersionOneSegmentIsErasedBeforeTheLogGoesOn) {
  ASSERT_TRUE(fs_->CreateDir(wal_dir_).ok());
  std::string bytes = EncodeWalSegmentHeader({1, 1, /*version=*/1});
  for (uint64_t lsn = 1; lsn <= 3; ++lsn) {
    AppendWalRecord(&bytes, lsn, static_cast<uint8_t>(WalRecordType::kPut), "v1", lsn);
  }
  const size_t torn_at = bytes.size() - 6;  // the last record loses its end
  bytes.resize(torn_at);
  bytes.resize(4096, '\0');
  testing::WriteFileOrDie(SegmentPath(1), bytes);
  auto w = WalWriter::Open(fs_.get(), wal_dir_, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(*(*w)->Append(WalRecordType::kPut, "v2"), 3u) << "the torn LSN 3 is given again";
  ASSERT_TRUE((*w)->Close().ok());
  testing::ReadBack back = ReadWal(fs_.get(), wal_dir_);
  ASSERT_TRUE(back.status.ok()) << back.status.ToString();
  EXPECT_EQ(back.lsns, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(back.payloads.back(), "v2");
}

}  // namespace
}  // namespace docdb::io
