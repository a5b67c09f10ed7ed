// Opening (recovery), checkpoints and closing of DBImpl (engine/db_impl.h,
// docs/recovery.md).
#include <algorithm>

#include "common/status_macros.h"
#include "engine/db_impl.h"
#include "io/file_names.h"
#include "io/wal_reader.h"

namespace docdb::engine {
namespace {

io::WalRecoveryMode ToWalRecoveryMode(RecoveryMode mode) {
  return mode == RecoveryMode::kAbsolute ? io::WalRecoveryMode::kAbsolute
                                         : io::WalRecoveryMode::kTolerateTornTail;
}

io::WalSyncMode ToWalSyncMode(Durability durability) {
  switch (durability) {
    case Durability::kSync:
      return io::WalSyncMode::kSync;
    case Durability::kPeriodic:
      return io::WalSyncMode::kPeriodic;
    case Durability::kNone:
      return io::WalSyncMode::kNone;
  }
  return io::WalSyncMode::kSync;
}

}  // namespace

Status DBImpl::Recover() {
  DOCDB_ASSIGN_OR_RETURN(const bool exists, fs_->FileExists(dir_));
  if (!exists && !options_.create_if_missing) {
    return Status::NotFound("database " + dir_ + " does not exist");
  }
  DOCDB_RETURN_IF_ERROR(fs_->CreateDir(dir_));
  DOCDB_RETURN_IF_ERROR(fs_->SyncDir(io::DirName(dir_)));
  Result<std::unique_ptr<io::FileLock>> lock = fs_->LockFile(io::LockFilePath(dir_));
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kBusy) {
      return Status::Busy("database " + dir_ + " is open in another process or DB object");
    }
    return lock.status();
  }
  lock_ = std::move(*lock);

  // The index is a consistent snapshot as of checkpoint LSN C.
  const std::string index_dir = io::IndexDirPath(dir_);
  DOCDB_RETURN_IF_ERROR(fs_->CreateDir(index_dir));
  DOCDB_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  DOCDB_ASSIGN_OR_RETURN(index_, index::LmdbIndex::Open(index_dir));
  DOCDB_ASSIGN_OR_RETURN(const index::CheckpointMeta meta, index_->ReadMeta());
  DOCDB_ASSIGN_OR_RETURN(const std::vector<index::CollectionRecord> collections,
                         index_->ReadCollections());
  catalog_.Load(collections);
  checkpoint_lsn_ = meta.checkpoint_lsn;

  // Data segments go back to their lengths at C; what came later is replayed.
  std::vector<io::SegmentExtent> extents;
  for (const index::SegmentLength& s : meta.segments) {
    extents.push_back({s.segment, s.length_bytes});
  }
  DOCDB_ASSIGN_OR_RETURN(segments_, io::SegmentStore::Open(fs_, io::DataDirPath(dir_), extents,
                                                           options_.data_segment_size_bytes));

  const std::string wal_dir = io::WalDirPath(dir_);
  io::WalReaderOptions reader_options;
  reader_options.mode = ToWalRecoveryMode(options_.recovery_mode);
  reader_options.start_lsn = meta.checkpoint_lsn + 1;
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<io::WalReader> reader,
                         io::WalReader::OpenDir(fs_, wal_dir, reader_options));
  io::WalRecord record;
  for (;;) {
    Result<bool> more = reader->Next(&record);
    if (!more.ok()) return more.status().WithContext("recovering " + dir_);
    if (!*more) break;
    DOCDB_RETURN_IF_ERROR(ReplayRecord(record).WithContext(
        "replaying WAL record LSN " + std::to_string(record.lsn) + " into " + dir_));
  }
  if (reader->end().last_lsn < meta.checkpoint_lsn) {
    return Status::Corruption("the WAL of " + dir_ + " ends at LSN " +
                              std::to_string(reader->end().last_lsn) +
                              " but the index was checkpointed at LSN " +
                              std::to_string(meta.checkpoint_lsn) + ": WAL segments are missing");
  }

  io::WalWriterOptions wal_options;
  wal_options.sync_mode = ToWalSyncMode(options_.durability);
  wal_options.periodic_sync_interval_ms = options_.periodic_sync_interval_ms;
  wal_options.segment_size_bytes = options_.wal_segment_size_bytes;
  DOCDB_ASSIGN_OR_RETURN(wal_, io::WalWriter::Open(fs_, wal_dir, wal_options, reader->end()));
  background_ = std::thread([this] { RunBackgroundCheckpoints(); });
  return Status::OK();
}

Status DBImpl::ReplayRecord(const io::WalRecord& record) {
  std::vector<io::WalOp> ops;
  DOCDB_RETURN_IF_ERROR(io::DecodeWalPayload(record.type, record.payload, &ops));
  if (ops.size() == 1 && ops[0].kind == io::WalOp::Kind::kCreateCollection) {
    return catalog_.Create(ops[0].collection, record.lsn);
  }
  if (ops.size() == 1 && ops[0].kind == io::WalOp::Kind::kDropCollection) {
    DOCDB_ASSIGN_OR_RETURN(const uint64_t id, catalog_.Drop(ops[0].collection));
    overlay_.EraseRange(CollectionKeyPrefix(id), CollectionKeyEnd(id));
    return Status::OK();
  }
  // Bodies in the WAL were validated and minified before they were logged: replay never
  // validates again, it only puts each write back where it was.
  std::vector<PendingWrite> writes;
  std::vector<int64_t> count_deltas;
  for (const io::WalOp& op : ops) {
    PendingWrite w;
    w.kind = op.kind;
    w.collection = op.collection;
    w.id = op.id;
    w.body = op.body;
    DOCDB_ASSIGN_OR_RETURN(w.collection_id, catalog_.Find(w.collection));
    w.key = DocumentKey(w.collection_id, w.id);
    writes.push_back(std::move(w));
  }
  DOCDB_RETURN_IF_ERROR(CheckPreconditions(writes, &count_deltas));
  return ApplyWrites(writes, record.lsn, count_deltas);
}

