// walinspect run as a user would: on a WAL written through WalWriter, checking its output
// and its documented exit codes (docs/walinspect.md).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "io/file_names.h"
#include "io/wal_format.h"
#include "io/wal_payload.h"
#include "io/wal_writer.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace docdb::io {
namespace {

testing::CommandResult RunWalinspect(const std::string& args) {
  return testing::RunCommand(WALINSPECT_PATH, args);
}

class WalinspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = std::move(*NewFileSystem(IoBackend::kPosix));
    WalWriterOptions options;
    options.segment_size_bytes = 1024;
    auto w = std::move(*WalWriter::Open(fs_.get(), wal_dir_, options));
    Append(w.get(), {{WalOp::Kind::kCreateCollection, "users", "", ""}});
    for (int i = 0; i < 10; ++i) {
      const std::string id = "user-" + std::to_string(i);
      const std::string body =
          R"({"n":)" + std::to_string(i) + R"(,"pad":")" + std::string(40, 'x') + "\"}";
      Append(w.get(), {{WalOp::Kind::kPut, "users", id, body}});
    }
    Append(w.get(), {{WalOp::Kind::kDelete, "users", "user-3", ""},
                     {WalOp::Kind::kPut, "orders", "o-1", R"({"total":12.50})"}});
    ASSERT_TRUE(w->Close().ok());
  }

  static void Append(WalWriter* w, std::vector<WalOp> ops) {
    WalPayload payload = EncodeWalPayload(ops);
    ASSERT_TRUE(w->Append(payload.type, payload.bytes).ok());
  }

  void FlipByte(uint64_t segment, uint64_t offset) {
    const std::string path = WalSegmentPath(wal_dir_, segment);
    std::string bytes = testing::ReadFileOrDie(path);
    bytes[offset] ^= 0x10;
    testing::WriteFileOrDie(path, bytes);
  }

  static rapidjson::Document ParseJson(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    EXPECT_FALSE(doc.HasParseError()) << text;
    return doc;
  }

  testing::TempDir dir_;
  std::string wal_dir_ = dir_.Join("wal");
  std::unique_ptr<FileSystem> fs_;
};

TEST_F(WalinspectTest, VerifyOnACleanLogExitsZeroAndCountsRecords) {
  testing::CommandResult r = RunWalinspect("verify " + wal_dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("12 records, LSN 1 to 12"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("end: clean"), std::string::npos) << r.out;

  rapidjson::Document doc = ParseJson(RunWalinspect("--json verify " + wal_dir_).out);
  EXPECT_EQ(doc["records"].GetUint64(), 12u);
  EXPECT_STREQ(doc["end"]["reason"].GetString(), "clean");
  EXPECT_EQ(doc["end"]["last_lsn"].GetUint64(), 12u);
}

TEST_F(WalinspectTest, DumpFiltersByCollectionIdTypeAndLsn) {
  rapidjson::Document doc = ParseJson(RunWalinspect("dump --json --id user-3 " + wal_dir_).out);
  const auto& records = doc["records"];
  ASSERT_EQ(records.Size(), 2u) << "the put of user-3 and the batch that deletes it";
  EXPECT_STREQ(records[0]["type"].GetString(), "put");
  EXPECT_STREQ(records[1]["type"].GetString(), "batch");
  EXPECT_STREQ(records[1]["ops"][0]["op"].GetString(), "delete");

  doc = ParseJson(RunWalinspect("--json dump --collection orders " + wal_dir_).out);
  EXPECT_EQ(doc["records"].Size(), 1u);
  doc = ParseJson(RunWalinspect("--json dump --type create-collection " + wal_dir_).out);
  ASSERT_EQ(doc["records"].Size(), 1u);
  EXPECT_STREQ(doc["records"][0]["ops"][0]["collection"].GetString(), "users");
  doc = ParseJson(RunWalinspect("--json dump --from-lsn 4 --to-lsn 6 " + wal_dir_).out);
  ASSERT_EQ(doc["records"].Size(), 3u);
  EXPECT_EQ(doc["records"][0]["lsn"].GetUint64(), 4u);
}

TEST_F(WalinspectTest, HistoryListsEveryRecordOfOneDocumentOldestFirst) {
  {
    WalWriterOptions options;
    options.segment_size_bytes = 1024;
    auto w = std::move(*WalWriter::Open(fs_.get(), wal_dir_, options));
    Append(w.get(), {{WalOp::Kind::kPut, "users", "user-3", R"({"back":true})"}});
    Append(w.get(), {{WalOp::Kind::kDropCollection, "users", "", ""}});
    ASSERT_TRUE(w->Close().ok());
  }
  const testing::CommandResult run =
      RunWalinspect("--json history users user-3 --bodies " + wal_dir_);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  rapidjson::Document doc = ParseJson(run.out);
  const auto& records = doc["records"];
  ASSERT_EQ(records.Size(), 4u) << "put, the batch's delete, put again, the collection's drop";
  EXPECT_STREQ(records[0]["op"].GetString(), "put");
  EXPECT_EQ(records[0]["version"].GetUint64(), records[0]["lsn"].GetUint64());
  EXPECT_STREQ(records[1]["op"].GetString(), "delete");
  EXPECT_STREQ(records[1]["record_type"].GetString(), "batch");
  EXPECT_EQ(records[1]["record_ops"].GetUint64(), 2u);
  EXPECT_STREQ(records[2]["body"].GetString(), R"({"back":true})");
  EXPECT_STREQ(records[3]["op"].GetString(), "drop-collection");
  for (rapidjson::SizeType i = 1; i < records.Size(); ++i) {
    EXPECT_GT(records[i]["lsn"].GetUint64(), records[i - 1]["lsn"].GetUint64());
  }
  const testing::CommandResult none = RunWalinspect("history users nobody " + wal_dir_);
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.out.find("no record of users/nobody"), std::string::npos) << none.out;
}

