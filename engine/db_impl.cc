// The write path, reads and collections of DBImpl (engine/db_impl.h). Recovery and
// checkpoints are in engine/db_recovery.cc.
#include "engine/db_impl.h"

#include <algorithm>
#include <bitset>
#include <cassert>
#include <functional>
#include <set>
#include <utility>

#include "common/retry.h"
#include "common/status_macros.h"
#include "json/merge_patch.h"
#include "json/patch.h"
#include "json/validator.h"

namespace docdb::engine {
io::SegmentLocation ToSegmentLocation(const index::DocLocation& location) {
  return {location.segment, location.offset, location.length};
}

namespace {

// A thread's read buffer is kept between reads up to this size.
constexpr size_t kMaxKeptReadBufferBytes = 1 << 20;

// The version of a document written by a batch of the commit group that has no LSN yet:
// no expected version a caller can hold matches it.
constexpr uint64_t kVersionNotYetKnown = UINT64_MAX;

std::string OpLabel(size_t index, size_t count) {
  return count == 1 ? std::string() : "operation " + std::to_string(index) + ": ";
}

}  // namespace

std::optional<index::DocLocation> IndexLocationOf(const OverlayEntry& entry) {
  if (!entry.location) return std::nullopt;
  const io::SegmentLocation& l = *entry.location;
  return index::DocLocation{l.segment, l.offset, l.length, entry.version};
}

Result<std::unique_ptr<DB>> OpenDB(const std::string& dir, const Options& options,
                                   io::FileSystem* fs) {
  auto db = std::make_unique<DBImpl>(dir, options, fs, nullptr);
  DOCDB_RETURN_IF_ERROR(db->Recover());
  return std::unique_ptr<DB>(std::move(db));
}

DBImpl::DBImpl(std::string dir, const Options& options, io::FileSystem* fs,
               std::unique_ptr<io::FileSystem> owned_fs)
    : dir_(std::move(dir)),
      options_(options),
      owned_fs_(std::move(owned_fs)),
      fs_(fs),
      logger_(options.logger ? options.logger : NewStderrLogger()),
      id_generator_(std::random_device{}()),
      operation_metrics_(options.metrics_enabled) {}

Status DBImpl::Poison(const Status& cause) {
  std::string message;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (!poisoned_.ok()) return cause;
    // The refusal keeps the failure's errno (EIO when it had none), which makes it
    // critical: docs/errors.md.
    poisoned_ = Status(StatusCode::kFailedPrecondition,
                       "database " + dir_ +
                           " refuses writes after an I/O failure (reopen it to recover from "
                           "the WAL): " +
                           cause.ToString(),
                       cause.sys_errno() != 0 ? cause.sys_errno() : EIO);
    message = std::string(poisoned_.message());
  }
  // Logged once: later failures are this one's echoes.
  logger_->Log(LogLevel::kError, "critical", message);
  return cause;
}

Status DBImpl::WalAppendFailed(const Status& cause) {
  if (cause.code() == StatusCode::kNoSpace || cause.code() == StatusCode::kInvalidArgument) {
    return cause;
  }
  return Poison(cause);
}

Status DBImpl::RevokeLogged(uint64_t first_lsn, uint64_t last_lsn, const Status& cause) {
  // A critical failure stops writes; reopening replays the records (the outcome of a
  // write that met EIO is unknown to its caller, as after any I/O error).
  if (cause.error_class() == ErrorClass::kCritical) return Poison(cause);
  io::WalOp op;
  op.kind = io::WalOp::Kind::kAbort;
  op.first_lsn = first_lsn;
  op.last_lsn = last_lsn;
  const io::WalPayload payload = io::EncodeWalPayload({&op, 1});
  Status revoked = wal_->Append(payload.type, payload.bytes).status();
  // Outside sync mode the abort must be durable before the writes are answered as failed.
  if (revoked.ok() && options_.durability != Durability::kSync) revoked = wal_->Sync();
  if (!revoked.ok()) {
    // Then the records stand in the WAL, and a reopen applies them: writes stop until it,
    // and the caller is told that the outcome is unknown, as for any critical failure
    // (docs/errors.md), not that it may simply try again.
    Poison(revoked.WithContext("revoking WAL records " + std::to_string(first_lsn) + "-" +
                               std::to_string(last_lsn) + " after " + cause.ToString()))
        .IgnoreError();  // the refusal below names it
    return CheckWritable().WithContext(
        "the write could be neither applied nor revoked; reopening the database applies it");
  }
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    writes_revoked_ += last_lsn - first_lsn + 1;
    revoked_.push_back({first_lsn, last_lsn});
  }
  logger_->Log(LogLevel::kWarning, "writes_revoked",
               "database " + dir_ + " revoked WAL records " + std::to_string(first_lsn) + "-" +
                   std::to_string(last_lsn) + " that it could not apply: " + cause.ToString());
  return cause;
}

