#include "io/segment_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "io/fault_file_system.h"
#include "io/file_names.h"
#include "tests/support/temp_dir.h"

namespace docdb::io {
namespace {

class SegmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = std::move(*NewFileSystem(IoBackend::kPosix)); }

  std::unique_ptr<SegmentStore> Open(const std::vector<SegmentExtent>& durable = {},
                                     uint64_t segment_bytes = 4096, uint64_t buffer_bytes = 0) {
    Result<std::unique_ptr<SegmentStore>> store =
        SegmentStore::Open(fs_.get(), data_dir_, durable, segment_bytes, buffer_bytes);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static SegmentRecord Doc(std::string_view id, std::string_view body, uint64_t lsn) {
    return {SegmentRecordKind::kDocument, lsn, "users", id, body};
  }

  uint64_t FileBytes(uint64_t segment) const {
    return std::filesystem::file_size(DataSegmentPath(data_dir_, segment));
  }

  // The body of the record at `location`, or the error reading it.
  static std::string BodyAt(const SegmentStore& store, const SegmentLocation& location) {
    SegmentReadBuffer buffer;
    const Result<SegmentRecord> record = store.Read(location, &buffer);
    return record.ok() ? std::string(record->body) : record.status().ToString();
  }

  testing::TempDir dir_;
  std::string data_dir_ = dir_.Join("data");
  std::unique_ptr<FileSystem> fs_;
  SegmentReadBuffer buffer_;
};

TEST_F(SegmentStoreTest, AppendedRecordsReadBackVerified) {
  auto store = Open();
  const SegmentLocation a = *store->Append(Doc("alice", R"({"a":1})", 5), 0);
  const SegmentLocation t =
      *store->Append({SegmentRecordKind::kTombstone, 6, "users", "bob", ""}, 0);
  SegmentReadBuffer scratch;
  Result<SegmentRecord> rec = store->Read(a, &scratch);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->id, "alice");
  EXPECT_EQ(rec->body, R"({"a":1})");
  EXPECT_EQ(rec->lsn, 5u);
  EXPECT_EQ(store->Read(t, &scratch)->kind, SegmentRecordKind::kTombstone);
}

TEST_F(SegmentStoreTest, RotatesAtTheSizeLimit) {
  auto store = Open({}, 1024);
  std::vector<SegmentLocation> locs;
  for (int i = 0; i < 20; ++i)
    locs.push_back(*store->Append(Doc("d" + std::to_string(i), std::string(200, 'x'), i + 1), 0));
  EXPECT_GT(store->Extents().size(), 3u);
  SegmentReadBuffer scratch;
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(store->Read(locs[i], &scratch)->id, "d" + std::to_string(i));
}

TEST_F(SegmentStoreTest, FlippedByteIsCorruptionNamingTheSegment) {
  auto store = Open();
  const SegmentLocation loc = *store->Append(Doc("alice", "[1,2,3]", 1), 0);
  ASSERT_TRUE(store->SyncAll().ok());
  const std::string path = DataSegmentPath(data_dir_, loc.segment);
  std::string bytes = testing::ReadFileOrDie(path);
  bytes[loc.offset + loc.length - 2] ^= 1;
  testing::WriteFileOrDie(path, bytes);
  SegmentReadBuffer scratch;
  Result<SegmentRecord> rec = store->Read(loc, &scratch);
  EXPECT_EQ(rec.status().code(), StatusCode::kCorruption);
  EXPECT_NE(rec.status().message().find(DataSegmentFileName(loc.segment)), std::string::npos);
}

TEST_F(SegmentStoreTest, OpenCutsSegmentsBackToTheCheckpoint) {
  std::vector<SegmentExtent> durable;
  SegmentLocation kept;
  {
    auto store = Open({}, 1024);
    kept = *store->Append(Doc("kept", "1", 1), 0);
    ASSERT_TRUE(store->SyncAll().ok());
    durable = store->Extents();
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(store->Append(Doc("later", std::string(200, 'y'), 2 + i), 0).ok());
  }
  auto store = Open(durable, 1024);
  ASSERT_EQ(store->Extents().size(), 1u) << "segments created after the checkpoint are gone";
  EXPECT_EQ(store->Extents()[0].length_bytes, durable[0].length_bytes);
  SegmentReadBuffer scratch;
  EXPECT_EQ(store->Read(kept, &scratch)->id, "kept");
  const SegmentLocation next = *store->Append(Doc("next", "2", 20), 0);
  EXPECT_EQ(next.offset, durable[0].length_bytes);
}

