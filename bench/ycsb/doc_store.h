// DocStore: the one interface through which docdb-bench drives DocDB and every peer
// engine as a document store (docs/performance-ycsb.md, "Engines"). Thread-safety: after
// Open returns, every data method may be called from any number of threads at once;
// Open and Close are called with no other call running.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"

namespace docdb::ycsb {

// The two durability levels every engine is measured at, set to mean the same thing.
enum class DurabilityMode {
  kDurable,  // a write is acknowledged after it reached stable storage (fsync)
  kRelaxed,  // a write is acknowledged once the engine has it; synced later
};

std::string_view DurabilityModeName(DurabilityMode mode);  // "durable" or "relaxed"

struct ScanEntry {
  std::string key;
  std::string doc;
};

class DocStore {
 public:
  virtual ~DocStore() = default;

  // The engine's name in reports ("docdb", "rocksdb", ...).
  virtual std::string_view name() const = 0;

  // Opens (creating when missing) the store in `dir`, an existing directory owned by
  // this store alone.
  virtual Status Open(const std::string& dir, DurabilityMode durability) = 0;
  // Flushes and releases everything Open acquired; Open may be called again.
  virtual Status Close() = 0;

  // Stores a new document. Behaviour when `key` exists is engine-defined (the benchmark
  // never inserts a key twice).
  virtual Status Insert(std::string_view key, std::string_view doc) = 0;
  // Replaces the document under `key`.
  virtual Status Put(std::string_view key, std::string_view doc) = 0;
  // Copies the document under `key` to *doc; NotFound when missing.
  virtual Status Read(std::string_view key, std::string* doc) = 0;
  // Sets top-level string member `field` of the document to `value` (YCSB's update of
  // one field). Engines without a native partial update read, merge and write, as YCSB's
  // key-value bindings do. NotFound when missing.
  virtual Status UpdateField(std::string_view key, std::string_view field,
                             std::string_view value) = 0;
  // Up to `count` documents in key order, starting at the first key >= `start_key`.
  virtual Status Scan(std::string_view start_key, int count, std::vector<ScanEntry>* out) = 0;

 protected:
  DocStore() = default;
  DocStore(const DocStore&) = delete;
  DocStore& operator=(const DocStore&) = delete;
};

// The client-side read-merge-write behind UpdateField for engines that can only replace
// whole documents.
Status ReadMergeWrite(DocStore& store, std::string_view key, std::string_view field,
                      std::string_view value);

}  // namespace docdb::ycsb