Status DBImpl::CheckWritable() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return poisoned_;
}

// ---- Collections ------------------------------------------------------------------------

Status DBImpl::CreateCollection(std::string_view name) {
  return Measured(Operation::kCreateCollection, [&]() -> Status {
    DOCDB_RETURN_IF_ERROR(ValidateCollectionName(name));
    // Exclusive: no write may resolve a collection name while the catalog changes, so that
    // the WAL orders every document write after the creation or drop it depends on.
    std::unique_lock<WriterFirstSharedMutex> commit(commit_mu_);
    DOCDB_RETURN_IF_ERROR(CheckWritable());
    if (catalog_.Find(name).ok()) {
      return Status::AlreadyExists("collection '" + std::string(name) + "' already exists");
    }
    const io::WalOp op{io::WalOp::Kind::kCreateCollection, name, "", ""};
    const io::WalPayload payload = io::EncodeWalPayload({&op, 1});
    const Result<uint64_t> lsn = wal_->Append(payload.type, payload.bytes);
    if (!lsn.ok()) return WalAppendFailed(lsn.status());
    return catalog_.Create(name, *lsn);
  });
}

Status DBImpl::DropCollection(std::string_view name, bool force) {
  return Measured(Operation::kDropCollection, [&]() -> Status {
    DOCDB_RETURN_IF_ERROR(ValidateCollectionName(name));
    if (name == kDefaultCollection) {
      return Status::InvalidArgument("the 'default' collection cannot be dropped");
    }
    std::unique_lock<WriterFirstSharedMutex> commit(commit_mu_);
    DOCDB_RETURN_IF_ERROR(CheckWritable());
    DOCDB_ASSIGN_OR_RETURN(const uint64_t count, catalog_.Count(name));
    if (count > 0 && !force) {
      return Status::FailedPrecondition("collection '" + std::string(name) + "' holds " +
                                        std::to_string(count) +
                                        " documents; drop it with force to delete them");
    }
    const io::WalOp op{io::WalOp::Kind::kDropCollection, name, "", ""};
    const io::WalPayload payload = io::EncodeWalPayload({&op, 1});
    if (const Status logged = wal_->Append(payload.type, payload.bytes).status(); !logged.ok()) {
      return WalAppendFailed(logged);
    }
    return ForgetCollection(name);
  });
}

Status DBImpl::ForgetCollection(std::string_view name) {
  DOCDB_ASSIGN_OR_RETURN(const uint64_t id, catalog_.Drop(name));
  overlay_.EraseRange(CollectionKeyPrefix(id), CollectionKeyEnd(id));
  segments_->ReleaseCollection(id);
  return Status::OK();
}

Result<std::vector<CollectionInfo>> DBImpl::ListCollections() {
  std::vector<CollectionInfo> out;
  for (const index::CollectionRecord& c : catalog_.Snapshot()) {
    out.push_back({c.name, c.document_count});
  }
  return out;
}

// ---- Writes -----------------------------------------------------------------------------

Result<uint64_t> DBImpl::Insert(std::string_view collection, std::string_view id,
                                std::string_view json) {
  return Measured(Operation::kInsert, [&]() -> Result<uint64_t> {
    return CommitOne(ValidWriteOf(WriteBatch::OpKind::kInsert, collection, id, json, std::nullopt));
  });
}

