// DB::RebuildIndex (docs/recovery.md, "Rebuilding the index"): a deleted index is rebuilt
// from the checkpoint file and the data segments, and with the WAL replayed after it the
// database holds exactly what it held: deleted documents stay deleted (their tombstones
// outlive compaction), dropped collections stay dropped, revoked writes stay revoked.
#include <gtest/gtest.h>

#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>

#include "engine/db_impl.h"
#include "io/fault_file_system.h"
#include "io/file_names.h"
#include "tests/support/damage.h"
#include "tests/support/progress_log.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

namespace fs = std::filesystem;

using Contents = std::map<std::pair<std::string, std::string>, std::pair<std::string, uint64_t>>;

Contents ContentsOf(DB& db) {
  Contents out;
  for (const CollectionInfo& c : *db.ListCollections()) {
    for (const Document& d : *db.Scan(c.name)) out[{c.name, d.id}] = {d.json, d.version};
  }
  return out;
}

std::string Body(int i, size_t pad = 150) {
  return R"({"i":)" + std::to_string(i) + R"(,"pad":")" + std::string(pad, 'p') + "\"}";
}

Options SmallOptions() {
  Options options;
  options.data_segment_size_bytes = 16 << 10;
  options.wal_segment_size_bytes = 64 << 10;
  options.checkpoint_auto = false;
  options.compaction_auto = false;
  options.healing_enabled = false;
  options.data_segment_buffer_bytes = 0;  // a fault in a segment write hits its own write
  return options;
}

void ExpectRebuiltTo(const std::string& dir, const Options& options, const Contents& expected) {
  fs::remove_all(io::IndexDirPath(dir));
  testing::ProgressLog progress;
  Result<RebuildReport> report = DB::RebuildIndex(dir, false, progress.Callback());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(progress.RanToTheEnd(report->segments));  // bytes, a segment at a time
  EXPECT_TRUE(report->damage.empty());
  EXPECT_TRUE(report->previous_index.empty()) << "there was no index to keep";
  auto db = DB::Open(dir, options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(ContentsOf(**db), expected);
  const VerifyReport verify = *(*db)->Verify();
  EXPECT_TRUE(verify.ok()) << (verify.problems.empty() ? "" : verify.problems[0]);
}

TEST(DBRebuildTest, RebuiltIndexHoldsExactlyWhatTheDatabaseHeld) {
  testing::TempDir dir;
  Options options = SmallOptions();
  options.checkpoint_on_close = false;  // the writes after the last checkpoint are replayed
  Contents expected;
  {
    auto db = std::move(*DB::Open(dir.path(), options));
    ASSERT_TRUE(db->CreateCollection("c").ok());
    for (int i = 0; i < 400; ++i) {
      const std::string collection = i % 4 == 0 ? "c" : "default";
      ASSERT_TRUE(db->Put(collection, "d" + std::to_string(i % 120), Body(i)).ok());
      if (i % 7 == 0) {
        ASSERT_TRUE(db->Delete(collection, "d" + std::to_string(i % 120)).ok());
      }
    }
    // A dropped collection and a new one of the same name: none of the old one's
    // documents may come back.
    ASSERT_TRUE(db->DropCollection("c", true).ok());
    ASSERT_TRUE(db->CreateCollection("c").ok());
    ASSERT_TRUE(db->Put("c", "d0", Body(-1)).ok());
    ASSERT_TRUE(db->CreateCollection("empty").ok());
    ASSERT_TRUE(db->Compact().ok());
    for (int i = 0; i < 50; ++i) {
      db->Delete("default", "d" + std::to_string(i)).status().IgnoreError();  // some are gone
    }
    ASSERT_TRUE(db->Checkpoint().ok());
    // After the checkpoint: only in the WAL.
    ASSERT_TRUE(db->Put("default", "late", Body(-2)).ok());
    ASSERT_TRUE(db->Delete("default", "d119").ok());
    expected = ContentsOf(*db);
  }
  ExpectRebuiltTo(dir.path(), options, expected);
}

TEST(DBRebuildTest, TombstonesOutliveCompactionWhileAnOlderRecordRemains) {
  testing::TempDir dir;
  // Declared before the database: its threads signal them until it is closed.
  std::mutex mu;
  std::condition_variable cycled;
  Options options = SmallOptions();
  options.checkpoint_auto = true;
  options.checkpoint_interval_bytes = 8 << 10;
  options.compaction_auto = true;
  options.compaction_max_bytes_per_second = 0;
  Contents expected;
  {
    auto db = std::move(*DB::Open(dir.path(), options));
    uint64_t cycles = 0;
    static_cast<engine::DBImpl*>(db.get())->SetBackgroundCycleHookForTesting([&] {
      std::lock_guard<std::mutex> lock(mu);
      ++cycles;
      cycled.notify_all();
    });
    // The first segment: documents that stay, and `k`, deleted later. Its one dead record
    // never makes it worth compacting.
    ASSERT_TRUE(db->Put("default", "k", Body(0)).ok());
    for (int i = 0; i < 60; ++i)
      ASSERT_TRUE(db->Put("default", "stay" + std::to_string(i), Body(i)).ok());
    // Later segments: churn, k's deletion among it; they fill with dead records and are
    // compacted in the background, k's tombstone with them.
    for (int i = 0; i < 400; ++i) {
      ASSERT_TRUE(db->Put("default", "churn", Body(i)).ok());
      if (i == 100) {
        ASSERT_TRUE(db->Delete("default", "k").ok());
      }
    }
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cycled.wait_for(lock, std::chrono::seconds(60),
                                [&] { return db->GetStats()->compactions >= 3; }));
    lock.unlock();
    ASSERT_TRUE(db->Checkpoint().ok());
    expected = ContentsOf(*db);
    ASSERT_EQ(expected.count({"default", "k"}), 0u);
  }
  options.checkpoint_auto = false;
  options.compaction_auto = false;
  ExpectRebuiltTo(dir.path(), options, expected);
}

