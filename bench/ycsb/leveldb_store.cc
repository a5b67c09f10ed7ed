// LevelDB as a DocStore: one key per document, the JSON as the value, default options
// (docs/performance-ycsb.md, "Engines"). durable = WriteOptions::sync; relaxed = the
// log written but not synced per write. Thread-safety: as DocStore (leveldb::DB is).
#include <leveldb/db.h>
#include <leveldb/options.h>

#include <memory>

#include "bench/ycsb/store_registry.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

Status FromLevelDb(const leveldb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(std::string(what));
  return Status::IoError("leveldb " + std::string(what) + ": " + s.ToString());
}

class LevelDbStore final : public DocStore {
 public:
  std::string_view name() const override { return "leveldb"; }

  Status Open(const std::string& dir, DurabilityMode durability) override {
    leveldb::Options options;
    options.create_if_missing = true;
    write_options_.sync = durability == DurabilityMode::kDurable;
    leveldb::DB* db = nullptr;
    DOCDB_RETURN_IF_ERROR(FromLevelDb(leveldb::DB::Open(options, dir, &db), "open " + dir));
    db_.reset(db);
    return Status::OK();
  }

  Status Close() override {
    db_.reset();  // LevelDB closes in its destructor
    return Status::OK();
  }

  Status Insert(std::string_view key, std::string_view doc) override { return Put(key, doc); }

  Status Put(std::string_view key, std::string_view doc) override {
    return FromLevelDb(db_->Put(write_options_, Slice(key), Slice(doc)), key);
  }

  Status Read(std::string_view key, std::string* doc) override {
    return FromLevelDb(db_->Get(leveldb::ReadOptions(), Slice(key), doc), key);
  }

  Status UpdateField(std::string_view key, std::string_view field,
                     std::string_view value) override {
    return ReadMergeWrite(*this, key, field, value);
  }

  Status Scan(std::string_view start_key, int count, std::vector<ScanEntry>* out) override {
    out->clear();
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(Slice(start_key)); it->Valid() && static_cast<int>(out->size()) < count;
         it->Next()) {
      out->push_back({it->key().ToString(), it->value().ToString()});
    }
    return FromLevelDb(it->status(), "scan");
  }

 private:
  static leveldb::Slice Slice(std::string_view s) { return {s.data(), s.size()}; }

  leveldb::WriteOptions write_options_;
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace

std::unique_ptr<DocStore> NewLevelDbStore() { return std::make_unique<LevelDbStore>(); }

}  // namespace docdb::ycsb