TEST_F(WalinspectTest, AbortRecordsShowWhatTheyRevoke) {
  uint64_t revoked = 0;
  {
    WalWriterOptions options;
    options.segment_size_bytes = 1024;
    auto w = std::move(*WalWriter::Open(fs_.get(), wal_dir_, options));
    const WalPayload put = EncodeWalPayload(
        std::vector<WalOp>{{WalOp::Kind::kPut, "users", "user-4", R"({"never":true})"}});
    revoked = *w->Append(put.type, put.bytes);
    WalOp abort;
    abort.kind = WalOp::Kind::kAbort;
    abort.first_lsn = revoked;
    abort.last_lsn = revoked;
    Append(w.get(), {abort});
    ASSERT_TRUE(w->Close().ok());
  }
  rapidjson::Document doc = ParseJson(RunWalinspect("--json dump --type abort " + wal_dir_).out);
  ASSERT_EQ(doc["records"].Size(), 1u);
  const auto& op = doc["records"][0]["ops"][0];
  EXPECT_STREQ(op["op"].GetString(), "abort");
  EXPECT_EQ(op["first_lsn"].GetUint64(), revoked);
  EXPECT_EQ(op["last_lsn"].GetUint64(), revoked);
  const testing::CommandResult history = RunWalinspect("history users user-4 " + wal_dir_);
  EXPECT_NE(history.out.find("abort  revokes LSN " + std::to_string(revoked) + "-" +
                             std::to_string(revoked)),
            std::string::npos)
      << history.out;
}

TEST_F(WalinspectTest, DumpPrintsBodiesOnlyWhenAsked) {
  testing::CommandResult plain = RunWalinspect("dump --id user-2 " + wal_dir_);
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_NE(plain.out.find("put users/user-2"), std::string::npos) << plain.out;
  EXPECT_EQ(plain.out.find(R"({"n":2,)"), std::string::npos) << plain.out;
  testing::CommandResult bodies = RunWalinspect("dump --bodies --id user-2 " + wal_dir_);
  EXPECT_NE(bodies.out.find(R"({"n":2,)"), std::string::npos) << bodies.out;
}

TEST_F(WalinspectTest, StatsReportsEverySegment) {
  rapidjson::Document doc = ParseJson(RunWalinspect("--json stats " + wal_dir_).out);
  const auto& segments = doc["segments"];
  ASSERT_GT(segments.Size(), 1u);
  uint64_t records = 0;
  uint64_t puts = 0;
  for (const auto& s : segments.GetArray()) {
    records += s["records"].GetUint64();
    if (s["by_type"].HasMember("put")) puts += s["by_type"]["put"].GetUint64();
  }
  EXPECT_EQ(records, 12u);
  EXPECT_EQ(puts, 10u);
  EXPECT_EQ(segments[0]["first_lsn"].GetUint64(), 1u);
}

