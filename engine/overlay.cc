// The overlay of recent writes (engine/overlay.h).
#include "engine/overlay.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <mutex>
#include <new>
#include <utility>

namespace docdb::engine {

void* Overlay::Table::CountedResource::do_allocate(size_t bytes, size_t alignment) {
  void* p = ::operator new(bytes, std::align_val_t(alignment));
  held.fetch_add(bytes, std::memory_order_relaxed);
  return p;
}

void Overlay::Table::CountedResource::do_deallocate(void* p, size_t bytes, size_t alignment) {
  ::operator delete(p, std::align_val_t(alignment));
  held.fetch_sub(bytes, std::memory_order_relaxed);
}

bool Overlay::Table::CountedResource::do_is_equal(
    const std::pmr::memory_resource& other) const noexcept {
  return this == &other;
}

namespace {

uint64_t HashOf(std::string_view key) { return std::hash<std::string_view>{}(key); }

constexpr size_t kFirstBuckets = 64;

// Keys a table lists before they go into its tree, sorted, on the writer's thread: a
// scan after many writes then sorts at most this many (tens of milliseconds, writers
// waiting), while a load of 1 KiB documents fills a checkpoint's worth (64 MiB of WAL,
// about 55,000) before reaching it, and leaves the sort to the checkpoint's thread.
constexpr size_t kMaxUnorderedKeys = 65536;

}  // namespace

Overlay::Table::Table()
    : arena_(&counted_), buckets_(&counted_), ordered_(&arena_), unordered_(&counted_) {}

Overlay::Table::Slot* Overlay::Table::FindSlot(std::string_view key, uint64_t hash) const {
  if (buckets_.empty()) return nullptr;
  const size_t mask = buckets_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Bucket& bucket = buckets_[i];
    if (bucket.slot == nullptr) return nullptr;
    if (bucket.hash == hash && !bucket.slot->erased && bucket.slot->key == key) return bucket.slot;
  }
}

void Overlay::Table::InsertSlot(Slot* slot, uint64_t hash) {
  if (2 * (taken_ + 1) > buckets_.size()) {
    // Doubled, leaving erased slots behind.
    std::pmr::vector<Bucket> old(std::max(kFirstBuckets, 2 * buckets_.size()),
                                 buckets_.get_allocator());
    old.swap(buckets_);
    taken_ = 0;
    for (const Bucket& bucket : old) {
      if (bucket.slot != nullptr && !bucket.slot->erased) Place(bucket);
    }
  }
  Place({hash, slot});
  ++size_;
}

void Overlay::Table::Place(const Bucket& bucket) {
  const size_t mask = buckets_.size() - 1;
  size_t i = bucket.hash & mask;
  while (buckets_[i].slot != nullptr) i = (i + 1) & mask;
  buckets_[i] = bucket;
  ++taken_;
}

const Overlay::Table::Entries& Overlay::Table::entries() const {
  std::lock_guard<std::mutex> lock(order_mu_);
  if (unordered_.empty()) return ordered_;
  // Sorted first, so that the keys go in one after another: into an empty tree (a table
  // that was only written) each goes in at the end, in constant time.
  std::sort(unordered_.begin(), unordered_.end(),
            [](const Slot* a, const Slot* b) { return a->key < b->key; });
  for (const Slot* slot : unordered_) {
    const auto at = ordered_.empty() || ordered_.rbegin()->first < slot->key
                        ? ordered_.end()
                        : ordered_.lower_bound(slot->key);
    ordered_.emplace_hint(at, slot->key, &slot->entry);
  }
  unordered_.clear();
  return ordered_;
}

const OverlayEntry* Overlay::Table::Find(std::string_view key) const {
  const Slot* slot = FindSlot(key, HashOf(key));
  return slot == nullptr ? nullptr : &slot->entry;
}

