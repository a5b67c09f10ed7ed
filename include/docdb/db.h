// The embedded DocDB database: collections of JSON documents in one directory
// (docs/architecture.md). Thread-safety: a DB may be used from any number of threads at
// once; writes to one document are linearizable, and a write is visible to every read
// that starts after it returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/options.h"
#include "docdb/progress.h"
#include "docdb/status.h"
#include "docdb/write_batch.h"

namespace prometheus {
struct MetricFamily;
}  // namespace prometheus

namespace docdb {

struct Document {
  std::string id;
  std::string json;      // minified, member order and number digits as given
  uint64_t version = 0;  // the LSN of the write that made this version
};

struct CollectionInfo {
  std::string name;
  uint64_t document_count = 0;
};

// What the last Open found in the WAL (docs/recovery.md).
struct RecoveryReport {
  uint64_t records_replayed = 0;  // WAL records after the checkpoint, applied again
  // Records after the checkpoint not applied: writes revoked by an abort record (logged,
  // then answered as failed) and the aborts themselves.
  uint64_t records_revoked = 0;
  uint64_t first_lsn = 0;  // the first and last LSN replayed (0 when none)
  uint64_t last_lsn = 0;
  uint64_t duration_us = 0;  // how long recovery took: the index opened, the WAL replayed
  // A damaged final write that was dropped: where the log now ends, the LSN the damaged
  // record would have had, and how many written bytes (and whole records of the same
  // unfinished write) were dropped. All zero when the log ended cleanly.
  uint64_t torn_tail_segment = 0;
  uint64_t torn_tail_offset = 0;
  uint64_t torn_tail_lsn = 0;
  uint64_t dropped_bytes = 0;
  uint64_t dropped_records = 0;
  uint64_t salvaged_regions = 0;  // RecoveryMode::kSalvage: damaged regions skipped
  std::string first_salvaged;     // what the first of them was
  std::string detail;             // the reader's account of how the log ended
};

struct Stats {
  uint64_t documents = 0;
  uint64_t collections = 0;
  uint64_t last_lsn = 0;                // the newest write's version
  uint64_t checkpoint_lsn = 0;          // the index reflects every write up to this version
  uint64_t checkpoints = 0;             // completed since Open
  uint64_t checkpoint_failures = 0;     // since Open; each left the previous one in force
  std::string last_checkpoint_error;    // the newest failure, empty when none
  int64_t last_checkpoint_time_us = 0;  // when the newest succeeded (system clock); 0: none
  // The longest a checkpoint waited for the writes in flight to let it freeze the
  // overlay, since Open.
  uint64_t checkpoint_max_wait_us = 0;
  uint64_t overlay_entries = 0;  // writes since the last checkpoint, by document
  uint64_t wal_bytes = 0;        // WAL written since Open
  uint64_t wal_syncs = 0;
  uint64_t wal_group_commits = 0;
  uint64_t wal_segments = 0;          // WAL segment files on disk
  uint64_t wal_disk_bytes = 0;        // their sizes (preallocated space included)
  uint64_t wal_segments_trimmed = 0;  // deleted after checkpoints, since Open
  uint64_t data_segments = 0;
  uint64_t data_bytes = 0;                  // the data segments' lengths
  uint64_t live_bytes = 0;                  // of the records the index names
  uint64_t dead_bytes = 0;                  // what compaction would reclaim
  uint64_t compactions = 0;                 // segments compacted since Open
  uint64_t compaction_bytes_copied = 0;     // live bytes copied forward
  uint64_t compaction_bytes_reclaimed = 0;  // segment bytes deleted
  // Writes logged in the WAL but revoked there because they could not be applied (each
  // was answered as failed; docs/errors.md), since Open.
  uint64_t writes_revoked = 0;
  // Failures returned to callers, by class (docs/errors.md), and transient failures the
  // database repeated on its own, since Open. A read of a missing document is not counted.
  uint64_t errors_transient = 0;
  uint64_t errors_permanent = 0;
  uint64_t errors_critical = 0;
  uint64_t errors_validation = 0;
  uint64_t retries = 0;
  // The database refuses writes after a critical failure (reopening recovers); why.
  bool read_only = false;
  std::string read_only_reason;
  std::string io_backend;  // "io_uring" or "posix"
  // The active WAL segment is written with direct I/O (Options::wal_direct_io, where the
  // file system allows it).
  bool wal_direct_io = false;
  // An estimate of the memory the database holds beyond the page cache: the overlay, the
  // queued asynchronous writes, the WAL's group buffer and the data segment's buffer of
  // appends.
  uint64_t memory_bytes = 0;
  RecoveryReport recovery;
};

// A document that healing found damaged (docs/healing.md).
struct DamagedDocument {
  std::string collection;
  std::string id;
  uint64_t version = 0;  // the version the index names
  std::string problem;   // what was wrong with its record, or why it could not be healed
};

// What DB::HealAll found.
struct HealReport {
  uint64_t documents_checked = 0;
  std::vector<DamagedDocument> healed;         // rebuilt from the WAL and re-indexed
  std::vector<DamagedDocument> unrecoverable;  // damaged, and the WAL no longer has them
};

// Healing since Open (docs/healing.md). Times are the system clock's, in microseconds
// since the Unix epoch; 0 means never.
struct HealingStats {
  uint64_t total_scans = 0;          // scans of every live document (background, HealAll)
  uint64_t documents_healed = 0;     // on_demand_healings + background_healings
  uint64_t documents_corrupted = 0;  // damaged records found, each counted once
  uint64_t on_demand_healings = 0;   // healed by a read, HealDocument or HealAll
  uint64_t background_healings = 0;  // healed by the background scan
  int64_t last_scan_time_us = 0;     // when the last scan finished
  int64_t last_healing_time_us = 0;  // when a document was last healed
  // Documents damaged now whose version the WAL no longer holds: reads of them fail with
  // Corruption until they are written again.
  uint64_t documents_unrecoverable = 0;
  std::vector<DamagedDocument> unrecoverable;
};

// What DB::Verify found (docs/admin.md, "Verify"). Verify changes nothing.
struct VerifyReport {
  uint64_t documents_checked = 0;
  uint64_t segments_checked = 0;
  // Live documents whose record fails its checks (what healing would rebuild).
  std::vector<DamagedDocument> damaged;
  // Everything else that does not hold: a collection's document count, a segment's live
  // bytes, an index entry outside its segment, a damaged segment header.
  std::vector<std::string> problems;
  bool ok() const { return damaged.empty() && problems.empty(); }
};

// What DB::RebuildIndex did (docs/recovery.md, "Rebuilding the index").
struct RebuildReport {
  uint64_t checkpoint_lsn = 0;      // the index is rebuilt as of this checkpoint
  uint64_t segments = 0;            // data segments read
  uint64_t records = 0;             // valid records in them
  uint64_t documents = 0;           // documents indexed
  uint64_t damaged_bytes = 0;       // skipped: bytes that held no valid record
  std::vector<std::string> damage;  // each damaged stretch: segment, offset, bytes
  std::string previous_index;       // where the old index directory was moved
};

class DB {
 public:
  // Opens the database in `dir`, creating it when missing (Options::create_if_missing),
  // and recovers every acknowledged write from the WAL. Busy when another DB holds it.
  static Result<std::unique_ptr<DB>> Open(const std::string& dir, const Options& options = {});

