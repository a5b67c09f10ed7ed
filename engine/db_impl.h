// The implementation of docdb::DB (docs/architecture.md): the write path (WAL, data
// segment, overlay), reads through overlay and index, checkpoints and recovery
// (docs/recovery.md). Thread-safety: as DB.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "common/progress_meter.h"
#include "common/retry.h"
#include "common/writer_first_shared_mutex.h"
#include "docdb/db.h"
#include "engine/catalog.h"
#include "engine/names.h"
#include "engine/operation_metrics.h"
#include "engine/overlay.h"
#include "index/lmdb_index.h"
#include "io/file_system.h"
#include "io/segment_store.h"
#include "io/wal_payload.h"
#include "io/wal_reader.h"
#include "io/wal_writer.h"
#include "json/limits.h"

namespace docdb::engine {

// What an overlay entry says in the index's terms: the location and version of the
// document's newest record, or nullopt for a deletion.
std::optional<index::DocLocation> IndexLocationOf(const OverlayEntry& entry);
io::SegmentLocation ToSegmentLocation(const index::DocLocation& location);

// The system clock, in microseconds since the epoch: the times in Stats and HealingStats.
int64_t NowMicros();

// The LSN ranges abort records revoke: first LSN -> last LSN, both inclusive.
using RevokedLsns = std::map<uint64_t, uint64_t>;
bool IsRevoked(const RevokedLsns& revoked, uint64_t lsn);

// Writes the checkpoint file of the database in `db_dir` (index/checkpoint_file.h)
// atomically: a temporary file, synced, renamed over the old one, the directory synced.
Status WriteCheckpointFile(io::FileSystem* fs, const std::string& db_dir,
                           const index::CheckpointMeta& meta,
                           const std::vector<index::CollectionRecord>& collections);

// Reads the checkpoint file of the database in `db_dir`: NotFound (or another I/O
// status) when it cannot be read, Corruption when it is damaged.
Status ReadCheckpointFile(io::FileSystem* fs, const std::string& db_dir,
                          index::CheckpointMeta* meta,
                          std::vector<index::CollectionRecord>* collections);

// Rebuilds the index of the closed database in `dir` from its checkpoint file and data
// segments (docs/recovery.md, "Rebuilding the index"), on `fs`.
Result<RebuildReport> RebuildIndex(const std::string& dir, bool accept_damage,
                                   const ProgressCallback& progress, io::FileSystem* fs);

// Opens a database on a given FileSystem (not owned; it must outlive the DB), so that
// tests can run it on a FaultFileSystem. DB::Open uses the options' I/O backend.
Result<std::unique_ptr<DB>> OpenDB(const std::string& dir, const Options& options,
                                   io::FileSystem* fs);

class DBImpl : public DB {
 public:
  DBImpl(std::string dir, const Options& options, io::FileSystem* fs,
         std::unique_ptr<io::FileSystem> owned_fs);
  ~DBImpl() override;

  // Takes the lock, opens the index and segments, replays the WAL.
  Status Recover();

  // Tests: runs `hook` in every Scan between taking the overlay's entries and merging
  // them with the index, where a checkpoint could come between the two. Set it before
  // scans run.
  void SetScanHookForTesting(std::function<void()> hook) {
    scan_hook_for_testing_ = std::move(hook);
  }
  // Tests: runs `hook` at the end of every cycle of the background thread (a checkpoint
  // and the compaction after it). Set it before writes trigger one.
  void SetBackgroundCycleHookForTesting(std::function<void()> hook) {
    background_cycle_hook_for_testing_ = std::move(hook);
  }
  // Tests: runs `hook` in every checkpoint just before the index transaction; an error
  // fails the checkpoint as a failed transaction would. Set it while no checkpoint runs.
  void SetCheckpointHookForTesting(std::function<Status()> hook) {
    checkpoint_hook_for_testing_ = std::move(hook);
  }

