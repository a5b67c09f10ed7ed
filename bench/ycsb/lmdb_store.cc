// LMDB as a DocStore, documents stored inline as values of one database
// (docs/performance-ycsb.md, "Engines"). durable = LMDB's default (fsync at every
// commit); relaxed = MDB_NOSYNC. Each operation is one transaction.
//
// STYLE.md confines <lmdb.h> to index/lmdb_index.cc. This file is the one other user on
// purpose: it is not part of DocDB but a competitor under measurement, and going through
// DocDB's LmdbIndex would measure DocDB's wrapper instead of LMDB.
// Thread-safety: as DocStore (LMDB serialises write transactions itself).
#include <lmdb.h>

#include <memory>

#include "bench/ycsb/store_registry.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

// Address space only: LMDB maps this much, the file grows as pages are used.
constexpr size_t kMapSizeBytes = size_t{64} << 30;

Status FromLmdb(int code, std::string_view what) {
  if (code == MDB_SUCCESS) return Status::OK();
  if (code == MDB_NOTFOUND) return Status::NotFound(std::string(what));
  return Status::IoError("lmdb " + std::string(what) + ": " + mdb_strerror(code), code);
}

MDB_val Val(std::string_view bytes) {
  return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};  // LMDB does not write it
}

std::string ToString(const MDB_val& val) {
  return {static_cast<const char*>(val.mv_data), val.mv_size};
}

class LmdbStore final : public DocStore {
 public:
  std::string_view name() const override { return "lmdb"; }

  Status Open(const std::string& dir, DurabilityMode durability) override {
    DOCDB_RETURN_IF_ERROR(FromLmdb(mdb_env_create(&env_), "env create"));
    const unsigned flags = durability == DurabilityMode::kDurable ? 0 : MDB_NOSYNC;
    int rc = mdb_env_set_mapsize(env_, kMapSizeBytes);
    if (rc == MDB_SUCCESS) rc = mdb_env_open(env_, dir.c_str(), flags, 0644);
    if (rc != MDB_SUCCESS) {
      mdb_env_close(env_);  // required after a failed mdb_env_open, too
      env_ = nullptr;
      return FromLmdb(rc, "open " + dir);
    }
    MDB_txn* txn = nullptr;
    DOCDB_RETURN_IF_ERROR(FromLmdb(mdb_txn_begin(env_, nullptr, 0, &txn), "begin"));
    const int opened = mdb_dbi_open(txn, nullptr, 0, &dbi_);
    if (opened != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      return FromLmdb(opened, "dbi open");
    }
    return FromLmdb(mdb_txn_commit(txn), "commit");
  }

  Status Close() override {
    if (env_ == nullptr) return Status::OK();
    // With MDB_NOSYNC, the last writes reach the disk here.
    const int synced = mdb_env_sync(env_, 1);
    mdb_env_close(env_);
    env_ = nullptr;
    return FromLmdb(synced, "sync");
  }

  Status Insert(std::string_view key, std::string_view doc) override { return Put(key, doc); }

  Status Put(std::string_view key, std::string_view doc) override {
    MDB_txn* txn = nullptr;
    DOCDB_RETURN_IF_ERROR(FromLmdb(mdb_txn_begin(env_, nullptr, 0, &txn), "begin"));
    MDB_val k = Val(key);
    MDB_val v = Val(doc);
    const int put = mdb_put(txn, dbi_, &k, &v, 0);
    if (put != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      return FromLmdb(put, key);
    }
    return FromLmdb(mdb_txn_commit(txn), key);
  }

  Status Read(std::string_view key, std::string* doc) override {
    MDB_txn* txn = nullptr;
    DOCDB_RETURN_IF_ERROR(FromLmdb(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "begin"));
    MDB_val k = Val(key);
    MDB_val v{};
    const int found = mdb_get(txn, dbi_, &k, &v);
    if (found == MDB_SUCCESS) *doc = ToString(v);  // copied before the snapshot goes
    mdb_txn_abort(txn);
    return FromLmdb(found, key);
  }

  Status UpdateField(std::string_view key, std::string_view field,
                     std::string_view value) override {
    return ReadMergeWrite(*this, key, field, value);
  }

  Status Scan(std::string_view start_key, int count, std::vector<ScanEntry>* out) override {
    out->clear();
    MDB_txn* txn = nullptr;
    DOCDB_RETURN_IF_ERROR(FromLmdb(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "begin"));
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, dbi_, &cursor);
    MDB_val k = Val(start_key);
    MDB_val v{};
    if (rc == MDB_SUCCESS) rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    while (rc == MDB_SUCCESS && static_cast<int>(out->size()) < count) {
      out->push_back({ToString(k), ToString(v)});
      rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    }
    if (cursor != nullptr) mdb_cursor_close(cursor);
    mdb_txn_abort(txn);
    if (rc == MDB_NOTFOUND || static_cast<int>(out->size()) == count) return Status::OK();
    return FromLmdb(rc, "scan");
  }

 private:
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
};

}  // namespace

std::unique_ptr<DocStore> NewLmdbStore() { return std::make_unique<LmdbStore>(); }

}  // namespace docdb::ycsb
