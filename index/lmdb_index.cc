// LMDB index (index/lmdb_index.h). The only file that includes <lmdb.h>.
#include "index/lmdb_index.h"

#include <lmdb.h>

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "common/coding.h"
#include "common/read_mostly_shared_mutex.h"
#include "common/status_macros.h"

namespace docdb::index {
namespace {

constexpr size_t kLocationBytes = 28;
constexpr std::string_view kMetaCheckpointKey = "checkpoint";
// The live bytes of each data segment by collection, as of the checkpoint; written by
// every checkpoint since live bytes are counted (an older index has none).
constexpr std::string_view kMetaLiveBytesKey = "live_bytes";
// Each data segment's smallest record LSN and kept tombstone bytes, and the revoked LSN
// ranges: varint segments, each fixed64 number, varint min LSN and varint kept bytes;
// varint ranges, each varint first and last.
constexpr std::string_view kMetaRetentionKey = "retention";
constexpr std::string_view kMetaFormatKey = "format";
constexpr uint32_t kIndexFormatVersion = 1;

Status LmdbStatus(int rc, std::string_view what) {
  std::string message = "LMDB " + std::string(what) + ": " + mdb_strerror(rc);
  if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID) {
    return Status(StatusCode::kCorruption, std::move(message), rc);
  }
  if (rc == ENOSPC) return Status(StatusCode::kNoSpace, std::move(message), rc);
  if (rc == MDB_READERS_FULL) {
    return Status(StatusCode::kBusy, std::move(message) + " (raise the reader limit)", rc);
  }
  return Status(StatusCode::kIoError, std::move(message), rc);
}

MDB_val Val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};  // NOLINT: LMDB never writes keys
}
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

std::string EncodeLocation(const DocLocation& loc) {
  std::string out;
  PutFixed64(&out, loc.segment);
  PutFixed64(&out, loc.offset);
  PutFixed32(&out, loc.length);
  PutFixed64(&out, loc.version);
  return out;
}

Result<DocLocation> DecodeLocation(std::string_view key, std::string_view v) {
  if (v.size() != kLocationBytes) {
    return Status::Corruption("index entry of " + std::to_string(v.size()) + " bytes for key of " +
                              std::to_string(key.size()) + " bytes");
  }
  return DocLocation{DecodeFixed64(v.data()), DecodeFixed64(v.data() + 8),
                     DecodeFixed32(v.data() + 16), DecodeFixed64(v.data() + 20)};
}

// A transaction that aborts unless committed.
class Txn {
 public:
  Txn() = default;
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  Status Begin(MDB_env* env, unsigned flags) {
    const int rc = mdb_txn_begin(env, nullptr, flags, &txn_);
    if (rc != 0) {
      txn_ = nullptr;
      return LmdbStatus(rc, "begin transaction");
    }
    return Status::OK();
  }
  int Commit() {
    const int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;  // freed by commit whatever its outcome
    return rc;
  }
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
};

// Read-only transactions kept between reads: a transaction given back is reset
// (mdb_txn_reset) and the next reader renews it (mdb_txn_renew), which costs neither an
// allocation nor a search of the reader table. A few slots, claimed and filled with
// atomic exchanges, so that readers never wait for one another; a reader that finds none
// idle begins a new transaction. A reset transaction keeps its reader slot.
class ReadTxnPool {
 public:
  // Begins or renews a read-only transaction; 0 or an LMDB error code in *rc.
  MDB_txn* Take(MDB_env* env, int* rc) {
    const size_t first = Hint();
    for (size_t i = 0; i < slots_.size(); ++i) {
      std::atomic<MDB_txn*>& slot = slots_[(first + i) % slots_.size()];
      // A load first: an empty slot is passed by without taking its cache line away.
      if (slot.load(std::memory_order_relaxed) == nullptr) continue;
      MDB_txn* txn = slot.exchange(nullptr);
      if (txn == nullptr) continue;
      if ((*rc = mdb_txn_renew(txn)) == 0) return txn;
      mdb_txn_abort(txn);
    }
    MDB_txn* txn = nullptr;
    *rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    return *rc == 0 ? txn : nullptr;
  }

  void Give(MDB_txn* txn) {
    mdb_txn_reset(txn);
    const size_t first = Hint();
    for (size_t i = 0; i < slots_.size(); ++i) {
      MDB_txn* empty = nullptr;
      if (slots_[(first + i) % slots_.size()].compare_exchange_strong(empty, txn)) return;
    }
    mdb_txn_abort(txn);
  }