  Status CreateCollection(std::string_view name) override;
  Status DropCollection(std::string_view name, bool force) override;
  Result<std::vector<CollectionInfo>> ListCollections() override;
  Result<uint64_t> Insert(std::string_view collection, std::string_view id,
                          std::string_view json) override;
  Result<Document> InsertNew(std::string_view collection, std::string_view json) override;
  std::string GenerateDocumentId() override;
  Result<uint64_t> Put(std::string_view collection, std::string_view id, std::string_view json,
                       const WriteOptions& options) override;
  Result<uint64_t> Update(std::string_view collection, std::string_view id, std::string_view json,
                          const WriteOptions& options) override;
  Result<uint64_t> Delete(std::string_view collection, std::string_view id,
                          const WriteOptions& options) override;
  Result<uint64_t> Patch(std::string_view collection, std::string_view id,
                         std::string_view patch_json, const WriteOptions& options) override;
  Result<uint64_t> MergePatch(std::string_view collection, std::string_view id,
                              std::string_view merge_patch_json,
                              const WriteOptions& options) override;
  Result<Document> Get(std::string_view collection, std::string_view id) override;
  Result<bool> Exists(std::string_view collection, std::string_view id) override;
  Result<std::vector<Document>> Scan(std::string_view collection,
                                     const ScanOptions& options) override;
  Result<uint64_t> Count(std::string_view collection) override;
  Status Write(const WriteBatch& batch) override;
  void WriteAsync(WriteBatch batch, std::function<void(Result<uint64_t>)> done) override;
  Result<std::string> Metrics() override;
  Status CollectMetrics(std::vector<prometheus::MetricFamily>* families) override;
  Status Checkpoint() override;
  Status TrimWal() override;
  Status Compact(const ProgressCallback& progress = nullptr) override;
  Result<Stats> GetStats() override;
  Result<bool> HealDocument(std::string_view collection, std::string_view id) override;
  Result<HealReport> HealAll() override;
  Result<HealingStats> GetHealingStats() override;
  Result<VerifyReport> Verify(const ProgressCallback& progress = nullptr) override;
  Status Backup(const std::string& destination_dir,
                const ProgressCallback& progress = nullptr) override;

 private:
  // What a write requires of the document's current state.
  enum class Precondition { kNone, kMustExist, kMustNotExist };
  // The current state of a document: its location and version, or nothing.
  using Current = std::optional<index::DocLocation>;

  // One document write of a commit, validated and resolved.
  struct PendingWrite {
    PendingWrite() = default;
    PendingWrite(io::WalOp::Kind k, std::string_view c, std::string_view i,
                 std::optional<uint64_t> expected, Precondition p)
        : kind(k), collection(c), id(i), expected_version(expected), precondition(p) {}

    io::WalOp::Kind kind = io::WalOp::Kind::kPut;
    std::string collection;
    std::string id;
    std::string body;  // minified
    std::optional<uint64_t> expected_version;
    Precondition precondition = Precondition::kNone;
    uint64_t collection_id = 0;
    std::string key;
    // For patches: computes the new body from the current one, under the document's lock.
    std::function<Result<std::string>(std::string_view current)> transform;
    // The record this write supersedes, whose bytes it makes dead: the committed one
    // (`previous`), or the one an earlier write of the same commit wrote
    // (`previous_write`, whose `location` is known once it is applied).
    Current previous;
    const PendingWrite* previous_write = nullptr;
    std::optional<io::SegmentLocation> location;  // of this write's document record
    // A later write of the same batch writes the same document: this one gets no record.
    bool shadowed = false;
  };

  // The documents written by the batches of one commit group checked so far, by key:
  // what later batches of the group see instead of the committed state. The key and
  // `body` point into the writing batch, which outlives the group's checks.
  struct GroupDoc {
    bool exists = false;
    const std::string* body = nullptr;
    const PendingWrite* writer = nullptr;  // the write that left it so
  };
  using GroupState = std::map<std::string_view, GroupDoc>;

