// The collection catalog (engine/catalog.h).
#include "engine/catalog.h"

#include "engine/names.h"

namespace docdb::engine {

namespace {
std::atomic<uint64_t> next_catalog_uid{1};
}  // namespace

Catalog::Catalog() : uid_(next_catalog_uid.fetch_add(1)), names_(std::make_shared<NameMap>()) {}

void Catalog::PublishNames() {
  auto names = std::make_shared<NameMap>();
  for (const auto& [name, entry] : by_name_) names->emplace(name, entry.id);
  names_ = std::move(names);
  names_version_.fetch_add(1, std::memory_order_release);
}

void Catalog::Load(const std::vector<index::CollectionRecord>& records) {
  std::lock_guard<std::mutex> lock(mu_);
  by_name_.clear();
  name_by_id_.clear();
  for (const index::CollectionRecord& r : records) {
    by_name_[r.name] = {r.id, r.document_count};
    name_by_id_[r.id] = r.name;
  }
  if (by_name_.find(kDefaultCollection) == by_name_.end()) {
    by_name_[std::string(kDefaultCollection)] = {0, 0};
    name_by_id_[0] = kDefaultCollection;
  }
  PublishNames();
}

Result<uint64_t> Catalog::Find(std::string_view name) const {
  // Each thread keeps the names it read last, and fetches them again (under mu_) only
  // after a publication: on the read path, one load of a line that is rarely written.
  struct Cached {
    uint64_t uid = 0;
    uint64_t version = 0;
    std::shared_ptr<const NameMap> names;
  };
  thread_local Cached cached;
  if (cached.uid != uid_ || cached.version != names_version_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mu_);
    cached = {uid_, names_version_.load(std::memory_order_relaxed), names_};
  }
  auto it = cached.names->find(name);
  if (it == cached.names->end()) {
    return Status::NotFound("collection '" + std::string(name) + "' does not exist");
  }
  return it->second;
}

Status Catalog::Create(std::string_view name, uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_name_.find(name) != by_name_.end()) {
    return Status::AlreadyExists("collection '" + std::string(name) + "' already exists");
  }
  by_name_[std::string(name)] = {id, 0};
  name_by_id_[id] = name;
  PublishNames();
  return Status::OK();
}

Result<uint64_t> Catalog::Drop(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    return Status::NotFound("collection '" + std::string(name) + "' does not exist");
  }
  const uint64_t id = it->second.id;
  name_by_id_.erase(id);
  by_name_.erase(it);
  dropped_.push_back(id);
  PublishNames();
  return id;
}

void Catalog::AdjustCount(uint64_t id, int64_t delta) {
  std::lock_guard<std::mutex> lock(mu_);
  auto name = name_by_id_.find(id);
  if (name == name_by_id_.end()) return;
  Entry& entry = by_name_.find(name->second)->second;
  entry.count = static_cast<uint64_t>(static_cast<int64_t>(entry.count) + delta);
}

Result<uint64_t> Catalog::Count(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    return Status::NotFound("collection '" + std::string(name) + "' does not exist");
  }
  return it->second.count;
}

std::vector<index::CollectionRecord> Catalog::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<index::CollectionRecord> out;
  for (const auto& [name, entry] : by_name_) out.push_back({name, entry.id, entry.count});
  return out;
}

std::vector<uint64_t> Catalog::TakeDropped() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(dropped_, {});
}

}  // namespace docdb::engine