TEST_F(SegmentStoreTest, ReadsFromTheMappingCopyTheRecordIntoTheBuffer) {
  auto store = Open();
  const SegmentLocation loc = *store->Append(Doc("alice", "[1]", 1), 0);
  SegmentReadBuffer buffer;
  // The views point into the buffer, never into the mapping, where a page that cannot
  // be read would be SIGBUS.
  const Result<SegmentRecord> rec = store->Read(loc, &buffer);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(buffer.size(), loc.length);
  EXPECT_GE(rec->body.data(), buffer.data());
  EXPECT_LT(rec->body.data(), buffer.data() + buffer.size());
}

TEST_F(SegmentStoreTest, RecordLargerThanTheSizeLimitIsReadBack) {
  auto store = Open({}, 1024);
  ASSERT_TRUE(store->Append(Doc("small", "1", 1), 0).ok());
  const std::string body(5000, 'z');
  const SegmentLocation big = *store->Append(Doc("big", body, 2), 0);
  SegmentReadBuffer buffer;
  const Result<SegmentRecord> rec = store->Read(big, &buffer);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->body, body);
}

TEST_F(SegmentStoreTest, LocationPastTheAppendedEndIsCorruptionNotACrash) {
  auto store = Open();
  SegmentLocation loc = *store->Append(Doc("alice", "[1]", 1), 0);
  loc.offset += 1000;  // inside the mapped size limit, past the file's end
  SegmentReadBuffer buffer;
  EXPECT_EQ(store->Read(loc, &buffer).status().code(), StatusCode::kCorruption);
}

TEST_F(SegmentStoreTest, WithoutMappingReadsCopyAndVerify) {
  testing::TempDir dir;
  FaultFileSystem fault(fs_.get(), 1);
  Result<std::unique_ptr<SegmentStore>> store =
      SegmentStore::Open(&fault, dir.Join("data"), {}, 4096);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const SegmentLocation loc = *(*store)->Append(Doc("alice", "[1,2]", 1), 0);
  SegmentReadBuffer buffer;
  const Result<SegmentRecord> rec = (*store)->Read(loc, &buffer);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->body, "[1,2]");
  fault.InjectFault({FaultOp::kRead, 1, EIO});
  EXPECT_EQ((*store)->Read(loc, &buffer).status().code(), StatusCode::kIoError);
}

TEST_F(SegmentStoreTest, MissingOrShortSegmentIsCorruption) {
  { auto store = Open(); }
  EXPECT_EQ(SegmentStore::Open(fs_.get(), data_dir_, {{1, 999999}}, 4096).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(SegmentStore::Open(fs_.get(), data_dir_, {{7, 32}}, 4096).status().code(),
            StatusCode::kCorruption);
}

// Records far enough into a segment (256 KiB, past the first page at any page size) that
// once the file is cut back to its header they lie on pages wholly past its end, where a
// read through the mapping faults (SIGBUS) instead of seeing zeros.
TEST_F(SegmentStoreTest, ReadOfATruncatedMappedSegmentIsAnIoErrorNamingTheFileAndOffset) {
  constexpr uint64_t kSegmentBytes = 512 * 1024;
  auto store = Open({}, kSegmentBytes);
  std::vector<SegmentLocation> locs;
  for (uint64_t lsn = 1; locs.empty() || locs.back().segment < 2; ++lsn) {
    locs.push_back(*store->Append(Doc("d" + std::to_string(lsn), std::string(4000, 'x'), lsn), 0));
  }
  const auto far = std::find_if(locs.begin(), locs.end(),
                                [](const SegmentLocation& l) { return l.offset >= 256 * 1024; });
  ASSERT_EQ(far->segment, 1u);
  const SegmentLocation lost = *far;
  const SegmentLocation kept = locs.back();
  std::filesystem::resize_file(DataSegmentPath(data_dir_, 1), kSegmentHeaderBytes);

  SegmentReadBuffer buffer;
  const Status status = store->Read(lost, &buffer).status();
  EXPECT_EQ(status.code(), StatusCode::kIoError) << status.ToString();
  EXPECT_NE(status.message().find(DataSegmentFileName(1)), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("offset " + std::to_string(lost.offset)), std::string::npos)
      << status.ToString();
  // The store keeps working: the same fault is reported again, and the other segment reads.
  EXPECT_EQ(store->Read(lost, &buffer).status().code(), StatusCode::kIoError);
  const Result<SegmentRecord> rec = store->Read(kept, &buffer);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->lsn, locs.size());
}

