// Opening (recovery), checkpoints and closing of DBImpl (engine/db_impl.h,
// docs/recovery.md).
#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/status_macros.h"
#include "engine/db_impl.h"
#include "index/checkpoint_file.h"
#include "io/file_names.h"
#include "io/wal_reader.h"
#include "io/wal_trim.h"

namespace docdb::engine {
namespace {

io::WalRecoveryMode ToWalRecoveryMode(RecoveryMode mode) {
  switch (mode) {
    case RecoveryMode::kTolerateTornTail:
      return io::WalRecoveryMode::kTolerateTornTail;
    case RecoveryMode::kAbsolute:
      return io::WalRecoveryMode::kAbsolute;
    case RecoveryMode::kSalvage:
      return io::WalRecoveryMode::kSalvage;
  }
  return io::WalRecoveryMode::kTolerateTornTail;
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

bool IsRevoked(const RevokedLsns& revoked, uint64_t lsn) {
  auto it = revoked.upper_bound(lsn);  // the first range starting after lsn
  if (it == revoked.begin()) return false;
  --it;
  return lsn <= it->second;
}

Status DBImpl::Recover() {
  const auto started = std::chrono::steady_clock::now();
  // 0 would compact every sealed segment, live or not, after every checkpoint.
  if (!(options_.compaction_dead_ratio > 0 && options_.compaction_dead_ratio <= 1)) {
    return Status::InvalidArgument("Options::compaction_dead_ratio is " +
                                   std::to_string(options_.compaction_dead_ratio) +
                                   ": it must be greater than 0 and at most 1");
  }
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
  DOCDB_ASSIGN_OR_RETURN(index_, index::LmdbIndex::Open(index_dir, index::kDefaultInitialMapBytes,
                                                        options_.max_index_readers));
  // LMDB creates its files itself; their directory entries must be durable too.
  DOCDB_RETURN_IF_ERROR(fs_->SyncDir(index_dir));
  DOCDB_ASSIGN_OR_RETURN(const index::CheckpointMeta meta, index_->ReadMeta());
  DOCDB_ASSIGN_OR_RETURN(const std::vector<index::CollectionRecord> collections,
                         index_->ReadCollections());
  catalog_.Load(collections);
  checkpoint_lsn_ = meta.checkpoint_lsn;
  revoked_ = meta.revoked;
  checkpoint_file_lsn_ = CheckpointFileLsn();
  if (meta.checkpoint_lsn > 0 && checkpoint_file_lsn_ != meta.checkpoint_lsn) {
    // The last checkpoint committed without its file (a crash in between, or a failure to
    // write it): written now, before the segments the index no longer lists are removed.
    if (Status written = WriteCheckpointFile(fs_, dir_, meta, collections); !written.ok()) {
      logger_->Log(LogLevel::kWarning, "checkpoint_file",
                   "opening " + dir_ + ": " + written.ToString() + " (an index rebuild needs it)");
    } else {
      checkpoint_file_lsn_ = meta.checkpoint_lsn;
    }
  }

  // The WAL is read through before anything on disk changes: were it short or damaged,
  // the data segments' records after C would be the only other copy of those writes.
  RevokedLsns revoked;
  DOCDB_ASSIGN_OR_RETURN(const io::WalEnd end, CheckWal(meta.checkpoint_lsn, &revoked));

  // Data segments go back to their lengths at C; what came later is replayed.
  std::vector<io::SegmentExtent> extents;
  for (const index::SegmentLength& s : meta.segments) {
    io::SegmentExtent& e = extents.emplace_back();
    e.segment = s.segment;
    e.length_bytes = s.length_bytes;
    e.min_lsn = s.min_lsn;
    e.kept_bytes = s.kept_bytes;
    for (const index::CollectionBytes& b : s.live) e.live_by_collection[b.collection_id] = b.bytes;
  }
  if (!meta.has_live_bytes) DOCDB_RETURN_IF_ERROR(CountLiveBytes(&extents));
  DOCDB_ASSIGN_OR_RETURN(segments_, io::SegmentStore::Open(fs_, io::DataDirPath(dir_), extents,
                                                           options_.data_segment_size_bytes,
                                                           options_.data_segment_buffer_bytes));
  DOCDB_RETURN_IF_ERROR(ReplayWal(meta.checkpoint_lsn, end, revoked));
  ReportRecovery(end, std::chrono::steady_clock::now() - started);

  io::WalWriterOptions wal_options;
  wal_options.sync_mode = ToWalSyncMode(options_.durability);
  wal_options.periodic_sync_interval_ms = options_.periodic_sync_interval_ms;
  wal_options.segment_size_bytes = options_.wal_segment_size_bytes;
  wal_options.direct_io = options_.wal_direct_io;
  io::WalEnd append_after = end;
  // A salvaged log may end below C (its tail was lost); LSNs must go on above C.
  append_after.last_lsn = std::max(end.last_lsn, meta.checkpoint_lsn);
  DOCDB_ASSIGN_OR_RETURN(wal_,
                         io::WalWriter::Open(fs_, io::WalDirPath(dir_), wal_options, append_after));
  background_ = std::thread([this] { RunBackgroundWork(); });
  async_thread_ = std::thread([this] { RunAsyncCommits(); });
  if (end.salvaged_regions > 0) {
    // The index then reflects everything rescued, and the next open starts reading in
    // the segment the writer has just begun, past the damage.
    DOCDB_RETURN_IF_ERROR(RunCheckpoint().WithContext("checkpoint after salvage of " + dir_));
  }
  return Status::OK();
}

Status ReadCheckpointFile(io::FileSystem* fs, const std::string& db_dir,
                          index::CheckpointMeta* meta,
                          std::vector<index::CollectionRecord>* collections) {
  const std::string path = io::CheckpointFilePath(db_dir);
  DOCDB_ASSIGN_OR_RETURN(const std::string bytes, io::ReadWholeFile(fs, path));
  return index::DecodeCheckpointFile(bytes, meta, collections).WithContext(path);
}

uint64_t DBImpl::CheckpointFileLsn() const {
  index::CheckpointMeta meta;
  std::vector<index::CollectionRecord> collections;
  // None yet, or a damaged one, is as good as none: the next checkpoint writes it.
  if (!ReadCheckpointFile(fs_, dir_, &meta, &collections).ok()) return 0;
  return meta.checkpoint_lsn;
}

Status DBImpl::CountLiveBytes(std::vector<io::SegmentExtent>* extents) const {
  std::map<uint64_t, std::map<uint64_t, uint64_t>> live;  // segment -> collection -> bytes
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<index::IndexSnapshot> snapshot,
                         index_->OpenSnapshot());
  DOCDB_RETURN_IF_ERROR(
      snapshot->Scan("", "", [&](std::string_view key, const index::DocLocation& l) {
        live[l.segment][CollectionIdOfKey(key)] += l.length;
        return true;
      }));
  for (io::SegmentExtent& e : *extents) e.live_by_collection = live[e.segment];
  return Status::OK();
}

io::WalReaderOptions DBImpl::RecoveryReaderOptions(uint64_t checkpoint_lsn) const {
  io::WalReaderOptions reader_options;
  reader_options.mode = ToWalRecoveryMode(options_.recovery_mode);
  reader_options.start_lsn = checkpoint_lsn + 1;
  reader_options.require_start_lsn = true;
  return reader_options;
}

Result<io::WalEnd> DBImpl::ReadWalAfter(uint64_t checkpoint_lsn,
                                        const std::function<Status(const io::WalRecord&)>& visit) {
  const std::string context = "recovering " + dir_;
  Result<std::unique_ptr<io::WalReader>> reader =
      io::WalReader::OpenDir(fs_, io::WalDirPath(dir_), RecoveryReaderOptions(checkpoint_lsn));
  if (!reader.ok()) return reader.status().WithContext(context);
  io::WalRecord record;
  for (;;) {
    Result<bool> more = (*reader)->Next(&record);
    if (!more.ok()) return more.status().WithContext(context);
    if (!*more) break;
    DOCDB_RETURN_IF_ERROR(visit(record));
  }
  return (*reader)->end();
}

Result<io::WalEnd> DBImpl::CheckWal(uint64_t checkpoint_lsn, RevokedLsns* revoked) {
  std::vector<io::WalOp> ops;
  DOCDB_ASSIGN_OR_RETURN(
      io::WalEnd end, ReadWalAfter(checkpoint_lsn, [&](const io::WalRecord& record) {
        if (record.type != static_cast<uint8_t>(io::WalRecordType::kAbort)) return Status::OK();
        DOCDB_RETURN_IF_ERROR(io::DecodeWalPayload(record.type, record.payload, &ops));
        if (ops[0].last_lsn >= record.lsn) {
          return Status::Corruption("abort record LSN " + std::to_string(record.lsn) +
                                    " revokes LSNs up to " + std::to_string(ops[0].last_lsn) +
                                    ", not all before it");
        }
        revoked->emplace(ops[0].first_lsn, ops[0].last_lsn);
        return Status::OK();
      }));
  if (end.last_lsn < checkpoint_lsn) {
    const std::string what = "the WAL of " + dir_ + " ends at LSN " + std::to_string(end.last_lsn) +
                             " but the index was checkpointed at LSN " +
                             std::to_string(checkpoint_lsn) + ": WAL segments are missing";
    if (options_.recovery_mode != RecoveryMode::kSalvage) return Status::Corruption(what);
    if (end.salvaged_regions++ == 0) end.first_salvaged = what;
  }
  return end;
}

Status DBImpl::ReplayWal(uint64_t checkpoint_lsn, const io::WalEnd& expected_end,
                         const RevokedLsns& revoked) {
  DOCDB_ASSIGN_OR_RETURN(
      const io::WalEnd end, ReadWalAfter(checkpoint_lsn, [&](const io::WalRecord& record) {
        // Revoked writes, and the aborts that revoke them, never happened.
        if (record.type == static_cast<uint8_t>(io::WalRecordType::kAbort) ||
            IsRevoked(revoked, record.lsn)) {
          ++recovery_.records_revoked;
          return Status::OK();
        }
        DOCDB_RETURN_IF_ERROR(ReplayRecord(record).WithContext(
            "replaying WAL record LSN " + std::to_string(record.lsn) + " into " + dir_));
        if (recovery_.records_replayed++ == 0) recovery_.first_lsn = record.lsn;
        recovery_.last_lsn = record.lsn;
        return Status::OK();
      }));
  if (end.last_lsn != expected_end.last_lsn || end.segment != expected_end.segment ||
      end.offset != expected_end.offset) {
    return Status::Corruption("the WAL of " + dir_ + " changed while it was recovered: it ended " +
                              "at LSN " + std::to_string(expected_end.last_lsn) + ", then at LSN " +
                              std::to_string(end.last_lsn));
  }
  return Status::OK();
}

void DBImpl::ReportRecovery(const io::WalEnd& end, std::chrono::steady_clock::duration took) {
  recovery_.duration_us =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  recovery_.detail = end.detail;
  recovery_.salvaged_regions = end.salvaged_regions;
  recovery_.first_salvaged = end.first_salvaged;
  if (end.reason == io::WalEndReason::kTornTail) {
    recovery_.torn_tail_segment = end.segment;
    recovery_.torn_tail_offset = end.offset;
    recovery_.torn_tail_lsn = end.last_lsn + 1;
    recovery_.dropped_bytes = end.dropped_bytes;
    recovery_.dropped_records = end.dropped_records;
    logger_->Log(LogLevel::kWarning, "recovery_torn_tail",
                 "recovery of " + dir_ + " dropped a damaged final WAL write: segment " +
                     io::WalSegmentFileName(end.segment) + " offset " + std::to_string(end.offset) +
                     " LSN " + std::to_string(end.last_lsn + 1) + ", " +
                     std::to_string(end.dropped_bytes) + " bytes (" +
                     std::to_string(end.dropped_records) + " whole records): " + end.detail);
  }
  if (end.salvaged_regions > 0) {
    logger_->Log(LogLevel::kError, "recovery_salvage",
                 "salvage recovery of " + dir_ + " skipped " +
                     std::to_string(end.salvaged_regions) +
                     " damaged or missing WAL regions; writes in them are "
                     "lost. The first: " +
                     end.first_salvaged);
  }
  logger_->Log(LogLevel::kInfo, "open",
               "opened " + dir_ + ": checkpoint LSN " + std::to_string(checkpoint_lsn_) +
                   ", replayed " + std::to_string(recovery_.records_replayed) +
                   " WAL records, WAL ends at LSN " + std::to_string(end.last_lsn) + ", took " +
                   std::to_string(recovery_.duration_us) + " us");
}

Status DBImpl::ReplayRecord(const io::WalRecord& record) {
  std::vector<io::WalOp> ops;
  DOCDB_RETURN_IF_ERROR(io::DecodeWalPayload(record.type, record.payload, &ops));
  if (ops.size() == 1 && ops[0].kind == io::WalOp::Kind::kCreateCollection) {
    return catalog_.Create(ops[0].collection, record.lsn);
  }
  if (ops.size() == 1 && ops[0].kind == io::WalOp::Kind::kDropCollection) {
    return ForgetCollection(ops[0].collection);
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
  if (!options_.checkpoint_auto || total < options_.checkpoint_interval_bytes) return;
  {
    std::lock_guard<std::mutex> lock(background_mu_);
    checkpoint_wanted_ = true;
  }
  background_cv_.notify_one();
}

Status DBImpl::Checkpoint() {
  return Measured(Operation::kCheckpoint, [&]() -> Status {
    DOCDB_RETURN_IF_ERROR(CheckWritable());
    return RunCheckpoint();
  });
}

Status DBImpl::RunCheckpoint() {
  std::lock_guard<std::mutex> one_at_a_time(checkpoint_mu_);
  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<const Overlay::Table> frozen;
  index::CheckpointMeta meta;
  std::vector<index::CollectionRecord> collections;
  std::vector<uint64_t> retired;
  uint64_t interval_bytes = 0;  // the WAL bytes this checkpoint covers that the last did not
  {
    // With every write between its precondition check and its overlay update held off,
    // the frozen table, the segment lengths and live bytes, and the catalog all describe
    // LSN C exactly; so do the retired segments, whose records are all elsewhere by now.
    const auto asked = std::chrono::steady_clock::now();
    std::unique_lock<WriterFirstSharedMutex> commit(commit_mu_);
    NoteCheckpointWait(std::chrono::steady_clock::now() - asked);
    DOCDB_RETURN_IF_ERROR(CheckWritable());
    meta.checkpoint_lsn = wal_->stats().last_lsn;
    if (meta.checkpoint_lsn < checkpoint_lsn_) {
      return Status::Internal("checkpoint LSN would go back from " +
                              std::to_string(checkpoint_lsn_) + " to " +
                              std::to_string(meta.checkpoint_lsn));
    }
    for (uint64_t id : catalog_.TakeDropped()) unpurged_.push_back(CollectionKeyPrefix(id));
    retired = segments_->Retired();
    // Compaction moves records without a new LSN: an overlay or retired segments left
    // mean there is something to write even when no write came.
    if (meta.checkpoint_lsn == checkpoint_lsn_ && overlay_.size() == 0 && retired.empty() &&
        unpurged_.empty()) {
      return Status::OK();
    }
    frozen = overlay_.Freeze();
    for (const io::SegmentExtent& e : segments_->Extents()) {
      index::SegmentLength& s = meta.segments.emplace_back();
      s.segment = e.segment;
      s.length_bytes = e.length_bytes;
      s.min_lsn = e.min_lsn;
      s.kept_bytes = e.kept_bytes;
      for (const auto& [collection, bytes] : e.live_by_collection)
        s.live.push_back({collection, bytes});
    }
    collections = catalog_.Snapshot();
    interval_bytes = wal_bytes_since_checkpoint_.exchange(0);
    std::lock_guard<std::mutex> lock(state_mu_);
    meta.revoked = revoked_;
  }
  const std::string what =
      "checkpoint of " + dir_ + " at LSN " + std::to_string(meta.checkpoint_lsn);
  // The index may name C only once the WAL up to C is durable (in periodic and none
  // modes it may not be yet): after a power cut, recovery must find C in the WAL. And
  // segment bytes must be durable before the index points at them. Buffered appends are
  // written first: a full disk fails this checkpoint, as it fails a write.
  // Anything else that fails (but EIO) leaves the previous checkpoint in force: the frozen
  // table stays readable (no write is lost to readers) and goes into the next checkpoint.
  Status applied = segments_->Flush();
  if (applied.ok()) {
    Status synced = wal_->Sync();
    if (synced.ok()) synced = segments_->SyncAll();
    if (!synced.ok()) return Poison(synced.WithContext(what));
    if (checkpoint_hook_for_testing_) applied = checkpoint_hook_for_testing_();
  }
  if (applied.ok()) {
    std::vector<index::IndexChange> changes;
    changes.reserve(frozen->size());
    for (const auto& [key, entry] : frozen->entries())
      changes.push_back({std::string(key), IndexLocationOf(*entry)});
    applied = index_->ApplyCheckpoint(changes, unpurged_, collections, meta);
  }
  if (!applied.ok()) {
    applied = applied.WithContext(what);
    // EIO from the segments or the index is a write or fdatasync failing: critical, as for
    // the WAL.
    if (applied.sys_errno() == EIO) return Poison(applied);
    // Still to be checkpointed: the next write past the interval asks again.
    wal_bytes_since_checkpoint_ += interval_bytes;
    NoteCheckpointFailure(applied);
    return applied;
  }
  overlay_.DropFrozen();
  unpurged_.clear();
  const auto took = std::chrono::steady_clock::now() - started;
  checkpoint_durations_.Observe(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    checkpoint_lsn_ = meta.checkpoint_lsn;
    ++checkpoints_;
    last_checkpoint_time_us_ = NowMicros();
  }
  logger_->Log(
      LogLevel::kInfo, "checkpoint",
      what + ": " + std::to_string(frozen->size()) + " index changes, " +
          std::to_string(interval_bytes) + " WAL bytes since the last, " +
          std::to_string(meta.segments.size()) + " data segments, took " +
          std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(took).count()) +
          " us");
  // A copy of the checkpoint beside the index, for a rebuild (docs/recovery.md). Until
  // one is written the WAL is trimmed no further than the last one describes.
  const Status file_written = WriteCheckpointFile(fs_, dir_, meta, collections);
  if (!file_written.ok()) {
    logger_->Log(LogLevel::kWarning, "checkpoint_file",
                 what + ": " + file_written.ToString() +
                     " (the WAL, and compacted segments, are kept as the last checkpoint file "
                     "names them until one is written)");
  } else {
    std::lock_guard<std::mutex> lock(state_mu_);
    checkpoint_file_lsn_ = meta.checkpoint_lsn;
  }
  // Now durable: the index names the new places of everything compaction moved, and no
  // longer lists the segments it emptied. A file left behind by a failure here is removed
  // by the next open, which deletes every segment the checkpoint does not list.
  // The segments stay while the checkpoint file still lists them: a rebuild reads them.
  if (!retired.empty() && file_written.ok()) {
    const Result<uint64_t> removed = segments_->RemoveRetired(retired);
    if (!removed.ok()) {
      logger_->Log(LogLevel::kWarning, "compaction_cleanup",
                   what + ": removing compacted data segments: " + removed.status().ToString() +
                       " (the next open removes them)");
    } else {
      logger_->Log(LogLevel::kInfo, "compaction_cleanup",
                   what + ": deleted " + std::to_string(retired.size()) +
                       " compacted data segments, " + std::to_string(*removed) +
                       " bytes reclaimed");
      std::lock_guard<std::mutex> lock(state_mu_);
      compaction_bytes_reclaimed_ += *removed;
    }
  }
  if (options_.wal_trim_after_checkpoint) {
    // A failure is logged; the segments stay, and the next trim deletes them.
    if (Status trimmed = TrimWalThrough(meta.checkpoint_lsn); !trimmed.ok()) {
      logger_->Log(LogLevel::kWarning, "trim", trimmed.ToString());
    }
  }
  return Status::OK();
}

void DBImpl::NoteCheckpointFailure(const Status& failure) {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    ++checkpoint_failures_;
    last_checkpoint_error_ = failure.ToString();
  }
  logger_->Log(LogLevel::kError, "checkpoint_failed",
               failure.ToString() +
                   " (the previous checkpoint stays in force; the next one "
                   "writes what this one did not)");
}

Status DBImpl::TrimWal() {
  return Measured(Operation::kTrim, [&]() -> Status {
    std::lock_guard<std::mutex> one_at_a_time(checkpoint_mu_);
    uint64_t lsn = 0;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      lsn = checkpoint_lsn_;
    }
    return TrimWalThrough(lsn);
  });
}

