#include "index/checkpoint_file.h"

#include <gtest/gtest.h>

namespace docdb::index {
namespace {

CheckpointMeta SampleMeta() {
  CheckpointMeta meta;
  meta.checkpoint_lsn = 1234;
  meta.segments = {{1, 4096, {}, 7}, {3, 32, {}, UINT64_MAX}};
  meta.revoked = {{100, 100}, {200, 205}};
  return meta;
}

TEST(CheckpointFileTest, RoundTripsWhatARebuildNeeds) {
  const std::vector<CollectionRecord> collections = {{"default", 0, 10}, {"users", 55, 3}};
  const std::string bytes = EncodeCheckpointFile(SampleMeta(), collections);
  CheckpointMeta meta;
  std::vector<CollectionRecord> read;
  ASSERT_TRUE(DecodeCheckpointFile(bytes, &meta, &read).ok());
  EXPECT_EQ(meta.checkpoint_lsn, 1234u);
  ASSERT_EQ(meta.segments.size(), 2u);
  EXPECT_EQ(meta.segments[0].segment, 1u);
  EXPECT_EQ(meta.segments[0].length_bytes, 4096u);
  EXPECT_EQ(meta.segments[0].min_lsn, 7u);
  EXPECT_EQ(meta.segments[1].min_lsn, UINT64_MAX);
  EXPECT_EQ(meta.revoked, SampleMeta().revoked);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[1].name, "users");
  EXPECT_EQ(read[1].id, 55u);
  EXPECT_EQ(read[1].document_count, 0u) << "counts are the rebuild's to make";
}

TEST(CheckpointFileTest, EveryFlippedByteAndEveryTruncationIsRefused) {
  const std::string bytes = EncodeCheckpointFile(SampleMeta(), {{"default", 0, 0}});
  CheckpointMeta meta;
  std::vector<CollectionRecord> read;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    EXPECT_FALSE(DecodeCheckpointFile(damaged, &meta, &read).ok()) << "byte " << i;
    EXPECT_FALSE(DecodeCheckpointFile(bytes.substr(0, i), &meta, &read).ok()) << "cut at " << i;
  }
  std::string newer = bytes;
  newer[8] = 2;  // the version
  EXPECT_EQ(DecodeCheckpointFile(newer, &meta, &read).code(), StatusCode::kNotSupported);
}

}  // namespace
}  // namespace docdb::index
