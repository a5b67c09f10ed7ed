// The lifecycle of a database's files (docs/lifecycle.md): WAL trimming after
// checkpoints, failed checkpoints, exact live-byte accounting, and compaction, alone,
// under concurrent writers, deletes and drops, and cut short by power cuts.
#include <gtest/gtest.h>
#include <lmdb.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "engine/db_impl.h"
#include "io/fault_file_system.h"
#include "io/file_names.h"
#include "io/segment_format.h"
#include "tests/support/progress_log.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

namespace fs = std::filesystem;

// Small segments, so that a few hundred writes span many of them; no background work
// unless a test turns it on, so that what is on disk follows from the test's own calls.
Options SmallOptions() {
  Options options;
  options.wal_segment_size_bytes = 16 << 10;
  options.data_segment_size_bytes = 16 << 10;
  options.checkpoint_auto = false;
  options.compaction_auto = false;
  return options;
}

std::string Body(int version, size_t pad = 200) {
  return R"({"v":)" + std::to_string(version) + R"(,"pad":")" + std::string(pad, 'x') + "\"}";
}

// The numbers of the files in `dir` that DocDB's naming `parse` accepts, in order.
template <typename Parse>
std::vector<uint64_t> Numbered(const std::string& dir, Parse parse) {
  std::vector<uint64_t> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (auto n = parse(entry.path().filename().string())) out.push_back(*n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint64_t> WalSegments(const std::string& db) {
  return Numbered(io::WalDirPath(db), io::ParseWalSegmentFileName);
}

std::vector<uint64_t> DataSegments(const std::string& db) {
  return Numbered(io::DataDirPath(db), io::ParseDataSegmentFileName);
}

// What the live bytes must be: the record size of every current document, found
// through the public API.
uint64_t ExpectedLiveBytes(DB& db) {
  uint64_t bytes = 0;
  for (const CollectionInfo& c : *db.ListCollections()) {
    for (const Document& d : *db.Scan(c.name)) {
      bytes += io::kSegmentRecordHeaderBytes + c.name.size() + d.id.size() + d.json.size();
    }
  }
  return bytes;
}

// Stops and joins threads when a test returns, also through a failed ASSERT.
class StopAndJoin {
 public:
  StopAndJoin(std::atomic<bool>* stop, std::vector<std::thread>* threads)
      : stop_(stop), threads_(threads) {}
  ~StopAndJoin() {
    *stop_ = true;
    for (std::thread& t : *threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::atomic<bool>* stop_;
  std::vector<std::thread>* threads_;
};

// Overwrites `docs` documents `rounds` times; returns each one's last body.
std::map<std::string, std::string> Overwrite(DB& db, int docs, int rounds) {
  std::map<std::string, std::string> last;
  for (int r = 0; r < rounds; ++r) {
    for (int d = 0; d < docs; ++d) {
      const std::string id = "doc" + std::to_string(d);
      last[id] = Body(r * docs + d);
      EXPECT_TRUE(db.Put("default", id, last[id]).ok());
    }
  }
  return last;
}

void ExpectDocuments(DB& db, const std::map<std::string, std::string>& expected) {
  for (const auto& [id, body] : expected) {
    Result<Document> doc = db.Get("default", id);
    ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
    EXPECT_EQ(doc->json, body) << id;
  }
  EXPECT_EQ(*db.Count("default"), expected.size());
}

TEST(DBLifecycleTest, TrimmingKeepsTheNewestSegmentsAndRecoveryStillFindsEverything) {
  for (uint32_t keep : {0u, 1u, 2u, 3u}) {
    SCOPED_TRACE("wal_keep_segments " + std::to_string(keep));
    testing::TempDir dir;
    Options options = SmallOptions();
    options.wal_keep_segments = keep;
    std::map<std::string, std::string> expected;
    {
      std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
      expected = Overwrite(*db, 20, 20);  // ~100 KiB of WAL: several segments
      const std::vector<uint64_t> before = WalSegments(dir.path());
      ASSERT_GE(before.size(), 6u);
      ASSERT_TRUE(db->Checkpoint().ok());
      // Every segment but the active one lies wholly below the checkpoint: `keep` of
      // them stay, the newest, with the active one after them.
      const std::vector<uint64_t> after = WalSegments(dir.path());
      ASSERT_EQ(after.size(), keep + 1);
      EXPECT_EQ(after, std::vector<uint64_t>(before.end() - (keep + 1), before.end()));
      EXPECT_EQ(db->GetStats()->wal_segments_trimmed, before.size() - after.size());
      EXPECT_EQ(db->GetStats()->wal_segments, after.size());
      // Writes after the checkpoint, which only the WAL holds at the next open.
      expected["late"] = Body(-1);
      ASSERT_TRUE(db->Put("default", "late", expected["late"]).ok());
    }
    options.checkpoint_on_close = false;
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
    ExpectDocuments(*db, expected);
  }
}

TEST(DBLifecycleTest, NoTrimmingWhenItIsOffUntilAskedFor) {
  testing::TempDir dir;
  Options options = SmallOptions();
  options.wal_trim_after_checkpoint = false;
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
  const std::map<std::string, std::string> expected = Overwrite(*db, 20, 20);
  const std::vector<uint64_t> before = WalSegments(dir.path());
  ASSERT_TRUE(db->Checkpoint().ok());
  EXPECT_EQ(WalSegments(dir.path()), before);
  ASSERT_TRUE(db->TrimWal().ok());
  EXPECT_EQ(WalSegments(dir.path()).size(), options.wal_keep_segments + 1);
  ExpectDocuments(*db, expected);
}

TEST(DBLifecycleTest, TrimmingTouchesOnlyDocdbsOwnFiles) {
  testing::TempDir dir;
  Options options = SmallOptions();
  options.wal_keep_segments = 0;
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
  Overwrite(*db, 20, 20);
  const std::string wal = io::WalDirPath(dir.path());
  for (const char* name : {"wal-000001.log.bak", "notes.txt", "wal-1.log"}) {
    testing::WriteFileOrDie(wal + "/" + name, "operator's file");
  }
  ASSERT_TRUE(db->Checkpoint().ok());
  EXPECT_EQ(WalSegments(dir.path()).size(), 1u);
  for (const char* name : {"wal-000001.log.bak", "notes.txt", "wal-1.log"}) {
    EXPECT_TRUE(fs::exists(wal + "/" + name)) << name;
  }
}

TEST(DBLifecycleTest, AFailedCheckpointKeepsThePreviousOneTrimsNothingAndIsRedone) {
  testing::TempDir dir;
  Options options = SmallOptions();
  options.checkpoint_on_close = false;
  std::map<std::string, std::string> expected;
  {
    Result<std::unique_ptr<DB>> opened = DB::Open(dir.path(), options);
    ASSERT_TRUE(opened.ok());
    auto* impl = static_cast<engine::DBImpl*>(opened->get());
    DB* db = impl;
    expected = Overwrite(*db, 20, 10);
    ASSERT_TRUE(db->Checkpoint().ok());
    const uint64_t first_lsn = db->GetStats()->checkpoint_lsn;
    expected.merge(Overwrite(*db, 30, 10));  // the first 20 get newer bodies
    for (int d = 0; d < 30; ++d) {
      expected["doc" + std::to_string(d)] = Body(9 * 30 + d);
    }
    const std::vector<uint64_t> wal_before = WalSegments(dir.path());

    impl->SetCheckpointHookForTesting(
        [] { return Status::IoError("index transaction failed (test)"); });
    const Status failed = db->Checkpoint();
    EXPECT_EQ(failed.code(), StatusCode::kIoError) << failed.ToString();
    Result<Stats> stats = db->GetStats();
    EXPECT_EQ(stats->checkpoint_lsn, first_lsn);
    EXPECT_EQ(stats->checkpoint_failures, 1u);
    EXPECT_NE(stats->last_checkpoint_error.find("index transaction failed"), std::string::npos);
    EXPECT_EQ(WalSegments(dir.path()), wal_before);
    // A compaction whose checkpoint fails deletes nothing: the index still names the old
    // places.
    const std::vector<uint64_t> data_before = DataSegments(dir.path());
    EXPECT_EQ(db->Compact().code(), StatusCode::kIoError);
    const std::vector<uint64_t> data_after = DataSegments(dir.path());
    EXPECT_TRUE(std::includes(data_after.begin(), data_after.end(), data_before.begin(),
                              data_before.end()));
    EXPECT_LT(db->GetStats()->data_segments, data_before.size()) << "the emptied ones wait";
    // The database goes on: reads see every write, and writes are taken.
    ExpectDocuments(*db, expected);
    expected["after-failure"] = Body(-2);
    ASSERT_TRUE(db->Put("default", "after-failure", expected["after-failure"]).ok());

    impl->SetCheckpointHookForTesting(nullptr);
    ASSERT_TRUE(db->Checkpoint().ok());
    EXPECT_EQ(db->GetStats()->checkpoint_lsn, db->GetStats()->last_lsn);
    EXPECT_LT(WalSegments(dir.path()).size(), wal_before.size());
    EXPECT_EQ(DataSegments(dir.path()).size(), db->GetStats()->data_segments);
  }
  // Without a closing checkpoint, the index alone must hold what the failed checkpoint
  // left to the next one: nothing is replayed.
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
  EXPECT_EQ(db->GetStats()->recovery.records_replayed, 0u);
  ExpectDocuments(*db, expected);
}

TEST(DBLifecycleTest, BackgroundCheckpointFailingOnAFullDiskIsRetriedWithoutMoreWrites) {
  testing::TempDir dir;
  // Declared before the database: its threads signal them until it is closed.
  std::mutex mu;
  std::condition_variable cycled;
  int attempts = 0;
  Options options = SmallOptions();
  options.checkpoint_auto = true;
  options.checkpoint_interval_bytes = 4 << 10;
  options.retry.initial_backoff_ms = 0;
  options.retry.max_backoff_ms = 0;
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
  auto* impl = static_cast<engine::DBImpl*>(db.get());
  impl->SetCheckpointHookForTesting([&] {
    std::lock_guard<std::mutex> lock(mu);
    return ++attempts <= 3 ? Status::NoSpace("index transaction (test)", ENOSPC) : Status::OK();
  });
  impl->SetBackgroundCycleHookForTesting([&] {
    std::lock_guard<std::mutex> lock(mu);
    cycled.notify_all();
  });
  // One write past the interval asks for one checkpoint; nothing asks again.
  ASSERT_TRUE(db->Put("default", "big", Body(1, 5000)).ok());
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cycled.wait_for(lock, std::chrono::seconds(60),
                                [&] { return attempts >= 4 && db->GetStats()->checkpoints >= 1; }))
        << "attempts: " << attempts;
  }
  const Stats stats = *db->GetStats();
  EXPECT_EQ(stats.checkpoint_failures, 3u);
  EXPECT_EQ(stats.checkpoint_lsn, stats.last_lsn);
  EXPECT_GE(stats.retries, 3u);
  impl->SetCheckpointHookForTesting(nullptr);
}

TEST(DBLifecycleTest, LiveBytesAreExactAcrossWritesDeletesDropsAndReopens) {
  testing::TempDir dir;
  Options options = SmallOptions();
  std::mt19937 rng(7);
  for (int life = 0; life < 3; ++life) {
    SCOPED_TRACE("life " + std::to_string(life));
    options.checkpoint_on_close = life % 2 == 0;  // reopen from the index, then by replay
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
    EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
    db->CreateCollection("scratch").IgnoreError();
    for (int i = 0; i < 400; ++i) {
      const std::string id = "d" + std::to_string(rng() % 50);
      const std::string collection = rng() % 4 == 0 ? "scratch" : "default";
      switch (rng() % 5) {
        case 0:
          db->Delete(collection, id).status().IgnoreError();
          break;
        case 1: {
          WriteBatch batch;  // a batch writing one document twice
          batch.Put(collection, id, Body(i, rng() % 300));
          batch.Put(collection, id, Body(i + 1, rng() % 300));
          ASSERT_TRUE(db->Write(batch).ok());
          break;
        }
        default:
          ASSERT_TRUE(db->Put(collection, id, Body(i, rng() % 300)).ok());
      }
      if (i == 200) {
        ASSERT_TRUE(db->Checkpoint().ok());
      }
    }
    EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
    ASSERT_TRUE(db->DropCollection("scratch", /*force=*/true).ok());
    EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
  }
}

// Makes the index of a closed database look as one written before live bytes were
// recorded: without its "live_bytes" meta entry.
void ForgetLiveBytes(const std::string& db_dir) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_set_maxdbs(env, 8), 0);
  ASSERT_EQ(mdb_env_open(env, io::IndexDirPath(db_dir).c_str(), 0, 0644), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi meta;
  ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
  std::string name = "live_bytes";
  MDB_val key{name.size(), name.data()};
  ASSERT_EQ(mdb_del(txn, meta, &key, nullptr), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

TEST(DBLifecycleTest, LiveBytesAreCountedFromTheIndexForAnOlderCheckpointMeta) {
  testing::TempDir dir;
  Options options = SmallOptions();
  options.checkpoint_on_close = false;  // the open counts from the index, then replays
  {
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
    ASSERT_TRUE(db->CreateCollection("other").ok());
    Overwrite(*db, 10, 10);
    ASSERT_TRUE(db->Put("other", "x", Body(1)).ok());
    ASSERT_TRUE(db->Checkpoint().ok());
    Overwrite(*db, 5, 3);
    ASSERT_TRUE(db->Delete("default", "doc9").ok());
  }
  ASSERT_NO_FATAL_FAILURE(ForgetLiveBytes(dir.path()));
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
  EXPECT_GT(db->GetStats()->recovery.records_replayed, 0u);
  EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
  // Per collection too: dropping one leaves exactly the other's.
  ASSERT_TRUE(db->DropCollection("other", /*force=*/true).ok());
  EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
}

// Commit groups whose batches write one document several times, patches that build on
// each other and patches that fail: the live bytes stay exact, before and after a reopen
// that replays them all.
TEST(DBLifecycleTest, LiveBytesStayExactThroughAsyncGroupsAndPatches) {
  testing::TempDir dir;
  Options options = SmallOptions();
  options.checkpoint_on_close = false;
  {
    // Declared before the database, so that they outlive its commit thread.
    std::mutex mu;
    std::condition_variable done;
    int pending = 0;
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
    for (int d = 0; d < 5; ++d) {
      ASSERT_TRUE(db->Put("default", "d" + std::to_string(d), Body(0)).ok());
    }
    for (int i = 0; i < 300; ++i) {
      const std::string id = "d" + std::to_string(i % 5);
      WriteBatch batch;
      switch (i % 5) {
        case 0:
          batch.Put("default", id, Body(i, i % 90));
          batch.Put("default", id, Body(i + 1, i % 70));  // twice in one batch
          break;
        case 1:
          batch.Patch("default", id,
                      R"([{"op":"replace","path":"/v","value":)" + std::to_string(i) + "}]");
          break;
        case 2:
          batch.MergePatch("default", id, R"({"pad":")" + std::string(i % 40, 'm') + "\"}");
          break;
        case 3:  // fails: the batch leaves no trace
          batch.Patch("default", id, R"([{"op":"test","path":"/v","value":"never"}])");
          break;
        default:
          batch.Delete("default", id);
          batch.Put("default", id, Body(i, i % 50));
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        ++pending;
      }
      db->WriteAsync(std::move(batch), [&](Result<uint64_t>) {
        std::lock_guard<std::mutex> lock(mu);
        --pending;
        done.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    done.wait(lock, [&] { return pending == 0; });
    lock.unlock();
    EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
  }
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
  EXPECT_GT(db->GetStats()->recovery.records_replayed, 0u);
  EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
}

TEST(DBLifecycleTest, CompactReclaimsDeadSegmentsAndKeepsEveryDocument) {
  testing::TempDir dir;
  Options options = SmallOptions();
  std::map<std::string, std::string> expected;
  {
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
    expected = Overwrite(*db, 10, 40);  // ~100 KiB written, ~2.5 KiB live
    ASSERT_TRUE(db->Delete("default", "doc9").ok());
    expected.erase("doc9");
    const uint64_t data_before = db->GetStats()->data_bytes;
    ASSERT_GE(DataSegments(dir.path()).size(), 5u);
    testing::ProgressLog progress;
    ASSERT_TRUE(db->Compact(progress.Callback()).ok());
    // Bytes of the compacted segments: everything written before except the new active
    // segment's header.
    EXPECT_TRUE(progress.RanToTheEnd(5, data_before));
    const Stats stats = *db->GetStats();
    EXPECT_EQ(DataSegments(dir.path()).size(), 1u) << "the live records fit in one segment";
    EXPECT_EQ(stats.data_segments, 1u);
    EXPECT_EQ(stats.live_bytes, ExpectedLiveBytes(*db));
    EXPECT_EQ(stats.data_bytes, io::kSegmentHeaderBytes + stats.live_bytes);
    EXPECT_GT(stats.compactions, 4u);
    // Everything that was there, and the new segment's header and the copies, is either
    // still there or reclaimed.
    EXPECT_EQ(stats.compaction_bytes_reclaimed + stats.data_bytes,
              data_before + io::kSegmentHeaderBytes + stats.compaction_bytes_copied);
    ExpectDocuments(*db, expected);
    // Compacting again finds nothing to do, and writes go on.
    ASSERT_TRUE(db->Compact().ok());
    EXPECT_EQ(DataSegments(dir.path()).size(), 1u);
    expected["doc0"] = Body(-3);
    ASSERT_TRUE(db->Put("default", "doc0", expected["doc0"]).ok());
  }
  for (bool closing_checkpoint : {true, false}) {
    options.checkpoint_on_close = closing_checkpoint;
    std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
    ExpectDocuments(*db, expected);
    EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
  }
}

TEST(DBLifecycleTest, BackgroundCompactionTakesSegmentsPastTheDeadRatio) {
  testing::TempDir dir;
  Options options = SmallOptions();
  options.checkpoint_auto = true;
  options.checkpoint_interval_bytes = 8 << 10;
  options.compaction_auto = true;
  options.compaction_max_bytes_per_second = 0;
  // Declared before the database, so that they outlive its background thread.
  std::mutex mu;
  std::condition_variable cycled;
  uint64_t cycles = 0;
  Result<std::unique_ptr<DB>> opened = DB::Open(dir.path(), options);
  ASSERT_TRUE(opened.ok());
  static_cast<engine::DBImpl*>(opened->get())->SetBackgroundCycleHookForTesting([&] {
    std::lock_guard<std::mutex> lock(mu);
    ++cycles;
    cycled.notify_all();
  });
  DB& db = **opened;
  std::map<std::string, std::string> expected;
  uint64_t seen = 0;
  // ~500 KiB through 16 KiB segments, one round of overwrites at a time, each followed by
  // a background cycle (the writes ask for a checkpoint every 8 KiB).
  for (int round = 0; round < 50; ++round) {
    expected = Overwrite(db, 10, 4);
    std::unique_lock<std::mutex> lock(mu);
    cycled.wait(lock, [&] { return cycles > seen; });
    seen = cycles;
  }
  const Stats stats = *db.GetStats();
  // Every segment that filled with dead bytes went; what is left is bounded by what was
  // written since the last cycle, not by everything ever written.
  EXPECT_GT(stats.compactions, 10u);
  EXPECT_GT(stats.compaction_bytes_reclaimed, 0u);
  EXPECT_LT(stats.data_segments, 10u);
  EXPECT_EQ(stats.live_bytes, ExpectedLiveBytes(db));
  for (const auto& [id, body] : expected) EXPECT_EQ(db.Get("default", id)->json, body);
}

TEST(DBLifecycleTest, CompactionUnderConcurrentWritersDeletesAndDrops) {
  testing::TempDir dir;
  Options options = SmallOptions();
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), options));
  constexpr int kWriters = 3;
  constexpr int kDocs = 20;
  std::atomic<bool> stop{false};
  // Each writer owns its documents, so that it knows what each must hold at the end.
  std::vector<std::map<std::string, std::string>> expected(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; !stop.load() || i < 300; ++i) {
        const std::string id = "w" + std::to_string(w) + "-" + std::to_string(rng() % kDocs);
        if (rng() % 6 == 0) {
          if (db->Delete("default", id).ok()) expected[w].erase(id);
        } else {
          const std::string body = Body(i, rng() % 200);
          ASSERT_TRUE(db->Put("default", id, body).ok());
          expected[w][id] = body;
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int round = 0; !stop.load(); ++round) {
      const std::string name = "tmp" + std::to_string(round % 2);
      db->CreateCollection(name).IgnoreError();
      for (int i = 0; i < 20; ++i) ASSERT_TRUE(db->Put(name, std::to_string(i), Body(i)).ok());
      ASSERT_TRUE(db->DropCollection(name, /*force=*/true).ok());
    }
  });
  {
    const StopAndJoin stop_and_join(&stop, &threads);
    for (int i = 0; i < 15; ++i) {
      const Status compacted = db->Compact();
      ASSERT_TRUE(compacted.ok()) << compacted.ToString();
    }
  }
  ASSERT_TRUE(db->Compact().ok());
  for (const auto& docs : expected) {
    for (const auto& [id, body] : docs) {
      Result<Document> doc = db->Get("default", id);
      ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
      EXPECT_EQ(doc->json, body) << id;
    }
  }
  size_t total = 0;
  for (const auto& docs : expected) total += docs.size();
  EXPECT_EQ(*db->Count("default"), total);
  EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
  EXPECT_EQ(DataSegments(dir.path()).size(), db->GetStats()->data_segments);
}

TEST(DBLifecycleTest, ReadsRacingCompactionNeverFail) {
  testing::TempDir dir;
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path(), SmallOptions()));
  const std::map<std::string, std::string> expected = Overwrite(*db, 10, 5);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    while (!stop.load()) {
      for (const auto& [id, body] : expected) {
        Result<Document> doc = db->Get("default", id);
        ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
        ASSERT_EQ(doc->json, body);
      }
      Result<std::vector<Document>> all = db->Scan("default");
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      ASSERT_EQ(all->size(), expected.size());
    }
  });
  {
    const StopAndJoin stop_and_join(&stop, &threads);
    // Each Compact seals the segment the documents are in, which one rewrite has given
    // dead bytes, and moves all of them.
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(db->Put("default", "doc0", expected.at("doc0")).ok());
      ASSERT_TRUE(db->Compact().ok());
    }
  }
  EXPECT_GE(db->GetStats()->compactions, 30u);
}