TEST_F(SegmentStoreTest, ReadsOnSeveralThreadsOfATruncatedMappedSegmentAreAllErrors) {
  constexpr uint64_t kSegmentBytes = 512 * 1024;
  auto store = Open({}, kSegmentBytes);
  SegmentLocation lost;
  for (uint64_t lsn = 1; lost.offset < 256 * 1024; ++lsn) {
    lost = *store->Append(Doc("d" + std::to_string(lsn), std::string(4000, 'x'), lsn), 0);
  }
  std::filesystem::resize_file(DataSegmentPath(data_dir_, 1), kSegmentHeaderBytes);
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      SegmentReadBuffer buffer;
      for (int i = 0; i < 100; ++i) {
        if (store->Read(lost, &buffer).status().code() == StatusCode::kIoError) ++errors;
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(errors.load(), 400);
}

TEST_F(SegmentStoreTest, BufferedAppendsAreReadFromTheBufferUntilWritten) {
  auto store = Open({}, 1 << 20, 1024);
  std::vector<SegmentLocation> locations;
  for (int i = 0; i < 3; ++i) {
    locations.push_back(*store->Append(
        Doc("d" + std::to_string(i), "[" + std::to_string(i) + "]", static_cast<uint64_t>(i + 1)),
        0));
  }
  EXPECT_EQ(FileBytes(1), kSegmentHeaderBytes) << "nothing written yet";
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(BodyAt(*store, locations[i]), "[" + std::to_string(i) + "]");
  EXPECT_EQ(store->Extents()[0].length_bytes, locations[2].offset + locations[2].length);
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(FileBytes(1), locations[2].offset + locations[2].length);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(BodyAt(*store, locations[i]), "[" + std::to_string(i) + "]");
  SegmentLocation past = locations[2];
  past.offset += past.length;
  EXPECT_EQ(store->Read(past, &buffer_).status().code(), StatusCode::kCorruption);
}

TEST_F(SegmentStoreTest, BufferIsWrittenWhenTheNextRecordWouldNotFit) {
  auto store = Open({}, 1 << 20, 256);
  const std::string body(80, 'b');
  const SegmentLocation first = *store->Append(Doc("a", body, 1), 0);
  const SegmentLocation second = *store->Append(Doc("b", body, 2), 0);
  ASSERT_LE(second.offset + second.length - first.offset, 256u);
  EXPECT_EQ(FileBytes(1), kSegmentHeaderBytes);
  const SegmentLocation third = *store->Append(Doc("c", body, 3), 0);
  EXPECT_EQ(FileBytes(1), third.offset) << "the first two, written as one";
  for (const SegmentLocation& location : {first, second, third}) {
    EXPECT_EQ(BodyAt(*store, location), body);
  }
  // A record larger than the buffer is written after what the buffer held.
  const std::string large(1000, 'L');
  const SegmentLocation big = *store->Append(Doc("big", large, 4), 0);
  EXPECT_EQ(FileBytes(1), big.offset + big.length);
  EXPECT_EQ(BodyAt(*store, third), body);
  EXPECT_EQ(BodyAt(*store, big), large);
  const SegmentLocation after = *store->Append(Doc("d", body, 5), 0);
  EXPECT_EQ(after.offset, big.offset + big.length);
  EXPECT_EQ(BodyAt(*store, after), body);
}

TEST_F(SegmentStoreTest, RotationAndFlushWriteTheBuffer) {
  auto store = Open({}, 1024, 4096);
  const std::string body(200, 'r');
  std::vector<SegmentLocation> locations;
  while (locations.empty() || locations.back().segment == 1) {
    locations.push_back(*store->Append(Doc("d", body, locations.size() + 1), 0));
  }
  EXPECT_EQ(FileBytes(1), store->Extents()[0].length_bytes);
  int visited = 0;
  ASSERT_TRUE(store
                  ->ForEachRecord(1,
                                  [&](const SegmentLocation&, const SegmentRecord& record) {
                                    EXPECT_EQ(record.body, body);
                                    return ++visited > 0;
                                  })
                  .ok());
  EXPECT_EQ(visited, static_cast<int>(locations.size()) - 1);
  EXPECT_EQ(FileBytes(2), kSegmentHeaderBytes) << "the record in segment 2 is buffered";
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->SyncAll().ok());
  EXPECT_EQ(FileBytes(2), locations.back().offset + locations.back().length);
  // Reopened as a checkpoint recorded them, every record reads back from the files.
  const std::vector<SegmentExtent> durable = store->Extents();
  store.reset();
  store = Open(durable, 1024, 4096);
  for (const SegmentLocation& location : locations) EXPECT_EQ(BodyAt(*store, location), body);
}

