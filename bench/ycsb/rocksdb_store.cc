// RocksDB as a DocStore: one key per document, the JSON as the value, default options
// (docs/performance-ycsb.md, "Engines"). durable = WriteOptions::sync; relaxed = the
// WAL written but not synced per write. Thread-safety: as DocStore (rocksdb::DB is).
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <memory>

#include "bench/ycsb/store_registry.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

Status FromRocksDb(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(std::string(what));
  return Status::IoError("rocksdb " + std::string(what) + ": " + s.ToString());
}

class RocksDbStore final : public DocStore {
 public:
  std::string_view name() const override { return "rocksdb"; }

  Status Open(const std::string& dir, DurabilityMode durability) override {
    rocksdb::Options options;
    options.create_if_missing = true;
    write_options_.sync = durability == DurabilityMode::kDurable;
    rocksdb::DB* db = nullptr;
    DOCDB_RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(options, dir, &db), "open " + dir));
    db_.reset(db);
    return Status::OK();
  }

  Status Close() override {
    if (db_ == nullptr) return Status::OK();
    const rocksdb::Status closed = db_->Close();
    db_.reset();
    return FromRocksDb(closed, "close");
  }

  Status Insert(std::string_view key, std::string_view doc) override { return Put(key, doc); }

  Status Put(std::string_view key, std::string_view doc) override {
    return FromRocksDb(db_->Put(write_options_, Slice(key), Slice(doc)), key);
  }

  Status Read(std::string_view key, std::string* doc) override {
    return FromRocksDb(db_->Get(rocksdb::ReadOptions(), Slice(key), doc), key);
  }

  Status UpdateField(std::string_view key, std::string_view field,
                     std::string_view value) override {
    return ReadMergeWrite(*this, key, field, value);
  }

  Status Scan(std::string_view start_key, int count, std::vector<ScanEntry>* out) override {
    out->clear();
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(Slice(start_key)); it->Valid() && static_cast<int>(out->size()) < count;
         it->Next()) {
      out->push_back({it->key().ToString(), it->value().ToString()});
    }
    return FromRocksDb(it->status(), "scan");
  }

 private:
  static rocksdb::Slice Slice(std::string_view s) { return {s.data(), s.size()}; }

  rocksdb::WriteOptions write_options_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::unique_ptr<DocStore> NewRocksDbStore() { return std::make_unique<RocksDbStore>(); }

}  // namespace docdb::ycsb
