// Appends records to the WAL with group commit (docs/wal-format.md, "Writing"):
// concurrent appenders queue their records; the first in the queue becomes the writer,
// takes every queued record, writes them with one submission (synced in sync mode) and
// answers all of them. With direct I/O the next group's write may begin while one is in
// flight; groups are answered in LSN order. Thread-safety: Append and Sync may be called
// from any number of threads; Close from one, after the appenders are done.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/histogram.h"
#include "docdb/status.h"
#include "io/aligned_buffer.h"
#include "io/file_system.h"
#include "io/wal_format.h"
#include "io/wal_reader.h"

namespace docdb::io {

enum class WalSyncMode {
  kSync,      // an append is answered after its record is written and fdatasynced
  kPeriodic,  // answered once written; a background fdatasync runs every interval
  kNone,      // answered once written; synced only at rotation and close
};
std::string_view WalSyncModeName(WalSyncMode mode);
Result<WalSyncMode> ParseWalSyncMode(std::string_view name);  // "sync", "periodic", "none"

struct WalWriterOptions {
  WalSyncMode sync_mode = WalSyncMode::kSync;
  uint32_t periodic_sync_interval_ms = 100;
  // A segment is preallocated to this size and a new one begun when the next record does
  // not fit. A record larger than a segment gets a segment of its own.
  uint64_t segment_size_bytes = 64ull << 20;
  // One group commit writes at most this much (more only for a single larger record).
  uint64_t max_group_bytes = 4ull << 20;
  // In sync mode, write segments with direct I/O where the file system allows it
  // (docs/wal-format.md, "Writing"): segments zero-filled when made, whole blocks written
  // with RWF_DSYNC, no fdatasync. Elsewhere, and in the other modes, buffered writes.
  bool direct_io = false;
};

// One record to append: its type and payload (borrowed until the append returns).
struct WalAppendRecord {
  WalRecordType type = WalRecordType::kPut;
  std::string_view payload;
};

// Counters for metrics; a consistent snapshot.
struct WalWriterStats {
  uint64_t records = 0;        // records appended
  uint64_t bytes = 0;          // encoded bytes written
  uint64_t group_commits = 0;  // write submissions
  uint64_t syncs = 0;          // fdatasyncs issued
  uint64_t rotations = 0;      // segments begun
  uint64_t last_lsn = 0;       // the last LSN written
};

class WalWriter {
 public:
  // Opens the log in `dir` (created when missing) for appending after its end. `end` is
  // what a WalReader reported after reading the whole log; without it the log is read
  // here. A torn tail is cut off first. A log read past damaged regions (salvage) goes on
  // in a new segment, so that nothing is ever appended behind damage. Corruption (from
  // reading) keeps the log closed.
  static Result<std::unique_ptr<WalWriter>> Open(FileSystem* fs, const std::string& dir,
                                                 const WalWriterOptions& options,
                                                 std::optional<WalEnd> end = std::nullopt);
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Appends one record and returns its LSN once the sync mode's condition holds.
  // InvalidArgument for a payload over kWalMaxPayloadBytes; NoSpace when the disk is full
  // (nothing of the record is left behind; a later append may succeed); the sticky
  // IoError of an earlier failed write or fdatasync; FailedPrecondition after Close.
  Result<uint64_t> Append(WalRecordType type, std::string_view payload);

  // Appends `records` as one unit: consecutive LSNs, written by one group commit, all of
  // them or none. Returns the first record's LSN. InvalidArgument when `records` is empty
  // or a payload is over kWalMaxPayloadBytes; otherwise as Append. The unit is never
  // split across segments: it begins a new segment when it does not fit in the current
  // one (and may then make that segment longer than segment_size_bytes).
  Result<uint64_t> AppendAll(std::span<const WalAppendRecord> records);

  // Makes every record appended so far durable (fdatasync), whatever the sync mode.
  Status Sync();

  // Syncs and closes the active segment. Later calls fail with FailedPrecondition.
  Status Close();

  WalWriterStats stats() const;
  // Durations, in nanoseconds, of every write that synced and every fdatasync (the cost
  // of durability), and the records of each group commit: for metrics.
  const AtomicHistogram& sync_durations_ns() const { return sync_durations_ns_; }
  const AtomicHistogram& group_records() const { return group_records_; }
  // The buffer the group being written is encoded into, in bytes.
  uint64_t buffer_bytes() const { return buffer_capacity_.load(std::memory_order_relaxed); }
  // Whether the active segment is written with direct I/O.
  bool direct_io() const { return direct_io_.load(std::memory_order_relaxed); }
  // The error that poisoned this writer, OK when none.
  Status poisoned() const;

 private:
  struct Waiter;

