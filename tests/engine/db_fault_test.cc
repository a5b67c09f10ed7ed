// The database on a failing disk (io::FaultFileSystem): power cuts at seeded points, and
// in the middle of group commits, lose nothing acknowledged in sync mode and nothing
// checkpointed in any mode; a failed fsync stops writes but not reads.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "engine/db_impl.h"
#include "io/fault_file_system.h"
#include "io/file_names.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

class DBFaultTest : public ::testing::Test {
 protected:
  static Options SmallOptions() {
    Options options;
    options.checkpoint_interval_bytes = 4 << 10;
    options.wal_segment_size_bytes = 16 << 10;
    options.data_segment_size_bytes = 16 << 10;
    // Each append writes its record, so that a fault in a data-segment write hits the
    // write that appended it (DBBufferedSegmentFaultTest turns the buffer on).
    options.data_segment_buffer_bytes = 0;
    return options;
  }

  std::unique_ptr<io::FileSystem> base_ = std::move(*io::NewFileSystem(io::IoBackend::kPosix));
};

TEST_F(DBFaultTest, AcknowledgedWritesSurvivePowerCuts) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TempDir dir;
    io::FaultFileSystem fs(base_.get(), seed);
    std::mt19937_64 rng(seed);
    std::map<std::string, std::pair<std::string, uint64_t>> acked;  // id -> (body, version)
    for (int life = 0; life < 3; ++life) {
      Result<std::unique_ptr<DB>> db = engine::OpenDB(dir.path(), SmallOptions(), &fs);
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      const int writes = 10 + static_cast<int>(rng() % 60);
      for (int i = 0; i < writes; ++i) {
        const std::string id = "doc-" + std::to_string(rng() % 20);
        if (rng() % 5 == 0 && acked.count(id) > 0) {
          ASSERT_TRUE((*db)->Delete("default", id).ok());
          acked.erase(id);
          continue;
        }
        const std::string body =
            R"({"life":)" + std::to_string(life) + R"(,"i":)" + std::to_string(i) + "}";
        Result<uint64_t> v = (*db)->Put("default", id, body);
        ASSERT_TRUE(v.ok()) << v.status().ToString();
        acked[id] = {body, *v};
        if (rng() % 15 == 0) {
          ASSERT_TRUE((*db)->Checkpoint().ok());
        }
      }
      ASSERT_TRUE(fs.PowerCut(io::PowerCutMode::kRandomUnsynced).ok());
      db->reset();  // closing on a dead disk fails quietly; nothing more reaches it
      fs.Restart();

      Result<std::unique_ptr<DB>> reopened = engine::OpenDB(dir.path(), SmallOptions(), &fs);
      ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
      for (const auto& [id, expected] : acked) {
        Result<Document> doc = (*reopened)->Get("default", id);
        ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
        EXPECT_EQ(doc->json, expected.first) << id;
        EXPECT_EQ(doc->version, expected.second) << id;
      }
      EXPECT_EQ(*(*reopened)->Count("default"), acked.size());
    }
  }
}

TEST_F(DBFaultTest, FailedFsyncStopsWritesButNotReads) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  auto db = std::move(*engine::OpenDB(dir.path(), SmallOptions(), &fs));
  ASSERT_TRUE(db->Put("default", "before", "1").ok());
  fs.InjectFault({io::FaultOp::kSync, 1, EIO});
  Result<uint64_t> failed = db->Put("default", "during", "2");
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(failed.status().sys_errno(), EIO);
  EXPECT_EQ(failed.status().error_class(), ErrorClass::kCritical);
  const uint64_t syncs = fs.OpCount(io::FaultOp::kSync);
  Result<uint64_t> later = db->Put("default", "after", "3");
  EXPECT_EQ(later.status().code(), StatusCode::kFailedPrecondition) << later.status().ToString();
  EXPECT_EQ(fs.OpCount(io::FaultOp::kSync), syncs) << "a failed fsync is never repeated";
  EXPECT_TRUE(db->GetStats()->read_only);
  EXPECT_EQ(db->Get("default", "before")->json, "1") << "still readable";
  db.reset();
  fs.ClearFaults();
  auto reopened = std::move(*engine::OpenDB(dir.path(), SmallOptions(), &fs));
  EXPECT_EQ(reopened->Get("default", "before")->json, "1");
  EXPECT_TRUE(reopened->Put("default", "after", "3").ok()) << "reopening recovers";
}

