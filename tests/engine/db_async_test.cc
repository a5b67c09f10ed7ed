// DB::WriteAsync: outcomes, order, visibility, backpressure and closing with batches in
// flight (docs/architecture.md, "Asynchronous writes").
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "docdb/db.h"
#include "engine/db_impl.h"
#include "io/fault_file_system.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

// The outcomes of WriteAsync calls, by call number, and a way to wait for all of them.
class Outcomes {
 public:
  std::function<void(Result<uint64_t>)> Slot(size_t n) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++expected_;
    }
    return [this, n](Result<uint64_t> r) {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_[n];
      results_.insert_or_assign(n, std::move(r));
      cv_.notify_all();
    };
  }
  void WaitForAll() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return results_.size() == expected_; });
  }
  Result<uint64_t> Get(size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    return results_.at(n);
  }
  // Every slot was called exactly once.
  bool EachCalledOnce() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [n, count] : calls_) {
      if (count != 1) return false;
    }
    return calls_.size() == expected_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t expected_ = 0;
  std::map<size_t, int> calls_;
  std::map<size_t, Result<uint64_t>> results_;
};

// Holds the commit thread inside a `done` until released, so that a test can fill the
// queue behind it.
class Latch {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  void WaitUntilEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

WriteBatch PutOf(const std::string& id, const std::string& json) {
  WriteBatch batch;
  batch.Put("default", id, json);
  return batch;
}

class DBAsyncTest : public ::testing::Test {
 protected:
  std::unique_ptr<DB> Open(Options options = {}) {
    Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(DBAsyncTest, DoneGetsTheVersionAndTheWriteIsVisibleWhenDoneBegins) {
  auto db = Open();
  Result<uint64_t> version = Status::Internal("not called");
  Result<Document> seen = Status::Internal("not read");
  std::mutex mu;
  std::condition_variable cv;
  bool called = false;
  db->WriteAsync(PutOf("a", R"({ "v" : 1 })"), [&](Result<uint64_t> r) {
    Result<Document> doc = db->Get("default", "a");  // reads are allowed in done
    std::lock_guard<std::mutex> lock(mu);
    version = std::move(r);
    seen = std::move(doc);
    called = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return called; });
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->json, R"({"v":1})");
  EXPECT_EQ(seen->version, *version);
}

TEST_F(DBAsyncTest, BatchesCommitInCallOrderAndSurviveReopen) {
  constexpr size_t kBatches = 300;
  {
    auto db = Open();
    Outcomes outcomes;
    for (size_t i = 0; i < kBatches; ++i) {
      WriteBatch batch;
      batch.Put("default", "last", std::to_string(i));
      batch.Put("default", "d" + std::to_string(i), std::to_string(i));
      db->WriteAsync(std::move(batch), outcomes.Slot(i));
    }
    outcomes.WaitForAll();
    uint64_t previous = 0;
    for (size_t i = 0; i < kBatches; ++i) {
      Result<uint64_t> v = outcomes.Get(i);
      ASSERT_TRUE(v.ok()) << i << ": " << v.status().ToString();
      EXPECT_GT(*v, previous) << "batch " << i << " committed out of call order";
      previous = *v;
    }
    EXPECT_EQ(db->Get("default", "last")->json, std::to_string(kBatches - 1));
    EXPECT_EQ(db->Get("default", "last")->version, previous);
  }
  Options no_checkpoint;
  no_checkpoint.checkpoint_on_close = false;
  auto db = Open(no_checkpoint);
  EXPECT_EQ(db->Get("default", "last")->json, std::to_string(kBatches - 1));
  EXPECT_EQ(*db->Count("default"), kBatches + 1);
}

TEST_F(DBAsyncTest, EachBatchIsCheckedAgainstTheBatchesBeforeIt) {
  auto db = Open();
  // The commit thread is held in the first batch's done, so that the batches below are
  // queued together and committed as one group.
  Latch latch;
  db->WriteAsync(PutOf("held", "0"), [&](Result<uint64_t>) { latch.Wait(); });
  latch.WaitUntilEntered();
  Outcomes outcomes;
  db->WriteAsync(PutOf("a", "1"), outcomes.Slot(0));
  WriteBatch remove;
  remove.Delete("default", "a");
  db->WriteAsync(remove, outcomes.Slot(1));  // a exists: the put before it
  db->WriteAsync(remove, outcomes.Slot(2));  // a is gone: the delete before it
  WriteBatch create;
  create.Put("default", "a", "2", /*expected_version=*/0);
  db->WriteAsync(create, outcomes.Slot(3));
  WriteBatch stale;
  stale.Put("default", "a", "3", /*expected_version=*/12345);
  stale.Put("default", "b", "3");
  db->WriteAsync(stale, outcomes.Slot(4));
  // The version of "held" is known (its done began), but "a" was written in this group.
  const uint64_t held_version = db->Get("default", "held")->version;
  WriteBatch known;
  known.Put("default", "held", "1", held_version);
  db->WriteAsync(known, outcomes.Slot(5));
  WriteBatch in_group;
  in_group.Put("default", "a", "4", held_version);
  db->WriteAsync(in_group, outcomes.Slot(6));
  latch.Open();
  outcomes.WaitForAll();
  EXPECT_TRUE(outcomes.Get(0).ok());
  EXPECT_TRUE(outcomes.Get(1).ok());
  EXPECT_EQ(outcomes.Get(2).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(outcomes.Get(3).ok()) << outcomes.Get(3).status().ToString();
  EXPECT_EQ(outcomes.Get(4).status().code(), StatusCode::kConflict);
  EXPECT_TRUE(outcomes.Get(5).ok()) << outcomes.Get(5).status().ToString();
  EXPECT_EQ(outcomes.Get(6).status().code(), StatusCode::kConflict);
  EXPECT_EQ(*outcomes.Get(1), *outcomes.Get(0) + 1) << "one group: consecutive LSNs";
  EXPECT_EQ(db->Get("default", "a")->json, "2");
  EXPECT_EQ(db->Get("default", "a")->version, *outcomes.Get(3));
  EXPECT_FALSE(*db->Exists("default", "b")) << "a failed batch leaves nothing";
}

TEST_F(DBAsyncTest, PatchesSeeWhatEarlierBatchesOfTheGroupWrote) {
  auto db = Open();
  Latch latch;
  db->WriteAsync(PutOf("held", "0"), [&](Result<uint64_t>) { latch.Wait(); });
  latch.WaitUntilEntered();
  Outcomes outcomes;
  // All of these are queued behind the held batch and committed as one group.
  std::vector<WriteBatch> batches(7);
  batches[0].Put("default", "list", R"({"n":1})");
  batches[1].MergePatch("default", "list", R"({"l":[]})");
  batches[2].Patch("default", "list", R"([{"op":"add","path":"/l/-","value":1}])");
  batches[3].Patch("default", "list", R"([{"op":"add","path":"/l/-","value":2}])");
  batches[4].Delete("default", "list");
  batches[5].MergePatch("default", "list", R"({"x":1})");  // deleted by the batch before
  batches[6].Insert("default", "list", R"({"again":[0]})");
  batches[6].Patch("default", "list", R"([{"op":"add","path":"/again/-","value":1}])");
  for (size_t i = 0; i < batches.size(); ++i) db->WriteAsync(batches[i], outcomes.Slot(i));
  latch.Open();
  outcomes.WaitForAll();
  for (size_t i : {0, 1, 2, 3, 4, 6}) {
    EXPECT_TRUE(outcomes.Get(i).ok()) << i << ": " << outcomes.Get(i).status().ToString();
  }
  EXPECT_EQ(outcomes.Get(5).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*outcomes.Get(4), *outcomes.Get(0) + 4) << "one group: consecutive LSNs";
  EXPECT_EQ(db->Get("default", "list")->json, R"({"again":[0,1]})");
}

TEST_F(DBAsyncTest, PatchesInOneGroupBuildOnEachOther) {
  auto db = Open();
  ASSERT_TRUE(db->Put("default", "list", R"({"l":[]})").ok());
  Latch latch;
  db->WriteAsync(PutOf("held", "0"), [&](Result<uint64_t>) { latch.Wait(); });
  latch.WaitUntilEntered();
  Outcomes outcomes;
  for (int i = 0; i < 50; ++i) {
    WriteBatch patch;
    patch.Patch("default", "list",
                R"([{"op":"add","path":"/l/-","value":)" + std::to_string(i) + "}]");
    db->WriteAsync(patch, outcomes.Slot(i));
  }
  latch.Open();
  outcomes.WaitForAll();
  std::string expected = R"({"l":[)";
  for (int i = 0; i < 50; ++i) expected += (i ? "," : "") + std::to_string(i);
  EXPECT_EQ(db->Get("default", "list")->json, expected + "]}");
  db.reset();
  db = Open();
  EXPECT_EQ(db->Get("default", "list")->json, expected + "]}");
}

TEST_F(DBAsyncTest, InvalidBatchIsDoneBeforeWriteAsyncReturns) {
  auto db = Open();
  bool called = false;
  Status status;
  db->WriteAsync(PutOf("a", "{not json"), [&](Result<uint64_t> r) {
    called = true;
    status = r.status();
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  called = false;
  db->WriteAsync(WriteBatch(), [&](Result<uint64_t> r) {
    called = true;
    EXPECT_EQ(*r, 0u);
  });
  EXPECT_TRUE(called) << "an empty batch is done at once";
  EXPECT_EQ(db->GetStats()->last_lsn, 0u);
}

TEST_F(DBAsyncTest, BatchesBeyondThePendingLimitAreBusy) {
  Options options;
  options.max_pending_writes = 4;
  auto db = Open(options);
  Latch latch;
  Outcomes outcomes;
  db->WriteAsync(PutOf("held", "0"), [&](Result<uint64_t>) { latch.Wait(); });
  latch.WaitUntilEntered();  // the commit thread is in the first batch's done
  for (size_t i = 0; i < 3; ++i)
    db->WriteAsync(PutOf("q" + std::to_string(i), "1"), outcomes.Slot(i));
  Status busy;
  db->WriteAsync(PutOf("over", "1"), [&](Result<uint64_t> r) { busy = r.status(); });
  EXPECT_EQ(busy.code(), StatusCode::kBusy) << busy.ToString();
  latch.Open();
  outcomes.WaitForAll();
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(outcomes.Get(i).ok());
  EXPECT_FALSE(*db->Exists("default", "over"));
}

TEST_F(DBAsyncTest, ClosingCommitsQueuedBatchesAndCallsEveryDoneOnce) {
  auto db = Open();
  DB* raw = db.get();
  Latch latch;
  Outcomes outcomes;
  constexpr size_t kQueued = 20;
  bool refused = false;
  // The first batch's done holds the commit thread until the queue is full and the DB is
  // being destroyed; then, as a done may, it calls WriteAsync until the closing DB
  // refuses with Aborted. Probes queued before that are committed like the rest.
  raw->WriteAsync(PutOf("held", "0"), [&](Result<uint64_t>) {
    latch.Wait();
    for (size_t n = kQueued; !refused; ++n) {
      raw->WriteAsync(PutOf("probe", "1"), [&refused, slot = outcomes.Slot(n)](Result<uint64_t> r) {
        if (r.status().code() == StatusCode::kAborted) refused = true;
        slot(std::move(r));
      });
      std::this_thread::yield();
    }
  });
  latch.WaitUntilEntered();
  for (size_t i = 0; i < kQueued; ++i) {
    raw->WriteAsync(PutOf("q" + std::to_string(i), "1"), outcomes.Slot(i));
  }
  std::thread closer([&] { db.reset(); });
  latch.Open();
  closer.join();
  EXPECT_TRUE(refused);
  EXPECT_TRUE(outcomes.EachCalledOnce());
  for (size_t i = 0; i < kQueued; ++i) EXPECT_TRUE(outcomes.Get(i).ok()) << i;
  auto reopened = Open();
  for (size_t i = 0; i < kQueued; ++i) {
    EXPECT_TRUE(*reopened->Exists("default", "q" + std::to_string(i)));
  }
}

TEST_F(DBAsyncTest, DoneMayWriteSynchronouslyAndQueueMore) {
  auto db = Open();
  Outcomes outcomes;
  auto second = outcomes.Slot(1);
  db->WriteAsync(PutOf("a", "1"), [&, second](Result<uint64_t> r) mutable {
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(db->Put("default", "sync", "2").ok());
    db->WriteAsync(PutOf("b", "3"), second);
  });
  outcomes.WaitForAll();
  EXPECT_TRUE(outcomes.Get(1).ok());
  EXPECT_EQ(db->Get("default", "sync")->json, "2");
  EXPECT_EQ(db->Get("default", "b")->json, "3");
}

class DBAsyncFaultTest : public DBAsyncTest {
 protected:
  // A database on a fault-injecting file system, with the commit thread held in the
  // first batch's done: what is queued next is committed as one group once released.
  // Each append writes its record, so that a data-segment fault hits the batch it names.
  std::unique_ptr<DB> OpenHeld() {
    Options options;
    options.data_segment_buffer_bytes = 0;
    Result<std::unique_ptr<DB>> db = engine::OpenDB(dir_.path(), options, &fs_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    (*db)->WriteAsync(PutOf("held", "0"), [&](Result<uint64_t>) { latch_.Wait(); });
    latch_.WaitUntilEntered();
    return std::move(*db);
  }

  std::unique_ptr<io::FileSystem> base_ = std::move(*io::NewFileSystem(io::IoBackend::kPosix));
  io::FaultFileSystem fs_{base_.get(), 1};
  Latch latch_;
};

TEST_F(DBAsyncFaultTest, NoSpaceFailsTheWholeGroupAndLaterBatchesCommit) {
  auto db = OpenHeld();
  Outcomes outcomes;
  for (size_t i = 0; i < 3; ++i)
    db->WriteAsync(PutOf("g" + std::to_string(i), "1"), outcomes.Slot(i));
  fs_.InjectFault({io::FaultOp::kWrite, 1, ENOSPC, /*torn_write=*/true});
  latch_.Open();
  outcomes.WaitForAll();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(outcomes.Get(i).status().code(), StatusCode::kNoSpace) << i;
    EXPECT_FALSE(*db->Exists("default", "g" + std::to_string(i)));
  }
  Outcomes after;
  db->WriteAsync(PutOf("later", "1"), after.Slot(0));
  after.WaitForAll();
  EXPECT_TRUE(after.Get(0).ok()) << after.Get(0).status().ToString();
  db.reset();
  auto reopened = engine::OpenDB(dir_.path(), Options(), &fs_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_FALSE(*(*reopened)->Exists("default", "g0")) << "nothing of the failed group";
  EXPECT_TRUE(*(*reopened)->Exists("default", "later"));
}

TEST_F(DBAsyncFaultTest, WalIoErrorFailsTheGroupAndStopsWrites) {
  auto db = OpenHeld();
  Outcomes outcomes;
  for (size_t i = 0; i < 3; ++i)
    db->WriteAsync(PutOf("g" + std::to_string(i), "1"), outcomes.Slot(i));
  fs_.InjectFault({io::FaultOp::kSync, 1, EIO});
  latch_.Open();
  outcomes.WaitForAll();
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(outcomes.Get(i).status().code(), StatusCode::kIoError);
  const uint64_t syncs = fs_.OpCount(io::FaultOp::kSync);
  Outcomes after;
  db->WriteAsync(PutOf("later", "1"), after.Slot(0));
  after.WaitForAll();
  EXPECT_EQ(after.Get(0).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(fs_.OpCount(io::FaultOp::kSync), syncs) << "no second fsync";
  EXPECT_TRUE(db->GetStats()->read_only);
  EXPECT_EQ(db->Get("default", "held")->json, "0") << "reads go on";
  // The disk then loses what it could not write, as a failed fsync allows: a reopen
  // finds exactly the acknowledged writes.
  ASSERT_TRUE(fs_.PowerCut(io::PowerCutMode::kDropUnsynced).ok());
  db.reset();
  fs_.Restart();
  auto reopened = engine::OpenDB(dir_.path(), Options(), &fs_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->Get("default", "held")->json, "0");
  EXPECT_EQ(*(*reopened)->Count("default"), 1u) << "nothing of the failed group";
}

TEST_F(DBAsyncFaultTest, DataSegmentNoSpaceRevokesTheBatchAndTheRestOfItsGroup) {
  auto db = OpenHeld();
  Outcomes outcomes;
  for (size_t i = 0; i < 3; ++i)
    db->WriteAsync(PutOf("g" + std::to_string(i), "1"), outcomes.Slot(i));
  // The group's WAL write goes through; the second batch's data-segment append does not,
  // however often it is retried.
  fs_.InjectFault({io::FaultOp::kWrite, 2, ENOSPC, true, true, "/data/seg-"});
  latch_.Open();
  outcomes.WaitForAll();
  EXPECT_TRUE(outcomes.Get(0).ok()) << outcomes.Get(0).status().ToString();
  EXPECT_EQ(outcomes.Get(1).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(outcomes.Get(2).status().code(), StatusCode::kNoSpace);
  EXPECT_FALSE(*db->Exists("default", "g1"));
  EXPECT_FALSE(db->GetStats()->read_only);
  fs_.ClearFaults();
  EXPECT_TRUE(db->Put("default", "later", "1").ok()) << "writes resume without a reopen";
  db.reset();
  auto reopened = engine::OpenDB(dir_.path(), Options(), &fs_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_TRUE(*(*reopened)->Exists("default", "g0"));
  EXPECT_FALSE(*(*reopened)->Exists("default", "g1"));
  EXPECT_FALSE(*(*reopened)->Exists("default", "g2"));
  EXPECT_TRUE(*(*reopened)->Exists("default", "later"));
}

TEST_F(DBAsyncFaultTest, IoErrorApplyingABatchStopsWritesAndTellsTheBatchesAfterIt) {
  auto db = OpenHeld();
  Outcomes outcomes;
  for (size_t i = 0; i < 3; ++i)
    db->WriteAsync(PutOf("g" + std::to_string(i), "1"), outcomes.Slot(i));
  // The group's one WAL write, then one data-segment append per batch: the second fails.
  fs_.InjectFault({io::FaultOp::kWrite, 3, EIO});
  latch_.Open();
  outcomes.WaitForAll();
  EXPECT_TRUE(outcomes.Get(0).ok()) << outcomes.Get(0).status().ToString();
  EXPECT_EQ(outcomes.Get(1).status().code(), StatusCode::kIoError);
  EXPECT_EQ(outcomes.Get(2).status().code(), StatusCode::kIoError);
  EXPECT_EQ(db->Put("default", "later", "1").status().code(), StatusCode::kFailedPrecondition);
  db.reset();
  fs_.ClearFaults();
  // All three were durable in the WAL: reopening recovers them.
  auto reopened = engine::OpenDB(dir_.path(), Options(), &fs_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  for (size_t i = 0; i < 3; ++i)
    EXPECT_TRUE(*(*reopened)->Exists("default", "g" + std::to_string(i)));
}

}  // namespace
}  // namespace docdb
