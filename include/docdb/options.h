// Options of an embedded DocDB database (docs/architecture.md, "Options").
// Plain values; thread-safety: like any struct.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "docdb/logger.h"

namespace docdb {

// When a write is acknowledged.
enum class Durability {
  kSync,      // after its WAL record is fdatasynced (default): survives power loss
  kPeriodic,  // after its WAL record is written; fdatasync every periodic_sync_interval_ms
  kNone,      // after its WAL record is written; synced at checkpoints and close only
};

enum class IoBackend {
  kAuto,   // io_uring when the kernel offers it, POSIX pread/pwrite otherwise
  kUring,  // io_uring, or Open fails with NotSupported
  kPosix,
};

// What recovery does with a damaged WAL (docs/recovery.md).
enum class RecoveryMode {
  // A damaged final write (a torn last record, or whole records after a torn one that
  // belong to the same unfinished write) is dropped and logged; mid-log corruption and
  // missing WAL segments fail Open with Corruption.
  kTolerateTornTail,
  kAbsolute,  // any damage, a torn final write included, fails Open
  // Skips every damaged region and every missing stretch of the WAL, replays what is
  // readable and opens. Writes in the skipped regions are lost: use it to rescue a
  // database that will not open otherwise. Stats::recovery says what was skipped; the
  // database checkpoints at once, so that the next open does not read the damage again.
  kSalvage,
};

// How DocDB repeats an operation that failed with a transient error (docs/errors.md,
// "Retry"): only operations safe to repeat, waiting initial_backoff_ms, then each wait
// backoff_multiplier times the last up to max_backoff_ms, each moved by up to +-jitter
// of itself, at most max_retries times.
struct RetryPolicy {
  uint32_t initial_backoff_ms = 10;
  double backoff_multiplier = 2.0;
  uint32_t max_backoff_ms = 1000;
  double jitter = 0.25;
  uint32_t max_retries = 5;
};

struct Options {
  Durability durability = Durability::kSync;
  uint32_t periodic_sync_interval_ms = 100;
  // With checkpoint_auto, a checkpoint runs in the background after this much WAL since
  // the last one (docs/lifecycle.md). Without it, only DB::Checkpoint and closing do.
  bool checkpoint_auto = true;
  uint64_t checkpoint_interval_bytes = 64ull << 20;
  // After each checkpoint, WAL segments whose records are all at or below its LSN are
  // deleted, but for the newest wal_keep_segments of them (kept for healing).
  bool wal_trim_after_checkpoint = true;
  uint32_t wal_keep_segments = 2;
  // After each checkpoint, sealed data segments whose dead bytes (superseded versions,
  // tombstones, dropped collections) make up at least compaction_dead_ratio of their
  // records are compacted in the background (compaction_auto), copying at most
  // compaction_max_bytes_per_second (0 = no limit). DB::Compact compacts on demand.
  bool compaction_auto = true;
  double compaction_dead_ratio = 0.5;
  uint64_t compaction_max_bytes_per_second = 64ull << 20;
  uint64_t wal_segment_size_bytes = 64ull << 20;
  // With Durability::kSync, WAL segments are written with direct I/O (O_DIRECT, each
  // group commit one RWF_DSYNC write, no fdatasync) where the file system allows it, and
  // with buffered writes and fdatasync elsewhere (Stats::wal_direct_io says which).
  bool wal_direct_io = true;
  uint64_t data_segment_size_bytes = 256ull << 20;
  // Appends to data segments gather in a buffer of this size and reach the file one
  // buffer at a time (reads of what is buffered are served from it); the WAL already
  // holds every record, so a crash loses nothing. 0 writes each record as it comes.
  uint64_t data_segment_buffer_bytes = 64ull << 10;
  IoBackend io_backend = IoBackend::kAuto;
  RecoveryMode recovery_mode = RecoveryMode::kTolerateTornTail;
  bool create_if_missing = true;
  // Closing checkpoints, so that the next open replays nothing. false closes faster and
  // leaves the writes since the last checkpoint to be replayed from the WAL.
  bool checkpoint_on_close = true;
  // DB::WriteAsync batches queued or being committed at once, by count and by the bytes
  // of their documents; one more is refused with Busy.
  uint32_t max_pending_writes = 4096;
  uint64_t max_pending_write_bytes = 64ull << 20;
  // Index reads (lookups and scans) in progress at once; one more fails with Busy.
  uint32_t max_index_readers = 1024;
  // What recovery found and dropped, and failures (a database that stops taking writes,
  // a WAL that does not close cleanly) are logged here; null means stderr.
  std::shared_ptr<Logger> logger;
  RetryPolicy retry;
  // Healing (docs/healing.md): a read that finds a damaged document heals it and returns
  // the healed document (healing_on_read); with healing_enabled, a background scan checks
  // every live document every healing_interval_seconds and heals what it finds damaged.
  bool healing_enabled = true;
  uint32_t healing_interval_seconds = 3600;
  bool healing_on_read = true;
  // Metrics (docs/observability.md): every operation is counted and timed, and every
  // series is labelled db="<metrics_db_label>" (empty: the database directory's last
  // component). false leaves the operation counts and durations at zero, for measuring
  // what they cost; the other metrics are read from the database's state and always kept.
  bool metrics_enabled = true;
  std::string metrics_db_label;
  // Limits on document bodies.
  uint32_t max_document_bytes = 16u << 20;
  uint32_t max_nesting_depth = 128;
};

struct WriteOptions {
  // Compare-and-set: the write happens only if the document's current version is this
  // one (0 = the document must not exist); otherwise Conflict.
  std::optional<uint64_t> expected_version;
};

struct ScanOptions {
  std::string start;   // first document ID (inclusive); empty = from the beginning
  std::string end;     // last document ID (exclusive); empty = to the end
  std::string prefix;  // only IDs starting with this
  uint64_t limit = 0;  // at most this many documents; 0 = no limit
};

}  // namespace docdb