TEST_F(DBFaultTest, NoSpaceIsReportedAndWritesResumeOnceSpaceReturns) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  auto db = std::move(*engine::OpenDB(dir.path(), SmallOptions(), &fs));
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  fs.InjectFault({io::FaultOp::kWrite, 1, ENOSPC, /*torn_write=*/true});
  EXPECT_EQ(db->Put("default", "b", "2").status().code(), StatusCode::kNoSpace);
  EXPECT_FALSE(*db->Exists("default", "b"));
  ASSERT_TRUE(db->Put("default", "c", "3").ok());
  db.reset();
  auto reopened = std::move(*engine::OpenDB(dir.path(), SmallOptions(), &fs));
  EXPECT_FALSE(*reopened->Exists("default", "b"));
  EXPECT_EQ(reopened->Get("default", "c")->json, "3");
}

// Retries without waiting, so that a test of a full disk does not wait out the backoff.
Options NoWaitRetries(Options options) {
  options.retry.initial_backoff_ms = 0;
  options.retry.max_backoff_ms = 0;
  return options;
}

const io::FaultRule kDataSegmentsFull{io::FaultOp::kWrite, 1,           ENOSPC, /*torn_write=*/true,
                                      /*sticky=*/true,     "/data/seg-"};

TEST_F(DBFaultTest, TransientDataSegmentFailureIsRetriedAtTheSameOffset) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  const Options options = NoWaitRetries(SmallOptions());
  auto db = std::move(*engine::OpenDB(dir.path(), options, &fs));
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  // A torn first attempt: the retry overwrites its prefix.
  io::FaultRule once = kDataSegmentsFull;
  once.sticky = false;
  fs.InjectFault(once);
  ASSERT_TRUE(db->Put("default", "b", R"({"long":"enough to be torn part-way"})").ok());
  ASSERT_TRUE(db->Put("default", "c", "3").ok());
  EXPECT_EQ(db->GetStats()->retries, 1u);
  EXPECT_EQ(db->GetStats()->writes_revoked, 0u);
  EXPECT_EQ(db->Get("default", "b")->json, R"({"long":"enough to be torn part-way"})");
  EXPECT_EQ(db->Get("default", "c")->json, "3") << "the record after it is intact";
  db.reset();
  auto reopened = std::move(*engine::OpenDB(dir.path(), options, &fs));
  EXPECT_EQ(reopened->Get("default", "b")->json, R"({"long":"enough to be torn part-way"})");
  EXPECT_EQ(reopened->Get("default", "c")->json, "3");
}

TEST_F(DBFaultTest, DataSegmentNoSpaceRevokesTheWriteAndWritesResumeWithoutAReopen) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  Options options = NoWaitRetries(SmallOptions());
  options.checkpoint_on_close = false;  // the reopen replays the WAL, abort record included
  auto db = std::move(*engine::OpenDB(dir.path(), options, &fs));
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  fs.InjectFault(kDataSegmentsFull);
  // The WAL record is written and synced, the data segment append fails and is retried,
  // then the record is revoked: the write never happened, now or after a reopen.
  for (const char* id : {"b", "c"}) {
    const Status full = db->Put("default", id, "2").status();
    EXPECT_EQ(full.code(), StatusCode::kNoSpace) << full.ToString();
    EXPECT_EQ(full.error_class(), ErrorClass::kTransient);
    EXPECT_FALSE(*db->Exists("default", id));
  }
  Result<Stats> stats = db->GetStats();
  EXPECT_EQ(stats->writes_revoked, 2u);
  EXPECT_EQ(stats->retries, 2 * options.retry.max_retries);
  EXPECT_EQ(stats->errors_transient, 2u);
  EXPECT_FALSE(stats->read_only) << stats->read_only_reason;
  EXPECT_EQ(*db->Count("default"), 1u);

  fs.ClearFaults();  // space is freed
  ASSERT_TRUE(db->Put("default", "d", "4").ok());
  EXPECT_EQ(db->Get("default", "d")->json, "4");
  db.reset();
  auto reopened = std::move(*engine::OpenDB(dir.path(), options, &fs));
  EXPECT_EQ(reopened->Get("default", "a")->json, "1");
  EXPECT_FALSE(*reopened->Exists("default", "b"));
  EXPECT_FALSE(*reopened->Exists("default", "c"));
  EXPECT_EQ(reopened->Get("default", "d")->json, "4");
  EXPECT_EQ(*reopened->Count("default"), 2u);
  EXPECT_EQ(reopened->GetStats()->recovery.records_revoked, 4u) << "two writes, two aborts";
}