  // A WriteAsync batch waiting for the commit thread.
  struct QueuedBatch {
    std::vector<PendingWrite> writes;
    std::function<void(Result<uint64_t>)> done;
    uint64_t bytes = 0;
    Operation operation = Operation::kBatch;  // what the metrics count it as
    OperationMetrics::Clock::time_point start = {};
  };
  // Calls a queued batch's `done` with its outcome, counted as a failure (by class) and
  // as an operation.
  void Answer(QueuedBatch& batch, Result<uint64_t> outcome);

  Result<uint64_t> CommitOne(Result<PendingWrite> write);
  // The write an operation asks for, its collection name, ID and document checked (a
  // patch is checked when it is applied). Takes views, so that a single write copies its
  // document once: minified, into the PendingWrite.
  Result<PendingWrite> ValidWriteOf(WriteBatch::OpKind kind, std::string_view collection,
                                    std::string_view id, std::string_view json,
                                    std::optional<uint64_t> expected_version) const;
  // Turns a batch into validated writes; InvalidArgument names the failing operation.
  Result<std::vector<PendingWrite>> ValidateBatch(const WriteBatch& batch) const;
  json::JsonLimits Limits() const;
  // Checks preconditions, logs and applies validated writes; returns the LSN.
  Result<uint64_t> Commit(std::vector<PendingWrite> writes);
  // With `group`, a document written by an earlier batch of the group is seen as that
  // batch left it (its version unknown yet), and this batch's writes are added on success.
  Status CheckPreconditions(std::vector<PendingWrite>& writes, std::vector<int64_t>* count_deltas,
                            GroupState* group = nullptr);
  // The lock stripe a document's writes are serialised by.
  size_t StripeOf(std::string_view collection, std::string_view id) const;
  size_t StripeOf(const PendingWrite& write) const { return StripeOf(write.collection, write.id); }
  // Locks the stripes of every document in `writes`, in stripe order.
  std::vector<std::unique_lock<std::mutex>> LockStripes(
      std::span<const std::vector<PendingWrite>* const> writes);
  // The commit thread: takes the queued WriteAsync batches and commits them in groups.
  void RunAsyncCommits();
  // Checks, logs (one WAL group write) and applies a group of queued batches; returns
  // each batch's outcome, in order.
  std::vector<Result<uint64_t>> CommitGroup(std::vector<QueuedBatch>& group);
  // The WAL record that logs `writes`: one put or delete, or a batch.
  static io::WalPayload EncodeWrites(const std::vector<PendingWrite>& writes);
  // Appends the records of LSN `lsn` to the data segments and publishes them.
  Status ApplyWrites(std::vector<PendingWrite>& writes, uint64_t lsn,
                     const std::vector<int64_t>& count_deltas);
  // The document's committed state.
  Result<Current> Lookup(std::string_view key) const;
  // Drops a collection from the catalog and the overlay; its records become dead bytes.
  Status ForgetCollection(std::string_view name);
  Result<Document> ReadDocument(std::string_view collection, std::string_view id,
                                const index::DocLocation& location) const;

  // The current location of each live document of a collection with an ID in
  // [start_id, end_id) (end_id empty: to the end) that starts with `prefix`, in ID order,
  // at most `limit`: the overlay merged with one index snapshot.
  Result<std::vector<std::pair<std::string, index::DocLocation>>> CollectLocations(
      uint64_t collection_id, std::string_view start_id, std::string_view end_id,
      std::string_view prefix, uint64_t limit);

