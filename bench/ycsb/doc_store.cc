// What all DocStore adapters share (doc_store.h).
#include "bench/ycsb/doc_store.h"

#include "bench/ycsb/user_record.h"
#include "common/status_macros.h"

namespace docdb::ycsb {

std::string_view DurabilityModeName(DurabilityMode mode) {
  return mode == DurabilityMode::kDurable ? "durable" : "relaxed";
}

Status ReadMergeWrite(DocStore& store, std::string_view key, std::string_view field,
                      std::string_view value) {
  std::string doc;
  DOCDB_RETURN_IF_ERROR(store.Read(key, &doc));
  DOCDB_RETURN_IF_ERROR(ReplaceField(&doc, field, value));
  return store.Put(key, doc);
}

}  // namespace docdb::ycsb