TEST_F(SegmentStoreTest, BufferThatCannotBeWrittenFailsTheAppendAndIsKept) {
  testing::TempDir dir;
  FaultFileSystem fault(fs_.get(), 1);
  auto store = std::move(*SegmentStore::Open(&fault, dir.Join("data"), {}, 1 << 20, 256));
  const std::string body(100, 'k');
  const SegmentLocation first = *store->Append(Doc("a", body, 1), 0);
  const SegmentLocation second = *store->Append(Doc("b", body, 2), 0);
  const uint64_t length = store->Extents()[0].length_bytes;
  fault.InjectFault({FaultOp::kWrite, 1, ENOSPC, /*torn_write=*/true});
  EXPECT_EQ(store->Append(Doc("c", body, 3), 0).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(store->Flush().code(), StatusCode::kOk) << "the fault was for one write";
  EXPECT_EQ(store->Extents()[0].length_bytes, length) << "the failed append left no trace";
  EXPECT_EQ(BodyAt(*store, first), body);
  EXPECT_EQ(BodyAt(*store, second), body);
  const SegmentLocation third = *store->Append(Doc("c", body, 3), 0);
  EXPECT_EQ(third.offset, length);
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->SyncAll().ok());
  const std::vector<SegmentExtent> durable = store->Extents();
  store.reset();
  store = std::move(*SegmentStore::Open(&fault, dir.Join("data"), durable, 1 << 20, 256));
  for (const SegmentLocation& location : {first, second, third}) {
    EXPECT_EQ(BodyAt(*store, location), body);
  }
}

TEST_F(SegmentStoreTest, LiveBytesByCollectionRetiringAndRemoval) {
  auto store = Open();
  const SegmentLocation a = *store->Append(Doc("a", "1", 1), /*collection_id=*/0);
  const SegmentLocation b = *store->Append(Doc("b", "2", 2), /*collection_id=*/7);
  ASSERT_TRUE(store->Append({SegmentRecordKind::kTombstone, 3, "users", "c", ""}, 0).ok());
  const auto usage = [&] { return store->Usage().front(); };
  EXPECT_EQ(usage().live_bytes, a.length + b.length) << "a tombstone is dead from the start";
  EXPECT_EQ(store->Extents().front().live_by_collection,
            (std::map<uint64_t, uint64_t>{{0, a.length}, {7, b.length}}));
  EXPECT_EQ(store->Retire(a.segment).code(), StatusCode::kFailedPrecondition) << "active";
  ASSERT_TRUE(store->Seal().ok());
  EXPECT_EQ(store->Retire(a.segment).code(), StatusCode::kFailedPrecondition) << "live bytes";

  // The records come back in order, with their locations.
  std::vector<SegmentLocation> seen;
  ASSERT_TRUE(store
                  ->ForEachRecord(a.segment,
                                  [&](const SegmentLocation& l, const SegmentRecord&) {
                                    seen.push_back(l);
                                    return true;
                                  })
                  .ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].offset, b.offset);

  store->Release(a, 0);
  store->ReleaseCollection(7);
  EXPECT_EQ(usage().live_bytes, 0u);
  EXPECT_EQ(usage().dead_ratio(), 1.0);
  ASSERT_TRUE(store->Retire(a.segment).ok());
  EXPECT_EQ(store->Extents().size(), 1u) << "a retired segment is not listed";
  EXPECT_TRUE(store->Read(b, &buffer_).ok()) << "and is still readable until removed";
  EXPECT_EQ(*store->RemoveRetired({a.segment}), seen.back().offset + seen.back().length);
  EXPECT_FALSE(std::filesystem::exists(DataSegmentPath(data_dir_, a.segment)));
  EXPECT_EQ(store->Read(b, &buffer_).status().code(), StatusCode::kCorruption);
}

TEST(SegmentScanTest, DamagedStretchIsSkippedToTheNextValidRecord) {
  std::string bytes = EncodeSegmentHeader(1);
  std::vector<uint64_t> offsets;
  for (int i = 0; i < 5; ++i) {
    offsets.push_back(bytes.size());
    const std::string id = "doc" + std::to_string(i);
    AppendSegmentRecord(&bytes, {SegmentRecordKind::kDocument, static_cast<uint64_t>(i + 1),
                                 "default", id, R"({"a":1})"});
  }
  bytes[offsets[2] + 30] ^= 0x40;  // inside the third record
  std::vector<std::string> ids;
  std::vector<std::pair<uint64_t, uint64_t>> damaged;
  ScanSegmentBytes(
      bytes,
      [&](uint64_t offset, const SegmentRecord& r) {
        ids.emplace_back(r.id);
        EXPECT_EQ(offset, offsets[ids.size() - 1 + (ids.size() > 2 ? 1 : 0)]);
      },
      [&](uint64_t offset, uint64_t length) { damaged.emplace_back(offset, length); });
  EXPECT_EQ(ids, (std::vector<std::string>{"doc0", "doc1", "doc3", "doc4"}));
  ASSERT_EQ(damaged.size(), 1u);
  EXPECT_EQ(damaged[0].first, offsets[2]);
  EXPECT_EQ(damaged[0].second, offsets[3] - offsets[2]);
}

}  // namespace
}  // namespace docdb::io