  // ---- Healing (engine/db_healing.cc, docs/healing.md) ----
  enum class HealOrigin { kOnDemand, kBackground };
  struct Checked {
    Document document;
    bool healed = false;
  };
  // Reads the document and, when its record is damaged, heals it: returns it (healthy or
  // healed). NotFound when it does not exist; Corruption naming it when the WAL no longer
  // holds its version, or when healing is off (`heal` false) and it is damaged.
  Result<Checked> CheckDocument(std::string_view collection, std::string_view id, bool heal,
                                HealOrigin origin);
  // The body the WAL record of LSN `version` gave (collection, id); nullopt when the WAL
  // no longer holds that record or it wrote no such document.
  Result<std::optional<std::string>> BodyFromWal(uint64_t version, std::string_view collection,
                                                 std::string_view id);
  // Rewrites a damaged document with `body`, the WAL's copy of its version, if it is still
  // at `damaged`; false when a write got there first.
  Result<bool> Rewrite(std::string_view collection, std::string_view id,
                       const index::DocLocation& damaged, const std::string& body);
  // What a read that found the document damaged does: heals it and returns it
  // (Options::healing_on_read), or fails with Corruption.
  Result<Document> HealAfterRead(std::string_view collection, std::string_view id);
  // Checks every live document and heals what is damaged; the background's scan stops
  // early (Aborted) when the database closes.
  Result<HealReport> ScanAll(HealOrigin origin);
  using DamagedRecordVisitor =
      std::function<Status(const index::CollectionRecord& collection, const std::string& id,
                           const index::DocLocation& location, const Status& damage)>;
  // Reads the record of every live document, a page at a time while writes go on, and
  // calls `visit` (without the segment pin) for each one that fails its checks; returns
  // how many were read, advancing `progress` (may be null) by each page. In the
  // background, stops with Aborted when the database closes.
  Result<uint64_t> ForEachDamagedRecord(const DamagedRecordVisitor& visit, bool background,
                                        ProgressMeter* progress = nullptr);
  // Verify's checks of the catalog counts, the live bytes and the index entries against
  // the data segments (engine/db_maintenance.cc).
  Status VerifyAccounting(VerifyReport* report);
  void NoteDamaged(const std::string& key, const index::DocLocation& location);
  void NoteUnrecoverable(const std::string& key, DamagedDocument document);

