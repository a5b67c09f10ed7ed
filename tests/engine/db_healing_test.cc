// Healing (docs/healing.md): damaged document records are rebuilt from the WAL record of
// exactly the version the index names, on read, on demand, by HealAll and by the
// background scan; never from another version, never for a deleted document, never
// rewriting a healthy one; what the WAL no longer holds is reported, never returned.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "engine/db_impl.h"
#include "io/file_names.h"
#include "tests/support/damage.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

namespace fs = std::filesystem;

Options HealingOptions() {
  Options options;
  options.checkpoint_auto = false;
  options.compaction_auto = false;
  options.healing_enabled = false;  // tests that want the background scan turn it on
  options.wal_keep_segments = 1000;
  options.data_segment_buffer_bytes = 0;  // records reach the files, where Damage finds them
  return options;
}

std::string Body(const std::string& marker) { return R"({"marker":")" + marker + R"("})"; }

std::vector<fs::path> DataSegmentFiles(const std::string& db) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(io::DataDirPath(db))) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

int Damage(const std::string& db, const std::string& marker) {
  return testing::DamageDataSegments(db, marker);
}

class DBHealingTest : public ::testing::Test {
 protected:
  std::unique_ptr<DB> Open(const Options& options = HealingOptions()) {
    Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(*db);
  }

  testing::TempDir dir_;
};

TEST_F(DBHealingTest, ReadHealsADamagedDocumentAndReturnsIt) {
  auto db = Open();
  const uint64_t version = *db->Put("default", "x", Body("xxxx-one"));
  ASSERT_TRUE(db->Put("default", "y", Body("yyyy-one")).ok());
  ASSERT_TRUE(db->Checkpoint().ok());  // the index names x's record on disk
  ASSERT_EQ(Damage(dir_.path(), "xxxx-one"), 1);

  Result<Document> read = db->Get("default", "x");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->json, Body("xxxx-one"));
  EXPECT_EQ(read->version, version) << "healing never makes a new version";
  const HealingStats stats = *db->GetHealingStats();
  EXPECT_EQ(stats.documents_corrupted, 1u);
  EXPECT_EQ(stats.documents_healed, 1u);
  EXPECT_EQ(stats.on_demand_healings, 1u);
  EXPECT_EQ(stats.background_healings, 0u);
  EXPECT_GT(stats.last_healing_time_us, 0);
  EXPECT_EQ(stats.total_scans, 0u);
  EXPECT_EQ(db->Get("default", "y")->json, Body("yyyy-one"));
  // Healed for good: the next read finds the new record, and so does a reopen.
  EXPECT_EQ(db->Get("default", "x")->json, Body("xxxx-one"));
  EXPECT_EQ(db->GetHealingStats()->documents_healed, 1u);
  db.reset();
  auto reopened = Open();
  EXPECT_EQ(reopened->Get("default", "x")->json, Body("xxxx-one"));
  EXPECT_EQ(reopened->GetHealingStats()->documents_healed, 0u) << "nothing to heal";
}

