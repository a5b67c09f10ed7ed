// Readers, writers, batches and checkpoints at once (run under TSan by the tsan preset).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "docdb/db.h"
#include "engine/db_impl.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

std::string Body(int writer, int seq) {
  return R"({"w":)" + std::to_string(writer) + R"(,"seq":)" + std::to_string(seq) + "}";
}

int SeqOf(const std::string& body) { return std::stoi(body.substr(body.find("\"seq\":") + 6)); }

// Counts a writer down when it leaves, however it leaves (a failed ASSERT returns early),
// so that readers looping until the writers are done never spin forever.
class LeaveGuard {
 public:
  explicit LeaveGuard(std::atomic<int>* left) : left_(left) {}
  ~LeaveGuard() { --*left_; }
  LeaveGuard(const LeaveGuard&) = delete;
  LeaveGuard& operator=(const LeaveGuard&) = delete;

 private:
  std::atomic<int>* left_;
};

// Batch `seq` of a writer writes two of its three documents x, y and z, turn about, so that
// consecutive batches overlap in one document: a scan that took one key from before a
// checkpoint and another from after it shows a mix that no batch boundary has.
constexpr const char* kTriple[3] = {"x", "y", "z"};
std::pair<int, int> KeysOfBatch(int seq) { return {seq % 3, (seq + 1) % 3}; }

// Checks that the seqs of one writer's three documents are the state right after some
// batch M: M's two documents at M, the third at M - 1 (absent before batch 2... M = 1).
void ExpectStateAfterOneBatch(const std::map<std::string, int>& seq_of, int writer) {
  int newest = 0;
  for (const char* k : kTriple) {
    auto it = seq_of.find("w" + std::to_string(writer) + k);
    if (it != seq_of.end()) newest = std::max(newest, it->second);
  }
  if (newest == 0) return;
  const auto [first, second] = KeysOfBatch(newest);
  for (int k = 0; k < 3; ++k) {
    auto it = seq_of.find("w" + std::to_string(writer) + kTriple[k]);
    const int want = (k == first || k == second) ? newest : newest - 1;
    const int got = it == seq_of.end() ? 0 : it->second;
    EXPECT_EQ(got, want) << "writer " << writer << " document " << kTriple[k]
                         << ": a scan saw part of batch " << newest;
  }
}

TEST(DBConcurrencyTest, ReadersWritersBatchesAndCheckpointsTogether) {
  testing::TempDir dir;
  Options options;
  options.checkpoint_interval_bytes = 8 << 10;
  options.durability = Durability::kNone;  // this test is about interleavings, not the disk
  auto db = std::move(*DB::Open(dir.path(), options));
  ASSERT_TRUE(db->CreateCollection("batches").ok());
  constexpr int kWriters = 3;
  constexpr int kWrites = 300;
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      LeaveGuard leave(&writers_left);
      for (int seq = 1; seq <= kWrites; ++seq) {
        const std::string id = "w" + std::to_string(w);
        ASSERT_TRUE(db->Put("default", id, Body(w, seq)).ok());
        WriteBatch batch;
        const auto [first, second] = KeysOfBatch(seq);
        batch.Put("batches", id + kTriple[first], Body(w, seq));
        batch.Put("batches", id + kTriple[second], Body(w, seq));
        ASSERT_TRUE(db->Write(batch).ok());
      }
    });
  }
  // Readers: a document's version and sequence never go backwards, and a scan sees every
  // batch whole or not at all.
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      std::vector<uint64_t> last_version(kWriters, 0);
      std::vector<int> last_seq(kWriters, 0);
      while (writers_left.load() > 0 && !::testing::Test::HasFailure()) {
        for (int w = 0; w < kWriters; ++w) {
          Result<Document> doc = db->Get("default", "w" + std::to_string(w));
          if (doc.status().code() == StatusCode::kNotFound) continue;
          ASSERT_TRUE(doc.ok()) << doc.status().ToString();
          ASSERT_GE(doc->version, last_version[w]);
          ASSERT_GE(SeqOf(doc->json), last_seq[w]);
          last_version[w] = doc->version;
          last_seq[w] = SeqOf(doc->json);
        }
        Result<std::vector<Document>> scan = db->Scan("batches");
        ASSERT_TRUE(scan.ok()) << scan.status().ToString();
        std::map<std::string, int> seq_of;
        for (const Document& d : *scan) seq_of[d.id] = SeqOf(d.json);
        for (int w = 0; w < kWriters; ++w) ExpectStateAfterOneBatch(seq_of, w);
      }
    });
  }
  threads.emplace_back([&] {
    while (writers_left.load() > 0) ASSERT_TRUE(db->Checkpoint().ok());
  });
  for (auto& t : threads) t.join();

  for (int w = 0; w < kWriters; ++w) {
    const std::string id = "w" + std::to_string(w);
    EXPECT_EQ(db->Get("default", id)->json, Body(w, kWrites));
    const auto [first, second] = KeysOfBatch(kWrites);
    EXPECT_EQ(db->Get("batches", id + kTriple[first])->json, Body(w, kWrites));
    EXPECT_EQ(db->Get("batches", id + kTriple[second])->json, Body(w, kWrites));
  }
  EXPECT_EQ(*db->Count("batches"), 3u * kWriters);
  EXPECT_GT(db->GetStats()->checkpoints, 0u);
}

