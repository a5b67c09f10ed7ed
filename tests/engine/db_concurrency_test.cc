// Readers, writers, batches and checkpoints at once (run under TSan by the tsan preset).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "docdb/db.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

std::string Body(int writer, int seq) {
  return R"({"w":)" + std::to_string(writer) + R"(,"seq":)" + std::to_string(seq) + "}";
}

int SeqOf(const std::string& body) { return std::stoi(body.substr(body.find("\"seq\":") + 6)); }

TEST(DBConcurrencyTest, ReadersWritersBatchesAndCheckpointsTogether) {
  testing::TempDir dir;
  Options options;
  options.checkpoint_interval_bytes = 8 << 10;
  options.durability = Durability::kNone;  // this test is about interleavings, not the disk
  auto db = std::move(*DB::Open(dir.path(), options));
  ASSERT_TRUE(db->CreateCollection("pairs").ok());
  constexpr int kWriters = 3;
  constexpr int kWrites = 300;
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int seq = 1; seq <= kWrites; ++seq) {
        const std::string id = "w" + std::to_string(w);
        ASSERT_TRUE(db->Put("default", id, Body(w, seq)).ok());
        WriteBatch batch;
        batch.Put("pairs", id + "-a", Body(w, seq));
        batch.Put("pairs", id + "-b", Body(w, seq));
        ASSERT_TRUE(db->Write(batch).ok());
      }
      --writers_left;
    });
  }
  // Readers: a document's version and sequence never go backwards.
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      std::vector<uint64_t> last_version(kWriters, 0);
      std::vector<int> last_seq(kWriters, 0);
      while (writers_left.load() > 0) {
        for (int w = 0; w < kWriters; ++w) {
          Result<Document> doc = db->Get("default", "w" + std::to_string(w));
          if (doc.status().code() == StatusCode::kNotFound) continue;
          ASSERT_TRUE(doc.ok()) << doc.status().ToString();
          ASSERT_GE(doc->version, last_version[w]);
          ASSERT_GE(SeqOf(doc->json), last_seq[w]);
          last_version[w] = doc->version;
          last_seq[w] = SeqOf(doc->json);
        }
        Result<std::vector<Document>> scan = db->Scan("pairs");
        ASSERT_TRUE(scan.ok()) << scan.status().ToString();
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
    EXPECT_EQ(db->Get("pairs", id + "-a")->json, Body(w, kWrites));
    EXPECT_EQ(db->Get("pairs", id + "-b")->json, Body(w, kWrites));
  }
  EXPECT_EQ(*db->Count("pairs"), 2u * kWriters);
  EXPECT_GT(db->GetStats()->checkpoints, 0u);
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