  // Aborts every kept transaction; before the environment closes.
  void Clear() {
    for (std::atomic<MDB_txn*>& slot : slots_) {
      if (MDB_txn* txn = slot.exchange(nullptr)) mdb_txn_abort(txn);
    }
  }

 private:
  // Threads start at different slots, so that two readers seldom touch the same one.
  static size_t Hint() {
    static std::atomic<size_t> next{0};
    thread_local const size_t hint = next.fetch_add(1);
    return hint;
  }

  std::array<std::atomic<MDB_txn*>, 16> slots_{};
};

}  // namespace

struct LmdbIndex::Env {
  MDB_env* env = nullptr;
  MDB_dbi docs = 0;
  MDB_dbi collections = 0;
  MDB_dbi meta = 0;
  uint64_t map_bytes = 0;
  // Growing the map is allowed only while no transaction is active in this process
  // (kept, reset ones are not active). Every read holds it shared, with no mutex;
  // writer-first, so that a steady stream of reads cannot keep a checkpoint from growing
  // the map; no thread may hold it shared twice.
  mutable ReadMostlySharedMutex resize_mu;
  mutable ReadTxnPool read_txns;
  ~Env() {
    read_txns.Clear();
    if (env != nullptr) mdb_env_close(env);
  }
};

// A read-only transaction from the pool, given back when it goes out of scope. Holds
// the map's resize lock shared meanwhile.
class ReadTxn {
 public:
  explicit ReadTxn(const LmdbIndex::Env* env) : env_(env), resize_lock_(env->resize_mu) {}
  ~ReadTxn() {
    if (txn_ != nullptr) env_->read_txns.Give(txn_);
  }
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  Status Begin() {
    int rc = 0;
    txn_ = env_->read_txns.Take(env_->env, &rc);
    return rc == 0 ? Status::OK() : LmdbStatus(rc, "begin read transaction");
  }
  MDB_txn* get() const { return txn_; }

 private:
  const LmdbIndex::Env* const env_;
  std::shared_lock<ReadMostlySharedMutex> resize_lock_;
  MDB_txn* txn_ = nullptr;
};

LmdbIndex::LmdbIndex(std::unique_ptr<Env> env) : env_(std::move(env)) {}
LmdbIndex::~LmdbIndex() = default;

Result<std::unique_ptr<LmdbIndex>> LmdbIndex::Open(const std::string& dir,
                                                   uint64_t initial_map_bytes,
                                                   uint32_t max_readers) {
  auto env = std::make_unique<Env>();
  int rc = mdb_env_create(&env->env);
  if (rc != 0) return LmdbStatus(rc, "create environment");
  env->map_bytes = initial_map_bytes;
  if ((rc = mdb_env_set_maxdbs(env->env, 3)) != 0 ||
      (rc = mdb_env_set_maxreaders(env->env, max_readers)) != 0 ||
      (rc = mdb_env_set_mapsize(env->env, initial_map_bytes)) != 0) {
    return LmdbStatus(rc, "configure environment");
  }
  // MDB_NOTLS: read transactions are not tied to threads. No MDB_NOSYNC: commits are
  // durable, as DESIGN.md requires.
  rc = mdb_env_open(env->env, dir.c_str(), MDB_NOTLS, 0644);
  if (rc != 0) return LmdbStatus(rc, "open " + dir);
  MDB_envinfo info{};
  mdb_env_info(env->env, &info);
  env->map_bytes = std::max<uint64_t>(env->map_bytes, info.me_mapsize);

  Txn txn;
  DOCDB_RETURN_IF_ERROR(txn.Begin(env->env, 0));
  if ((rc = mdb_dbi_open(txn.get(), "docs", MDB_CREATE, &env->docs)) != 0 ||
      (rc = mdb_dbi_open(txn.get(), "collections", MDB_CREATE, &env->collections)) != 0 ||
      (rc = mdb_dbi_open(txn.get(), "meta", MDB_CREATE, &env->meta)) != 0) {
    return LmdbStatus(rc, "open databases in " + dir);
  }
  MDB_val key = Val(kMetaFormatKey);
  MDB_val value;
  rc = mdb_get(txn.get(), env->meta, &key, &value);
  if (rc == MDB_NOTFOUND) {
    std::string version;
    PutFixed32(&version, kIndexFormatVersion);
    value = Val(version);
    rc = mdb_put(txn.get(), env->meta, &key, &value, 0);
    if (rc != 0) return LmdbStatus(rc, "initialise " + dir);
  } else if (rc != 0) {
    return LmdbStatus(rc, "read format of " + dir);
  } else if (value.mv_size != 4 ||
             DecodeFixed32(static_cast<const char*>(value.mv_data)) != kIndexFormatVersion) {
    return Status::NotSupported("index format in " + dir + " is not version " +
                                std::to_string(kIndexFormatVersion));
  }
  if ((rc = txn.Commit()) != 0) return LmdbStatus(rc, "commit initialisation of " + dir);
  return std::unique_ptr<LmdbIndex>(new LmdbIndex(std::move(env)));
}