TEST(DBConcurrencyTest, CheckpointBetweenAScansTwoHalvesShowsNoPartOfABatch) {
  testing::TempDir dir;
  const std::unique_ptr<io::FileSystem> fs = std::move(*io::NewFileSystem());
  auto opened = engine::OpenDB(dir.path(), Options(), fs.get());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<DB> db = std::move(*opened);
  auto put_both = [&](const std::string& v) {
    WriteBatch batch;
    batch.Put("default", "x", v);
    batch.Put("default", "y", v);
    ASSERT_TRUE(db->Write(batch).ok());
  };
  put_both("1");
  ASSERT_TRUE(db->Checkpoint().ok());              // the index: x=1, y=1
  ASSERT_TRUE(db->Put("default", "x", "2").ok());  // the overlay: x=2
  // While the scan holds its copy of the overlay, another thread writes both documents
  // in one batch and a checkpoint moves the batch into the index.
  bool fired = false;
  static_cast<engine::DBImpl*>(db.get())->SetScanHookForTesting([&] {
    if (fired) return;
    fired = true;
    std::thread writer([&] {
      put_both("3");
      EXPECT_TRUE(db->Checkpoint().ok());
    });
    writer.join();
  });
  Result<std::vector<Document>> scan = db->Scan("default");
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->size(), 2u);
  // Either the state before the batch (x=2, y=1) or after it (3, 3), never a mix.
  const std::string seen = (*scan)[0].json + "," + (*scan)[1].json;
  EXPECT_TRUE(seen == "2,1" || seen == "3,3") << seen;
}

TEST(DBConcurrencyTest, CheckpointIsNotStarvedByContinuousWriters) {
  testing::TempDir dir;
  Options options;
  options.checkpoint_interval_bytes = 1ull << 40;  // only the checkpoints asked for below
  auto db = std::move(*DB::Open(dir.path(), options));
  constexpr int kWriters = 16;
  // Enough for a few checkpoints a hundred times over, even on a loaded machine, unless
  // they starve: then each waits until the writers run out of writes.
  constexpr int kMaxWritesPerWriter = 20000;
  constexpr int kCheckpoints = 3;
  std::atomic<bool> checkpoints_done{false};
  std::atomic<int> writers_out_of_writes{0};
  std::atomic<int> writers_writing{0};
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      LeaveGuard leave(&writers_left);
      int i = 0;
      for (; i < kMaxWritesPerWriter && !checkpoints_done.load(); ++i) {
        ASSERT_TRUE(db->Put("default", "w" + std::to_string(w), Body(w, i)).ok());
        if (i == 0) ++writers_writing;
      }
      if (i == kMaxWritesPerWriter) ++writers_out_of_writes;
    });
  }
  // The checkpoints begin once every writer is writing.
  while (writers_writing.load() < kWriters && writers_left.load() == kWriters) {
    std::this_thread::yield();
  }
  for (int c = 0; c < kCheckpoints; ++c) {
    ASSERT_TRUE(db->Put("default", "marker", Body(0, c)).ok());  // so that there is work to do
    ASSERT_TRUE(db->Checkpoint().ok());
    // Each checkpoint must finish while writes are still streaming in.
    EXPECT_EQ(writers_out_of_writes.load(), 0) << "checkpoint " << c << " waited for a pause";
  }
  checkpoints_done = true;
  for (auto& t : writers) t.join();
  const Stats stats = *db->GetStats();
  EXPECT_GE(stats.checkpoints, static_cast<uint64_t>(kCheckpoints));
  std::printf("longest checkpoint wait for the writes in flight: %llu us\n",
              static_cast<unsigned long long>(stats.checkpoint_max_wait_us));
}