void DBImpl::MaybeScheduleCheckpoint(uint64_t wal_bytes) {
  const uint64_t total = wal_bytes_since_checkpoint_.fetch_add(wal_bytes) + wal_bytes;
  if (total < options_.checkpoint_interval_bytes) return;
  {
    std::lock_guard<std::mutex> lock(background_mu_);
    checkpoint_wanted_ = true;
  }
  background_cv_.notify_one();
}

void DBImpl::RunBackgroundCheckpoints() {
  std::unique_lock<std::mutex> lock(background_mu_);
  for (;;) {
    background_cv_.wait(lock, [&] { return checkpoint_wanted_ || stopping_; });
    if (stopping_) return;
    checkpoint_wanted_ = false;
    lock.unlock();
    // A failure poisons the database, and every later write reports it.
    RunCheckpoint().IgnoreError();
    lock.lock();
  }
}

Status DBImpl::Checkpoint() {
  DOCDB_RETURN_IF_ERROR(CheckWritable());
  return RunCheckpoint();
}

Status DBImpl::RunCheckpoint() {
  std::lock_guard<std::mutex> one_at_a_time(checkpoint_mu_);
  std::shared_ptr<const Overlay::Table> frozen;
  index::CheckpointMeta meta;
  std::vector<index::CollectionRecord> collections;
  std::vector<std::string> purged;
  {
    // With every write between its precondition check and its overlay update held off,
    // the frozen table, the segment lengths and the catalog all describe LSN C exactly.
    std::unique_lock<std::shared_mutex> commit(commit_mu_);
    DOCDB_RETURN_IF_ERROR(CheckWritable());
    meta.checkpoint_lsn = wal_->stats().last_lsn;
    if (meta.checkpoint_lsn == checkpoint_lsn_) return Status::OK();
    if (meta.checkpoint_lsn < checkpoint_lsn_) {
      return Status::Internal("checkpoint LSN would go back from " +
                              std::to_string(checkpoint_lsn_) + " to " +
                              std::to_string(meta.checkpoint_lsn));
    }
    frozen = overlay_.Freeze();
    for (const io::SegmentExtent& e : segments_->Extents()) {
      meta.segments.push_back({e.segment, e.length_bytes});
    }
    collections = catalog_.Snapshot();
    for (uint64_t id : catalog_.TakeDropped()) purged.push_back(CollectionKeyPrefix(id));
    wal_bytes_since_checkpoint_ = 0;
  }
  // Segment bytes must be durable before the index points at them.
  Status status = segments_->SyncAll();
  if (status.ok()) {
    std::vector<index::IndexChange> changes;
    changes.reserve(frozen->size());
    for (const auto& [key, entry] : *frozen) changes.push_back({key, IndexLocationOf(entry)});
    status = index_->ApplyCheckpoint(changes, purged, collections, meta);
  }
  if (!status.ok()) {
    // The frozen table stays readable, so no write is lost to readers; recovery from
    // the WAL after a reopen redoes the checkpoint.
    return Poison(status.WithContext("checkpoint at LSN " + std::to_string(meta.checkpoint_lsn)));
  }
  overlay_.DropFrozen();
  std::lock_guard<std::mutex> lock(state_mu_);
  checkpoint_lsn_ = meta.checkpoint_lsn;
  ++checkpoints_;
  return Status::OK();
}

Result<Stats> DBImpl::GetStats() {
  Stats stats;
  for (const index::CollectionRecord& c : catalog_.Snapshot()) {
    ++stats.collections;
    stats.documents += c.document_count;
  }
  const io::WalWriterStats wal = wal_->stats();
  stats.last_lsn = wal.last_lsn;
  stats.wal_bytes = wal.bytes;
  stats.wal_syncs = wal.syncs;
  stats.wal_group_commits = wal.group_commits;
  stats.overlay_entries = overlay_.size();
  stats.io_backend = std::string(fs_->name());
  std::lock_guard<std::mutex> lock(state_mu_);
  stats.checkpoint_lsn = checkpoint_lsn_;
  stats.checkpoints = checkpoints_;
  return stats;
}

DBImpl::~DBImpl() {
  if (background_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(background_mu_);
      stopping_ = true;
    }
    background_cv_.notify_one();
    background_.join();
  }
  if (wal_) {
    // A clean shutdown checkpoints so that the next open replays nothing. Failures here
    // cannot be reported; the WAL still holds every acknowledged write.
    if (options_.checkpoint_on_close && CheckWritable().ok()) RunCheckpoint().IgnoreError();
    wal_->Close().IgnoreError();
  }
}

}  // namespace docdb::engine
