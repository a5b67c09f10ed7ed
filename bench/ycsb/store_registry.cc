// The engines built into docdb-bench (store_registry.h). bench/ycsb/CMakeLists.txt
// defines DOCDB_YCSB_HAVE_<ENGINE> for each peer whose package it found.
#include "bench/ycsb/store_registry.h"

#include <functional>
#include <utility>

namespace docdb::ycsb {
namespace {

using Factory = std::function<std::unique_ptr<DocStore>()>;

const std::vector<std::pair<std::string, Factory>>& Registry() {
  static const std::vector<std::pair<std::string, Factory>> kRegistry = {
      {"docdb", [] { return NewDocDbStore(DocDbVariant::kPlain); }},
      {"docdb-patch", [] { return NewDocDbStore(DocDbVariant::kPatchUpdates); }},
      {"docdb-async", [] { return NewDocDbStore(DocDbVariant::kAsyncWrites); }},
#ifdef DOCDB_YCSB_HAVE_ROCKSDB
      {"rocksdb", NewRocksDbStore},
#endif
#ifdef DOCDB_YCSB_HAVE_WIREDTIGER
      {"wiredtiger", NewWiredTigerStore},
#endif
#ifdef DOCDB_YCSB_HAVE_SQLITE
      {"sqlite", NewSqliteStore},
#endif
#ifdef DOCDB_YCSB_HAVE_LMDB
      {"lmdb", NewLmdbStore},
#endif
#ifdef DOCDB_YCSB_HAVE_LEVELDB
      {"leveldb", NewLevelDbStore},
#endif
  };
  return kRegistry;
}

}  // namespace

std::vector<std::string> CompiledEngineNames() {
  std::vector<std::string> names;
  for (const auto& entry : Registry()) names.push_back(entry.first);
  return names;
}

Result<std::unique_ptr<DocStore>> NewStore(std::string_view name) {
  for (const auto& [engine, factory] : Registry()) {
    if (engine == name) return factory();
  }
  std::string known;
  for (const std::string& engine : CompiledEngineNames())
    known += (known.empty() ? "" : ", ") + engine;
  return Status::InvalidArgument("engine '" + std::string(name) +
                                 "' is not built into this docdb-bench (built in: " + known + ")");
}

}  // namespace docdb::ycsb