TEST(DBConcurrencyTest, AsyncBatchesFromSeveralThreadsWithSyncWritesReadsAndCheckpoints) {
  testing::TempDir dir;
  Options options;
  options.checkpoint_interval_bytes = 16 << 10;
  options.durability = Durability::kNone;  // interleavings, not the disk
  auto db = std::move(*DB::Open(dir.path(), options));
  constexpr int kSubmitters = 2;
  constexpr int kBatches = 400;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  std::vector<std::vector<uint64_t>> versions(kSubmitters, std::vector<uint64_t>(kBatches, 0));
  std::vector<std::thread> threads;
  for (int t = 0; t < kSubmitters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBatches; ++i) {
        WriteBatch batch;
        batch.Put("default", "a" + std::to_string(t), Body(t, i));
        batch.Put("default", "b" + std::to_string(t), Body(t, i));
        db->WriteAsync(std::move(batch), [&, t, i](Result<uint64_t> r) {
          std::lock_guard<std::mutex> lock(mu);
          EXPECT_TRUE(r.ok()) << r.status().ToString();
          versions[t][i] = r.ok() ? *r : 0;
          ++done;
          cv.notify_all();
        });
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->Put("default", "sync", Body(9, i)).ok());
  });
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(db->Checkpoint().ok());
  });
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) {
      Result<std::vector<Document>> scan = db->Scan("default");
      ASSERT_TRUE(scan.ok()) << scan.status().ToString();
      std::map<std::string, uint64_t> version_of;
      for (const Document& d : *scan) version_of[d.id] = d.version;
      for (int t = 0; t < kSubmitters; ++t) {
        const std::string n = std::to_string(t);
        EXPECT_EQ(version_of["a" + n], version_of["b" + n]) << "a batch seen in part";
      }
    }
  });
  for (auto& th : threads) th.join();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == kSubmitters * kBatches; });
  }
  for (int t = 0; t < kSubmitters; ++t) {
    for (int i = 1; i < kBatches; ++i) EXPECT_GT(versions[t][i], versions[t][i - 1]);
    EXPECT_EQ(db->Get("default", "a" + std::to_string(t))->version, versions[t][kBatches - 1]);
  }
}

TEST(DBConcurrencyTest, CompareAndSetIncrementsNeverLoseAnUpdate) {
  testing::TempDir dir;
  auto db = std::move(*DB::Open(dir.path()));
  ASSERT_TRUE(db->Put("default", "counter", "0").ok());
  constexpr int kThreads = 4;
  constexpr int kIncrements = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int done = 0; done < kIncrements;) {
        Result<Document> doc = db->Get("default", "counter");
        ASSERT_TRUE(doc.ok());
        WriteOptions cas;
        cas.expected_version = doc->version;
        Result<uint64_t> v =
            db->Put("default", "counter", std::to_string(std::stoi(doc->json) + 1), cas);
        if (v.ok()) {
          ++done;
        } else {
          ASSERT_EQ(v.status().code(), StatusCode::kConflict) << v.status().ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(db->Get("default", "counter")->json, std::to_string(kThreads * kIncrements));
}

}  // namespace
}  // namespace docdb