  WalWriter(FileSystem* fs, std::string dir, const WalWriterOptions& options);
  Status Start(const WalEnd& end);
  Status CreateSegment(uint64_t number, uint64_t first_lsn);
  Result<uint64_t> Submit(const std::shared_ptr<Waiter>& waiter);
  // Run by the appender at the front of the queue: writes a group, answers it.
  void Lead();
  // Removes the group (the front of the queue) and makes the next appender the leader.
  void HandOffLead(size_t group_size);
  // Wakes the group's appenders but the leader, once their answers are set.
  void AnswerGroup(const std::vector<std::shared_ptr<Waiter>>& group);
  // Whether `group` may be written beside a write in flight: a direct segment, the group
  // within it and within its written blocks (with block padding after a write in flight).
  bool CanOverlap(const std::vector<std::shared_ptr<Waiter>>& group, bool write_in_flight) const;
  // Places and encodes `group` (the `seq`th), hands the lead on, writes it unlocked, and
  // finishes it after every earlier group: a failure, its own or an earlier group's,
  // fails it and poisons the writer.
  void WriteOverlapped(const std::vector<std::shared_ptr<Waiter>>& group, uint64_t seq,
                       bool write_in_flight);
  // Writes the records of `group` (a prefix of the queue). Run by the leader, unlocked.
  void WriteGroup(const std::vector<std::shared_ptr<Waiter>>& group);
  // Writes the buffered records (the last of them `last_lsn`), synced when asked.
  Status Flush(bool sync, uint64_t last_lsn);
  // Flush's write of a group on a direct segment: the partial last block and the group,
  // padded with zeros to whole blocks, in one RWF_DSYNC write. On NoSpace the range is
  // erased again before it returns; on success the new partial block is kept.
  Status WriteDirect();
  // Fills *image with the blocks of a direct write of buffer_ at write_offset_: the
  // partial last block's bytes, the records, zeros up to `write_end`. Returns the offset
  // of the first block.
  uint64_t ComposeBlocks(AlignedBuffer* image, uint64_t write_end);
  // After composing `image` (from `block_start`) for a log ending at `end`: its partial
  // last block becomes block_buffer_.
  void KeepPartialBlock(const char* image, uint64_t block_start, uint64_t end);
  // Erases what follows `offset` in the (buffered) active segment and preallocates the
  // rest of it.
  Status CutBack(uint64_t offset);
  // Reopens the active segment (buffered, synced, nothing past write_offset_) for direct
  // writes, its partial last block kept in block_buffer_, when direct I/O is asked for,
  // in sync mode, and not refused by the file system (once refused, not tried again).
  Status SwitchToDirect();
  // Publishes the size of the group buffers for buffer_bytes().
  void NoteBufferBytes();
  void RunPeriodicSync();

  FileSystem* const fs_;
  const std::string dir_;
  const WalWriterOptions options_;

  // Guarded by mu_.
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<Waiter>> queue_;
  Status poisoned_;
  bool closed_ = false;
  WalWriterStats stats_;
  // Groups are numbered as they are taken; they finish (answered, or failed) in order.
  uint64_t groups_started_ = 0;
  uint64_t groups_finished_ = 0;
  std::condition_variable flight_cv_;  // groups_finished_ grew
  // An overlapped group that ran out of space is being erased, and the leader's state
  // (offset, LSN, partial block) set back: no group is placed meanwhile.
  bool taking_back_ = false;

  // Owned by the current leader (the front of the queue), touched by nobody else; an
  // overlapped write goes on using segment_ after handing the lead on, and only a write
  // that waits for it replaces segment_.
  std::unique_ptr<File> segment_;
  uint64_t segment_number_ = 0;
  uint64_t write_offset_ = 0;  // where the next record goes in segment_
  uint64_t next_lsn_ = 1;
  // Every record up to it is synced; written into each record. Set as groups finish.
  std::atomic<uint64_t> durable_lsn_{0};
  bool segment_unsynced_ = false;
  bool direct_refused_ = false;  // the file system refused direct I/O
  std::string buffer_;           // the group being written
  // Direct I/O: the partial last block of segment_ (write_offset_ % kWalBlockBytes bytes).
  AlignedBuffer block_buffer_;
  AlignedBuffer image_;  // the blocks of a write that is not overlapped
  // Direct I/O: [0, zeroed_to_) of segment_ has been written (data or zeros), so writes
  // there change no extent. Writes extend it a chunk at a time.
  uint64_t zeroed_to_ = 0;
  WalWriterStats group_stats_;  // counted while writing a group, added to stats_ after

  AtomicHistogram sync_durations_ns_{DurationBucketsNs()};
  AtomicHistogram group_records_;
  std::atomic<uint64_t> buffer_capacity_{0};
  std::atomic<bool> direct_io_{false};

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stop_timer_ = false;
  std::thread timer_;
};

}  // namespace docdb::io