TEST_F(DBFaultTest, RevokedBatchLeavesEveryDocumentAsItWas) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  auto db = std::move(*engine::OpenDB(dir.path(), NoWaitRetries(SmallOptions()), &fs));
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  WriteBatch batch;
  batch.Put("default", "a", "2");
  batch.Put("default", "b", "2");
  batch.Delete("default", "a");
  const uint64_t live_before = db->GetStats()->live_bytes;
  // The first record of the batch is appended; the second is not.
  io::FaultRule second = kDataSegmentsFull;
  second.nth = 2;
  fs.InjectFault(second);
  EXPECT_EQ(db->Write(batch).code(), StatusCode::kNoSpace);
  fs.ClearFaults();
  EXPECT_EQ(db->Get("default", "a")->json, "1");
  EXPECT_FALSE(*db->Exists("default", "b"));
  EXPECT_EQ(*db->Count("default"), 1u);
  EXPECT_EQ(db->GetStats()->live_bytes, live_before) << "the record appended first is dead";
}

TEST_F(DBFaultTest, DataSegmentIoErrorIsCriticalAndStopsWrites) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  auto db = std::move(*engine::OpenDB(dir.path(), NoWaitRetries(SmallOptions()), &fs));
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  fs.InjectFault({io::FaultOp::kWrite, 1, EIO, false, false, "/data/seg-"});
  const Status failed = db->Put("default", "b", "2").status();
  EXPECT_EQ(failed.code(), StatusCode::kIoError);
  EXPECT_EQ(failed.error_class(), ErrorClass::kCritical);
  const Status refused = db->Put("default", "c", "3").status();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.error_class(), ErrorClass::kCritical);
  EXPECT_NE(refused.message().find("errno 5"), std::string_view::npos) << refused.ToString();
  const Result<Stats> stats = db->GetStats();
  EXPECT_TRUE(stats->read_only);
  EXPECT_EQ(stats->retries, 0u) << "an EIO is never repeated";
  EXPECT_EQ(stats->errors_critical, 2u);
  EXPECT_EQ(db->Get("default", "a")->json, "1");
}

TEST_F(DBFaultTest, FailingToLogTheAbortStopsWritesAndTheReopenAppliesTheWrite) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  const Options options = NoWaitRetries(SmallOptions());
  auto db = std::move(*engine::OpenDB(dir.path(), options, &fs));
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  fs.InjectFault(kDataSegmentsFull);
  // The put's record is the first WAL write; the abort would be the second.
  fs.InjectFault({io::FaultOp::kWrite, 2, EIO, false, false, "/wal/"});
  const Status unknown = db->Put("default", "b", "2").status();
  EXPECT_EQ(unknown.code(), StatusCode::kFailedPrecondition) << unknown.ToString();
  EXPECT_EQ(unknown.error_class(), ErrorClass::kCritical)
      << "not to be retried: " << unknown.ToString();
  EXPECT_NE(unknown.message().find("reopening the database applies it"), std::string_view::npos);
  EXPECT_TRUE(db->GetStats()->read_only) << "the record stands in the WAL";
  EXPECT_EQ(db->Put("default", "c", "3").status().code(), StatusCode::kFailedPrecondition);
  db.reset();
  fs.ClearFaults();
  // The rule of docs/errors.md: a write that could be neither applied nor revoked is
  // applied by the reopen, as after any critical failure.
  auto reopened = std::move(*engine::OpenDB(dir.path(), options, &fs));
  EXPECT_EQ(reopened->Get("default", "b")->json, "2");
  EXPECT_FALSE(*reopened->Exists("default", "c"));
}

