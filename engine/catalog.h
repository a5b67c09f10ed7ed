// The collection catalog in memory: names, ids and live document counts
// (docs/architecture.md, "Collections"). Persisted by checkpoints through the index.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"
#include "index/lmdb_index.h"

namespace docdb::engine {

class Catalog {
 public:
  Catalog();
  // Replaces the contents with what a checkpoint stored; `default` (id 0) is added when
  // missing.
  void Load(const std::vector<index::CollectionRecord>& records);

  // The collection's id; NotFound naming it when it does not exist. Takes no lock unless
  // a collection was created or dropped since this thread's last call.
  Result<uint64_t> Find(std::string_view name) const;
  // AlreadyExists when it exists.
  Status Create(std::string_view name, uint64_t id);
  // Removes it and remembers its id for the next checkpoint to purge; returns the id.
  Result<uint64_t> Drop(std::string_view name);
  // Adds `delta` to the live document count of collection `id`.
  void AdjustCount(uint64_t id, int64_t delta);
  Result<uint64_t> Count(std::string_view name) const;

  std::vector<index::CollectionRecord> Snapshot() const;
  // The ids dropped since the last call.
  std::vector<uint64_t> TakeDropped();

 private:
  struct Entry {
    uint64_t id = 0;
    uint64_t count = 0;
  };
  using NameMap = std::map<std::string, uint64_t, std::less<>>;
  // Publishes by_name_'s ids as a new names_. Requires mu_.
  void PublishNames();

  const uint64_t uid_;  // unique in the process, for each thread's cached names
  mutable std::mutex mu_;
  // Names to ids, immutable once published (guarded by mu_); names_version_ counts the
  // publications, so that a reader keeping an older map knows to fetch the new one.
  std::shared_ptr<const NameMap> names_;
  std::atomic<uint64_t> names_version_{0};
  std::map<std::string, Entry, std::less<>> by_name_;
  std::map<uint64_t, std::string> name_by_id_;
  std::vector<uint64_t> dropped_;
};

}  // namespace docdb::engine