Result<Document> DBImpl::InsertNew(std::string_view collection, std::string_view json) {
  std::string id = GenerateDocumentId();
  DOCDB_ASSIGN_OR_RETURN(const uint64_t version, Insert(collection, id, json));
  return Document{std::move(id), "", version};
}

std::string DBImpl::GenerateDocumentId() { return id_generator_.Next(); }

Result<uint64_t> DBImpl::Put(std::string_view collection, std::string_view id,
                             std::string_view json, const WriteOptions& options) {
  return Measured(Operation::kPut, [&]() -> Result<uint64_t> {
    return CommitOne(
        ValidWriteOf(WriteBatch::OpKind::kPut, collection, id, json, options.expected_version));
  });
}

Result<uint64_t> DBImpl::Update(std::string_view collection, std::string_view id,
                                std::string_view json, const WriteOptions& options) {
  return Measured(Operation::kUpdate, [&]() -> Result<uint64_t> {
    return CommitOne(
        ValidWriteOf(WriteBatch::OpKind::kUpdate, collection, id, json, options.expected_version));
  });
}

Result<uint64_t> DBImpl::Delete(std::string_view collection, std::string_view id,
                                const WriteOptions& options) {
  return Measured(Operation::kDelete, [&]() -> Result<uint64_t> {
    return CommitOne(
        ValidWriteOf(WriteBatch::OpKind::kDelete, collection, id, "", options.expected_version));
  });
}

Result<uint64_t> DBImpl::Patch(std::string_view collection, std::string_view id,
                               std::string_view patch_json, const WriteOptions& options) {
  return Measured(Operation::kPatch, [&]() -> Result<uint64_t> {
    return CommitOne(ValidWriteOf(WriteBatch::OpKind::kPatch, collection, id, patch_json,
                                  options.expected_version));
  });
}

Result<uint64_t> DBImpl::MergePatch(std::string_view collection, std::string_view id,
                                    std::string_view merge_patch_json,
                                    const WriteOptions& options) {
  return Measured(Operation::kMerge, [&]() -> Result<uint64_t> {
    return CommitOne(ValidWriteOf(WriteBatch::OpKind::kMergePatch, collection, id, merge_patch_json,
                                  options.expected_version));
  });
}

Status DBImpl::Write(const WriteBatch& batch) {
  if (batch.empty()) return Status::OK();
  return Measured(OperationOfBatch(batch), [&]() -> Status {
    Result<std::vector<PendingWrite>> writes = ValidateBatch(batch);
    if (!writes.ok()) return Noted(writes.status());
    return Noted(Commit(std::move(*writes)).status());
  });
}

Result<DBImpl::PendingWrite> DBImpl::ValidWriteOf(WriteBatch::OpKind kind,
                                                  std::string_view collection, std::string_view id,
                                                  std::string_view json,
                                                  std::optional<uint64_t> expected_version) const {
  DOCDB_RETURN_IF_ERROR(ValidateCollectionName(collection));
  DOCDB_RETURN_IF_ERROR(ValidateDocumentId(id));
  using Kind = WriteBatch::OpKind;
  const Precondition precondition = kind == Kind::kPut      ? Precondition::kNone
                                    : kind == Kind::kInsert ? Precondition::kMustNotExist
                                                            : Precondition::kMustExist;
  PendingWrite write(kind == Kind::kDelete ? io::WalOp::Kind::kDelete : io::WalOp::Kind::kPut,
                     collection, id, expected_version, precondition);
  // A patch's body is made later, from the current document, and checked by the patch.
  if (kind == Kind::kPatch) {
    write.transform = [patch = std::string(json), limits = Limits()](std::string_view current) {
      return json::ApplyJsonPatch(current, patch, limits);
    };
  } else if (kind == Kind::kMergePatch) {
    write.transform = [patch = std::string(json), limits = Limits()](std::string_view current) {
      return json::ApplyJsonMergePatch(current, patch, limits);
    };
  } else if (kind != Kind::kDelete) {
    DOCDB_ASSIGN_OR_RETURN(write.body, json::ValidateAndMinifyJson(json, Limits()));
  }
  return write;
}

