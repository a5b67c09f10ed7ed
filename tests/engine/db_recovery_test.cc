// Opening a database whose WAL was damaged: a torn final record is dropped at every byte
// offset; corruption in the middle of the log refuses to open, naming where it is.
#include <gtest/gtest.h>

#include "docdb/db.h"
#include "io/file_names.h"
#include "io/wal_format.h"
#include "io/wal_reader.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

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

}  // namespace
}  // namespace docdb