Status WriteCheckpointFile(io::FileSystem* fs, const std::string& db_dir,
                           const index::CheckpointMeta& meta,
                           const std::vector<index::CollectionRecord>& collections) {
  const std::string path = io::CheckpointFilePath(db_dir);
  const std::string temp = io::CheckpointTempPath(db_dir);
  fs->RemoveFile(temp).IgnoreError();  // a leftover of an interrupted write, if any
  {
    DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<io::File> file,
                           fs->OpenFile(temp, io::OpenMode::kCreateNew));
    DOCDB_RETURN_IF_ERROR(file->WriteAt(0, index::EncodeCheckpointFile(meta, collections)));
    DOCDB_RETURN_IF_ERROR(file->Sync());
  }
  DOCDB_RETURN_IF_ERROR(fs->RenameFile(temp, path));
  return fs->SyncDir(db_dir).WithContext("writing " + path);
}

Status DBImpl::TrimWalThrough(uint64_t lsn) {
  {
    // A rebuild of the index replays the WAL after the checkpoint file's LSN.
    std::lock_guard<std::mutex> lock(state_mu_);
    lsn = std::min(lsn, checkpoint_file_lsn_);
  }
  const Result<io::WalTrimResult> trimmed =
      io::TrimWal(fs_, io::WalDirPath(dir_), lsn, options_.wal_keep_segments);
  if (!trimmed.ok()) {
    return trimmed.status().WithContext("trimming the WAL of " + dir_ +
                                        " after the checkpoint at LSN " + std::to_string(lsn));
  }
  if (trimmed->segments > 0) {
    logger_->Log(LogLevel::kInfo, "trim",
                 "trimmed the WAL of " + dir_ + " through LSN " + std::to_string(lsn) + ": " +
                     std::to_string(trimmed->segments) + " segments, " +
                     std::to_string(trimmed->bytes) + " bytes deleted");
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  wal_segments_trimmed_ += trimmed->segments;
  return Status::OK();
}

void DBImpl::NoteCheckpointWait(std::chrono::steady_clock::duration waited) {
  const auto us =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(waited).count());
  std::lock_guard<std::mutex> lock(state_mu_);
  checkpoint_max_wait_us_ = std::max(checkpoint_max_wait_us_, us);
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
  stats.wal_direct_io = wal_->direct_io();
  for (const io::SegmentUsage& u : segments_->Usage()) {
    ++stats.data_segments;
    stats.data_bytes += u.length_bytes;
    stats.live_bytes += u.live_bytes;
    stats.dead_bytes += u.dead_bytes();
  }
  {
    std::lock_guard<std::mutex> lock(async_mu_);
    stats.memory_bytes = async_pending_bytes_;
  }
  stats.memory_bytes += overlay_.MemoryBytes() + wal_->buffer_bytes() + segments_->buffer_bytes();
  // Stats stay available when the disk fails (a poisoned database still reports them):
  // the WAL files are then left uncounted.
  if (const Result<std::vector<io::WalSegmentSize>> wal_files =
          io::ListWalSegments(fs_, io::WalDirPath(dir_));
      wal_files.ok()) {
    for (const io::WalSegmentSize& f : *wal_files) {
      ++stats.wal_segments;
      stats.wal_disk_bytes += f.size_bytes;
    }
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  stats.checkpoint_lsn = checkpoint_lsn_;
  stats.checkpoints = checkpoints_;
  stats.checkpoint_failures = checkpoint_failures_;
  stats.last_checkpoint_error = last_checkpoint_error_;
  stats.last_checkpoint_time_us = last_checkpoint_time_us_;
  stats.checkpoint_max_wait_us = checkpoint_max_wait_us_;
  stats.wal_segments_trimmed = wal_segments_trimmed_;
  stats.compactions = compactions_;
  stats.compaction_bytes_copied = compaction_bytes_copied_;
  stats.compaction_bytes_reclaimed = compaction_bytes_reclaimed_;
  stats.writes_revoked = writes_revoked_;
  stats.errors_transient = errors_.count(ErrorClass::kTransient);
  stats.errors_permanent = errors_.count(ErrorClass::kPermanent);
  stats.errors_critical = errors_.count(ErrorClass::kCritical);
  stats.errors_validation = errors_.count(ErrorClass::kValidation);
  stats.retries = retries_;
  stats.read_only = !poisoned_.ok();
  stats.read_only_reason = std::string(poisoned_.message());
  stats.recovery = recovery_;
  return stats;
}

DBImpl::~DBImpl() {
  if (async_thread_.joinable()) {
    // New WriteAsync calls are refused from here on; the commit thread commits what is
    // queued, calls each `done`, and stops.
    {
      std::lock_guard<std::mutex> lock(async_mu_);
      async_stopping_ = true;
    }
    async_cv_.notify_one();
    async_thread_.join();
  }
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
    // cannot be returned, only logged (a failed checkpoint poisons, which logs it); the
    // WAL still holds every acknowledged write.
    if (options_.checkpoint_on_close && CheckWritable().ok()) RunCheckpoint().IgnoreError();
    if (Status closed = wal_->Close(); !closed.ok()) {
      logger_->Log(LogLevel::kError, "close",
                   "closing the WAL of " + dir_ + ": " + closed.ToString());
    }
  }
}

}  // namespace docdb::engine