  // Fills in the live bytes of each segment from the index (for a checkpoint meta
  // written before they were recorded).
  Status CountLiveBytes(std::vector<io::SegmentExtent>* extents) const;
  io::WalReaderOptions RecoveryReaderOptions(uint64_t checkpoint_lsn) const;
  // Reads the WAL after the checkpoint to its end, calling visit on each record; returns
  // how it ended.
  Result<io::WalEnd> ReadWalAfter(uint64_t checkpoint_lsn,
                                  const std::function<Status(const io::WalRecord&)>& visit);
  // Reads the WAL after the checkpoint through to its end without applying anything,
  // checks that it reaches back to the checkpoint and on to the checkpoint LSN at least,
  // and collects the LSNs its abort records revoke.
  Result<io::WalEnd> CheckWal(uint64_t checkpoint_lsn, RevokedLsns* revoked);
  // Replays the WAL after the checkpoint but for the revoked records; it must end where
  // CheckWal found it ending.
  Status ReplayWal(uint64_t checkpoint_lsn, const io::WalEnd& expected_end,
                   const RevokedLsns& revoked);
  Status ReplayRecord(const io::WalRecord& record);
  // Fills recovery_ from how the WAL ended, and logs what was dropped or skipped.
  void ReportRecovery(const io::WalEnd& end, std::chrono::steady_clock::duration took);
  // Checkpoints (docs/lifecycle.md): a failure to sync, or EIO from the index, poisons
  // the database (a failed fsync is never retried); any other failure leaves the
  // previous checkpoint in force, is counted, and the next checkpoint writes what this
  // one did not. After a success, the segments compaction retired are deleted and the
  // WAL is trimmed.
  Status RunCheckpoint();
  void NoteCheckpointWait(std::chrono::steady_clock::duration waited);
  void NoteCheckpointFailure(const Status& failure);
  // Deletes the WAL segments the checkpoint at `lsn` made unnecessary, but none after
  // the checkpoint file's LSN. Requires checkpoint_mu_.
  Status TrimWalThrough(uint64_t lsn);
  // The LSN of the checkpoint the checkpoint file on disk describes; 0 when there is no
  // sound one.
  uint64_t CheckpointFileLsn() const;
  // The background thread: checkpoints when asked, then compacts what passes the dead
  // ratio (engine/db_compaction.cc).
  void RunBackgroundWork();
  void MaybeScheduleCheckpoint(uint64_t wal_bytes);
  // The sealed segments worth compacting: all with dead bytes, or those at or above the
  // dead ratio.
  std::vector<uint64_t> CompactionCandidates(bool all) const;
  // Copies the live records of each segment forward and retires it. A segment that fails
  // (a damaged record, say) is left and the others go on; the first failure is returned.
  // In the background: at most compaction_max_bytes_per_second, with the checkpoints
  // asked for meanwhile run between segments. Stops early when the database closes.
  // Advances `progress` (may be null) by the bytes of the segments read.
  Status CompactSegments(const std::vector<uint64_t>& segments, bool background,
                         ProgressMeter* progress = nullptr);
  // Whether a checkpoint was asked for, clearing the request.
  bool TakeCheckpointRequest();
  // Copies one record forward if it is still its document's current record; returns
  // whether it did.
  Result<bool> Relocate(const io::SegmentLocation& location, const io::SegmentRecord& record);
  // Copies a tombstone forward, as a dead record; false when its collection is gone.
  Result<bool> KeepTombstone(const io::SegmentRecord& record);
  // Accounts for `bytes` copied and, in the background, waits until the rate allows
  // them; false when the database is closing.
  bool PaceCompaction(uint64_t bytes, bool background);
  // A write-side failure that may leave the WAL and the data segments out of step: from
  // now on writes fail with FailedPrecondition; reads go on; reopening recovers.
  Status Poison(const Status& cause);
  // What a failed WAL append means: NoSpace and InvalidArgument left nothing behind and
  // are returned as they are; anything else poisons the database.
  Status WalAppendFailed(const Status& cause);
  // The logged writes of LSNs [first_lsn, last_lsn] could not be applied (`cause`):
  // logs an abort record that revokes them, so that a reopen does not apply them either,
  // and returns `cause` to answer them with. A critical cause, or a failure to log the
  // abort, poisons the database instead. Requires commit_mu_ held since they were logged.
  Status RevokeLogged(uint64_t first_lsn, uint64_t last_lsn, const Status& cause);
  // Appends a record to the data segments, repeating a transient failure (at the same
  // offset) as Options::retry allows; `kept` as for SegmentStore::Append.
  Result<io::SegmentLocation> AppendToSegment(const io::SegmentRecord& record,
                                              uint64_t collection_id, bool kept = false);
  // Runs `op` (returning Status or Result) and counts it as `operation` in the metrics.
  template <typename Op>
  auto Measured(Operation operation, Op&& op) {
    const OperationMetrics::Clock::time_point start = operation_metrics_.Start();
    auto outcome = op();
    if constexpr (std::is_same_v<decltype(outcome), Status>) {
      operation_metrics_.Finish(operation, outcome.code(), start);
    } else {
      operation_metrics_.Finish(operation, outcome.status().code(), start);
    }
    return outcome;
  }
  // Counts a failure returned to a caller by its class; returns it.
  template <typename T>
  T Noted(T outcome) {
    if constexpr (std::is_same_v<T, Status>) {
      errors_.Note(outcome);
    } else {
      errors_.Note(outcome.status());
    }
    return outcome;
  }
  Status CheckWritable() const;

  const std::string dir_;
  const Options options_;
  std::unique_ptr<io::FileSystem> owned_fs_;
  io::FileSystem* const fs_;
  std::unique_ptr<io::FileLock> lock_;
  std::unique_ptr<index::LmdbIndex> index_;
  std::unique_ptr<io::SegmentStore> segments_;
  std::unique_ptr<io::WalWriter> wal_;
  const std::shared_ptr<Logger> logger_;
  std::function<void()> scan_hook_for_testing_;
  std::function<Status()> checkpoint_hook_for_testing_;
  std::function<void()> background_cycle_hook_for_testing_;
  Overlay overlay_;
  Catalog catalog_;
  DocumentIdGenerator id_generator_;