Result<std::vector<DBImpl::PendingWrite>> DBImpl::ValidateBatch(const WriteBatch& batch) const {
  std::vector<PendingWrite> writes;
  writes.reserve(batch.size());
  for (const WriteBatch::Op& op : batch.ops()) {
    Result<PendingWrite> write =
        ValidWriteOf(op.kind, op.collection, op.id, op.json, op.expected_version);
    if (!write.ok()) {
      return batch.size() == 1
                 ? write.status()
                 : write.status().WithContext("operation " + std::to_string(writes.size()));
    }
    writes.push_back(*std::move(write));
  }
  return writes;
}

Result<uint64_t> DBImpl::CommitOne(Result<PendingWrite> write) {
  if (!write.ok()) return Noted(write.status());
  std::vector<PendingWrite> writes;
  writes.push_back(*std::move(write));
  return Noted(Commit(std::move(writes)));
}

json::JsonLimits DBImpl::Limits() const {
  json::JsonLimits limits;
  limits.max_bytes = options_.max_document_bytes;
  limits.max_depth = options_.max_nesting_depth;
  return limits;
}

Result<DBImpl::Current> DBImpl::Lookup(std::string_view key) const {
  if (std::optional<OverlayEntry> entry = overlay_.Find(key)) return IndexLocationOf(*entry);
  return index_->Get(key);
}

Status DBImpl::CheckPreconditions(std::vector<PendingWrite>& writes,
                                  std::vector<int64_t>* count_deltas, GroupState* group) {
  // Existence checks and patches see the effect of earlier operations of the batch (and of
  // earlier batches of the group) on the same document; expected versions are checked
  // against the state before the batch.
  struct DocState {
    Current before;
    bool exists = false;
    // The body an earlier write of this batch or group left, which is in no segment yet;
    // null when the document is as `before` says.
    const std::string* body = nullptr;
    const PendingWrite* writer = nullptr;  // that earlier write
  };
  // Keyed by views of the writes' keys, which stay where they are while the batch lives.
  std::map<std::string_view, DocState> state;
  for (size_t i = 0; i < writes.size(); ++i) {
    PendingWrite& w = writes[i];
    DOCDB_ASSIGN_OR_RETURN(w.collection_id, catalog_.Find(w.collection));
    w.key = DocumentKey(w.collection_id, w.id);
    auto it = state.find(w.key);
    if (it == state.end()) {
      DocState first;
      const auto earlier = group != nullptr ? group->find(w.key) : GroupState::iterator();
      if (group != nullptr && earlier != group->end()) {
        const GroupDoc& g = earlier->second;
        if (g.exists) first.before = index::DocLocation{0, 0, 0, kVersionNotYetKnown};
        first.exists = g.exists;
        first.body = g.body;
        first.writer = g.writer;
      } else {
        DOCDB_ASSIGN_OR_RETURN(first.before, Lookup(w.key));
        first.exists = first.before.has_value();
      }
      it = state.emplace(w.key, first).first;
    }
    DocState& doc = it->second;
    // Built only for an error: most writes pass.
    const auto what = [&] {
      return OpLabel(i, writes.size()) + "document '" + w.collection + "/" + w.id + "'";
    };
    if (w.expected_version) {
      const uint64_t actual = doc.before ? doc.before->version : 0;
      if (actual == kVersionNotYetKnown) {
        return Status::Conflict(what() +
                                " is written by an earlier batch of the same commit group, "
                                "whose version nobody has been told yet");
      }
      if (actual != *w.expected_version) {
        return Status::Conflict(what() + " has version " + std::to_string(actual) + ", expected " +
                                std::to_string(*w.expected_version));
      }
    }
    if (w.precondition == Precondition::kMustExist && !doc.exists) {
      return Status::NotFound(what() + " does not exist");
    }
    if (w.precondition == Precondition::kMustNotExist && doc.exists) {
      return Status::AlreadyExists(what() + " already exists");
    }
    if (w.transform) {
      Result<std::string> patched = Status::Internal("not patched");
      if (doc.body != nullptr) {
        patched = w.transform(*doc.body);
      } else {
        DOCDB_ASSIGN_OR_RETURN(const Document current,
                               ReadDocument(w.collection, w.id, *doc.before));
        patched = w.transform(current.json);
      }
      if (!patched.ok()) {
        return writes.size() == 1 ? patched.status() : patched.status().WithContext(what());
      }
      w.body = *std::move(patched);
    }
    const bool exists_after = w.kind == io::WalOp::Kind::kPut;
    count_deltas->push_back(static_cast<int64_t>(exists_after) - static_cast<int64_t>(doc.exists));
    if (doc.writer != nullptr) {
      w.previous_write = doc.writer;
    } else {
      w.previous = doc.before;
    }
    doc.exists = exists_after;
    doc.body = exists_after ? &w.body : nullptr;
    doc.writer = &w;
  }
  if (group != nullptr) {
    // Later batches of the group see these writes, with a version nobody can know yet.
    for (const auto& [key, doc] : state) {
      (*group)[key] = GroupDoc{doc.exists, doc.body, doc.writer};
    }
  }
  return Status::OK();
}

