// Compaction of data segments and the background thread of DBImpl (engine/db_impl.h,
// docs/lifecycle.md).
#include <chrono>

#include "common/status_macros.h"
#include "engine/db_impl.h"
#include "io/file_names.h"

namespace docdb::engine {

void DBImpl::RunBackgroundWork() {
  std::unique_lock<std::mutex> lock(background_mu_);
  for (;;) {
    background_cv_.wait(lock, [&] { return checkpoint_wanted_ || stopping_; });
    if (stopping_) return;
    checkpoint_wanted_ = false;
    lock.unlock();
    // A failure is logged and counted (or poisons the database, which logs it), and the
    // next trigger tries again.
    const bool checkpointed = RunCheckpoint().ok();
    if (checkpointed && options_.compaction_auto) {
      std::lock_guard<std::mutex> one_at_a_time(compaction_mu_);
      const std::vector<uint64_t> candidates = CompactionCandidates(/*all=*/false);
      if (!candidates.empty()) {
        const Status compacted =
            CompactSegments(candidates, options_.compaction_max_bytes_per_second);
        if (!compacted.ok()) {
          logger_->Log(LogLevel::kError,
                       "background compaction of " + dir_ + ": " + compacted.ToString());
        }
        // Makes the new places durable, which lets the emptied segments go.
        RunCheckpoint().IgnoreError();
      }
    }
    lock.lock();
  }
}

Status DBImpl::Compact() {
  DOCDB_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> one_at_a_time(compaction_mu_);
  // The active segment is sealed only when it has something to reclaim: compacting a
  // compacted database again then changes nothing.
  for (const io::SegmentUsage& u : segments_->Usage()) {
    if (u.active && u.dead_bytes() > 0) DOCDB_RETURN_IF_ERROR(segments_->Seal());
  }
  DOCDB_RETURN_IF_ERROR(CompactSegments(CompactionCandidates(/*all=*/true), 0));
  return RunCheckpoint();
}

std::vector<uint64_t> DBImpl::CompactionCandidates(bool all) const {
  std::vector<uint64_t> out;
  for (const io::SegmentUsage& u : segments_->Usage()) {
    if (u.active) continue;
    if (all ? u.dead_bytes() > 0 || u.live_bytes == 0
            : u.dead_ratio() >= options_.compaction_dead_ratio) {
      out.push_back(u.segment);
    }
  }
  return out;
}

Status DBImpl::CompactSegments(const std::vector<uint64_t>& segments,
                               uint64_t max_bytes_per_second) {
  const auto start = std::chrono::steady_clock::now();
  uint64_t copied = 0;
  for (uint64_t segment : segments) {
    Status failed;
    bool stopped = false;
    DOCDB_RETURN_IF_ERROR(segments_->ForEachRecord(
        segment, [&](const io::SegmentLocation& location, const io::SegmentRecord& record) {
          if (record.kind != io::SegmentRecordKind::kDocument) return true;  // always dead
          Result<bool> moved = Relocate(location, record);
          if (!moved.ok()) {
            failed = moved.status();
            return false;
          }
          if (*moved) copied += location.length;
          if (!PaceCompaction(copied, max_bytes_per_second, start)) stopped = true;
          return !stopped;
        }));
    DOCDB_RETURN_IF_ERROR(failed);
    if (stopped) return Status::OK();
    {
      // Under the commit lock, so that a checkpoint sees the segment retired exactly when
      // its frozen overlay holds every record moved out of it.
      std::shared_lock<WriterFirstSharedMutex> commit(commit_mu_);
      DOCDB_RETURN_IF_ERROR(segments_->Retire(segment).WithContext("compacting " + dir_));
    }
    std::lock_guard<std::mutex> lock(state_mu_);
    ++compactions_;
    compaction_bytes_copied_ += copied;
    copied = 0;
  }
  return Status::OK();
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
  DOCDB_ASSIGN_OR_RETURN(const io::SegmentLocation moved, segments_->Append(record));
  std::vector<std::pair<std::string, OverlayEntry>> update;
  update.emplace_back(key, OverlayEntry{moved, record.lsn});
  overlay_.Apply(std::move(update));
  segments_->Release(location);
  return true;
}

bool DBImpl::PaceCompaction(uint64_t copied, uint64_t max_bytes_per_second,
                            std::chrono::steady_clock::time_point start) {
  std::unique_lock<std::mutex> lock(background_mu_);
  if (stopping_) return false;
  if (max_bytes_per_second == 0) return true;
  const auto due = start + std::chrono::microseconds(copied * 1'000'000 / max_bytes_per_second);
  // Woken early only by Close.
  return !background_cv_.wait_until(lock, due, [&] { return stopping_; });
}

}  // namespace docdb::engine
