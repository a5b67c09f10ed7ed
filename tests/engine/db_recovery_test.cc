// Opening a database whose WAL was damaged: a torn final write is dropped (at every byte
// offset, and with whole records of the same write after the damage) and reported;
// corruption in the middle of the log and missing segments refuse to open, naming where,
// and touch nothing on disk; salvage mode opens past them.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "common/crc32c.h"
#include "docdb/db.h"
#include "io/file_names.h"
#include "io/wal_format.h"
#include "io/wal_reader.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

// Keeps every line logged, for tests to look at.
class RecordingLogger : public Logger {
 public:
  void Log(LogLevel level, std::string_view, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(std::string(LogLevelName(level)) + ": " + std::string(message));
  }
  std::vector<std::string> Lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// The names and sizes of the files in `dir`.
std::map<std::string, uintmax_t> FileSizes(const std::string& dir) {
  std::map<std::string, uintmax_t> sizes;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    sizes[entry.path().filename().string()] = entry.file_size();
  }
  return sizes;
}

class DBRecoveryTest : public ::testing::Test {
 protected:
  static Options NoCheckpointOptions() {
    Options options;
    options.checkpoint_on_close = false;  // everything stays in the WAL
    options.wal_segment_size_bytes = 64 << 10;
    return options;
  }

  // Writes three documents and returns the offset of the last WAL record and its size
  // without padding (cutting only zero padding off leaves the record whole).
  std::pair<uint64_t, uint64_t> WriteThree() {
    {
      auto db = std::move(*DB::Open(dir_.path(), NoCheckpointOptions()));
      for (const char* id : {"a", "b", "c"}) EXPECT_TRUE(db->Put("default", id, R"({"v":1})").ok());
    }
    auto fs = std::move(*io::NewFileSystem(io::IoBackend::kPosix));
    auto reader = std::move(*io::WalReader::OpenDir(fs.get(), io::WalDirPath(dir_.path())));
    io::WalRecord record;
    std::pair<uint64_t, uint64_t> last;
    while (*reader->Next(&record))
      last = {record.offset, io::kWalRecordHeaderBytes + record.payload.size()};
    return last;
  }

  std::string SegmentPath() const { return io::WalSegmentPath(io::WalDirPath(dir_.path()), 1); }

  // Every record of the WAL, in LSN order.
  std::vector<io::WalRecord> Records() {
    auto fs = std::move(*io::NewFileSystem(io::IoBackend::kPosix));
    auto reader = std::move(*io::WalReader::OpenDir(fs.get(), io::WalDirPath(dir_.path())));
    std::vector<io::WalRecord> out;
    io::WalRecord record;
    while (*reader->Next(&record)) {
      record.payload = {};  // it would dangle
      out.push_back(record);
    }
    return out;
  }

  // Makes the record at `offset` of *bytes say it was written while nothing after LSN
  // `durable_lsn` was durable, as the records of one group write do, and seals it again.
  static void RewriteDurablePoint(std::string* bytes, const io::WalRecord& record,
                                  uint64_t durable_lsn) {
    const uint64_t distance = record.lsn - durable_lsn;
    char* p = bytes->data() + record.offset;
    p[17] = static_cast<char>(distance & 0xff);
    p[18] = static_cast<char>((distance >> 8) & 0xff);
    p[19] = static_cast<char>(distance >> 16);
    const uint32_t length = static_cast<uint8_t>(p[4]) | static_cast<uint8_t>(p[5]) << 8 |
                            static_cast<uint8_t>(p[6]) << 16 |
                            static_cast<uint32_t>(static_cast<uint8_t>(p[7])) << 24;
    const uint32_t crc = crc32c::Value(p + 4, io::kWalRecordHeaderBytes - 4 + length);
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  }

  testing::TempDir dir_;
};

TEST_F(DBRecoveryTest, TornWalTailAtEveryByteOffsetIsDroppedOnOpen) {
  const auto [offset, size] = WriteThree();
  const std::string intact = testing::ReadFileOrDie(SegmentPath());
  for (uint64_t cut = offset + 1; cut < offset + size; ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::string torn = intact.substr(0, cut);
    torn.resize(intact.size(), '\0');
    testing::WriteFileOrDie(SegmentPath(), torn);
    Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), NoCheckpointOptions());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_TRUE(*(*db)->Exists("default", "a"));
    EXPECT_TRUE(*(*db)->Exists("default", "b"));
    EXPECT_FALSE(*(*db)->Exists("default", "c")) << "the torn write was never acknowledged";
  }
}

