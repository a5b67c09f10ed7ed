// The LMDB key index (docs/architecture.md, "Index"): (collection, docID) -> where the
// document's newest record lives, the collection catalog, and the checkpoint meta. The
// only user of <lmdb.h>. LMDB is opened with its default, fully durable commits and is
// written only by ApplyCheckpoint, so it is always a consistent snapshot "as of
// checkpoint LSN C". Thread-safety: any number of concurrent readers; ApplyCheckpoint is
// called by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"

namespace docdb::index {

// Where a document's newest record is in the data segments, and its version (the LSN of
// the write). Fixed 28-byte encoding in the index.
struct DocLocation {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
  uint64_t version = 0;
  friend bool operator==(const DocLocation&, const DocLocation&) = default;
};

// A collection as the catalog stores it. `id` is the LSN of the write that created it (0
// for `default`): document keys start with it, so that the documents of a dropped
// collection can never reappear under a new collection of the same name.
struct CollectionRecord {
  std::string name;
  uint64_t id = 0;
  uint64_t document_count = 0;
};

// Bytes of one collection's records that the index names, in one data segment.
struct CollectionBytes {
  uint64_t collection_id = 0;
  uint64_t bytes = 0;
  friend bool operator==(const CollectionBytes&, const CollectionBytes&) = default;
};

struct SegmentLength {
  uint64_t segment = 0;
  uint64_t length_bytes = 0;
  std::vector<CollectionBytes> live = {};  // by collection, those with live bytes only
  // The smallest LSN of a record in it (UINT64_MAX when it has none; 0 when not known,
  // as in a meta written before it was recorded): compaction keeps a tombstone while an
  // older record may remain anywhere (docs/lifecycle.md).
  uint64_t min_lsn = 0;
  uint64_t kept_bytes = 0;  // of tombstones compaction kept (io::SegmentUsage)
};

// LSNs first..last, both inclusive.
struct LsnRange {
  uint64_t first = 0;
  uint64_t last = 0;
  friend bool operator==(const LsnRange&, const LsnRange&) = default;
};

// What a checkpoint made durable.
struct CheckpointMeta {
  uint64_t checkpoint_lsn = 0;          // every WAL record <= this is reflected in the index
  std::vector<SegmentLength> segments;  // each data segment's length at that point
  // False for a meta written before live bytes were recorded (every `live` is then
  // empty): the opener counts them from the index instead.
  bool has_live_bytes = true;
  // Writes revoked by abort records (docs/errors.md) whose records may lie, dead, in the
  // data segments: an index rebuild must not take them for writes.
  std::vector<LsnRange> revoked = {};
};

// One change a checkpoint applies: a location, or nullopt to delete the key.
struct IndexChange {
  std::string key;
  std::optional<DocLocation> location;
};

inline constexpr uint64_t kDefaultInitialMapBytes = 64ull << 20;
inline constexpr uint32_t kDefaultMaxIndexReaders = 1024;

// A read-only view of the index as of one checkpoint: every read through it sees the
// same state, whatever checkpoints commit meanwhile. Holds an LMDB read transaction (one
// reader slot) until destroyed; used by one thread at a time.
class IndexSnapshot {
 public:
  virtual ~IndexSnapshot() = default;
  // Calls visit(key, location) for keys in [start, end) in key order (an empty `end`
  // means "to the end"), until it returns false. Corruption for a malformed stored
  // value; IoError for an LMDB failure.
  virtual Status Scan(
      std::string_view start, std::string_view end,
      const std::function<bool(std::string_view, const DocLocation&)>& visit) const = 0;
};

class LmdbIndex {
 public:
  // Opens (creating when missing) the LMDB environment in directory `dir`. The map
  // starts at `initial_map_bytes` and grows on demand. At most `max_readers` read
  // transactions (lookups, scans, snapshots) may be open at once; one more fails with Busy.
  static Result<std::unique_ptr<LmdbIndex>> Open(
      const std::string& dir, uint64_t initial_map_bytes = kDefaultInitialMapBytes,
      uint32_t max_readers = kDefaultMaxIndexReaders);
  ~LmdbIndex();
  LmdbIndex(const LmdbIndex&) = delete;
  LmdbIndex& operator=(const LmdbIndex&) = delete;

  // nullopt when the key is not indexed. Corruption for a malformed stored value.
  Result<std::optional<DocLocation>> Get(std::string_view key) const;

  // A consistent view for reads that must all see one checkpoint's state. Busy when every
  // reader slot is taken.
  Result<std::unique_ptr<IndexSnapshot>> OpenSnapshot() const;

  Result<CheckpointMeta> ReadMeta() const;
  // Writes a consistent copy of the environment, as of its last committed transaction,
  // into the existing empty directory `dir` (mdb_env_copy2, compacting; not synced).
  // Writes may commit meanwhile; the copy does not see them.
  Status CopyTo(const std::string& dir) const;
  Result<std::vector<CollectionRecord>> ReadCollections() const;

  // In one durable transaction: applies `changes`, deletes every key starting with one of
  // `purged_prefixes` (documents of dropped collections), replaces the catalog with
  // `collections` and the meta with `meta`. Grows the map as needed. On error nothing
  // changed.
  Status ApplyCheckpoint(const std::vector<IndexChange>& changes,
                         const std::vector<std::string>& purged_prefixes,
                         const std::vector<CollectionRecord>& collections,
                         const CheckpointMeta& meta);

  uint64_t map_size_bytes() const;

 private:
  struct Env;
  friend class LmdbSnapshot;
  friend class ReadTxn;
  explicit LmdbIndex(std::unique_ptr<Env> env);
  Status TryApply(const std::vector<IndexChange>& changes,
                  const std::vector<std::string>& purged_prefixes,
                  const std::vector<CollectionRecord>& collections, const CheckpointMeta& meta);

  std::unique_ptr<Env> env_;
};

}  // namespace docdb::index