  // Rebuilds the index (the LMDB environment) of the database in `dir`, which must not
  // be open, from the checkpoint file and the data segments, as of the last checkpoint;
  // the next Open replays the WAL after it. The old index directory is kept, renamed.
  // Corruption when the checkpoint file is missing or damaged, and when a data segment
  // is damaged unless `accept_damage` (then a document whose newest record was in the
  // damaged bytes comes back in an older version, or not at all: the report lists where).
  // Progress in bytes of data segments read.
  static Result<RebuildReport> RebuildIndex(const std::string& dir, bool accept_damage = false,
                                            const ProgressCallback& progress = nullptr);

  // Commits the WriteAsync batches already queued (calling their `done`), checkpoints
  // and closes. Other pending calls must have returned.
  virtual ~DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;

  // Collections. `default` always exists and cannot be dropped. Names: 1-64 bytes of
  // [A-Za-z0-9_.-], not starting with '.'.
  virtual Status CreateCollection(std::string_view name) = 0;  // AlreadyExists
  // FailedPrecondition when not empty and not forced.
  virtual Status DropCollection(std::string_view name, bool force = false) = 0;
  virtual Result<std::vector<CollectionInfo>> ListCollections() = 0;

  // Documents. IDs: 1-255 bytes of UTF-8 without control characters. Bodies: one JSON
  // value, at most Options::max_document_bytes. Each write returns the new version.
  // Insert: AlreadyExists if the document exists.
  virtual Result<uint64_t> Insert(std::string_view collection, std::string_view id,
                                  std::string_view json) = 0;
  // Insert with a generated, time-ordered ID; the returned Document's json is empty.
  virtual Result<Document> InsertNew(std::string_view collection, std::string_view json) = 0;
  // A new time-ordered document ID, distinct from every other this database generates:
  // for an insert through WriteBatch::Insert that needs its ID before it commits.
  virtual std::string GenerateDocumentId() = 0;
  // Create or replace.
  virtual Result<uint64_t> Put(std::string_view collection, std::string_view id,
                               std::string_view json, const WriteOptions& options = {}) = 0;
  // Replace; NotFound if missing.
  virtual Result<uint64_t> Update(std::string_view collection, std::string_view id,
                                  std::string_view json, const WriteOptions& options = {}) = 0;
  // NotFound if missing; returns the version of the deletion.
  virtual Result<uint64_t> Delete(std::string_view collection, std::string_view id,
                                  const WriteOptions& options = {}) = 0;
  // Applies a JSON Patch (a JSON array of operations: RFC 6902 add, remove, replace,
  // move, copy, test, and DocDB's set, delete, insert; docs/patch.md) to the document,
  // atomically: every operation applies or none, and on any error the stored document and
  // its version are unchanged and nothing is logged. Returns the new version. NotFound if
  // the document is missing; InvalidArgument for a malformed patch; FailedPrecondition
  // when an operation cannot apply (missing path, failed test, ...).
  virtual Result<uint64_t> Patch(std::string_view collection, std::string_view id,
                                 std::string_view patch_json, const WriteOptions& options = {}) = 0;
  // Applies a JSON Merge Patch (RFC 7386) to the document, atomically, as Patch does.
  virtual Result<uint64_t> MergePatch(std::string_view collection, std::string_view id,
                                      std::string_view merge_patch_json,
                                      const WriteOptions& options = {}) = 0;
  virtual Result<Document> Get(std::string_view collection, std::string_view id) = 0;
  virtual Result<bool> Exists(std::string_view collection, std::string_view id) = 0;
  // Documents in ID order (bytewise).
  virtual Result<std::vector<Document>> Scan(std::string_view collection,
                                             const ScanOptions& options = {}) = 0;
  virtual Result<uint64_t> Count(std::string_view collection) = 0;

