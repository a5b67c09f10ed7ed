// Compaction of data segments and the background thread of DBImpl (engine/db_impl.h,
// docs/lifecycle.md).
#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <utility>

#include "common/status_macros.h"
#include "engine/db_impl.h"
#include "io/file_names.h"

namespace docdb::engine {

void DBImpl::RunBackgroundWork() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock<std::mutex> lock(background_mu_);
  // A checkpoint that failed with a transient error (a full disk) is tried again after
  // a backoff, Options::retry.max_retries times, whether or not more writes come; then
  // the next trigger tries again.
  std::optional<Backoff> backoff;
  uint32_t retries = 0;
  std::optional<Clock::time_point> retry_at;
  const auto scan_interval = std::chrono::seconds(options_.healing_interval_seconds);
  std::optional<Clock::time_point> scan_at;
  if (options_.healing_enabled) scan_at = Clock::now() + scan_interval;
  for (;;) {
    const auto woken = [&] { return checkpoint_wanted_ || stopping_; };
    // The earlier of the thread's own deadlines: a checkpoint retry, a healing scan.
    const std::optional<Clock::time_point> due = !retry_at  ? scan_at
                                                 : !scan_at ? retry_at
                                                            : std::min(retry_at, scan_at);
    if (due) {
      background_cv_.wait_until(lock, *due, woken);
    } else {
      background_cv_.wait(lock, woken);
    }
    if (stopping_) return;
    const auto now = Clock::now();
    const bool checkpoint_due =
        std::exchange(checkpoint_wanted_, false) || (retry_at && now >= *retry_at);
    const bool scan_due = scan_at && now >= *scan_at;
    lock.unlock();
    if (scan_due) {
      // Healing scan (docs/healing.md): it logs what it heals and finds unrecoverable.
      if (const Result<HealReport> scanned = ScanAll(HealOrigin::kBackground); !scanned.ok()) {
        logger_->Log(LogLevel::kError, "heal_scan",
                     "healing scan of " + dir_ + " stopped: " + scanned.status().ToString());
      }
      scan_at = Clock::now() + scan_interval;
    }
    if (!checkpoint_due) {
      if (background_cycle_hook_for_testing_) background_cycle_hook_for_testing_();
      lock.lock();
      continue;
    }
    // A failure is logged and counted (or poisons the database, which logs it).
    const Status checkpoint = RunCheckpoint();
    const bool checkpointed = checkpoint.ok();
    retry_at.reset();
    if (checkpoint.error_class() == ErrorClass::kTransient && CheckWritable().ok() &&
        retries < options_.retry.max_retries) {
      if (!backoff) backoff.emplace(options_.retry, std::random_device{}());
      ++retries;
      ++retries_;
      retry_at = Clock::now() + backoff->Next();
    } else {
      backoff.reset();
      retries = 0;
    }
    if (checkpointed && options_.compaction_auto) {
      std::lock_guard<std::mutex> one_at_a_time(compaction_mu_);
      const std::vector<uint64_t> candidates = CompactionCandidates(/*all=*/false);
      if (!candidates.empty()) {
        const Status compacted = CompactSegments(candidates, /*background=*/true);
        if (!compacted.ok()) {
          logger_->Log(LogLevel::kError, "compaction",
                       "background compaction of " + dir_ + ": " + compacted.ToString());
        }
        // Makes the new places durable, which lets the emptied segments go.
        RunCheckpoint().IgnoreError();
      }
    }
    if (background_cycle_hook_for_testing_) background_cycle_hook_for_testing_();
    lock.lock();
  }
}

Status DBImpl::Compact(const ProgressCallback& progress) {
  return Measured(Operation::kCompact, [&]() -> Status {
    DOCDB_RETURN_IF_ERROR(CheckWritable());
    std::lock_guard<std::mutex> one_at_a_time(compaction_mu_);
    // The active segment is sealed only when it has something to reclaim: compacting a
    // compacted database again then changes nothing.
    for (const io::SegmentUsage& u : segments_->Usage()) {
      if (u.active && u.dead_bytes() > 0) DOCDB_RETURN_IF_ERROR(segments_->Seal());
    }
    const std::vector<uint64_t> candidates = CompactionCandidates(/*all=*/true);
    uint64_t bytes = 0;
    for (const io::SegmentUsage& u : segments_->Usage()) {
      if (std::find(candidates.begin(), candidates.end(), u.segment) != candidates.end()) {
        bytes += u.length_bytes;
      }
    }
    ProgressMeter meter(progress, bytes);
    const Status compacted = CompactSegments(candidates, false, &meter);
    // What was compacted before a failure is made durable and reclaimed all the same.
    const Status checkpointed = RunCheckpoint();
    if (!compacted.ok()) return compacted;
    if (checkpointed.ok()) meter.Finish();
    return checkpointed;
  });
}

std::vector<uint64_t> DBImpl::CompactionCandidates(bool all) const {
  std::lock_guard<std::mutex> lock(state_mu_);
  std::vector<uint64_t> out;
  for (const io::SegmentUsage& u : segments_->Usage()) {
    if (u.active) continue;
    // The background leaves alone a segment it failed on (DB::Compact tries it again).
    if (all ? u.dead_bytes() > 0 || u.live_bytes == 0
            : u.dead_ratio() >= options_.compaction_dead_ratio &&
                  !uncompactable_.contains(u.segment)) {
      out.push_back(u.segment);
    }
  }
  return out;
}