  // Writes hold it shared from their precondition check until their overlay update;
  // checkpoints (to freeze a consistent state) and collection changes hold it exclusive.
  // Writer-first, so that a checkpoint waits for the writes in flight, not for a pause.
  WriterFirstSharedMutex commit_mu_;
  // Writes to one document are serialised by the stripe its key hashes to.
  static constexpr size_t kStripes = 64;
  std::array<std::mutex, kStripes> key_locks_;
  std::mutex checkpoint_mu_;  // one checkpoint at a time
  // Key prefixes of dropped collections that a failed checkpoint did not purge from the
  // index; guarded by checkpoint_mu_.
  std::vector<std::string> unpurged_;
  std::mutex compaction_mu_;  // one compaction at a time

  mutable std::mutex state_mu_;
  Status poisoned_;
  uint64_t checkpoint_lsn_ = 0;
  uint64_t checkpoint_file_lsn_ = 0;  // of the checkpoint file on disk
  uint64_t checkpoints_ = 0;
  uint64_t checkpoint_max_wait_us_ = 0;
  uint64_t checkpoint_failures_ = 0;
  std::string last_checkpoint_error_;
  uint64_t wal_segments_trimmed_ = 0;
  uint64_t compactions_ = 0;
  uint64_t compaction_bytes_copied_ = 0;
  uint64_t compaction_bytes_reclaimed_ = 0;
  std::set<uint64_t> uncompactable_;  // segments background compaction failed on
  RecoveryReport recovery_;           // written by Recover only
  uint64_t writes_revoked_ = 0;       // WAL records revoked by abort records, since Open
  // Every revoked LSN range whose dead records may lie in the segments, for checkpoints.
  std::vector<index::LsnRange> revoked_;
  ErrorCounts errors_;  // failures returned to callers, by class
  OperationMetrics operation_metrics_;
  AtomicHistogram checkpoint_durations_{DurationBucketsNs()};  // of those that succeeded
  int64_t last_checkpoint_time_us_ = 0;  // guarded by state_mu_; Stats::last_checkpoint_time_us
  std::atomic<uint64_t> retries_{0};     // transient failures repeated, since Open
  std::atomic<uint64_t> heal_document_calls_{0};
  // The counters of GetHealingStats; it derives documents_healed and takes the
  // unrecoverable documents from unrecoverable_.
  HealingStats healing_;
  // Damaged records found, by key, segment and offset: each is counted once.
  std::set<std::tuple<std::string, uint64_t, uint64_t>> damaged_seen_;
  std::map<std::string, DamagedDocument> unrecoverable_;  // by key
  std::atomic<uint64_t> wal_bytes_since_checkpoint_{0};

  std::mutex async_mu_;
  std::condition_variable async_cv_;
  std::deque<QueuedBatch> async_queue_;  // guarded by async_mu_
  uint64_t async_pending_ = 0;           // batches queued or being committed
  uint64_t async_pending_bytes_ = 0;
  // The queue length at which WriteAsync wakes the commit thread; 0 when it is not
  // waiting.
  size_t async_wake_size_ = 0;
  // async_queue_.size(), read without async_mu_ by the commit thread's spin.
  std::atomic<size_t> async_queued_{0};
  bool async_stopping_ = false;
  std::thread async_thread_;

  std::mutex background_mu_;
  std::condition_variable background_cv_;
  bool checkpoint_wanted_ = false;
  // When background compaction may copy its next bytes (compaction_max_bytes_per_second).
  std::chrono::steady_clock::time_point compaction_due_;
  bool stopping_ = false;
  std::thread background_;
};

}  // namespace docdb::engine