TEST_F(DBHealingTest, WithoutHealingOnReadTheReadFailsAndHealDocumentHeals) {
  Options options = HealingOptions();
  options.healing_on_read = false;
  auto db = Open(options);
  ASSERT_TRUE(db->Put("default", "x", Body("xxxx-one")).ok());
  ASSERT_EQ(Damage(dir_.path(), "xxxx-one"), 1);
  EXPECT_EQ(db->Get("default", "x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(db->Scan("default").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(db->GetHealingStats()->documents_corrupted, 1u) << "the same record, once";
  EXPECT_EQ(*db->HealDocument("default", "x"), true);
  EXPECT_EQ(db->Get("default", "x")->json, Body("xxxx-one"));
  EXPECT_EQ(*db->HealDocument("default", "x"), false) << "healthy now";
}

TEST_F(DBHealingTest, HealthyDocumentIsNeverRewritten) {
  auto db = Open();
  ASSERT_TRUE(db->Put("default", "x", Body("xxxx-one")).ok());
  const Stats before = *db->GetStats();
  EXPECT_EQ(*db->HealDocument("default", "x"), false);
  const HealReport report = *db->HealAll();
  EXPECT_EQ(report.documents_checked, 1u);
  EXPECT_TRUE(report.healed.empty());
  EXPECT_EQ(db->GetStats()->data_bytes, before.data_bytes);
  EXPECT_EQ(db->HealDocument("default", "nope").status().code(), StatusCode::kNotFound);
}

TEST_F(DBHealingTest, TheCurrentVersionIsHealedNeverAnOlderOne) {
  auto db = Open();
  ASSERT_TRUE(db->Put("default", "x", Body("xxxx-old")).ok());
  const uint64_t current = *db->Put("default", "x", Body("xxxx-new"));
  ASSERT_TRUE(db->Checkpoint().ok());
  ASSERT_EQ(Damage(dir_.path(), "xxxx-new"), 1);
  Result<Document> read = db->Get("default", "x");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->json, Body("xxxx-new"));
  EXPECT_EQ(read->version, current);
}

TEST_F(DBHealingTest, DeletedDocumentIsNeverResurrected) {
  auto db = Open();
  ASSERT_TRUE(db->Put("default", "x", Body("xxxx-one")).ok());
  ASSERT_TRUE(db->Delete("default", "x").ok());
  ASSERT_TRUE(db->Put("default", "y", Body("yyyy-one")).ok());
  ASSERT_TRUE(db->Checkpoint().ok());
  ASSERT_EQ(Damage(dir_.path(), "xxxx-one"), 1);  // the dead record
  const HealReport report = *db->HealAll();
  EXPECT_EQ(report.documents_checked, 1u);
  EXPECT_TRUE(report.healed.empty());
  EXPECT_EQ(db->Get("default", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db->HealDocument("default", "x").status().code(), StatusCode::kNotFound);
}

TEST_F(DBHealingTest, WhatTheWalNoLongerHoldsIsReportedUnrecoverableNeverReturned) {
  Options options = HealingOptions();
  options.wal_segment_size_bytes = 64 << 10;
  options.wal_keep_segments = 0;
  auto db = Open(options);
  const uint64_t version = *db->Put("default", "x", Body("xxxx-one"));
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(db->Put("default", "filler", Body(std::string(1000, 'f'))).ok());
  }
  ASSERT_TRUE(db->Checkpoint().ok());  // trims the WAL segments holding x's record
  ASSERT_GT(db->GetStats()->wal_segments_trimmed, 0u);
  ASSERT_EQ(Damage(dir_.path(), "xxxx-one"), 1);

  const Status read = db->Get("default", "x").status();
  EXPECT_EQ(read.code(), StatusCode::kCorruption);
  EXPECT_NE(read.message().find("'default/x' version " + std::to_string(version)),
            std::string_view::npos)
      << read.ToString();
  const HealReport report = *db->HealAll();
  ASSERT_EQ(report.unrecoverable.size(), 1u);
  EXPECT_EQ(report.unrecoverable[0].id, "x");
  EXPECT_EQ(report.unrecoverable[0].version, version);
  HealingStats stats = *db->GetHealingStats();
  EXPECT_EQ(stats.documents_unrecoverable, 1u);
  ASSERT_EQ(stats.unrecoverable.size(), 1u);
  EXPECT_EQ(stats.unrecoverable[0].collection, "default");
  EXPECT_EQ(stats.documents_healed, 0u);
  EXPECT_EQ(stats.documents_corrupted, 1u);
  EXPECT_EQ(stats.total_scans, 1u);
  // Writing the document again ends the damage.
  ASSERT_TRUE(db->Put("default", "x", Body("xxxx-two")).ok());
  stats = *db->GetHealingStats();
  EXPECT_EQ(stats.documents_unrecoverable, 0u);
  EXPECT_TRUE(stats.unrecoverable.empty());
}

TEST_F(DBHealingTest, ScanHealsWhatItReads) {
  auto db = Open();
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(db->Put("default", id, Body(std::string(id) + "-marker")).ok());
  }
  ASSERT_EQ(Damage(dir_.path(), "b-marker"), 1);
  const std::vector<Document> docs = *db->Scan("default");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[1].id, "b");
  EXPECT_EQ(docs[1].json, Body("b-marker"));
}

