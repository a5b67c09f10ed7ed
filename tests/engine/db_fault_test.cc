// The database on a failing disk (io::FaultFileSystem): power cuts at seeded points lose
// nothing acknowledged in sync mode; a failed fsync stops writes but not reads.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <random>

#include "engine/db_impl.h"
#include "io/fault_file_system.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

class DBFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = std::move(*io::NewFileSystem(io::IoBackend::kPosix)); }

  static Options SmallOptions() {
    Options options;
    options.checkpoint_interval_bytes = 4 << 10;
    options.wal_segment_size_bytes = 16 << 10;
    options.data_segment_size_bytes = 16 << 10;
    return options;
  }

  std::unique_ptr<io::FileSystem> base_;
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
  Result<uint64_t> later = db->Put("default", "after", "3");
  EXPECT_EQ(later.status().code(), StatusCode::kFailedPrecondition) << later.status().ToString();
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

}  // namespace
}  // namespace docdb
