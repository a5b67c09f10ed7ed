// The overlay: every document written since the last checkpoint, by index key, with
// where its newest record is or a tombstone (docs/architecture.md, "Overlay"). Reads
// look here before the index. A checkpoint freezes the active table (it stays readable)
// while it is written to the index, then drops it. Thread-safety: all methods may be
// called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/segment_store.h"

namespace docdb::engine {

struct OverlayEntry {
  std::optional<io::SegmentLocation> location;  // nullopt: deleted
  uint64_t version = 0;
};

class Overlay {
 public:
  using Table = std::map<std::string, OverlayEntry, std::less<>>;

  // The newest entry for `key` (active table first, then the frozen one), if any.
  std::optional<OverlayEntry> Find(std::string_view key) const;

  // Applies all updates at once: a reader sees all of them or none.
  void Apply(std::vector<std::pair<std::string, OverlayEntry>> updates);

  // Forgets the active entries whose keys start with `prefix` (a dropped collection).
  void EraseRange(std::string_view start, std::string_view end);

  // Entries with keys in [start, end), the active table winning over the frozen one, in
  // key order up to and including the `max_live`-th that is not a tombstone: a scan that
  // stops after n documents needs no overlay entry past the n-th live one. Empty when
  // end <= start. `pin`, when given, is called while neither table can change: an index
  // snapshot it opens is then consistent with the entries returned, since the index
  // changes only while a table is frozen, and then by exactly that table's entries.
  Table CollectRange(std::string_view start, std::string_view end, size_t max_live = SIZE_MAX,
                     const std::function<void()>& pin = {}) const;

  // Moves the active table aside (still readable) and starts an empty one. A table still
  // frozen (its checkpoint failed) is merged in, the active entries winning, so that the
  // next checkpoint writes both. Returns the frozen table.
  std::shared_ptr<const Table> Freeze();
  // Drops the frozen table once the index holds its entries.
  void DropFrozen();

  size_t size() const;
  // An estimate of the memory the entries take: their keys, plus a fixed size per entry
  // for the map node and the hash index entry.
  uint64_t MemoryBytes() const;

 private:
  static constexpr uint64_t kEntryBytes = 160;

  // Point lookups go through a hash of each table's keys (views of the map's keys, with
  // pointers to its entries: std::map nodes never move, not even when the map is moved).
  // The maps keep key order for scans and checkpoints.
  using Index = std::unordered_map<std::string_view, const OverlayEntry*>;

  mutable std::shared_mutex mu_;
  Table active_;
  Index active_index_;
  uint64_t active_key_bytes_ = 0;
  std::shared_ptr<const Table> frozen_;
  Index frozen_index_;
  uint64_t frozen_key_bytes_ = 0;
};

}  // namespace docdb::engine