TEST_F(DBHealingTest, BackgroundScanHealsWithoutAnyRead) {
  // Declared before the database: its threads signal them until it is closed.
  std::mutex mu;
  std::condition_variable cycled;
  Options options = HealingOptions();
  options.healing_enabled = true;
  options.healing_interval_seconds = 1;
  auto db = Open(options);
  ASSERT_TRUE(db->Put("default", "x", Body("xxxx-one")).ok());
  ASSERT_EQ(Damage(dir_.path(), "xxxx-one"), 1);
  static_cast<engine::DBImpl*>(db.get())->SetBackgroundCycleHookForTesting([&] {
    std::lock_guard<std::mutex> lock(mu);
    cycled.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cycled.wait_for(lock, std::chrono::seconds(60),
                                [&] { return db->GetHealingStats()->background_healings >= 1; }));
  }
  const HealingStats stats = *db->GetHealingStats();
  EXPECT_EQ(stats.documents_healed, 1u);
  EXPECT_EQ(stats.on_demand_healings, 0u);
  EXPECT_GE(stats.total_scans, 1u);
  EXPECT_GT(stats.last_scan_time_us, 0);
  EXPECT_EQ(db->Get("default", "x")->json, Body("xxxx-one"));
  EXPECT_EQ(db->GetHealingStats()->on_demand_healings, 0u) << "the read found it healed";
}

TEST_F(DBHealingTest, RandomBitFlipsAnywhereAreHealedOrReportedNeverReturned) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TempDir dir;
    Options options = HealingOptions();
    options.data_segment_size_bytes = 16 << 10;
    options.healing_on_read = seed % 2 == 0;
    std::map<std::string, std::string> expected;
    std::mt19937_64 rng(seed);
    {
      auto db = std::move(*DB::Open(dir.path(), options));
      for (int i = 0; i < 300; ++i) {
        const std::string id = "d" + std::to_string(rng() % 120);
        expected[id] =
            R"({"i":)" + std::to_string(i) + R"(,"pad":")" + std::string(rng() % 200, 'p') + "\"}";
        ASSERT_TRUE(db->Put("default", id, expected[id]).ok());
      }
      ASSERT_TRUE(db->Checkpoint().ok());
    }
    // Flip bits anywhere in the data segments, segment headers included.
    for (const fs::path& path : DataSegmentFiles(dir.path())) {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      const auto size = static_cast<uint64_t>(fs::file_size(path));
      for (int flips = 0; flips < 4; ++flips) {
        const uint64_t at = flips == 0 ? rng() % 32 : rng() % size;  // one in the header
        f.seekg(static_cast<std::streamoff>(at));
        const char byte = static_cast<char>(f.get());
        f.seekp(static_cast<std::streamoff>(at));
        f.put(static_cast<char>(byte ^ (1 << (rng() % 8))));
      }
    }
    auto db = DB::Open(dir.path(), options);
    ASSERT_TRUE(db.ok()) << "a damaged data segment does not stop the open: "
                         << db.status().ToString();
    for (const auto& [id, body] : expected) {
      Result<Document> read = (*db)->Get("default", id);
      if (read.ok()) {
        EXPECT_EQ(read->json, body) << id << ": never wrong bytes";
      } else {
        EXPECT_FALSE(options.healing_on_read) << id << ": the WAL holds it";
        EXPECT_EQ(read.status().code(), StatusCode::kCorruption) << read.status().ToString();
      }
    }
    const HealReport report = *(*db)->HealAll();
    EXPECT_TRUE(report.unrecoverable.empty()) << "the WAL holds every version";
    EXPECT_EQ(report.documents_checked, expected.size());
    for (const auto& [id, body] : expected) EXPECT_EQ((*db)->Get("default", id)->json, body);
    const HealingStats stats = *(*db)->GetHealingStats();
    EXPECT_EQ(stats.documents_healed, stats.documents_corrupted);
  }
}

}  // namespace
}  // namespace docdb