size_t DBImpl::StripeOf(std::string_view collection, std::string_view id) const {
  // Any spread of (collection, id) serves, as long as it stays the same while the process
  // runs; the two hashes are combined so that no name has to be built.
  const size_t c = std::hash<std::string_view>{}(collection);
  const size_t i = std::hash<std::string_view>{}(id);
  return (i ^ (c + 0x9E3779B97F4A7C15ull + (i << 6) + (i >> 2))) % key_locks_.size();
}

std::vector<std::unique_lock<std::mutex>> DBImpl::LockStripes(
    std::span<const std::vector<PendingWrite>* const> writes) {
  // In stripe order, so that writers taking several cannot deadlock.
  std::bitset<kStripes> stripes;
  for (const std::vector<PendingWrite>* batch : writes) {
    for (const PendingWrite& w : *batch) stripes.set(StripeOf(w));
  }
  std::vector<std::unique_lock<std::mutex>> held;
  held.reserve(stripes.count());
  for (size_t s = 0; s < kStripes; ++s) {
    if (stripes.test(s)) held.emplace_back(key_locks_[s]);
  }
  return held;
}

Result<uint64_t> DBImpl::Commit(std::vector<PendingWrite> writes) {
  const std::vector<PendingWrite>* batches[] = {&writes};
  const std::vector<std::unique_lock<std::mutex>> held = LockStripes(batches);
  std::shared_lock<WriterFirstSharedMutex> commit(commit_mu_);
  DOCDB_RETURN_IF_ERROR(CheckWritable());

  std::vector<int64_t> count_deltas;
  DOCDB_RETURN_IF_ERROR(CheckPreconditions(writes, &count_deltas));
  const io::WalPayload payload = EncodeWrites(writes);
  const Result<uint64_t> lsn = wal_->Append(payload.type, payload.bytes);
  if (!lsn.ok()) return WalAppendFailed(lsn.status());
  // The write is durable in the WAL from here on: one that cannot be applied is revoked
  // in the WAL before it is answered, or later writes would be answered against a state
  // that a reopen would change. Under the commit lock, so that no checkpoint comes between.
  if (Status applied = ApplyWrites(writes, *lsn, count_deltas); !applied.ok()) {
    return RevokeLogged(*lsn, *lsn, applied);
  }
  MaybeScheduleCheckpoint(payload.bytes.size());
  return *lsn;
}

io::WalPayload DBImpl::EncodeWrites(const std::vector<PendingWrite>& writes) {
  std::vector<io::WalOp> ops;
  ops.reserve(writes.size());
  for (const PendingWrite& w : writes) ops.push_back({w.kind, w.collection, w.id, w.body});
  return io::EncodeWalPayload(ops);
}