void Overlay::Table::Set(std::string_view key, const OverlayEntry& entry) {
  const uint64_t hash = HashOf(key);
  if (Slot* slot = FindSlot(key, hash)) {
    slot->entry = entry;
    return;
  }
  // The key is copied into the arena, right before the slot that refers to it.
  char* stored = static_cast<char*>(arena_.allocate(key.size(), 1));
  std::memcpy(stored, key.data(), key.size());
  const std::string_view stored_key(stored, key.size());
  Slot* slot = new (arena_.allocate(sizeof(Slot), alignof(Slot))) Slot{stored_key, entry};
  InsertSlot(slot, hash);
  unordered_.push_back(slot);
  // Ordered in batches, so that the scan which orders what is left never holds writers
  // up for long.
  if (unordered_.size() >= kMaxUnorderedKeys) entries();
}

void Overlay::Table::EraseRange(std::string_view start, std::string_view end) {
  entries();  // every key in the tree
  const auto first = ordered_.lower_bound(start);
  const auto last = ordered_.lower_bound(end);
  for (auto it = first; it != last; ++it) {
    FindSlot(it->first, HashOf(it->first))->erased = true;
    --size_;
  }
  ordered_.erase(first, last);
}

Overlay::Overlay() : active_(std::make_unique<Table>()) {}

std::optional<OverlayEntry> Overlay::Find(std::string_view key) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (const OverlayEntry* entry = active_->Find(key)) return *entry;
  if (frozen_) {
    if (const OverlayEntry* entry = frozen_->Find(key)) return *entry;
  }
  return std::nullopt;
}

void Overlay::Apply(std::span<const Update> updates) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (const auto& [key, entry] : updates) active_->Set(key, entry);
}

void Overlay::EraseRange(std::string_view start, std::string_view end) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  active_->EraseRange(start, end);
}

Overlay::Range Overlay::CollectRange(std::string_view start, std::string_view end, size_t max_live,
                                     const std::function<void()>& pin) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (pin) pin();
  Range out;
  if (end <= start) return out;
  const Table::Entries& active_entries = active_->entries();
  auto active = active_entries.lower_bound(start);
  const auto active_end = active_entries.lower_bound(end);
  Table::Entries::const_iterator frozen;
  Table::Entries::const_iterator frozen_end;
  if (frozen_) {
    frozen = frozen_->entries().lower_bound(start);
    frozen_end = frozen_->entries().lower_bound(end);
  }
  // A merge of the two tables in key order, the active entry winning on equal keys.
  size_t live = 0;
  while (live < max_live) {
    const bool have_active = active != active_end;
    const bool have_frozen = frozen_ && frozen != frozen_end;
    if (!have_active && !have_frozen) break;
    Table::Entries::const_iterator take;
    if (have_active && (!have_frozen || active->first <= frozen->first)) {
      if (have_frozen && active->first == frozen->first) ++frozen;
      take = active++;
    } else {
      take = frozen++;
    }
    out.emplace_hint(out.end(), take->first, *take->second);
    if (take->second->location) ++live;
  }
  return out;
}

std::shared_ptr<const Overlay::Table> Overlay::Freeze() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (frozen_) {
    // Left by a checkpoint that failed: its entries go into this one, the active ones
    // winning. The copy is made under the lock, which only a failed checkpoint costs.
    auto merged = std::make_unique<Table>();
    for (const auto& [key, entry] : frozen_->entries()) merged->Set(key, *entry);
    for (const auto& [key, entry] : active_->entries()) merged->Set(key, *entry);
    active_ = std::move(merged);
  }
  frozen_ = std::exchange(active_, std::make_unique<Table>());
  return frozen_;
}

void Overlay::DropFrozen() {
  std::shared_ptr<const Table> table;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    table = std::move(frozen_);
  }
  // Freed here, outside the lock: a checkpoint's worth of entries takes milliseconds.
}

uint64_t Overlay::MemoryBytes() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return active_->memory_bytes() + (frozen_ ? frozen_->memory_bytes() : 0);
}

size_t Overlay::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return active_->size() + (frozen_ ? frozen_->size() : 0);
}

}  // namespace docdb::engine