TEST_F(DBRecoveryTest, MidLogCorruptionRefusesToOpenNamingSegmentOffsetAndLsn) {
  WriteThree();
  std::string bytes = testing::ReadFileOrDie(SegmentPath());
  bytes[io::kWalSegmentHeaderBytes + 30] ^= 0x20;  // inside the first record
  testing::WriteFileOrDie(SegmentPath(), bytes);
  Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), NoCheckpointOptions());
  ASSERT_EQ(db.status().code(), StatusCode::kCorruption);
  const std::string message(db.status().message());
  EXPECT_NE(message.find(io::WalSegmentFileName(1)), std::string::npos) << message;
  EXPECT_NE(message.find("offset " + std::to_string(io::kWalSegmentHeaderBytes)), std::string::npos)
      << message;
  EXPECT_NE(message.find("LSN 1"), std::string::npos) << message;
}

TEST_F(DBRecoveryTest, AbsoluteModeRefusesATornTail) {
  const auto [offset, size] = WriteThree();
  std::string bytes = testing::ReadFileOrDie(SegmentPath());
  bytes[offset + size - 2] ^= 0x20;
  testing::WriteFileOrDie(SegmentPath(), bytes);
  Options absolute = NoCheckpointOptions();
  absolute.recovery_mode = RecoveryMode::kAbsolute;
  EXPECT_EQ(DB::Open(dir_.path(), absolute).status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(DB::Open(dir_.path(), NoCheckpointOptions()).ok());
}

TEST_F(DBRecoveryTest, TornTailIsLoggedAndReportedInStats) {
  const auto [offset, size] = WriteThree();
  std::string bytes = testing::ReadFileOrDie(SegmentPath());
  std::fill(bytes.begin() + static_cast<ptrdiff_t>(offset + size / 2), bytes.end(), '\0');
  testing::WriteFileOrDie(SegmentPath(), bytes);
  Options options = NoCheckpointOptions();
  auto logger = std::make_shared<RecordingLogger>();
  options.logger = logger;
  Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const RecoveryReport report = (*db)->GetStats()->recovery;
  EXPECT_EQ(report.torn_tail_segment, 1u);
  EXPECT_EQ(report.torn_tail_offset, offset);
  EXPECT_EQ(report.torn_tail_lsn, 3u);
  EXPECT_EQ(report.dropped_bytes, size / 2);
  EXPECT_EQ(report.records_replayed, 2u);
  EXPECT_EQ(report.last_lsn, 2u);
  std::vector<std::string> warnings;
  for (const std::string& line : logger->Lines()) {
    if (line.starts_with("warning: ")) warnings.push_back(line);
  }
  ASSERT_EQ(warnings.size(), 1u) << "logged once";
  for (const std::string& part : {io::WalSegmentFileName(1), "offset " + std::to_string(offset),
                                  std::string("LSN 3"), std::to_string(size / 2) + " bytes"}) {
    EXPECT_NE(warnings[0].find(part), std::string::npos) << part << " in " << warnings[0];
  }
}

TEST_F(DBRecoveryTest, WholeRecordsAfterATornOneOfTheSameWriteAreDropped) {
  WriteThree();
  // As if b and c had been written by one group commit whose sectors reached the disk
  // out of order: c whole, b torn. c was never acknowledged, for b never became durable.
  const std::vector<io::WalRecord> records = Records();
  ASSERT_EQ(records.size(), 3u);
  std::string bytes = testing::ReadFileOrDie(SegmentPath());
  RewriteDurablePoint(&bytes, records[2], /*durable_lsn=*/1);
  bytes[records[1].offset + 24] ^= 0x20;
  testing::WriteFileOrDie(SegmentPath(), bytes);

  Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), NoCheckpointOptions());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(*(*db)->Exists("default", "a"));
  EXPECT_FALSE(*(*db)->Exists("default", "b"));
  EXPECT_FALSE(*(*db)->Exists("default", "c"));
  const RecoveryReport report = (*db)->GetStats()->recovery;
  EXPECT_EQ(report.torn_tail_lsn, 2u);
  EXPECT_EQ(report.dropped_records, 1u);
  ASSERT_TRUE((*db)->Put("default", "d", "1").ok());
  db->reset();
  db = DB::Open(dir_.path(), NoCheckpointOptions());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(*(*db)->Exists("default", "d"));
  EXPECT_FALSE(*(*db)->Exists("default", "c")) << "erased before new records were appended";
}

TEST_F(DBRecoveryTest, DamageBeforeARecordWrittenAfterItWasDurableIsCorruption) {
  WriteThree();
  // c was written after b was durable (b was acknowledged): damage in b is lost data.
  const std::vector<io::WalRecord> records = Records();
  ASSERT_EQ(records[2].durable_lsn, 2u);
  std::string bytes = testing::ReadFileOrDie(SegmentPath());
  bytes[records[1].offset + 24] ^= 0x20;
  testing::WriteFileOrDie(SegmentPath(), bytes);
  EXPECT_EQ(DB::Open(dir_.path(), NoCheckpointOptions()).status().code(), StatusCode::kCorruption);
}

