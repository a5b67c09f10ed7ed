#include "index/lmdb_index.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace docdb::index {
namespace {

class LmdbIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<LmdbIndex> Open(uint64_t map_bytes = 1 << 20) {
    Result<std::unique_ptr<LmdbIndex>> index = LmdbIndex::Open(dir_.path(), map_bytes);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? std::move(*index) : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(LmdbIndexTest, FreshIndexIsEmptyAndNeverCheckpointed) {
  auto index = Open();
  EXPECT_EQ(index->ReadMeta()->checkpoint_lsn, 0u);
  EXPECT_TRUE(index->ReadCollections()->empty());
  EXPECT_FALSE(index->Get("k")->has_value());
}

TEST_F(LmdbIndexTest, CheckpointIsDurableAcrossReopen) {
  {
    auto index = Open();
    CheckpointMeta meta{42, {{1, 4096, {{0, 132}, {17, 50}}}, {2, 100}}};
    ASSERT_TRUE(
        index
            ->ApplyCheckpoint({{"a", DocLocation{1, 32, 100, 7}}, {"b", DocLocation{2, 40, 50, 9}}},
                              {}, {{"default", 0, 2}}, meta)
            .ok());
  }
  auto index = Open();
  EXPECT_EQ(**index->Get("a"), (DocLocation{1, 32, 100, 7}));
  const CheckpointMeta meta = *index->ReadMeta();
  EXPECT_EQ(meta.checkpoint_lsn, 42u);
  ASSERT_EQ(meta.segments.size(), 2u);
  EXPECT_EQ(meta.segments[1].length_bytes, 100u);
  EXPECT_TRUE(meta.has_live_bytes);
  EXPECT_EQ(meta.segments[0].live, (std::vector<CollectionBytes>{{0, 132}, {17, 50}}));
  EXPECT_TRUE(meta.segments[1].live.empty());
  ASSERT_EQ(index->ReadCollections()->size(), 1u);
  EXPECT_EQ((*index->ReadCollections())[0].document_count, 2u);
}

TEST_F(LmdbIndexTest, DeletesPurgesAndScansInKeyOrder) {
  auto index = Open();
  const DocLocation loc{1, 0, 10, 1};
  ASSERT_TRUE(index
                  ->ApplyCheckpoint(
                      {{"c1/a", loc}, {"c1/b", loc}, {"c1/c", loc}, {"c2/a", loc}, {"c3/a", loc}},
                      {}, {}, {1, {}})
                  .ok());
  ASSERT_TRUE(
      index->ApplyCheckpoint({{"c1/b", std::nullopt}, {"c2/b", loc}}, {"c2/"}, {}, {2, {}}).ok());
  std::vector<std::string> keys;
  ASSERT_TRUE((*index->OpenSnapshot())
                  ->Scan("c1/", "c3/",
                         [&](std::string_view k, const DocLocation&) {
                           keys.emplace_back(k);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"c1/a", "c1/c"})) << "c2/ was purged, c2/b with it";
  keys.clear();
  ASSERT_TRUE((*index->OpenSnapshot())
                  ->Scan("c1/", "",
                         [&](std::string_view k, const DocLocation&) {
                           keys.emplace_back(k);
                           return keys.size() < 2;
                         })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"c1/a", "c1/c"}));
}

std::vector<std::string> ScanKeys(const IndexSnapshot& snapshot) {
  std::vector<std::string> keys;
  const Status scanned = snapshot.Scan("", "", [&](std::string_view k, const DocLocation&) {
    keys.emplace_back(k);
    return true;
  });
  EXPECT_TRUE(scanned.ok()) << scanned.ToString();
  return keys;
}

TEST_F(LmdbIndexTest, SnapshotKeepsSeeingTheCheckpointItWasOpenedAt) {
  auto index = Open();
  const DocLocation loc{1, 0, 10, 1};
  ASSERT_TRUE(index->ApplyCheckpoint({{"a", loc}}, {}, {}, {1, {}}).ok());
  Result<std::unique_ptr<IndexSnapshot>> before = index->OpenSnapshot();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_TRUE(index->ApplyCheckpoint({{"a", std::nullopt}, {"b", loc}}, {}, {}, {2, {}}).ok());
  EXPECT_EQ(ScanKeys(**before), (std::vector<std::string>{"a"}));
  EXPECT_EQ(ScanKeys(**index->OpenSnapshot()), (std::vector<std::string>{"b"}));
}

TEST_F(LmdbIndexTest, ReusedReadTransactionsSeeEveryNewCheckpoint) {
  auto index = Open();
  for (uint64_t version = 1; version <= 40; ++version) {
    ASSERT_TRUE(
        index->ApplyCheckpoint({{"k", DocLocation{1, 0, 10, version}}}, {}, {}, {version, {}})
            .ok());
    // Each read renews a transaction an earlier read gave back: it must see the newest
    // commit, not the one it last read.
    EXPECT_EQ((*index->Get("k"))->version, version);
    EXPECT_EQ(index->ReadMeta()->checkpoint_lsn, version);
  }
}

TEST_F(LmdbIndexTest, ReaderBeyondTheLimitIsBusyAndASlotFreesOnClose) {
  Result<std::unique_ptr<LmdbIndex>> opened = LmdbIndex::Open(dir_.path(), 1 << 20, 3);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  LmdbIndex& index = **opened;
  std::vector<std::unique_ptr<IndexSnapshot>> held;
  for (int i = 0; i < 3; ++i) {
    Result<std::unique_ptr<IndexSnapshot>> snapshot = index.OpenSnapshot();
    ASSERT_TRUE(snapshot.ok()) << i << ": " << snapshot.status().ToString();
    held.push_back(std::move(*snapshot));
  }
  EXPECT_EQ(index.OpenSnapshot().status().code(), StatusCode::kBusy);
  EXPECT_EQ(index.Get("k").status().code(), StatusCode::kBusy) << "a lookup needs a slot too";
  held.pop_back();
  EXPECT_TRUE(index.Get("k").ok());
}

TEST_F(LmdbIndexTest, MapGrowsWhenFull) {
  auto index = Open(/*map_bytes=*/256 << 10);
  const uint64_t initial = index->map_size_bytes();
  std::vector<IndexChange> changes;
  for (int i = 0; i < 20000; ++i)
    changes.push_back({"key-" + std::to_string(i), DocLocation{1, 2, 3, 4}});
  ASSERT_TRUE(index->ApplyCheckpoint(changes, {}, {}, {1, {}}).ok());
  EXPECT_GT(index->map_size_bytes(), initial);
  EXPECT_TRUE(index->Get("key-19999")->has_value());
}

}  // namespace
}  // namespace docdb::index