  // Applies every operation or none. Conflict / NotFound / InvalidArgument name the
  // failing operation's index.
  virtual Status Write(const WriteBatch& batch) = 0;

  // Commits `batch` as Write does, without waiting (docs/architecture.md, "Asynchronous
  // writes"): validates and queues it and returns at once. `done` is called exactly once,
  // with the batch's version once it is committed under the database's durability mode
  // and visible to reads (a read that starts once `done` has begun sees it), or with the
  // Status that stopped it; an empty batch is done at once with version 0. Batches given
  // to WriteAsync commit in the order of the calls (across threads, in the order the
  // calls took the queue). A synchronous write is not ordered after queued WriteAsync
  // batches, though it may wait for the group being committed when they share a lock
  // stripe. Within one commit group, an expected version on a document an earlier batch
  // of the group writes is Conflict (its new version is not known yet), unless it expects
  // 0 and that batch deletes it.
  //
  // Where `done` runs: invalid input, Busy (Options::max_pending_writes batches, or
  // max_pending_write_bytes of documents, queued already; a batch alone in the queue is
  // taken whatever its size) and Aborted (the database is closing: a `done` calling
  // WriteAsync while the destructor commits what is queued) call it on the calling
  // thread before WriteAsync returns; every other outcome calls it on DocDB's commit
  // thread, one batch after another. `done` must return quickly and must not block: the
  // next batches wait for it. It may read, call WriteAsync again, and make synchronous
  // writes, but must not destroy the DB. Closing the DB commits every batch already
  // queued and calls its `done` before the destructor returns; WriteAsync must not be
  // called once the destructor has begun.
  virtual void WriteAsync(WriteBatch batch, std::function<void(Result<uint64_t>)> done) = 0;