uint64_t LmdbIndex::map_size_bytes() const {
  std::shared_lock<ReadMostlySharedMutex> lock(env_->resize_mu);
  return env_->map_bytes;
}

Result<std::optional<DocLocation>> LmdbIndex::Get(std::string_view key) const {
  ReadTxn txn(env_.get());
  DOCDB_RETURN_IF_ERROR(txn.Begin());
  MDB_val k = Val(key);
  MDB_val v;
  const int rc = mdb_get(txn.get(), env_->docs, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<DocLocation>();
  if (rc != 0) return LmdbStatus(rc, "get");
  DOCDB_ASSIGN_OR_RETURN(DocLocation loc, DecodeLocation(key, View(v)));
  return std::optional<DocLocation>(loc);
}

// A read transaction kept open, with the map's resize lock held shared: LMDB may not
// grow the map while a transaction of this process is open.
class LmdbSnapshot : public IndexSnapshot {
 public:
  explicit LmdbSnapshot(const LmdbIndex::Env* env) : env_(env), txn_(env) {}

  Status Begin() { return txn_.Begin(); }

  Status Scan(
      std::string_view start, std::string_view end,
      const std::function<bool(std::string_view, const DocLocation&)>& visit) const override {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn_.get(), env_->docs, &cursor);
    if (rc != 0) return LmdbStatus(rc, "open cursor");
    MDB_val k = Val(start);
    MDB_val v;
    Status status;
    // LMDB refuses an empty key: an empty start means the first key.
    for (rc = mdb_cursor_get(cursor, &k, &v, start.empty() ? MDB_FIRST : MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      const std::string_view key = View(k);
      if (!end.empty() && key >= end) break;
      Result<DocLocation> loc = DecodeLocation(key, View(v));
      if (!loc.ok()) {
        status = loc.status();
        break;
      }
      if (!visit(key, *loc)) break;
    }
    mdb_cursor_close(cursor);
    if (!status.ok()) return status;
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbStatus(rc, "scan");
    return Status::OK();
  }

 private:
  const LmdbIndex::Env* const env_;
  ReadTxn txn_;
};

Result<std::unique_ptr<IndexSnapshot>> LmdbIndex::OpenSnapshot() const {
  auto snapshot = std::make_unique<LmdbSnapshot>(env_.get());
  DOCDB_RETURN_IF_ERROR(snapshot->Begin());
  return std::unique_ptr<IndexSnapshot>(std::move(snapshot));
}

Status LmdbIndex::CopyTo(const std::string& dir) const {
  // The copy runs a read transaction of its own: the map must not grow meanwhile.
  // MDB_CP_COMPACT copies only the pages in use; the caller syncs the copy.
  std::shared_lock<ReadMostlySharedMutex> no_resize(env_->resize_mu);
  const int rc = mdb_env_copy2(env_->env, dir.c_str(), MDB_CP_COMPACT);
  if (rc != 0) return LmdbStatus(rc, "copy the index to " + dir);
  return Status::OK();
}

Result<CheckpointMeta> LmdbIndex::ReadMeta() const {
  ReadTxn txn(env_.get());
  DOCDB_RETURN_IF_ERROR(txn.Begin());
  MDB_val k = Val(kMetaCheckpointKey);
  MDB_val v;
  const int rc = mdb_get(txn.get(), env_->meta, &k, &v);
  CheckpointMeta meta;
  if (rc == MDB_NOTFOUND) return meta;  // never checkpointed
  if (rc != 0) return LmdbStatus(rc, "read checkpoint meta");
  std::string_view in = View(v);
  uint64_t count = 0;
  if (in.size() < 8) return Status::Corruption("checkpoint meta truncated");
  meta.checkpoint_lsn = DecodeFixed64(in.data());
  in.remove_prefix(8);
  if (!GetVarint64(&in, &count) || in.size() != count * 16) {
    return Status::Corruption("checkpoint meta has a malformed segment list");
  }
  std::map<uint64_t, size_t> by_number;
  for (uint64_t i = 0; i < count; ++i) {
    meta.segments.push_back(
        {DecodeFixed64(in.data() + i * 16), DecodeFixed64(in.data() + i * 16 + 8), {}});
    by_number[meta.segments.back().segment] = meta.segments.size() - 1;
  }
  MDB_val lk = Val(kMetaLiveBytesKey);
  MDB_val lv;
  const int live_rc = mdb_get(txn.get(), env_->meta, &lk, &lv);
  if (live_rc == MDB_NOTFOUND) {
    meta.has_live_bytes = false;
    return meta;
  }
  if (live_rc != 0) return LmdbStatus(live_rc, "read live bytes");
  // varint segments, then for each: fixed64 number, varint collections, and for each
  // of those varint collection ID, varint bytes.
  std::string_view live = View(lv);
  uint64_t segments = 0;
  bool ok = GetVarint64(&live, &segments);
  for (uint64_t i = 0; ok && i < segments; ++i) {
    uint64_t collections = 0;
    ok = live.size() >= 8;
    if (!ok) break;
    const uint64_t number = DecodeFixed64(live.data());
    live.remove_prefix(8);
    auto it = by_number.find(number);
    ok = it != by_number.end() && GetVarint64(&live, &collections);
    for (uint64_t c = 0; ok && c < collections; ++c) {
      CollectionBytes b;
      ok = GetVarint64(&live, &b.collection_id) && GetVarint64(&live, &b.bytes);
      if (ok) meta.segments[it->second].live.push_back(b);
    }
  }
  if (!ok || !live.empty()) {
    return Status::Corruption("checkpoint meta has malformed live bytes");
  }
  MDB_val rk = Val(kMetaRetentionKey);
  MDB_val rv;
  const int retention_rc = mdb_get(txn.get(), env_->meta, &rk, &rv);
  if (retention_rc == MDB_NOTFOUND) return meta;  // min LSNs unknown (0): tombstones stay
  if (retention_rc != 0) return LmdbStatus(retention_rc, "read retention");
  std::string_view retention = View(rv);
  ok = GetVarint64(&retention, &segments);
  for (uint64_t i = 0; ok && i < segments; ++i) {
    ok = retention.size() >= 8;
    if (!ok) break;
    auto it = by_number.find(DecodeFixed64(retention.data()));
    retention.remove_prefix(8);
    ok = it != by_number.end() && GetVarint64(&retention, &meta.segments[it->second].min_lsn) &&
         GetVarint64(&retention, &meta.segments[it->second].kept_bytes);
  }
  uint64_t ranges = 0;
  ok = ok && GetVarint64(&retention, &ranges);
  for (uint64_t i = 0; ok && i < ranges; ++i) {
    LsnRange& r = meta.revoked.emplace_back();
    ok = GetVarint64(&retention, &r.first) && GetVarint64(&retention, &r.last);
  }
  if (!ok || !retention.empty())
    return Status::Corruption("checkpoint meta has malformed retention");
  return meta;
}

Result<std::vector<CollectionRecord>> LmdbIndex::ReadCollections() const {
  ReadTxn txn(env_.get());
  DOCDB_RETURN_IF_ERROR(txn.Begin());
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn.get(), env_->collections, &cursor);
  if (rc != 0) return LmdbStatus(rc, "open cursor");
  std::vector<CollectionRecord> out;
  MDB_val k;
  MDB_val v;
  for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (v.mv_size != 16) {
      mdb_cursor_close(cursor);
      return Status::Corruption("catalog entry for '" + std::string(View(k)) + "' is malformed");
    }
    const char* p = static_cast<const char*>(v.mv_data);
    out.push_back({std::string(View(k)), DecodeFixed64(p), DecodeFixed64(p + 8)});
  }
  mdb_cursor_close(cursor);
  if (rc != MDB_NOTFOUND) return LmdbStatus(rc, "read catalog");
  return out;
}

