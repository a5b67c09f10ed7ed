// The overlay of recent writes (engine/overlay.h): the active table wins over the frozen
// one, point lookups and range collection agree, and erased or dropped entries are gone.
#include "engine/overlay.h"

#include <gtest/gtest.h>

namespace docdb::engine {
namespace {

OverlayEntry At(uint64_t offset, uint64_t version) {
  return {io::SegmentLocation{1, offset, 10}, version};
}

uint64_t VersionOf(const Overlay& overlay, std::string_view key) {
  const std::optional<OverlayEntry> entry = overlay.Find(key);
  return entry ? entry->version : 0;
}

TEST(OverlayTest, NewestEntryWinsAndTombstonesAreFound) {
  Overlay overlay;
  overlay.Apply({{"a", At(100, 1)}, {"b", At(200, 2)}});
  overlay.Apply({{"a", At(300, 3)}, {"b", OverlayEntry{std::nullopt, 4}}});
  EXPECT_EQ(overlay.Find("a")->location->offset, 300u);
  EXPECT_EQ(VersionOf(overlay, "a"), 3u);
  ASSERT_TRUE(overlay.Find("b").has_value());
  EXPECT_FALSE(overlay.Find("b")->location.has_value()) << "a delete is a tombstone";
  EXPECT_FALSE(overlay.Find("c").has_value());
  EXPECT_EQ(overlay.size(), 2u);
}

TEST(OverlayTest, FrozenEntriesStayReadableUntilDroppedAndActiveOnesWin) {
  Overlay overlay;
  overlay.Apply({{"a", At(100, 1)}, {"b", At(200, 2)}});
  const std::shared_ptr<const Overlay::Table> frozen = overlay.Freeze();
  EXPECT_EQ(frozen->size(), 2u);
  EXPECT_EQ(VersionOf(overlay, "a"), 1u);
  overlay.Apply({{"a", At(300, 3)}});
  EXPECT_EQ(VersionOf(overlay, "a"), 3u);
  EXPECT_EQ(VersionOf(overlay, "b"), 2u);
  EXPECT_EQ(overlay.size(), 3u);

  overlay.DropFrozen();
  EXPECT_EQ(VersionOf(overlay, "a"), 3u);
  EXPECT_FALSE(overlay.Find("b").has_value());
  EXPECT_EQ(frozen->entries().at("b").version, 2u) << "the checkpoint's copy outlives the drop";

  // The next freeze starts from the entries written since.
  overlay.Apply({{"c", At(400, 4)}});
  EXPECT_EQ(overlay.Freeze()->size(), 2u);
  EXPECT_EQ(VersionOf(overlay, "c"), 4u);
}

TEST(OverlayTest, EraseRangeForgetsOnlyThatRangeOfTheActiveTable) {
  Overlay overlay;
  overlay.Apply({{"x1", At(1, 1)}, {"y1", At(2, 2)}, {"y2", At(3, 3)}, {"z1", At(4, 4)}});
  overlay.EraseRange("y", "z");
  EXPECT_TRUE(overlay.Find("x1").has_value());
  EXPECT_FALSE(overlay.Find("y1").has_value());
  EXPECT_FALSE(overlay.Find("y2").has_value());
  EXPECT_TRUE(overlay.Find("z1").has_value());
  EXPECT_EQ(overlay.size(), 2u);
  overlay.Apply({{"y1", At(5, 5)}});
  EXPECT_EQ(VersionOf(overlay, "y1"), 5u);
}

TEST(OverlayTest, CollectRangeMergesBothTablesInKeyOrder) {
  Overlay overlay;
  overlay.Apply({{"a", At(1, 1)}, {"b", At(2, 2)}, {"d", At(3, 3)}});
  (void)overlay.Freeze();
  overlay.Apply({{"b", At(4, 4)}, {"c", At(5, 5)}, {"e", At(6, 6)}});
  const Overlay::Range range = overlay.CollectRange("b", "e");
  std::vector<std::pair<std::string, uint64_t>> got;
  for (const auto& [key, entry] : range) got.emplace_back(key, entry.version);
  const std::vector<std::pair<std::string, uint64_t>> want = {{"b", 4}, {"c", 5}, {"d", 3}};
  EXPECT_EQ(got, want);
}

TEST(OverlayTest, CollectRangeStopsAtTheNthLiveEntryKeepingTombstonesBefore) {
  Overlay overlay;
  overlay.Apply({{"a", At(1, 1)}, {"c", At(3, 3)}, {"e", At(5, 5)}});
  (void)overlay.Freeze();
  // The active table deletes "c" and adds "b" and "d"; the frozen "a" and "e" stay.
  overlay.Apply({{"b", At(2, 6)}, {"c", OverlayEntry{std::nullopt, 7}}, {"d", At(4, 8)}});
  std::vector<std::string> keys;
  for (const auto& [key, entry] : overlay.CollectRange("a", "z", 3)) keys.push_back(key);
  // Live a, b, then the tombstone c, then d (the third live one); e is past it.
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(overlay.CollectRange("a", "z", 0).empty());
  EXPECT_EQ(overlay.CollectRange("c", "z", 1).size(), 2u) << "tombstone c, then live d";
  EXPECT_EQ(overlay.CollectRange("a", "z").size(), 5u);
}

TEST(OverlayTest, AFreezeWhileATableIsStillFrozenMergesBothTheActiveEntriesWinning) {
  Overlay overlay;
  overlay.Apply({{"a", At(1, 1)}, {"b", At(2, 2)}});
  (void)overlay.Freeze();  // its checkpoint fails: never dropped
  overlay.Apply({{"b", At(3, 3)}, {"c", OverlayEntry{std::nullopt, 4}}});
  const std::shared_ptr<const Overlay::Table> merged = overlay.Freeze();
  std::vector<std::pair<std::string, uint64_t>> got;
  for (const auto& [key, entry] : merged->entries()) got.emplace_back(key, entry.version);
  const std::vector<std::pair<std::string, uint64_t>> want = {{"a", 1}, {"b", 3}, {"c", 4}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(overlay.size(), 3u);
  EXPECT_EQ(VersionOf(overlay, "b"), 3u) << "the merged table's point lookups see the winner";
  EXPECT_FALSE(overlay.Find("c")->location.has_value());
}

TEST(OverlayTest, MemoryIsCountedWhileHeldAndReturnedWhenTheFrozenTableIsDropped) {
  Overlay overlay;
  EXPECT_EQ(overlay.MemoryBytes(), 0u);
  const std::string long_key(200, 'k');
  overlay.Apply({{long_key, At(1, 1)}});
  const uint64_t one = overlay.MemoryBytes();
  EXPECT_GE(one, long_key.size() + sizeof(OverlayEntry));
  for (uint64_t i = 0; i < 1000; ++i) overlay.Apply({{long_key + std::to_string(i), At(i, i)}});
  EXPECT_GE(overlay.MemoryBytes(), 1000 * long_key.size());
  std::shared_ptr<const Overlay::Table> frozen = overlay.Freeze();
  EXPECT_GE(overlay.MemoryBytes(), 1000 * long_key.size()) << "a frozen table is still held";
  frozen.reset();
  overlay.DropFrozen();
  EXPECT_EQ(overlay.MemoryBytes(), 0u);
}

TEST(OverlayTest, KeysAreCopiedSoTheCallersBuffersMayChange) {
  Overlay overlay;
  std::string key = "first";
  overlay.Apply({{key, At(1, 1)}});
  key = "other";
  EXPECT_EQ(VersionOf(overlay, "first"), 1u);
  EXPECT_FALSE(overlay.Find("other").has_value());
  EXPECT_EQ(overlay.CollectRange("a", "z").begin()->first, "first");
}

TEST(OverlayTest, ManyKeysAreAllFoundAfterRehashing) {
  Overlay overlay;
  for (uint64_t i = 1; i <= 5000; ++i) overlay.Apply({{"k" + std::to_string(i), At(i, i)}});
  for (uint64_t i = 1; i <= 5000; ++i) {
    ASSERT_EQ(VersionOf(overlay, "k" + std::to_string(i)), i) << i;
  }
}

}  // namespace
}  // namespace docdb::engine