// A data segment written one 1 KiB buffer at a time, with nothing else writing it.
class DBBufferedSegmentFaultTest : public DBFaultTest {
 protected:
  DBBufferedSegmentFaultTest() {
    options_.data_segment_buffer_bytes = 1024;
    options_.checkpoint_auto = false;
    options_.checkpoint_on_close = false;  // the reopen replays the WAL
  }

  std::unique_ptr<DB> Open() { return std::move(*engine::OpenDB(dir_.path(), options_, &fs_)); }
  // Opened with a, b and c written: the buffer has no room for a fourth record.
  std::unique_ptr<DB> OpenWithTheBufferFull() {
    auto db = Open();
    for (const char* id : {"a", "b", "c"}) EXPECT_TRUE(db->Put("default", id, body_).ok());
    return db;
  }

  testing::TempDir dir_;
  io::FaultFileSystem fs_{base_.get(), 1};
  Options options_ = NoWaitRetries(SmallOptions());
  const std::string body_ = R"({"pad":")" + std::string(280, 'p') + R"("})";
};

TEST_F(DBBufferedSegmentFaultTest, NoSpaceRevokesOnlyTheWriteThatNeededRoom) {
  auto db = OpenWithTheBufferFull();
  fs_.InjectFault(kDataSegmentsFull);
  const Status full = db->Put("default", "d", body_).status();
  EXPECT_EQ(full.code(), StatusCode::kNoSpace) << "the buffer is full: " << full.ToString();
  EXPECT_FALSE(*db->Exists("default", "d"));
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(db->Get("default", id)->json, body_);
  EXPECT_EQ(db->GetStats()->writes_revoked, 1u);
  EXPECT_FALSE(db->GetStats()->read_only);
  const Status checkpoint = db->Checkpoint();
  EXPECT_EQ(checkpoint.code(), StatusCode::kNoSpace) << checkpoint.ToString();
  EXPECT_FALSE(db->GetStats()->read_only) << "a full disk fails the checkpoint, no more";

  fs_.ClearFaults();
  ASSERT_TRUE(db->Put("default", "e", body_).ok());
  ASSERT_TRUE(db->Checkpoint().ok());
  ASSERT_TRUE(db->Put("default", "f", body_).ok());  // buffered, then lost with the process
  db.reset();
  auto reopened = Open();
  for (const char* id : {"a", "b", "c", "e", "f"}) {
    EXPECT_EQ(reopened->Get("default", id)->json, body_) << id;
  }
  EXPECT_FALSE(*reopened->Exists("default", "d"));
  EXPECT_EQ(*reopened->Count("default"), 5u);
}

TEST_F(DBBufferedSegmentFaultTest, IoErrorStopsWritesAndLosesNothingAcknowledged) {
  auto db = OpenWithTheBufferFull();
  fs_.InjectFault({io::FaultOp::kWrite, 1, EIO, /*torn_write=*/true, false, "/data/seg-"});
  EXPECT_EQ(db->Put("default", "d", body_).status().code(), StatusCode::kIoError);
  EXPECT_TRUE(db->GetStats()->read_only);
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(db->Get("default", id)->json, body_);
  db.reset();
  auto reopened = Open();
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(reopened->Get("default", id)->json, body_);
  // A write failed by an I/O error is not revoked (docs/errors.md): its record stands in
  // the WAL, and the reopen applies it.
  EXPECT_EQ(reopened->Get("default", "d")->json, body_);
}

