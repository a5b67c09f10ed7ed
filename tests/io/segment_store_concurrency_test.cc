// Reads of a segment store beside its appends, under ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "io/segment_store.h"
#include "tests/support/temp_dir.h"

namespace docdb::io {
namespace {

TEST(SegmentStoreConcurrencyTest, ReadsBesideBufferedAppendsTheirWritesAndRotations) {
  testing::TempDir dir;
  std::unique_ptr<FileSystem> fs = std::move(*NewFileSystem(IoBackend::kPosix));
  std::unique_ptr<SegmentStore> store =
      std::move(*SegmentStore::Open(fs.get(), dir.Join("data"), {}, 64 << 10, 1024));
  constexpr int kRecords = 3000;
  std::vector<SegmentLocation> locations(kRecords);
  std::atomic<int> appended{0};
  std::atomic<bool> failed{false};
  const auto body = [](int i) { return "[" + std::to_string(i) + "]"; };
  // Each reader rereads the newest records as they are appended: some still in the
  // buffer, some being written out of it, some in a segment rotated away.
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      SegmentReadBuffer buffer;
      for (int seen = 0; seen < kRecords;) {
        seen = appended.load(std::memory_order_acquire);
        for (int i = std::max(0, seen - 8 - t); i < seen; ++i) {
          const Result<SegmentRecord> record = store->Read(locations[i], &buffer);
          if (!record.ok() || record->body != body(i)) failed = true;
        }
      }
    });
  }
  for (int i = 0; i < kRecords; ++i) {
    const std::string text = body(i);
    const SegmentRecord record{SegmentRecordKind::kDocument, static_cast<uint64_t>(i + 1), "users",
                               "d", text};
    locations[i] = *store->Append(record, 0);
    appended.store(i + 1, std::memory_order_release);
    if (i % 500 == 0) {
      EXPECT_TRUE(store->SyncAll().ok());
    }
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_FALSE(failed) << "a record read wrong while appends, writes or rotations went on";
  EXPECT_GT(locations.back().segment, 1u);
}

}  // namespace
}  // namespace docdb::io