TEST(DBRebuildTest, ABatchWritingADocumentTwiceLeavesOneRecordOfItsLastWrite) {
  testing::TempDir dir;
  const Options options = SmallOptions();
  Contents expected;
  {
    auto db = std::move(*DB::Open(dir.path(), options));
    ASSERT_TRUE(db->Put("default", "x", Body(1)).ok());
    ASSERT_TRUE(db->Put("default", "y", Body(2)).ok());
    const uint64_t live_before = db->GetStats()->live_bytes;
    WriteBatch batch;
    batch.Delete("default", "x");
    batch.Put("default", "x", Body(3));  // x ends live
    batch.Put("default", "y", Body(4));
    batch.Delete("default", "y");  // y ends deleted
    ASSERT_TRUE(db->Write(batch).ok());
    EXPECT_EQ(db->Get("default", "x")->json, Body(3));
    EXPECT_FALSE(*db->Exists("default", "y"));
    // One record for x (as large as before) and one tombstone for y: y's bytes left.
    EXPECT_EQ(db->GetStats()->live_bytes,
              live_before - (io::kSegmentRecordHeaderBytes + 7 + 1 + Body(2).size()));
    // Compaction moves the records, and a checkpoint lands between them and the rest.
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_TRUE(db->Checkpoint().ok());
    EXPECT_TRUE(db->Verify()->ok());
    expected = ContentsOf(*db);
  }
  ExpectRebuiltTo(dir.path(), options, expected);
}

TEST(DBRebuildTest, RevokedWritesStayRevoked) {
  testing::TempDir dir;
  auto base = std::move(*io::NewFileSystem(io::IoBackend::kPosix));
  io::FaultFileSystem faulty(base.get(), 1);
  Options options = SmallOptions();
  options.retry.max_retries = 0;
  Contents expected;
  {
    auto db = std::move(*engine::OpenDB(dir.path(), options, &faulty));
    ASSERT_TRUE(db->Put("default", "a", Body(1)).ok());
    WriteBatch batch;  // its first record reaches the segment, its second does not
    batch.Put("default", "revoked-1", Body(2));
    batch.Put("default", "revoked-2", Body(3));
    faulty.InjectFault({io::FaultOp::kWrite, 2, ENOSPC, false, false, "/data/seg-"});
    ASSERT_EQ(db->Write(batch).code(), StatusCode::kNoSpace);
    faulty.ClearFaults();
    ASSERT_TRUE(db->Put("default", "b", Body(4)).ok());
    ASSERT_TRUE(db->Checkpoint().ok());
    expected = ContentsOf(*db);
  }
  ExpectRebuiltTo(dir.path(), options, expected);
}

TEST(DBRebuildTest, DamageRefusesTheRebuildUnlessAccepted) {
  testing::TempDir dir;
  {
    auto db = std::move(*DB::Open(dir.path(), SmallOptions()));
    ASSERT_TRUE(db->Put("default", "x", R"({"marker":"xxxx-one"})").ok());
    ASSERT_TRUE(db->Put("default", "y", R"({"marker":"yyyy-one"})").ok());
  }
  ASSERT_EQ(testing::DamageDataSegments(dir.path(), "xxxx-one"), 1);
  const Result<RebuildReport> refused = DB::RebuildIndex(dir.path());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption) << refused.status().ToString();
  EXPECT_TRUE(fs::exists(io::IndexDirPath(dir.path()))) << "the old index is untouched";

  const Result<RebuildReport> accepted = DB::RebuildIndex(dir.path(), /*accept_damage=*/true);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  ASSERT_EQ(accepted->damage.size(), 1u);
  EXPECT_NE(accepted->damage[0].find("seg-000001.dat"), std::string::npos);
  EXPECT_EQ(accepted->documents, 1u);
  EXPECT_TRUE(fs::exists(accepted->previous_index)) << "kept for forensics";
  auto db = std::move(*DB::Open(dir.path(), SmallOptions()));
  EXPECT_EQ(db->Get("default", "y")->json, R"({"marker":"yyyy-one"})");
  EXPECT_FALSE(*db->Exists("default", "x")) << "its only record was damaged";
}

TEST(DBRebuildTest, AnOpenDatabaseOrOneWithoutACheckpointFileIsRefused) {
  testing::TempDir dir;
  {
    auto db = std::move(*DB::Open(dir.path(), SmallOptions()));
    ASSERT_TRUE(db->Put("default", "x", "1").ok());  // closing checkpoints it
    EXPECT_EQ(DB::RebuildIndex(dir.path()).status().code(), StatusCode::kBusy);
  }
  ASSERT_TRUE(fs::exists(io::CheckpointFilePath(dir.path())));
  fs::remove(io::CheckpointFilePath(dir.path()));
  const Status missing = DB::RebuildIndex(dir.path()).status();
  EXPECT_EQ(missing.code(), StatusCode::kCorruption);
  EXPECT_NE(missing.message().find("no checkpoint file"), std::string_view::npos)
      << missing.ToString();
}

}  // namespace
}  // namespace docdb