  // Makes the index reflect every write so far, so that recovery replays less, and trims
  // the WAL it no longer needs (Options::wal_trim_after_checkpoint). A failure leaves
  // the previous checkpoint in force, and the next checkpoint writes what this one did
  // not.
  virtual Status Checkpoint() = 0;
  // Deletes the WAL segments the last checkpoint made unnecessary, as a checkpoint does
  // with Options::wal_trim_after_checkpoint (for a database that trims on demand).
  virtual Status TrimWal() = 0;
  // Seals the active data segment (when it has dead bytes) and compacts every sealed
  // segment with dead bytes:
  // live records are copied forward, then a checkpoint makes their new places durable
  // and the old segments are deleted (docs/lifecycle.md). Writes go on meanwhile.
  // Progress in bytes of the compacted segments read.
  virtual Status Compact(const ProgressCallback& progress = nullptr) = 0;
  virtual Result<Stats> GetStats() = 0;

  // Healing (docs/healing.md): a document whose record fails its checksum or does not
  // match the index is rebuilt from the WAL record of exactly the version the index
  // names, written to the active data segment and re-indexed. Never from any other
  // version, never for a deleted document, never rewriting a healthy one.
  //
  // Checks one document: true when it was damaged and is healed, false when it was
  // healthy. NotFound when it does not exist; Corruption naming collection, ID and
  // version when it is damaged and the WAL no longer holds that version.
  virtual Result<bool> HealDocument(std::string_view collection, std::string_view id) = 0;
  // Checks every live document and heals each damaged one; writes go on meanwhile.
  virtual Result<HealReport> HealAll() = 0;
  virtual Result<HealingStats> GetHealingStats() = 0;

  // Checks every live document's record and every index entry against the data segments
  // and the catalog, and reports what does not hold without changing anything (no
  // healing). Writes go on, but pause while it lists the index. Progress in documents.
  virtual Result<VerifyReport> Verify(const ProgressCallback& progress = nullptr) = 0;

  // Writes a consistent copy of the database into `destination_dir` (which must not
  // exist, or be empty) while writes go on: a checkpoint, the index through LMDB's own
  // copy, the data segments up to the lengths it records, and a WAL that begins after it.
  // The copy opens as a database holding every write acknowledged before the call
  // (docs/admin.md, "Backup"); restoring is opening it. Progress in bytes copied.
  virtual Status Backup(const std::string& destination_dir,
                        const ProgressCallback& progress = nullptr) = 0;

  // This database's metrics (docs/observability.md) in the Prometheus text format, every
  // series labelled with Options::metrics_db_label. From a server (RemoteDB), the
  // server's whole exposition: every open database and the server's own metrics.
  virtual Result<std::string> Metrics() = 0;
  // The same metrics as prometheus-cpp families (include <prometheus/metric_family.h>),
  // appended to *families, for an application's own registry or exposer (merge those of
  // several databases with MergeMetricFamilies, docdb/metrics.h). NotSupported from a
  // server, which answers only in text.
  virtual Status CollectMetrics(std::vector<prometheus::MetricFamily>* families) = 0;

 protected:
  DB() = default;
};

}  // namespace docdb
