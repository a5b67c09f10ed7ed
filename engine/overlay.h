// The overlay: every document written since the last checkpoint, by index key, with
// where its newest record is or a tombstone (docs/architecture.md, "Overlay"). Reads
// look here before the index. A checkpoint freezes the active table (it stays readable)
// while it is written to the index, then drops it. Thread-safety: all methods may be
// called concurrently.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
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
  // One table of entries. Its keys, its entries and its hash index are carved from one
  // arena: an insert allocates nothing of its own, each key sits beside its entry, and a
  // checkpoint's worth of entries is freed in a few blocks. Key order is kept apart from
  // the inserts: a new key is only listed, and goes into the ordered tree when something
  // first asks for key order (a scan, a checkpoint) or the list reaches its bound, so
  // that a write pays for a hash insert and not for a descent through the tree.
  class Table {
   public:
    using Entries = std::pmr::map<std::string_view, const OverlayEntry*>;

    Table();
    Table(const Table&) = delete;
    Table& operator=(const Table&) = delete;

    // The entries in key order. Callers that may change the table (Set, EraseRange) must
    // be excluded while it is called and while the result is used; concurrent callers of
    // const methods need not be.
    const Entries& entries() const;
    const OverlayEntry* Find(std::string_view key) const;
    void Set(std::string_view key, const OverlayEntry& entry);
    void EraseRange(std::string_view start, std::string_view end);
    size_t size() const { return size_; }
    // The bytes the arena and the list of unordered keys hold, erased entries included
    // until the table is dropped.
    uint64_t memory_bytes() const { return counted_.held.load(std::memory_order_relaxed); }

   private:
    // Counts what the arena takes from the heap. Atomic: ordering keys allocates tree
    // nodes under a shared lock, while others read the count.
    struct CountedResource : std::pmr::memory_resource {
      std::atomic<uint64_t> held = 0;
      void* do_allocate(size_t bytes, size_t alignment) override;
      void do_deallocate(void* p, size_t bytes, size_t alignment) override;
      bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;
    };
    struct Slot {
      std::string_view key;
      OverlayEntry entry;
      bool erased = false;  // by EraseRange; its bucket stays taken until the hash grows
    };
    // A bucket of the hash: the key's hash, so that most mismatches are told apart
    // without reading the slot, and the slot; null when the bucket was never taken.
    struct Bucket {
      uint64_t hash = 0;
      Slot* slot = nullptr;
    };

    Slot* FindSlot(std::string_view key, uint64_t hash) const;
    void InsertSlot(Slot* slot, uint64_t hash);
    void Place(const Bucket& bucket);

    CountedResource counted_;
    std::pmr::monotonic_buffer_resource arena_;
    // Point lookups: open addressing with linear probing, at most half the buckets taken,
    // so that a lookup reads one bucket and the slot beside its key. The buckets come
    // from counted_ itself, so that the ones a growth leaves are given back. Slots never
    // move, so the hash and the tree point at them.
    std::pmr::vector<Bucket> buckets_;  // a power of two of them, or none
    size_t taken_ = 0;                  // buckets with a slot, erased ones included
    size_t size_ = 0;                   // slots not erased
    // Moving the unordered keys into the tree changes neither what the table holds nor
    // what a lookup finds, so const callers may do it, one at a time under order_mu_.
    mutable std::mutex order_mu_;
    mutable Entries ordered_;
    mutable std::pmr::vector<const Slot*> unordered_;  // keys not in ordered_ yet
  };

  // Entries copied out of the tables, by key in key order.
  using Range = std::map<std::string, OverlayEntry, std::less<>>;
  using Update = std::pair<std::string_view, OverlayEntry>;

  Overlay();

  // The newest entry for `key` (active table first, then the frozen one), if any.
  std::optional<OverlayEntry> Find(std::string_view key) const;

  // Applies all updates at once: a reader sees all of them or none.
  void Apply(std::span<const Update> updates);
  void Apply(std::initializer_list<Update> updates) {
    Apply(std::span(updates.begin(), updates.size()));
  }

  // Forgets the active entries whose keys start with `prefix` (a dropped collection).
  void EraseRange(std::string_view start, std::string_view end);

  // Entries with keys in [start, end), the active table winning over the frozen one, in
  // key order up to and including the `max_live`-th that is not a tombstone: a scan that
  // stops after n documents needs no overlay entry past the n-th live one. Empty when
  // end <= start. `pin`, when given, is called while neither table can change: an index
  // snapshot it opens is then consistent with the entries returned, since the index
  // changes only while a table is frozen, and then by exactly that table's entries.
  Range CollectRange(std::string_view start, std::string_view end, size_t max_live = SIZE_MAX,
                     const std::function<void()>& pin = {}) const;

  // Moves the active table aside (still readable) and starts an empty one. A table still
  // frozen (its checkpoint failed) is merged in, the active entries winning, so that the
  // next checkpoint writes both. Returns the frozen table.
  std::shared_ptr<const Table> Freeze();
  // Drops the frozen table once the index holds its entries.
  void DropFrozen();

  size_t size() const;
  // The memory both tables hold.
  uint64_t MemoryBytes() const;

 private:
  mutable std::shared_mutex mu_;
  std::unique_ptr<Table> active_;
  std::shared_ptr<const Table> frozen_;
};

}  // namespace docdb::engine