TEST_F(DBRecoveryTest, FailedRecoveryLeavesTheDataSegmentsUntouched) {
  Options options = NoCheckpointOptions();
  options.data_segment_size_bytes = 4 << 10;
  {
    auto db = std::move(*DB::Open(dir_.path(), options));
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(db->Put("default", "old" + std::to_string(i), "1").ok());
    ASSERT_TRUE(db->Checkpoint().ok());
    // After the checkpoint: the data segment grows and new ones are begun.
    const std::string body = R"({"pad":")" + std::string(1000, 'x') + "\"}";
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(db->Put("default", "new" + std::to_string(i), body).ok());
  }
  const std::string data_dir = io::DataDirPath(dir_.path());
  const std::map<std::string, uintmax_t> before = FileSizes(data_dir);
  ASSERT_GT(before.size(), 1u);
  const std::vector<io::WalRecord> records = Records();
  const std::string intact = testing::ReadFileOrDie(SegmentPath());
  std::string damaged = intact;
  damaged[records[12].offset + 24] ^= 0x20;  // a record after the checkpoint, valid ones follow
  testing::WriteFileOrDie(SegmentPath(), damaged);

  EXPECT_EQ(DB::Open(dir_.path(), options).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(FileSizes(data_dir), before) << "nothing cut before the WAL was known good";

  testing::WriteFileOrDie(SegmentPath(), intact);
  Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(*(*db)->Count("default"), 20u);
}

TEST_F(DBRecoveryTest, MissingOldestWalSegmentIsCorruptionNamingTheMissingLsns) {
  Options options = NoCheckpointOptions();
  options.wal_segment_size_bytes = 2 << 10;
  {
    auto db = std::move(*DB::Open(dir_.path(), options));
    const std::string body = R"({"pad":")" + std::string(300, 'x') + "\"}";
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE(db->Put("default", "d" + std::to_string(i), body).ok());
  }
  const std::string first_segment = SegmentPath();
  const uint64_t second_first_lsn = [&] {
    for (const io::WalRecord& r : Records()) {
      if (r.segment == 2) return r.lsn;
    }
    return uint64_t{0};
  }();
  ASSERT_GT(second_first_lsn, 1u);
  std::filesystem::remove(first_segment);

  Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), options);
  ASSERT_EQ(db.status().code(), StatusCode::kCorruption) << db.status().ToString();
  const std::string message(db.status().message());
  EXPECT_NE(message.find("LSN 1 to " + std::to_string(second_first_lsn - 1)), std::string::npos)
      << message;

  Options salvage = options;
  salvage.recovery_mode = RecoveryMode::kSalvage;
  db = DB::Open(dir_.path(), salvage);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->GetStats()->recovery.salvaged_regions, 1u);
  EXPECT_FALSE(*(*db)->Exists("default", "d0")) << "its record was in the missing segment";
  EXPECT_TRUE(*(*db)->Exists("default", "d19"));
}

TEST_F(DBRecoveryTest, SalvageOpensPastMidLogCorruptionAndTheNextOpenNeedsNoSalvage) {
  WriteThree();
  std::string bytes = testing::ReadFileOrDie(SegmentPath());
  bytes[io::kWalSegmentHeaderBytes + 30] ^= 0x20;  // inside the first record, a's
  testing::WriteFileOrDie(SegmentPath(), bytes);
  ASSERT_EQ(DB::Open(dir_.path(), NoCheckpointOptions()).status().code(), StatusCode::kCorruption);

  Options salvage = NoCheckpointOptions();
  salvage.recovery_mode = RecoveryMode::kSalvage;
  auto logger = std::make_shared<RecordingLogger>();
  salvage.logger = logger;
  {
    Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), salvage);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_FALSE(*(*db)->Exists("default", "a")) << "lost with its damaged record";
    EXPECT_TRUE(*(*db)->Exists("default", "b"));
    EXPECT_TRUE(*(*db)->Exists("default", "c"));
    EXPECT_EQ((*db)->GetStats()->recovery.salvaged_regions, 1u);
    ASSERT_TRUE((*db)->Put("default", "d", "1").ok());
  }
  bool logged = false;
  for (const std::string& line : logger->Lines()) logged |= line.starts_with("error: salvage");
  EXPECT_TRUE(logged);

  Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), NoCheckpointOptions());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (const char* id : {"b", "c", "d"}) EXPECT_TRUE(*(*db)->Exists("default", id)) << id;
  EXPECT_EQ((*db)->GetStats()->recovery.salvaged_regions, 0u);
}

}  // namespace
}  // namespace docdb
