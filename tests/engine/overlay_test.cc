// The overlay of recent writes (engine/overlay.h): the active table wins over the frozen
// one, point lookups and range collection agree, and erased or dropped entries are gone.
#include "engine/overlay.h"

#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
  EXPECT_EQ(frozen->entries().at("b")->version, 2u) << "the checkpoint's copy outlives the drop";

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
  for (const auto& [key, entry] : merged->entries()) got.emplace_back(key, entry->version);
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

// Erased keys stay erased while the hash grows past them, and may be written again.
TEST(OverlayTest, ErasedKeysAreGoneAcrossGrowthAndMayBeWrittenAgain) {
  Overlay overlay;
  std::map<std::string, uint64_t> model;
  for (uint64_t i = 0; i < 2000; ++i) {
    overlay.Apply({{"a" + std::to_string(i), At(i, i + 1)}});
    model["a" + std::to_string(i)] = i + 1;
  }
  overlay.EraseRange("a1", "a5");
  std::erase_if(model, [](const auto& kv) { return kv.first >= "a1" && kv.first < "a5"; });
  const auto check = [&](std::string_view what) {
    ASSERT_EQ(overlay.size(), model.size()) << what;
    for (uint64_t i = 0; i < 2000; ++i) {
      const std::string key = "a" + std::to_string(i);
      const auto it = model.find(key);
      ASSERT_EQ(VersionOf(overlay, key), it == model.end() ? 0 : it->second) << what << " " << key;
    }
  };
  check("after the erase");
  for (uint64_t i = 0; i < 3000; ++i) {
    overlay.Apply({{"b" + std::to_string(i), At(i, 1)}});
    model["b" + std::to_string(i)] = 1;
  }
  check("after the hash grew");
  overlay.Apply({{"a123", At(0, 7)}, {"a4", At(0, 8)}});
  model["a123"] = 7;
  model["a4"] = 8;
  check("after erased keys were written again");
  EXPECT_EQ(overlay.CollectRange("a1", "a5").size(), 2u);
}

// Keys written in random order, between scans that order them, then some erased: every
// scan and the frozen table list exactly the model's keys in order.
TEST(OverlayTest, KeyOrderHoldsForKeysWrittenBetweenScans) {
  Overlay overlay;
  std::map<std::string, uint64_t> model;
  std::mt19937_64 random(11);
  using Listing = std::vector<std::pair<std::string, uint64_t>>;
  const auto check = [&](std::string_view what) {
    Listing got;
    for (const auto& [key, entry] : overlay.CollectRange("", "\xff")) {
      got.emplace_back(key, entry.version);
    }
    ASSERT_EQ(got, Listing(model.begin(), model.end())) << what;
  };
  uint64_t version = 0;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 300; ++i) {
      const std::string key = "k" + std::to_string(random() % 1000);
      overlay.Apply({{key, At(0, ++version)}});
      model[key] = version;
    }
    check("after round " + std::to_string(round));
  }
  overlay.EraseRange("k2", "k5");
  std::erase_if(model, [](const auto& kv) { return kv.first >= "k2" && kv.first < "k5"; });
  check("after the erase");
  for (const auto& [key, v] : model) ASSERT_EQ(VersionOf(overlay, key), v) << key;
  EXPECT_FALSE(overlay.Find("k3").has_value());
  // Written after the last scan, then erased before any other: erased all the same.
  overlay.Apply({{"k31", At(0, ++version)}, {"k99", At(0, ++version)}});
  model["k99"] = version;
  overlay.EraseRange("k2", "k5");
  check("after keys written since the last scan were erased");
  Listing frozen;
  for (const auto& [key, entry] : overlay.Freeze()->entries()) {
    frozen.emplace_back(key, entry->version);
  }
  EXPECT_EQ(frozen, Listing(model.begin(), model.end()));
}

// More keys than a table lists unordered: batches of them go into the tree as they are
// written, each among the keys of the batches before.
TEST(OverlayTest, KeysOrderedInBatchesAsTheyAreWrittenStayInOrder) {
  Overlay overlay;
  std::set<std::string> keys;
  for (uint64_t i = 0; i < 150000; ++i) {
    const std::string key = "k" + std::to_string(i * 7919 % 150000);
    overlay.Apply({{key, At(i, i + 1)}});
    keys.insert(key);
  }
  std::vector<std::string> got;
  for (const auto& [key, entry] : overlay.CollectRange("", "z")) got.push_back(key);
  EXPECT_EQ(got, std::vector<std::string>(keys.begin(), keys.end()));
}

// Scans of the active table and a checkpoint's walk of the frozen one order their keys
// at the same time; each sees every key once, in order.
TEST(OverlayTest, ConcurrentScansAndACheckpointOrderTheKeysOnce) {
  Overlay overlay;
  std::set<std::string> frozen_keys;
  std::set<std::string> all_keys;
  for (int i = 0; i < 4000; ++i) {
    const std::string key = "k" + std::to_string(i * 7919 % 4000);
    overlay.Apply({{key, At(0, 1)}});
    frozen_keys.insert(key);
    all_keys.insert(key);
  }
  const std::shared_ptr<const Overlay::Table> frozen = overlay.Freeze();
  for (int i = 0; i < 4000; ++i) {
    const std::string key = "j" + std::to_string(i * 7919 % 4000);
    overlay.Apply({{key, At(0, 2)}});
    all_keys.insert(key);
  }
  std::latch start(5);
  std::vector<std::vector<std::string>> scans(4);
  std::vector<std::string> walked;
  std::vector<std::thread> threads;
  for (std::vector<std::string>& scan : scans) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (const auto& [key, entry] : overlay.CollectRange("", "z")) scan.push_back(key);
    });
  }
  threads.emplace_back([&] {
    start.arrive_and_wait();
    for (const auto& [key, entry] : frozen->entries()) walked.emplace_back(key);
  });
  for (std::thread& t : threads) t.join();
  for (const std::vector<std::string>& scan : scans) {
    EXPECT_EQ(scan, std::vector<std::string>(all_keys.begin(), all_keys.end()));
  }
  EXPECT_EQ(walked, std::vector<std::string>(frozen_keys.begin(), frozen_keys.end()));
}

}  // namespace
}  // namespace docdb::engine