Status DBImpl::CompactSegments(const std::vector<uint64_t>& segments, bool background,
                               ProgressMeter* progress) {
  Status first_failure;
  for (uint64_t segment : segments) {
    Status failed;
    bool stopped = false;
    uint64_t copied = 0;
    uint64_t read_to = 0;  // how far into the segment the records were read
    // A tombstone older than every record outside the segment shadows nothing that
    // remains; a younger one is copied forward, so that an index rebuilt from the segments
    // never takes an older version of a deleted document for a live one.
    const uint64_t oldest_outside = segments_->OldestLsnOutside(segment);
    Status read = segments_->ForEachRecord(
        segment, [&](const io::SegmentLocation& location, const io::SegmentRecord& record) {
          if (record.kind != io::SegmentRecordKind::kDocument && record.lsn < oldest_outside) {
            return true;
          }
          Result<bool> moved = record.kind == io::SegmentRecordKind::kDocument
                                   ? Relocate(location, record)
                                   : KeepTombstone(record);
          if (!moved.ok()) {
            failed = moved.status();
            return false;
          }
          if (*moved) copied += location.length;
          if (progress != nullptr) progress->Advance(location.offset + location.length - read_to);
          read_to = location.offset + location.length;
          if (!PaceCompaction(*moved ? location.length : 0, background)) stopped = true;
          return !stopped;
        });
    if (read.ok()) read = failed;
    if (read.ok() && !stopped) {
      // Under the commit lock, so that a checkpoint sees the segment retired exactly when
      // its frozen overlay holds every record moved out of it.
      std::shared_lock<WriterFirstSharedMutex> commit(commit_mu_);
      read = segments_->Retire(segment);
    }
    // A damaged record, or live bytes left after every record was seen, will not go away
    // by trying again; a full disk or an I/O error may.
    const bool lasting = read.code() == StatusCode::kCorruption ||
                         (read.code() == StatusCode::kFailedPrecondition && CheckWritable().ok());
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      compaction_bytes_copied_ += copied;
      if (read.ok() && !stopped) ++compactions_;
      if (lasting) uncompactable_.insert(segment);
      if (read.ok()) uncompactable_.erase(segment);
    }
    if (read.ok() && !stopped) {
      logger_->Log(LogLevel::kInfo, "compaction",
                   "compacted data segment " + io::DataSegmentFileName(segment) + " of " + dir_ +
                       ": " + std::to_string(copied) +
                       " live bytes copied forward; the segment is deleted after the next "
                       "checkpoint");
    }
    if (!read.ok()) {
      // One damaged segment must not hold up the others: the rest go on.
      read = read.WithContext("compacting data segment " + io::DataSegmentFileName(segment) +
                              " of " + dir_);
      if (first_failure.ok()) first_failure = read;
      if (background) logger_->Log(LogLevel::kError, "compaction", read.ToString());
      if (read.code() == StatusCode::kFailedPrecondition && !CheckWritable().ok()) break;
    }
    if (stopped) break;
    // A long background compaction does not hold up the checkpoints that bound recovery.
    if (background && TakeCheckpointRequest()) RunCheckpoint().IgnoreError();
  }
  return first_failure;
}

bool DBImpl::TakeCheckpointRequest() {
  std::lock_guard<std::mutex> lock(background_mu_);
  return std::exchange(checkpoint_wanted_, false);
}

Result<bool> DBImpl::Relocate(const io::SegmentLocation& location,
                              const io::SegmentRecord& record) {
  // As a write to the document would: its stripe, then the commit lock shared. A write
  // that supersedes the record first wins, and the record is then not copied.
  std::lock_guard<std::mutex> stripe(key_locks_[StripeOf(record.collection, record.id)]);
  std::shared_lock<WriterFirstSharedMutex> commit(commit_mu_);
  DOCDB_RETURN_IF_ERROR(CheckWritable());
  const Result<uint64_t> collection_id = catalog_.Find(record.collection);
  if (!collection_id.ok()) return false;  // dropped
  const std::string key = DocumentKey(*collection_id, record.id);
  DOCDB_ASSIGN_OR_RETURN(const Current current, Lookup(key));
  if (!current || current->segment != location.segment || current->offset != location.offset ||
      current->version != record.lsn) {
    return false;
  }
  DOCDB_ASSIGN_OR_RETURN(const io::SegmentLocation moved, AppendToSegment(record, *collection_id));
  overlay_.Apply({{key, OverlayEntry{moved, record.lsn}}});
  segments_->Release(location, *collection_id);
  return true;
}

Result<bool> DBImpl::KeepTombstone(const io::SegmentRecord& record) {
  DOCDB_RETURN_IF_ERROR(CheckWritable());
  const Result<uint64_t> collection_id = catalog_.Find(record.collection);
  // Of a collection dropped since (or of an earlier one of the same name): nothing of it
  // can come back, so the tombstone has nothing left to shadow.
  if (!collection_id.ok() || *collection_id > record.lsn) return false;
  DOCDB_RETURN_IF_ERROR(AppendToSegment(record, *collection_id, /*kept=*/true).status());
  return true;
}

bool DBImpl::PaceCompaction(uint64_t bytes, bool background) {
  // DB::Compact runs at full speed, and the destructor does not run while it does.
  if (!background) return true;
  std::unique_lock<std::mutex> lock(background_mu_);
  if (stopping_) return false;
  const uint64_t rate = options_.compaction_max_bytes_per_second;
  if (rate == 0 || bytes == 0) return true;
  // A token bucket of one second's worth: copying may run ahead by at most that much.
  const auto now = std::chrono::steady_clock::now();
  compaction_due_ = std::max(compaction_due_, now - std::chrono::seconds(1)) +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::nanoseconds(1'000'000'000 * bytes / rate));
  // Woken early only by Close.
  return !background_cv_.wait_until(lock, compaction_due_, [&] { return stopping_; });
}

}  // namespace docdb::engine