Status DBImpl::ApplyWrites(std::vector<PendingWrite>& writes, uint64_t lsn,
                           const std::vector<int64_t>& count_deltas) {
  // A document the batch writes more than once gets one record, of what its last write
  // left: all of a batch's records share its LSN, and an index rebuilt from the segments
  // must not have to tell two records of one document and one LSN apart.
  if (writes.size() > 1) {
    std::set<std::string_view> seen;
    for (size_t i = writes.size(); i-- > 0;) {
      writes[i].shadowed = !seen.insert(writes[i].key).second;
    }
  }
  // Every record is appended before anything is published, so that a failure leaves the
  // overlay, the counts and the superseded records as they were; what was appended
  // becomes dead bytes.
  for (size_t i = 0; i < writes.size(); ++i) {
    PendingWrite& w = writes[i];
    if (w.shadowed) continue;
    io::SegmentRecord record;
    record.kind = w.kind == io::WalOp::Kind::kPut ? io::SegmentRecordKind::kDocument
                                                  : io::SegmentRecordKind::kTombstone;
    record.lsn = lsn;
    record.collection = w.collection;
    record.id = w.id;
    record.body = w.body;
    Result<io::SegmentLocation> location = AppendToSegment(record, w.collection_id);
    if (!location.ok()) {
      for (size_t j = 0; j < i; ++j) {
        if (writes[j].location) segments_->Release(*writes[j].location, writes[j].collection_id);
        writes[j].location.reset();
      }
      return location.status();
    }
    // A tombstone's record is no document's location.
    if (w.kind == io::WalOp::Kind::kPut) w.location = *location;
  }
  std::vector<Overlay::Update> updates;
  updates.reserve(writes.size());
  for (size_t i = 0; i < writes.size(); ++i) {
    PendingWrite& w = writes[i];
    if (w.shadowed) continue;
    updates.emplace_back(w.key, OverlayEntry{w.location, lsn});
    // What this batch's first write of the document superseded: the committed record, or
    // the record an earlier batch of the commit group wrote.
    const PendingWrite* first = &w;
    while (first->previous_write != nullptr && first->previous_write->shadowed) {
      first = first->previous_write;
    }
    const std::optional<io::SegmentLocation> superseded =
        first->previous_write != nullptr ? first->previous_write->location
        : first->previous                ? std::optional(ToSegmentLocation(*first->previous))
                                         : std::nullopt;
    if (superseded) segments_->Release(*superseded, w.collection_id);
  }
  overlay_.Apply(updates);
  for (size_t i = 0; i < writes.size(); ++i) {
    if (count_deltas[i] != 0) catalog_.AdjustCount(writes[i].collection_id, count_deltas[i]);
  }
  return Status::OK();
}

Result<io::SegmentLocation> DBImpl::AppendToSegment(const io::SegmentRecord& record,
                                                    uint64_t collection_id, bool kept) {
  // Safe to repeat: a failed append leaves the segment's length where it was, so the
  // next attempt writes at the same offset (or begins the same next segment).
  io::SegmentLocation location;
  const Status appended = RetryTransient(
      options_.retry,
      [&] {
        Result<io::SegmentLocation> attempt = segments_->Append(record, collection_id, kept);
        if (!attempt.ok()) return std::move(attempt).status();
        location = *attempt;
        return Status::OK();
      },
      &retries_);
  if (!appended.ok()) return appended;
  return location;
}

// ---- Reads ------------------------------------------------------------------------------

Result<Document> DBImpl::ReadDocument(std::string_view collection, std::string_view id,
                                      const index::DocLocation& location) const {
  // One buffer per thread, kept between reads, so that a read allocates only the document
  // it returns; one grown by a large record is given back.
  thread_local io::SegmentReadBuffer buffer;
  struct ShrinkAfterRead {
    ~ShrinkAfterRead() {
      if (buffer.capacity() > kMaxKeptReadBufferBytes) io::SegmentReadBuffer().swap(buffer);
    }
  } shrink;
  Result<io::SegmentRecord> record = segments_->Read(ToSegmentLocation(location), &buffer);
  // Built only on an error: this is the read path.
  const auto what = [&] {
    return "document '" + std::string(collection) + "/" + std::string(id) + "'";
  };
  if (!record.ok()) return record.status().WithContext(what());
  // The checksum was good; the record must also be the one the index points at.
  if (record->kind != io::SegmentRecordKind::kDocument || record->collection != collection ||
      record->id != id || record->lsn != location.version) {
    return Status::Corruption(what() + ": the index points at a record of '" +
                              std::string(record->collection) + "/" + std::string(record->id) +
                              "' version " + std::to_string(record->lsn));
  }
  return Document{std::string(id), std::string(record->body), location.version};
}

