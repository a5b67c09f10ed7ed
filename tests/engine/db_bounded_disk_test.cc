// The bounded-disk run of docs/lifecycle.md: about 1 GB of overwrites with the default
// options leaves a directory of bounded size. Slow (a minute in a debug build), so the
// sanitizer builds leave it out.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "docdb/db.h"
#include "io/segment_format.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

namespace fs = std::filesystem;

// The bytes a database directory holds on disk (allocated blocks, not file sizes).
uint64_t AllocatedBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (entry.is_regular_file() && ::stat(entry.path().c_str(), &st) == 0) {
      bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  return bytes;
}

// With the default options, about 1 GB of overwrites of 1 MiB of live documents, then
// Checkpoint, Compact, Checkpoint, leave a bounded directory: the kept and active WAL
// segments (3 x 64 MiB preallocated) dominate.
TEST(DBBoundedDiskTest, OverwritingAGigabyteLeavesABoundedDirectory) {
  constexpr int kDocs = 1000;
  constexpr int kRounds = 1000;
  constexpr int kBatch = 250;
  constexpr uint64_t kBoundBytes = 300ull << 20;
  testing::TempDir dir;
  std::unique_ptr<DB> db = std::move(*DB::Open(dir.path()));
  const std::string pad(1000, 'p');
  uint64_t peak = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int first = 0; first < kDocs; first += kBatch) {
      WriteBatch batch;
      for (int d = first; d < first + kBatch; ++d) {
        batch.Put("default", "doc" + std::to_string(d),
                  R"({"round":)" + std::to_string(round) + R"(,"pad":")" + pad + "\"}");
      }
      ASSERT_TRUE(db->Write(batch).ok());
    }
    if (round % 100 == 99) peak = std::max(peak, AllocatedBytes(dir.path()));
  }
  ASSERT_TRUE(db->Checkpoint().ok());
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_TRUE(db->Checkpoint().ok());
  const uint64_t allocated = AllocatedBytes(dir.path());
  const Stats stats = *db->GetStats();
  std::cout << "after ~1 GB of overwrites: " << allocated / (1 << 20) << " MiB allocated ("
            << stats.wal_segments << " WAL segments, " << stats.wal_disk_bytes / (1 << 20)
            << " MiB; " << stats.data_segments << " data segments, " << stats.data_bytes
            << " bytes, " << stats.live_bytes << " live); peak while writing " << peak / (1 << 20)
            << " MiB; " << stats.wal_segments_trimmed << " WAL segments trimmed, "
            << stats.compactions << " segments compacted\n";
  EXPECT_LE(allocated, kBoundBytes);
  uint64_t live = 0;
  for (int d = 0; d < kDocs; ++d) {
    const std::string id = "doc" + std::to_string(d);
    Result<Document> doc = db->Get("default", id);
    ASSERT_TRUE(doc.ok()) << id;
    ASSERT_EQ(doc->json,
              R"({"round":)" + std::to_string(kRounds - 1) + R"(,"pad":")" + pad + "\"}");
    live += io::kSegmentRecordHeaderBytes + std::string_view("default").size() + id.size() +
            doc->json.size();
  }
  EXPECT_EQ(stats.live_bytes, live);
}

}  // namespace
}  // namespace docdb
