// The overlay of recent writes (engine/overlay.h).
#include "engine/overlay.h"

#include <mutex>
#include <utility>

namespace docdb::engine {

std::optional<OverlayEntry> Overlay::Find(std::string_view key) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (auto it = active_index_.find(key); it != active_index_.end()) return *it->second;
  if (auto it = frozen_index_.find(key); it != frozen_index_.end()) return *it->second;
  return std::nullopt;
}

void Overlay::Apply(std::vector<std::pair<std::string, OverlayEntry>> updates) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (auto& [key, entry] : updates) {
    const auto [it, inserted] = active_.insert_or_assign(std::move(key), entry);
    if (inserted) active_key_bytes_ += it->first.size();
    active_index_[it->first] = &it->second;
  }
}

void Overlay::EraseRange(std::string_view start, std::string_view end) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  const auto first = active_.lower_bound(start);
  const auto last = active_.lower_bound(end);
  for (auto it = first; it != last; ++it) {
    active_key_bytes_ -= it->first.size();
    active_index_.erase(it->first);
  }
  active_.erase(first, last);
}

Overlay::Table Overlay::CollectRange(std::string_view start, std::string_view end, size_t max_live,
                                     const std::function<void()>& pin) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (pin) pin();
  Table out;
  if (end <= start) return out;
  auto active = active_.lower_bound(start);
  const auto active_end = active_.lower_bound(end);
  Table::const_iterator frozen;
  Table::const_iterator frozen_end;
  if (frozen_) {
    frozen = frozen_->lower_bound(start);
    frozen_end = frozen_->lower_bound(end);
  }
  // A merge of the two tables in key order, the active entry winning on equal keys.
  size_t live = 0;
  while (live < max_live) {
    const bool have_active = active != active_end;
    const bool have_frozen = frozen_ && frozen != frozen_end;
    if (!have_active && !have_frozen) break;
    Table::const_iterator take;
    if (have_active && (!have_frozen || active->first <= frozen->first)) {
      if (have_frozen && active->first == frozen->first) ++frozen;
      take = active++;
    } else {
      take = frozen++;
    }
    out.emplace_hint(out.end(), take->first, take->second);
    if (take->second.location) ++live;
  }
  return out;
}

std::shared_ptr<const Overlay::Table> Overlay::Freeze() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (frozen_) {
    // Left by a checkpoint that failed: its entries go into this one, the active ones
    // winning. The copy is made under the lock, which only a failed checkpoint costs.
    Table merged = *frozen_;
    for (auto& [key, entry] : active_) merged.insert_or_assign(key, entry);
    active_ = std::move(merged);
    active_index_.clear();
    active_key_bytes_ = 0;
    for (const auto& [key, entry] : active_) {
      active_key_bytes_ += key.size();
      active_index_.emplace(key, &entry);
    }
  }
  frozen_ = std::make_shared<const Table>(std::move(active_));
  frozen_index_ = std::move(active_index_);
  frozen_key_bytes_ = std::exchange(active_key_bytes_, 0);
  active_.clear();
  active_index_.clear();
  return frozen_;
}

void Overlay::DropFrozen() {
  std::shared_ptr<const Table> table;
  Index index;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    table = std::move(frozen_);
    index = std::move(frozen_index_);
    frozen_index_.clear();
    frozen_key_bytes_ = 0;
  }
  // Freed here, outside the lock: a checkpoint's worth of entries takes milliseconds.
}

uint64_t Overlay::MemoryBytes() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  const uint64_t entries = active_.size() + (frozen_ ? frozen_->size() : 0);
  return entries * kEntryBytes + active_key_bytes_ + frozen_key_bytes_;
}

size_t Overlay::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return active_.size() + (frozen_ ? frozen_->size() : 0);
}

}  // namespace docdb::engine