TEST_F(WalinspectTest, DumpShowsTheDurablePointEachRecordWasWrittenAfter) {
  rapidjson::Document doc = ParseJson(RunWalinspect("--json dump " + wal_dir_).out);
  const auto& records = doc["records"];
  ASSERT_EQ(records.Size(), 12u);
  for (const auto& r : records.GetArray()) {
    // Sync mode, one appender: each record is written once the one before it is durable.
    EXPECT_EQ(r["durable_lsn"].GetUint64(), r["lsn"].GetUint64() - 1) << r["lsn"].GetUint64();
  }
  doc = ParseJson(RunWalinspect("--json stats " + wal_dir_).out);
  for (const auto& s : doc["segments"].GetArray()) {
    EXPECT_EQ(s["format_version"].GetUint(), kWalFormatVersion);
  }
  EXPECT_NE(RunWalinspect("dump " + wal_dir_).out.find("durable through LSN 4"), std::string::npos);
}

TEST_F(WalinspectTest, TornTailAndCorruptionHaveTheirOwnExitCodes) {
  // Damage the very last record: a torn tail.
  const std::string last = WalSegmentPath(wal_dir_, fs_->ListDir(wal_dir_)->size());
  std::string bytes = testing::ReadFileOrDie(last);
  const size_t end = bytes.find_last_not_of('\0');
  bytes[end - 2] ^= 0x10;
  testing::WriteFileOrDie(last, bytes);
  testing::CommandResult torn = RunWalinspect("verify " + wal_dir_);
  EXPECT_EQ(torn.exit_code, 3) << torn.out;
  EXPECT_NE(torn.out.find("torn"), std::string::npos) << torn.out;

  // Damage the first segment too: valid records follow, so that is corruption.
  FlipByte(1, kWalSegmentHeaderBytes + 30);
  testing::CommandResult corrupt = RunWalinspect("verify " + wal_dir_);
  EXPECT_EQ(corrupt.exit_code, 4) << corrupt.out;
  EXPECT_NE(corrupt.out.find(WalSegmentFileName(1)), std::string::npos) << corrupt.out;
  rapidjson::Document doc = ParseJson(RunWalinspect("--json verify " + wal_dir_).out);
  EXPECT_STREQ(doc["end"]["reason"].GetString(), "corruption");
}

TEST_F(WalinspectTest, NeverModifiesTheLog) {
  FlipByte(1, kWalSegmentHeaderBytes + 30);
  const std::string before = testing::ReadFileOrDie(WalSegmentPath(wal_dir_, 1));
  const auto names_before = *fs_->ListDir(wal_dir_);
  for (const char* sub : {"verify", "dump", "stats", "--mode salvage dump"}) {
    RunWalinspect(std::string(sub) + " " + wal_dir_);
  }
  EXPECT_EQ(testing::ReadFileOrDie(WalSegmentPath(wal_dir_, 1)), before);
  EXPECT_EQ(*fs_->ListDir(wal_dir_), names_before);
}

TEST_F(WalinspectTest, ReadsASingleSegmentFile) {
  testing::CommandResult r = RunWalinspect("--json stats " + WalSegmentPath(wal_dir_, 2));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  rapidjson::Document doc = ParseJson(r.out);
  EXPECT_EQ(doc["segments"].Size(), 1u);
  EXPECT_EQ(doc["segments"][0]["segment"].GetUint64(), 2u);
}

TEST_F(WalinspectTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunWalinspect("").exit_code, 2);
  EXPECT_EQ(RunWalinspect("frobnicate " + wal_dir_).exit_code, 2);
  EXPECT_EQ(RunWalinspect("dump --type nonsense " + wal_dir_).exit_code, 2);
  EXPECT_EQ(RunWalinspect("--mode lenient verify " + wal_dir_).exit_code, 2);
  EXPECT_EQ(RunWalinspect("verify " + dir_.Join("missing")).exit_code, 1);
  testing::CommandResult help = RunWalinspect("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("verify"), std::string::npos);
}

}  // namespace
}  // namespace docdb::io
