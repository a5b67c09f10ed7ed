// Which engines this docdb-bench binary was built with, and how to make a store of each
// (docs/performance-ycsb.md, "Engines"). Thread-safety: pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/ycsb/doc_store.h"
#include "docdb/status.h"

namespace docdb::ycsb {

// The engine every ratio is computed against.
inline constexpr std::string_view kBaselineEngine = "docdb";

// Every engine built in, DocDB first: "docdb", "docdb-patch", "docdb-async", then the
// peers found at build time among rocksdb, wiredtiger, sqlite, lmdb, leveldb.
std::vector<std::string> CompiledEngineNames();

// A new, unopened store of engine `name`; InvalidArgument naming the built-in engines
// when it is not one of them.
Result<std::unique_ptr<DocStore>> NewStore(std::string_view name);

// The adapters, one per file (<engine>_store.cc). DocDB comes in three variants.
enum class DocDbVariant {
  kPlain,         // "docdb": the synchronous calls
  kPatchUpdates,  // "docdb-patch": updates sent as a one-member JSON Patch `set`
                  // (DB::Patch) instead of a read and a replace
  kAsyncWrites,   // "docdb-async": every write through DB::WriteAsync, the client
                  // thread waiting for its `done`
};
std::unique_ptr<DocStore> NewDocDbStore(DocDbVariant variant);
std::unique_ptr<DocStore> NewRocksDbStore();
std::unique_ptr<DocStore> NewWiredTigerStore();
std::unique_ptr<DocStore> NewSqliteStore();
std::unique_ptr<DocStore> NewLmdbStore();
std::unique_ptr<DocStore> NewLevelDbStore();

}  // namespace docdb::ycsb