Result<Document> DBImpl::Get(std::string_view collection, std::string_view id) {
  return Measured(Operation::kGet, [&]() -> Result<Document> {
    DOCDB_RETURN_IF_ERROR(ValidateCollectionName(collection));
    DOCDB_RETURN_IF_ERROR(ValidateDocumentId(id));
    DOCDB_ASSIGN_OR_RETURN(const uint64_t collection_id, catalog_.Find(collection));
    Result<Document> doc = [&]() -> Result<Document> {
      const auto pin = segments_->Pin();  // until the document is read
      DOCDB_ASSIGN_OR_RETURN(const Current current,
                             Lookup(DocumentKeyBuffer(collection_id, id).view()));
      if (!current) {
        return Status::NotFound("document '" + std::string(collection) + "/" + std::string(id) +
                                "' does not exist");
      }
      return ReadDocument(collection, id, *current);
    }();
    if (doc.ok() || doc.status().code() == StatusCode::kNotFound) return doc;  // docs/errors.md
    if (doc.status().code() != StatusCode::kCorruption) return Noted(std::move(doc));
    // Healed without the pin, which a checkpoint removing segments may be waiting for.
    return HealAfterRead(collection, id);
  });
}

Result<bool> DBImpl::Exists(std::string_view collection, std::string_view id) {
  return Measured(Operation::kExists, [&]() -> Result<bool> {
    DOCDB_RETURN_IF_ERROR(ValidateCollectionName(collection));
    DOCDB_RETURN_IF_ERROR(ValidateDocumentId(id));
    DOCDB_ASSIGN_OR_RETURN(const uint64_t collection_id, catalog_.Find(collection));
    DOCDB_ASSIGN_OR_RETURN(const Current current,
                           Lookup(DocumentKeyBuffer(collection_id, id).view()));
    return current.has_value();
  });
}

Result<uint64_t> DBImpl::Count(std::string_view collection) {
  return Measured(Operation::kCount, [&]() -> Result<uint64_t> {
    DOCDB_RETURN_IF_ERROR(ValidateCollectionName(collection));
    return catalog_.Count(collection);
  });
}

Result<std::vector<Document>> DBImpl::Scan(std::string_view collection,
                                           const ScanOptions& options) {
  return Measured(Operation::kScan, [&]() -> Result<std::vector<Document>> {
    DOCDB_RETURN_IF_ERROR(ValidateCollectionName(collection));
    DOCDB_ASSIGN_OR_RETURN(const uint64_t collection_id, catalog_.Find(collection));
    std::vector<Document> out;
    std::vector<size_t> damaged;  // indices into out
    {
      const auto pin = segments_->Pin();  // until the documents are read
      DOCDB_ASSIGN_OR_RETURN(
          const auto found,
          CollectLocations(collection_id, options.start, options.end, options.prefix,
                           options.limit == 0 ? UINT64_MAX : options.limit));
      out.reserve(found.size());
      for (const auto& [id, location] : found) {
        Result<Document> doc = ReadDocument(collection, id, location);
        if (!doc.ok() && doc.status().code() != StatusCode::kCorruption) return Noted(doc.status());
        if (!doc.ok()) damaged.push_back(out.size());
        out.push_back(doc.ok() ? *std::move(doc) : Document{id, "", location.version});
      }
    }
    // Healed without the pin, which a checkpoint removing segments may be waiting for.
    if (damaged.empty()) return out;
    std::vector<bool> deleted(out.size());  // since the scan found them damaged
    for (size_t i : damaged) {
      Result<Document> healed = HealAfterRead(collection, out[i].id);
      deleted[i] = healed.status().code() == StatusCode::kNotFound;
      if (!healed.ok() && !deleted[i]) return healed.status();
      if (healed.ok()) out[i] = *std::move(healed);
    }
    std::vector<Document> found;
    found.reserve(out.size());
    for (size_t i = 0; i < out.size(); ++i) {
      if (!deleted[i]) found.push_back(std::move(out[i]));
    }
    return found;
  });
}

