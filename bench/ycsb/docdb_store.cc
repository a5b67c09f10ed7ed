// DocDB as a DocStore, through the embedded API (include/docdb/db.h): one collection
// "usertable", documents keyed by the YCSB key. Thread-safety: as DocStore.
#include <memory>
#include <string_view>
#include <utility>

#include "bench/bench_options.h"
#include "bench/write_async.h"
#include "bench/ycsb/store_registry.h"
#include "common/status_macros.h"
#include "docdb/db.h"

namespace docdb::ycsb {
namespace {

constexpr std::string_view kCollection = "usertable";

class DocDbStore final : public DocStore {
 public:
  explicit DocDbStore(DocDbVariant variant) : variant_(variant) {}

  std::string_view name() const override {
    switch (variant_) {
      case DocDbVariant::kPatchUpdates:
        return "docdb-patch";
      case DocDbVariant::kAsyncWrites:
        return "docdb-async";
      case DocDbVariant::kPlain:
        break;
    }
    return "docdb";
  }

  Status Open(const std::string& dir, DurabilityMode durability) override {
    Options options = bench::BenchEngineOptions();
    options.durability =
        durability == DurabilityMode::kDurable ? Durability::kSync : Durability::kNone;
    DOCDB_ASSIGN_OR_RETURN(db_, DB::Open(dir, options));
    const Status created = db_->CreateCollection(kCollection);
    if (created.code() == StatusCode::kAlreadyExists) return Status::OK();  // a reopen
    return created;
  }

  Status Close() override {
    db_.reset();  // checkpoints and closes
    return Status::OK();
  }

  Status Insert(std::string_view key, std::string_view doc) override {
    if (variant_ != DocDbVariant::kAsyncWrites) return db_->Insert(kCollection, key, doc).status();
    WriteBatch batch;
    batch.Insert(kCollection, key, doc);
    return bench::CommitThroughWriteAsync(*db_, std::move(batch));
  }

  Status Put(std::string_view key, std::string_view doc) override {
    if (variant_ != DocDbVariant::kAsyncWrites) return db_->Update(kCollection, key, doc).status();
    WriteBatch batch;
    batch.Update(kCollection, key, doc);
    return bench::CommitThroughWriteAsync(*db_, std::move(batch));
  }

  Status Read(std::string_view key, std::string* doc) override {
    DOCDB_ASSIGN_OR_RETURN(Document found, db_->Get(kCollection, key));
    *doc = std::move(found.json);
    return Status::OK();
  }

  Status UpdateField(std::string_view key, std::string_view field,
                     std::string_view value) override {
    if (variant_ != DocDbVariant::kPatchUpdates) return ReadMergeWrite(*this, key, field, value);
    // Field names and values of the user record need no JSON escaping.
    const std::string patch = "[{\"op\":\"set\",\"path\":\"/" + std::string(field) +
                              "\",\"value\":\"" + std::string(value) + "\"}]";
    return db_->Patch(kCollection, key, patch).status();
  }

  Status Scan(std::string_view start_key, int count, std::vector<ScanEntry>* out) override {
    ScanOptions options;
    options.start = std::string(start_key);
    options.limit = static_cast<uint64_t>(count);
    DOCDB_ASSIGN_OR_RETURN(std::vector<Document> docs, db_->Scan(kCollection, options));
    out->clear();
    for (Document& doc : docs) out->push_back({std::move(doc.id), std::move(doc.json)});
    return Status::OK();
  }

 private:
  const DocDbVariant variant_;
  std::unique_ptr<DB> db_;
};

}  // namespace

std::unique_ptr<DocStore> NewDocDbStore(DocDbVariant variant) {
  return std::make_unique<DocDbStore>(variant);
}

}  // namespace docdb::ycsb