Status LmdbIndex::ApplyCheckpoint(const std::vector<IndexChange>& changes,
                                  const std::vector<std::string>& purged_prefixes,
                                  const std::vector<CollectionRecord>& collections,
                                  const CheckpointMeta& meta) {
  for (;;) {
    Status status = TryApply(changes, purged_prefixes, collections, meta);
    if (status.sys_errno() != MDB_MAP_FULL) return status;
    // The transaction was aborted; grow the map and run it again.
    std::unique_lock<ReadMostlySharedMutex> lock(env_->resize_mu);
    const uint64_t grown = env_->map_bytes * 2;
    const int rc = mdb_env_set_mapsize(env_->env, grown);
    if (rc != 0) return LmdbStatus(rc, "grow map to " + std::to_string(grown) + " bytes");
    env_->map_bytes = grown;
  }
}

Status LmdbIndex::TryApply(const std::vector<IndexChange>& changes,
                           const std::vector<std::string>& purged_prefixes,
                           const std::vector<CollectionRecord>& collections,
                           const CheckpointMeta& meta) {
  std::shared_lock<ReadMostlySharedMutex> lock(env_->resize_mu);
  Txn txn;
  DOCDB_RETURN_IF_ERROR(txn.Begin(env_->env, 0));
  int rc = 0;
  for (const IndexChange& change : changes) {
    MDB_val k = Val(change.key);
    if (!change.location) {
      rc = mdb_del(txn.get(), env_->docs, &k, nullptr);
      if (rc == MDB_NOTFOUND) rc = 0;
    } else {
      const std::string encoded = EncodeLocation(*change.location);
      MDB_val v = Val(encoded);
      rc = mdb_put(txn.get(), env_->docs, &k, &v, 0);
    }
    if (rc != 0) return LmdbStatus(rc, "apply index change");
  }
  // After the changes: a dropped collection's frozen overlay entries go too.
  for (const std::string& prefix : purged_prefixes) {
    MDB_cursor* cursor = nullptr;
    if ((rc = mdb_cursor_open(txn.get(), env_->docs, &cursor)) != 0) return LmdbStatus(rc, "purge");
    for (;;) {
      MDB_val k = Val(prefix);
      MDB_val v;
      rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
      if (rc != 0 || !View(k).starts_with(prefix)) break;
      if ((rc = mdb_cursor_del(cursor, 0)) != 0) break;
    }
    mdb_cursor_close(cursor);
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbStatus(rc, "purge dropped collection");
  }
  if ((rc = mdb_drop(txn.get(), env_->collections, 0)) != 0) return LmdbStatus(rc, "clear catalog");
  for (const CollectionRecord& c : collections) {
    std::string value;
    PutFixed64(&value, c.id);
    PutFixed64(&value, c.document_count);
    MDB_val k = Val(c.name);
    MDB_val v = Val(value);
    if ((rc = mdb_put(txn.get(), env_->collections, &k, &v, 0)) != 0) {
      return LmdbStatus(rc, "write catalog");
    }
  }
  std::string encoded_meta;
  PutFixed64(&encoded_meta, meta.checkpoint_lsn);
  PutVarint64(&encoded_meta, meta.segments.size());
  std::string encoded_live;
  PutVarint64(&encoded_live, meta.segments.size());
  std::string encoded_retention;
  PutVarint64(&encoded_retention, meta.segments.size());
  for (const SegmentLength& s : meta.segments) {
    PutFixed64(&encoded_retention, s.segment);
    PutVarint64(&encoded_retention, s.min_lsn);
    PutVarint64(&encoded_retention, s.kept_bytes);
    PutFixed64(&encoded_meta, s.segment);
    PutFixed64(&encoded_meta, s.length_bytes);
    PutFixed64(&encoded_live, s.segment);
    PutVarint64(&encoded_live, s.live.size());
    for (const CollectionBytes& b : s.live) {
      PutVarint64(&encoded_live, b.collection_id);
      PutVarint64(&encoded_live, b.bytes);
    }
  }
  MDB_val mk = Val(kMetaCheckpointKey);
  MDB_val mv = Val(encoded_meta);
  if ((rc = mdb_put(txn.get(), env_->meta, &mk, &mv, 0)) != 0) return LmdbStatus(rc, "write meta");
  MDB_val lk = Val(kMetaLiveBytesKey);
  MDB_val lv = Val(encoded_live);
  if ((rc = mdb_put(txn.get(), env_->meta, &lk, &lv, 0)) != 0) {
    return LmdbStatus(rc, "write live bytes");
  }
  PutVarint64(&encoded_retention, meta.revoked.size());
  for (const LsnRange& r : meta.revoked) {
    PutVarint64(&encoded_retention, r.first);
    PutVarint64(&encoded_retention, r.last);
  }
  MDB_val rk = Val(kMetaRetentionKey);
  MDB_val rv = Val(encoded_retention);
  if ((rc = mdb_put(txn.get(), env_->meta, &rk, &rv, 0)) != 0) {
    return LmdbStatus(rc, "write retention");
  }
  if ((rc = txn.Commit()) != 0) return LmdbStatus(rc, "commit checkpoint");
  return Status::OK();
}

}  // namespace docdb::index
