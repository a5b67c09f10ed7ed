// DB::Verify reports damage without changing anything; DB::Backup writes, while writers
// go on, a copy that opens and verifies and holds every write acknowledged before it began
// (docs/admin.md).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "docdb/db.h"
#include "io/file_names.h"
#include "tests/support/damage.h"
#include "tests/support/progress_log.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

namespace fs = std::filesystem;

Options QuietOptions() {
  Options options;
  options.healing_enabled = false;
  options.data_segment_size_bytes = 64 << 10;
  return options;
}

std::string Body(int i) {
  return R"({"i":)" + std::to_string(i) + R"(,"pad":")" + std::string(100, 'p') + "\"}";
}

TEST(DBVerifyTest, HealthyDatabaseVerifiesClean) {
  testing::TempDir dir;
  auto db = std::move(*DB::Open(dir.path(), QuietOptions()));
  ASSERT_TRUE(db->CreateCollection("c").ok());
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(db->Put(i % 3 == 0 ? "c" : "default", "d" + std::to_string(i % 700), Body(i)).ok());
  }
  ASSERT_TRUE(db->Delete("default", "d1").ok());
  ASSERT_TRUE(db->Checkpoint().ok());
  ASSERT_TRUE(db->Put("default", "after-checkpoint", Body(-1)).ok());  // in the overlay
  testing::ProgressLog progress;
  const VerifyReport report = *db->Verify(progress.Callback());
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
  EXPECT_EQ(report.documents_checked, *db->Count("default") + *db->Count("c"));
  // Documents, a page at a time: 700 of them in two collections.
  EXPECT_TRUE(progress.RanToTheEnd(2, report.documents_checked));
  EXPECT_GT(report.segments_checked, 1u);
}

TEST(DBVerifyTest, DamageIsReportedAndNothingIsChanged) {
  testing::TempDir dir;
  auto db = std::move(*DB::Open(dir.path(), QuietOptions()));
  ASSERT_TRUE(db->Put("default", "x", R"({"marker":"xxxx-one"})").ok());
  ASSERT_TRUE(db->Put("default", "y", R"({"marker":"yyyy-one"})").ok());
  ASSERT_TRUE(db->Checkpoint().ok());
  ASSERT_EQ(testing::DamageDataSegments(dir.path(), "xxxx-one"), 1);
  {  // and the header of the first segment
    std::fstream f(io::DataSegmentPath(io::DataDirPath(dir.path()), 1),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2);
    f.put('!');
  }
  const Stats before = *db->GetStats();
  const VerifyReport report = *db->Verify();
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(report.damaged.size(), 1u);
  EXPECT_EQ(report.damaged[0].id, "x");
  EXPECT_NE(report.damaged[0].problem.find("checksum"), std::string::npos)
      << report.damaged[0].problem;
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("seg-000001.dat"), std::string::npos) << report.problems[0];
  const Stats after = *db->GetStats();
  EXPECT_EQ(after.data_bytes, before.data_bytes) << "verify heals nothing";
  EXPECT_EQ(db->GetHealingStats()->documents_healed, 0u);
  EXPECT_EQ(db->GetHealingStats()->documents_corrupted, 1u);
}

TEST(DBBackupTest, BackupUnderConcurrentWritersOpensWithEveryEarlierWrite) {
  testing::TempDir dir;
  testing::TempDir backups;
  auto db = std::move(*DB::Open(dir.path(), QuietOptions()));
  // Acknowledged before the backup begins: these must all be in it.
  std::map<std::string, std::string> before;
  for (int i = 0; i < 500; ++i) {
    const std::string id = "before-" + std::to_string(i % 200);
    before[id] = Body(i);
    ASSERT_TRUE(db->Put("default", id, before[id]).ok());
  }
  ASSERT_TRUE(db->Delete("default", "before-7").ok());
  before.erase("before-7");

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> written{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string id = "during-" + std::to_string(t) + "-" + std::to_string(i % 300);
        if (db->Put("default", id, Body(i)).ok()) ++written;
        if (i % 50 == 0) db->Compact().IgnoreError();  // moves records while the copy runs
      }
    });
  }
  while (written < 200) std::this_thread::yield();
  const std::string copy = backups.Join("copy");
  testing::ProgressLog progress;
  const Status backed_up = db->Backup(copy, progress.Callback());
  stop = true;
  for (std::thread& w : writers) w.join();
  ASSERT_TRUE(backed_up.ok()) << backed_up.ToString();
  // Bytes copied: the index and each data segment.
  uint64_t copied = fs::file_size(io::IndexDataFilePath(copy));
  for (const auto& e : fs::directory_iterator(io::DataDirPath(copy))) copied += e.file_size();
  EXPECT_TRUE(progress.RanToTheEnd(2, copied));

  auto restored = DB::Open(copy, QuietOptions());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  for (const auto& [id, body] : before) {
    Result<Document> doc = (*restored)->Get("default", id);
    ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
    EXPECT_EQ(doc->json, body);
  }
  EXPECT_FALSE(*(*restored)->Exists("default", "before-7"));
  const VerifyReport report = *(*restored)->Verify();
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
  // The copy is a database of its own: it takes writes, and the original goes on.
  EXPECT_TRUE((*restored)->Put("default", "in-copy", "1").ok());
  EXPECT_FALSE(*db->Exists("default", "in-copy"));
}

TEST(DBBackupTest, DestinationMustBeNewOrEmpty) {
  testing::TempDir dir;
  testing::TempDir dest;
  auto db = std::move(*DB::Open(dir.path(), QuietOptions()));
  testing::WriteFileOrDie(dest.Join("something"), "x");
  const Status refused = db->Backup(dest.path());
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_TRUE(fs::exists(dest.Join("something")));
  fs::remove(dest.Join("something"));
  EXPECT_TRUE(db->Backup(dest.path()).ok()) << "an empty directory will do";
}

}  // namespace
}  // namespace docdb