Result<std::vector<std::pair<std::string, index::DocLocation>>> DBImpl::CollectLocations(
    uint64_t collection_id, std::string_view start_id, std::string_view end_id,
    std::string_view prefix, uint64_t limit) {
  std::vector<std::pair<std::string, index::DocLocation>> found;
  // IDs below the prefix cannot start with it; a range that ends before it begins is empty.
  const std::string_view first_id = std::max(start_id, prefix);
  if (!end_id.empty() && end_id <= first_id) return found;
  const std::string start = DocumentKey(collection_id, first_id);
  const std::string end =
      end_id.empty() ? CollectionKeyEnd(collection_id) : DocumentKey(collection_id, end_id);

  // The overlay's entries and the index snapshot are taken together, so that the scan
  // sees one state: a checkpoint committing in between would otherwise make part of a
  // batch come from the old overlay and the rest from the newer index.
  Result<std::unique_ptr<index::IndexSnapshot>> opened = Status::Internal("no index snapshot");
  const Overlay::Range recent =
      overlay_.CollectRange(start, end, static_cast<size_t>(std::min<uint64_t>(limit, SIZE_MAX)),
                            [&] { opened = index_->OpenSnapshot(); });
  if (scan_hook_for_testing_) scan_hook_for_testing_();
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<index::IndexSnapshot> snapshot, std::move(opened));

  // Merge the overlay (newer) with the index in key order.
  auto next_recent = recent.begin();
  bool past_prefix = false;
  auto take = [&](std::string_view key, const std::optional<index::DocLocation>& loc) {
    if (!DocumentIdOfKey(key).starts_with(prefix)) {
      past_prefix = true;
      return;
    }
    if (loc) found.emplace_back(std::string(DocumentIdOfKey(key)), *loc);
  };
  auto take_recent = [&](const Overlay::Range::const_iterator& it) {
    take(it->first, IndexLocationOf(it->second));
  };
  const auto done = [&] { return found.size() >= limit || past_prefix; };
  DOCDB_RETURN_IF_ERROR(
      snapshot->Scan(start, end, [&](std::string_view key, const index::DocLocation& loc) {
        while (!done() && next_recent != recent.end() && next_recent->first < key)
          take_recent(next_recent++);
        if (done()) return false;
        if (next_recent != recent.end() && next_recent->first == key) {
          take_recent(next_recent++);
        } else {
          take(key, loc);
        }
        return !done();
      }));
  while (!done() && next_recent != recent.end()) take_recent(next_recent++);
  return found;
}

}  // namespace docdb::engine

namespace docdb {

Result<RebuildReport> DB::RebuildIndex(const std::string& dir, bool accept_damage,
                                       const ProgressCallback& progress) {
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<io::FileSystem> fs, io::NewFileSystem());
  return engine::RebuildIndex(dir, accept_damage, progress, fs.get());
}

Result<std::unique_ptr<DB>> DB::Open(const std::string& dir, const Options& options) {
  io::IoBackend backend = io::IoBackend::kAuto;
  if (options.io_backend == IoBackend::kUring) backend = io::IoBackend::kUring;
  if (options.io_backend == IoBackend::kPosix) backend = io::IoBackend::kPosix;
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<io::FileSystem> fs, io::NewFileSystem(backend));
  io::FileSystem* raw = fs.get();
  auto db = std::make_unique<engine::DBImpl>(dir, options, raw, std::move(fs));
  DOCDB_RETURN_IF_ERROR(db->Recover());
  return std::unique_ptr<DB>(std::move(db));
}

}  // namespace docdb