TEST_F(DBFaultTest, WalFailureInACollectionChangeStopsWritesButNotReads) {
  testing::TempDir dir;
  io::FaultFileSystem fs(base_.get(), 1);
  auto db = std::move(*engine::OpenDB(dir.path(), SmallOptions(), &fs));
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  fs.InjectFault({io::FaultOp::kWrite, 1, EIO});
  EXPECT_EQ(db->CreateCollection("c").code(), StatusCode::kIoError);
  EXPECT_EQ(db->Put("default", "b", "2").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(db->DropCollection("c").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(db->Get("default", "a")->json, "1");
}

// Forwards to another file system and notes each directory sync, with whether LMDB's data
// file was already there when the index directory was synced.
class DirSyncRecorder : public io::FileSystem {
 public:
  DirSyncRecorder(io::FileSystem* base, std::string index_dir)
      : base_(base), index_dir_(std::move(index_dir)) {}
  bool index_synced_with_its_files() const { return index_synced_with_its_files_; }

  std::string_view name() const override { return base_->name(); }
  Result<std::unique_ptr<io::File>> OpenFile(const std::string& p, io::OpenMode m) override {
    return base_->OpenFile(p, m);
  }
  Status CreateDir(const std::string& p) override { return base_->CreateDir(p); }
  Status SyncDir(const std::string& p) override {
    if (p == index_dir_ && std::filesystem::exists(index_dir_ + "/data.mdb")) {
      index_synced_with_its_files_ = true;
    }
    return base_->SyncDir(p);
  }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return base_->RenameFile(f, t);
  }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Result<std::vector<std::string>> ListDir(const std::string& p) override {
    return base_->ListDir(p);
  }
  Result<bool> FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<std::unique_ptr<io::FileLock>> LockFile(const std::string& p) override {
    return base_->LockFile(p);
  }

 private:
  io::FileSystem* const base_;
  const std::string index_dir_;
  bool index_synced_with_its_files_ = false;
};

TEST_F(DBFaultTest, IndexDirectoryIsSyncedOnceLmdbHasCreatedItsFiles) {
  testing::TempDir dir;
  DirSyncRecorder fs(base_.get(), io::IndexDirPath(dir.path()));
  auto db = engine::OpenDB(dir.path(), SmallOptions(), &fs);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(fs.index_synced_with_its_files());
}

TEST_F(DBFaultTest, CheckpointWithoutSyncDurabilitySurvivesAPowerCut) {
  for (Durability durability : {Durability::kPeriodic, Durability::kNone}) {
    SCOPED_TRACE(durability == Durability::kPeriodic ? "periodic" : "none");
    testing::TempDir dir;
    io::FaultFileSystem fs(base_.get(), 1);
    Options options = SmallOptions();
    options.durability = durability;
    options.periodic_sync_interval_ms = 3'600'000;  // the checkpoint alone must sync
    options.checkpoint_interval_bytes = 1ull << 40;
    options.checkpoint_on_close = false;
    auto db = std::move(*engine::OpenDB(dir.path(), options, &fs));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(db->Put("default", "d" + std::to_string(i), "1").ok());
    ASSERT_TRUE(db->Checkpoint().ok());
    ASSERT_TRUE(fs.PowerCut(io::PowerCutMode::kDropUnsynced).ok());
    db.reset();
    fs.Restart();
    Result<std::unique_ptr<DB>> reopened = engine::OpenDB(dir.path(), options, &fs);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    EXPECT_EQ(*(*reopened)->Count("default"), 20u) << "every checkpointed write is there";
  }
}

// One write a writer thread attempted: acknowledged with its version, or failed.
struct Attempt {
  std::string id;
  std::string body;
  uint64_t version = 0;  // 0: not acknowledged (it may or may not have reached the WAL)
};

TEST_F(DBFaultTest, PowerCutDuringGroupCommitsKeepsAConsistentPrefixInEveryMode) {
  constexpr int kThreads = 4;
  constexpr int kMaxWritesPerThread = 150;
  for (Durability durability : {Durability::kSync, Durability::kPeriodic, Durability::kNone}) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE("durability " + std::to_string(static_cast<int>(durability)) + " seed " +
                   std::to_string(seed));
      testing::TempDir dir;
      io::FaultFileSystem fs(base_.get(), seed);
      Options options = SmallOptions();
      options.durability = durability;
      options.periodic_sync_interval_ms = 2;
      auto db = std::move(*engine::OpenDB(dir.path(), options, &fs));

      // The writer whose acknowledgement is the `cut_after`-th cuts the power, while the
      // others' group commits are in flight.
      const int cut_after = 20 + static_cast<int>(seed * 37 % 150);
      std::atomic<int> acks{0};
      std::atomic<uint64_t> checkpointed{0};  // a checkpoint LSN known to be committed
      std::vector<std::vector<Attempt>> attempts(kThreads);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < kMaxWritesPerThread; ++i) {
            Attempt a{"t" + std::to_string(t) + "-" + std::to_string(i % 10),
                      R"({"t":)" + std::to_string(t) + R"(,"i":)" + std::to_string(i) + "}"};
            Result<uint64_t> v = db->Put("default", a.id, a.body);
            if (v.ok()) a.version = *v;
            attempts[t].push_back(a);
            if (!v.ok()) return;  // the machine is dead
            if (acks.fetch_add(1) + 1 == cut_after) {
              EXPECT_TRUE(fs.PowerCut(io::PowerCutMode::kReorderedSectors).ok());
            }
            if (t == 0 && i % 25 == 24 && db->Checkpoint().ok()) {
              checkpointed = db->GetStats()->checkpoint_lsn;
            }
          }
        });
      }
      for (std::thread& th : threads) th.join();
      ASSERT_GE(acks.load(), cut_after) << "the cut must come while writes are going on";
      db.reset();
      fs.Restart();

      Result<std::unique_ptr<DB>> reopened = engine::OpenDB(dir.path(), options, &fs);
      ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
      const uint64_t recovered_lsn = (*reopened)->GetStats()->last_lsn;
      uint64_t max_acked = 0;
      std::map<std::string, std::vector<const Attempt*>> by_id;
      for (const auto& per_thread : attempts) {
        for (const Attempt& a : per_thread) {
          by_id[a.id].push_back(&a);
          max_acked = std::max(max_acked, a.version);
        }
      }
      // The recovered state is the log up to some LSN: in sync mode past every
      // acknowledged write, in every mode past every checkpoint.
      if (durability == Durability::kSync) {
        EXPECT_GE(recovered_lsn, max_acked);
      }
      EXPECT_GE(recovered_lsn, checkpointed.load());
      for (const auto& [id, tries] : by_id) {
        const Attempt* newest_in_prefix = nullptr;
        for (const Attempt* a : tries) {
          if (a->version != 0 && a->version <= recovered_lsn &&
              (newest_in_prefix == nullptr || a->version > newest_in_prefix->version)) {
            newest_in_prefix = a;
          }
        }
        Result<Document> doc = (*reopened)->Get("default", id);
        if (!doc.ok()) {
          ASSERT_EQ(doc.status().code(), StatusCode::kNotFound) << doc.status().ToString();
          EXPECT_EQ(newest_in_prefix, nullptr)
              << id << " lost version " << newest_in_prefix->version;
          continue;
        }
        EXPECT_LE(doc->version, recovered_lsn) << id;
        if (newest_in_prefix != nullptr) {
          ASSERT_GE(doc->version, newest_in_prefix->version) << id;
          if (doc->version == newest_in_prefix->version) {
            EXPECT_EQ(doc->json, newest_in_prefix->body);
          }
        }
        // Whatever is there was written by some attempt on this document.
        EXPECT_TRUE(std::any_of(tries.begin(), tries.end(),
                                [&](const Attempt* a) { return a->body == doc->json; }))
            << id << " has " << doc->json;
      }
    }
  }
}

}  // namespace
}  // namespace docdb