// A power cut at the k-th file operation of a compaction (or of the checkpoint that
// follows it) loses nothing, and the next open leaves no file that nothing will delete.
TEST(DBLifecycleTest, PowerCutsDuringCompactionLoseNothingAndLeaveNoOrphans) {
  std::unique_ptr<io::FileSystem> base = std::move(*io::NewFileSystem(io::IoBackend::kPosix));
  for (uint64_t cut_after = 1; cut_after <= 40; cut_after += 3) {
    SCOPED_TRACE("power cut after " + std::to_string(cut_after) + " operations");
    testing::TempDir dir;
    io::FaultFileSystem faulty(base.get(), cut_after);
    Options options = SmallOptions();
    std::map<std::string, std::string> expected;
    {
      std::unique_ptr<DB> db = std::move(*engine::OpenDB(dir.path(), options, &faulty));
      expected = Overwrite(*db, 10, 30);
      // Every file operation from here on counts toward the cut.
      for (io::FaultOp op : {io::FaultOp::kWrite, io::FaultOp::kSync, io::FaultOp::kSyncDir,
                             io::FaultOp::kRemove, io::FaultOp::kOpen}) {
        faulty.InjectFault({op, cut_after, EIO, /*torn_write=*/true, /*sticky=*/true});
      }
      db->Compact().IgnoreError();  // fails where the fault hits, or succeeds before it
      ASSERT_TRUE(faulty.PowerCut(io::PowerCutMode::kRandomUnsynced).ok());
    }
    faulty.Restart();
    faulty.ClearFaults();
    std::unique_ptr<DB> db = std::move(*engine::OpenDB(dir.path(), options, &faulty));
    ExpectDocuments(*db, expected);
    EXPECT_EQ(db->GetStats()->live_bytes, ExpectedLiveBytes(*db));
    EXPECT_EQ(DataSegments(dir.path()).size(), db->GetStats()->data_segments);
    // The interrupted compaction can be run again to the end: no dead bytes are left.
    ASSERT_TRUE(db->Compact().ok());
    const Stats stats = *db->GetStats();
    EXPECT_EQ(stats.data_bytes, stats.data_segments * io::kSegmentHeaderBytes + stats.live_bytes);
    EXPECT_EQ(DataSegments(dir.path()).size(), stats.data_segments);
    ExpectDocuments(*db, expected);
  }
}

}  // namespace
}  // namespace docdb
