// Group-commit WAL writer (io/wal_writer.h).
#include "io/wal_writer.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstring>
#include <vector>

#include "common/status_macros.h"
#include "io/file_names.h"

namespace docdb::io {

// One appender's request. Shared between the appender and the leader that answers it, so
// that the leader may still wake it after the appender has seen its answer and left.
struct WalWriter::Waiter {
  enum State : int { kQueued, kLead, kDone };

  std::span<const WalAppendRecord> records;  // none: a Sync() request

  // The bytes the records take in the log.
  uint64_t EncodedBytes() const {
    uint64_t bytes = 0;
    for (const WalAppendRecord& r : records) bytes += WalEncodedRecordBytes(r.payload.size());
    return bytes;
  }
  // Set by the leader before it stores kDone.
  Status status;
  uint64_t lsn = 0;
  // Waited on with std::atomic::wait (a futex): answering a group wakes each appender
  // without making it take mu_ again, which with a condition variable serialised the
  // wake-ups of a whole group behind one mutex.
  std::atomic<int> state{kQueued};
};

std::string_view WalSyncModeName(WalSyncMode mode) {
  switch (mode) {
    case WalSyncMode::kSync:
      return "sync";
    case WalSyncMode::kPeriodic:
      return "periodic";
    case WalSyncMode::kNone:
      return "none";
  }
  return "sync";
}

Result<WalSyncMode> ParseWalSyncMode(std::string_view name) {
  for (auto mode : {WalSyncMode::kSync, WalSyncMode::kPeriodic, WalSyncMode::kNone}) {
    if (name == WalSyncModeName(mode)) return mode;
  }
  return Status::InvalidArgument("unknown durability mode '" + std::string(name) +
                                 "' (expected sync, periodic or none)");
}

namespace {

// A direct write that passes the written part of a segment zero-fills up to the next
// multiple of this, so that its fallocated (unwritten) extents are converted once per
// chunk rather than by every write.
constexpr uint64_t kZeroFillChunkBytes = 1 << 20;

// Direct writes of groups in flight at once (docs/wal-format.md, "Writing"). A disk takes
// several durable writes at once faster than one after another (docs/performance.md, "The
// WAL with overlapping groups").
constexpr uint64_t kMaxWritesInFlight = 2;

constexpr uint64_t kBlock = kWalBlockBytes;
static_assert(kWalBlockBytes % kDirectIoAlignment == 0);

uint64_t RoundUp(uint64_t n, uint64_t unit) { return (n + unit - 1) / unit * unit; }
uint64_t RoundDown(uint64_t n, uint64_t unit) { return n / unit * unit; }

// Records per group commit: 1, 2, 4, ... 4096.
constexpr std::array<uint64_t, 13> kGroupRecordBuckets = {1,   2,   4,   8,    16,   32,  64,
                                                          128, 256, 512, 1024, 2048, 4096};

}  // namespace

WalWriter::WalWriter(FileSystem* fs, std::string dir, const WalWriterOptions& options)
    : fs_(fs), dir_(std::move(dir)), options_(options), group_records_(kGroupRecordBuckets) {}

Result<std::unique_ptr<WalWriter>> WalWriter::Open(FileSystem* fs, const std::string& dir,
                                                   const WalWriterOptions& options,
                                                   std::optional<WalEnd> end) {
  if (options.segment_size_bytes < kWalSegmentHeaderBytes + kWalRecordHeaderBytes) {
    return Status::InvalidArgument("WAL segment size " +
                                   std::to_string(options.segment_size_bytes) + " is too small");
  }
  if (options.sync_mode == WalSyncMode::kPeriodic && options.periodic_sync_interval_ms == 0) {
    return Status::InvalidArgument("periodic sync interval must be at least 1 ms");
  }
  if (!end) {
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader, WalReader::OpenDir(fs, dir));
    WalRecord record;
    for (;;) {
      DOCDB_ASSIGN_OR_RETURN(const bool more, reader->Next(&record));
      if (!more) break;
    }
    end = reader->end();
  }
  if (end->reason == WalEndReason::kCorruption) {
    return Status::FailedPrecondition("cannot append to a damaged WAL in " + dir + ": " +
                                      end->detail);
  }
  std::unique_ptr<WalWriter> writer(new WalWriter(fs, dir, options));
  DOCDB_RETURN_IF_ERROR(writer->Start(*end).WithContext("open WAL " + dir));
  if (options.sync_mode == WalSyncMode::kPeriodic) {
    writer->timer_ = std::thread([w = writer.get()] { w->RunPeriodicSync(); });
  }
  return writer;
}

Status WalWriter::Start(const WalEnd& end) {
  DOCDB_RETURN_IF_ERROR(fs_->CreateDir(dir_));
  DOCDB_RETURN_IF_ERROR(fs_->SyncDir(DirName(dir_)));
  // A .tmp segment is a rotation that did not complete; it never held acknowledged data.
  DOCDB_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs_->ListDir(dir_));
  for (const std::string& name : names) {
    if (IsWalTempFileName(name)) DOCDB_RETURN_IF_ERROR(fs_->RemoveFile(JoinPath(dir_, name)));
  }
  DOCDB_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  next_lsn_ = end.last_lsn + 1;
  stats_.last_lsn = end.last_lsn;  // callers take it for "everything logged so far"
  if (end.segment == 0) return CreateSegment(1, next_lsn_);
  DOCDB_ASSIGN_OR_RETURN(segment_,
                         fs_->OpenFile(WalSegmentPath(dir_, end.segment), OpenMode::kReadWrite));
  std::string head(kWalSegmentHeaderBytes, '\0');
  DOCDB_ASSIGN_OR_RETURN(const size_t got, segment_->ReadAt(0, head.size(), head.data()));
  head.resize(got);
  DOCDB_ASSIGN_OR_RETURN(const WalSegmentHeader header, DecodeWalSegmentHeader(head));
  if (end.salvaged_regions > 0 || header.version != kWalFormatVersion) {
    // Records are never appended behind damage that was read past, nor into a segment of
    // an older format: the log goes on in a new segment. What follows the old segment's
    // last valid record is erased first, as below: a torn tail left in a segment that now
    // has a successor would read as corruption.
    DOCDB_RETURN_IF_ERROR(CutBack(end.offset));
    DOCDB_RETURN_IF_ERROR(segment_->Sync());
    durable_lsn_.store(end.last_lsn, std::memory_order_relaxed);
    return CreateSegment(end.segment + 1, next_lsn_);
  }
  // Go on in the last segment, right after its last valid record. Whatever follows it (a
  // torn record, or stray bytes of an unacknowledged group) is erased first: were it left,
  // a later reader could take it for records that follow new ones.
  segment_number_ = end.segment;
  write_offset_ = end.offset;
  DOCDB_RETURN_IF_ERROR(CutBack(write_offset_));
  DOCDB_RETURN_IF_ERROR(segment_->Sync());
  durable_lsn_.store(end.last_lsn, std::memory_order_relaxed);
  return SwitchToDirect();
}

Status WalWriter::SwitchToDirect() {
  direct_io_.store(false, std::memory_order_relaxed);
  if (!options_.direct_io || options_.sync_mode != WalSyncMode::kSync || direct_refused_) {
    return Status::OK();
  }
  const std::string path = WalSegmentPath(dir_, segment_number_);
  Result<std::unique_ptr<File>> direct = fs_->OpenDirect(path);
  if (direct.status().code() == StatusCode::kNotSupported) {
    direct_refused_ = true;  // buffered writes and fdatasync, as without direct_io
    return Status::OK();
  }
  if (!direct.ok()) return direct.status();
  // The partial last block is rewritten with each group: its bytes so far are kept here.
  const uint64_t block_start = RoundDown(write_offset_, kBlock);
  const size_t tail = write_offset_ - block_start;
  block_buffer_.Reserve(kBlock, 0);
  DOCDB_ASSIGN_OR_RETURN(const size_t got,
                         segment_->ReadAt(block_start, tail, block_buffer_.data()));
  if (got != tail) {
    return Status::Corruption(path + " is shorter than its last record's end, " +
                              std::to_string(write_offset_));
  }
  segment_ = std::move(*direct);
  // Written up to the end of the partial block: what follows was cut off and preallocated.
  zeroed_to_ = RoundUp(write_offset_, kBlock);
  direct_io_.store(true, std::memory_order_relaxed);
  return Status::OK();
}

Status WalWriter::CutBack(uint64_t offset) {
  DOCDB_RETURN_IF_ERROR(segment_->Truncate(offset));
  if (offset < options_.segment_size_bytes) {
    Status allocated = segment_->Allocate(offset, options_.segment_size_bytes - offset);
    // Without preallocation appends still work, each sync also writing the file size.
    if (!allocated.ok() && allocated.code() != StatusCode::kNotSupported) return allocated;
  }
  return Status::OK();
}

Status WalWriter::CreateSegment(uint64_t number, uint64_t first_lsn) {
  const std::string tmp_path = WalSegmentTempPath(dir_, number);
  // The segment is complete (preallocated, header written and synced) before it gets its
  // real name, so that a wal-<n>.log always has a valid header.
  auto create = [&]() -> Result<std::unique_ptr<File>> {
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file,
                           fs_->OpenFile(tmp_path, OpenMode::kCreateNew));
    const Status allocated = file->Allocate(0, options_.segment_size_bytes);
    if (!allocated.ok() && allocated.code() != StatusCode::kNotSupported) return allocated;
    DOCDB_RETURN_IF_ERROR(file->WriteAtAndSync(0, EncodeWalSegmentHeader({number, first_lsn})));
    DOCDB_RETURN_IF_ERROR(fs_->RenameFile(tmp_path, WalSegmentPath(dir_, number)));
    DOCDB_RETURN_IF_ERROR(fs_->SyncDir(dir_));
    return file;
  };
  Result<std::unique_ptr<File>> file = create();
  if (!file.ok()) {
    // Best effort: a leftover .tmp is removed by the next Open anyway.
    fs_->RemoveFile(tmp_path).IgnoreError();
    return file.status();
  }
  segment_ = std::move(*file);
  ++group_stats_.rotations;
  segment_number_ = number;
  write_offset_ = kWalSegmentHeaderBytes;
  segment_unsynced_ = false;
  return SwitchToDirect();
}

WalWriter::~WalWriter() {
  // A destructor cannot report; callers that need the outcome call Close() first.
  if (!closed_) Close().IgnoreError();
}

Result<uint64_t> WalWriter::Append(WalRecordType type, std::string_view payload) {
  const WalAppendRecord record{type, payload};
  return AppendAll({&record, 1});
}

Result<uint64_t> WalWriter::AppendAll(std::span<const WalAppendRecord> records) {
  if (records.empty()) return Status::InvalidArgument("no WAL records to append");
  for (const WalAppendRecord& r : records) {
    if (r.payload.size() > kWalMaxPayloadBytes) {
      return Status::InvalidArgument("WAL record of " + std::to_string(r.payload.size()) +
                                     " bytes exceeds the maximum of " +
                                     std::to_string(kWalMaxPayloadBytes));
    }
  }
  auto waiter = std::make_shared<Waiter>();
  waiter->records = records;
  return Submit(waiter);
}

Status WalWriter::Sync() { return Submit(std::make_shared<Waiter>()).status(); }

Result<uint64_t> WalWriter::Submit(const std::shared_ptr<Waiter>& waiter) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::FailedPrecondition("WAL " + dir_ + " is closed");
    if (!poisoned_.ok()) return poisoned_;
    queue_.push_back(waiter);
    if (queue_.size() == 1) waiter->state.store(Waiter::kLead, std::memory_order_relaxed);
  }
  waiter->state.wait(Waiter::kQueued, std::memory_order_acquire);
  if (waiter->state.load(std::memory_order_acquire) == Waiter::kLead) Lead();
  if (!waiter->status.ok()) return waiter->status;
  return waiter->lsn;
}

void WalWriter::Lead() {
  // The leader is the front of the queue: it writes the records queued so far, its own
  // first, hands the lead to the next in the queue and answers its group. A direct write
  // into blocks already written hands the lead on before it is issued, so that up to
  // kMaxWritesInFlight groups are written at once; groups finish in LSN order.
  std::vector<std::shared_ptr<Waiter>> group;
  Status poisoned;
  uint64_t seq = 0;
  bool write_in_flight = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    // While every slot is taken the queue grows, and the group with it.
    flight_cv_.wait(lock, [&] {
      return groups_started_ - groups_finished_ < kMaxWritesInFlight && !taking_back_;
    });
    uint64_t group_bytes = 0;
    for (const std::shared_ptr<Waiter>& w : queue_) {
      const uint64_t bytes = w->EncodedBytes();
      if (!group.empty() && group_bytes + bytes > options_.max_group_bytes) break;
      group.push_back(w);
      group_bytes += bytes;
    }
    poisoned = poisoned_;
    seq = ++groups_started_;
    write_in_flight = groups_finished_ + 1 < seq;
  }
  if (poisoned.ok() && CanOverlap(group, write_in_flight)) {
    WriteOverlapped(group, seq, write_in_flight);
    return;
  }
  {
    // Anything else writes alone: the groups still in flight finish first.
    std::unique_lock<std::mutex> lock(mu_);
    flight_cv_.wait(lock, [&] { return groups_finished_ + 1 == seq; });
    poisoned = poisoned_;
  }
  if (poisoned.ok()) {
    WriteGroup(group);
  } else {
    for (const std::shared_ptr<Waiter>& w : group) w->status = poisoned;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    groups_finished_ = seq;
    flight_cv_.notify_all();
  }
  HandOffLead(group.size());
  AnswerGroup(group);
}

void WalWriter::HandOffLead(size_t group_size) {
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(group_size));
    if (!queue_.empty()) next = queue_.front();
  }
  if (next) {
    next->state.store(Waiter::kLead, std::memory_order_release);
    next->state.notify_one();
  }
}

void WalWriter::AnswerGroup(const std::vector<std::shared_ptr<Waiter>>& group) {
  // The leader (group[0]) reads its own answer once Lead returns.
  for (size_t i = 1; i < group.size(); ++i) {
    group[i]->state.store(Waiter::kDone, std::memory_order_release);
    group[i]->state.notify_one();
  }
}

bool WalWriter::CanOverlap(const std::vector<std::shared_ptr<Waiter>>& group,
                           bool write_in_flight) const {
  if (!direct_io()) return false;
  uint64_t bytes = 0;
  for (const std::shared_ptr<Waiter>& w : group) bytes += w->EncodedBytes();
  const uint64_t start = write_in_flight ? RoundUp(write_offset_, kBlock) : write_offset_;
  // Neither a new segment nor a write past the written blocks: those may fail with
  // no_space, after which the writer stays usable only if nothing else was in flight.
  return start + bytes <= options_.segment_size_bytes &&
         RoundUp(start + bytes, kBlock) <= zeroed_to_;
}

void WalWriter::WriteOverlapped(const std::vector<std::shared_ptr<Waiter>>& group, uint64_t seq,
                                bool write_in_flight) {
  // Placed and encoded while holding the lead. After a write still in flight the group
  // begins on a block of its own (block padding), so that the two writes share no block.
  const uint64_t old_offset = write_offset_;
  const std::string old_tail(block_buffer_.data(), old_offset % kBlock);  // for a take-back
  if (write_in_flight) write_offset_ = RoundUp(write_offset_, kBlock);
  const uint64_t start = write_offset_;
  const uint64_t first_lsn = next_lsn_;
  const uint64_t durable_lsn = durable_lsn_.load(std::memory_order_relaxed);
  buffer_.clear();
  for (const std::shared_ptr<Waiter>& w : group) {
    if (w->records.empty()) continue;  // a Sync(): answered once every earlier group is
    w->lsn = next_lsn_;
    for (const WalAppendRecord& r : w->records) {
      AppendWalRecord(&buffer_, next_lsn_++, static_cast<uint8_t>(r.type), r.payload, durable_lsn);
    }
  }
  const uint64_t records = next_lsn_ - first_lsn;
  const uint64_t bytes = buffer_.size();
  AlignedBuffer image;
  uint64_t block_start = 0;
  size_t length = 0;
  if (bytes > 0) {
    const uint64_t end = write_offset_ + bytes;
    block_start = ComposeBlocks(&image, RoundUp(end, kBlock));
    length = RoundUp(end, kBlock) - block_start;
    KeepPartialBlock(image.data(), block_start, end);
    write_offset_ = end;
  }
  NoteBufferBytes();
  File* const file = segment_.get();  // replaced only by a write that waits for this one
  HandOffLead(group.size());

  const auto started = std::chrono::steady_clock::now();
  Status written = length == 0
                       ? Status::OK()
                       : file->WriteAtAndSync(block_start, std::string_view(image.data(), length));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  {
    std::unique_lock<std::mutex> lock(mu_);
    flight_cv_.wait(lock, [&] { return groups_finished_ + 1 == seq; });
    if (!poisoned_.ok()) {
      // An earlier group failed: nothing after it is acknowledged, though it may be on disk
      // (a reader drops it as the end of the log: docs/wal-format.md).
      written = poisoned_;
    } else if (written.code() == StatusCode::kNoSpace && groups_started_ == seq) {
      // The last group placed, every earlier one written: it is taken back as a write
      // that is not overlapped is, and the writer stays usable. Nobody places a group
      // meanwhile (Lead waits for taking_back_).
      taking_back_ = true;
      lock.unlock();
      std::memset(image.data() + (start - block_start), 0, length - (start - block_start));
      const Status erased =
          file->WriteAtAndSync(block_start, std::string_view(image.data(), length));
      write_offset_ = old_offset;
      next_lsn_ = first_lsn;
      std::memcpy(block_buffer_.data(), old_tail.data(), old_tail.size());
      lock.lock();
      taking_back_ = false;
      if (!erased.ok())
        poisoned_ = written = erased.WithContext("erasing after " + written.ToString());
    } else if (!written.ok()) {
      // Whatever the error: a later group may already be on disk behind this one.
      poisoned_ = written;
    }
    if (written.ok() && records > 0) {
      durable_lsn_.store(first_lsn + records - 1, std::memory_order_relaxed);
      group_records_.Observe(records);
      stats_.records += records;
      stats_.last_lsn = first_lsn + records - 1;
    }
    if (written.ok() && length > 0) {
      sync_durations_ns_.Observe(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
      stats_.bytes += bytes;
      ++stats_.group_commits;
      ++stats_.syncs;
    }
    groups_finished_ = seq;
    flight_cv_.notify_all();
  }
  if (!written.ok()) {
    for (const std::shared_ptr<Waiter>& w : group) {
      w->status = written;
      w->lsn = 0;
    }
  }
  AnswerGroup(group);
}

void WalWriter::WriteGroup(const std::vector<std::shared_ptr<Waiter>>& group) {
  const size_t count = group.size();
  buffer_.clear();
  bool want_sync = options_.sync_mode == WalSyncMode::kSync;
  const uint64_t first_lsn = next_lsn_;
  uint64_t lsn = next_lsn_;
  size_t written = 0;  // group[0, written) are on disk (and synced if the mode asks)
  Status status;
  for (size_t i = 0; i < count; ++i) {
    Waiter* w = group[i].get();
    if (w->records.empty()) {
      want_sync = true;
      continue;
    }
    const uint64_t end = write_offset_ + buffer_.size() + w->EncodedBytes();
    const bool segment_has_records = write_offset_ + buffer_.size() > kWalSegmentHeaderBytes;
    if (end > options_.segment_size_bytes && segment_has_records) {
      // The segment is full: finish it (always synced, so that a segment that has a
      // successor is complete on disk) and begin the next one.
      status = Flush(/*sync=*/true, lsn - 1);
      if (!status.ok()) break;
      written = i;
      next_lsn_ = lsn;
      status = CreateSegment(segment_number_ + 1, lsn);
      if (!status.ok()) break;
    }
    w->lsn = lsn;
    for (const WalAppendRecord& r : w->records) {
      AppendWalRecord(&buffer_, lsn++, static_cast<uint8_t>(r.type), r.payload,
                      durable_lsn_.load(std::memory_order_relaxed));
    }
  }
  if (status.ok()) status = Flush(want_sync, lsn - 1);
  if (status.ok()) {
    written = count;
    next_lsn_ = lsn;
  }
  // The rest failed. Nothing of them stays in the log, so their LSNs are given again.
  for (size_t i = written; i < count; ++i) {
    group[i]->status = status;
    group[i]->lsn = 0;
  }

  std::lock_guard<std::mutex> lock(mu_);
  // NoSpace leaves the writer usable (Flush and CreateSegment cleaned up); any other
  // failure may have lost data, so every later append must fail too.
  if (!status.ok() && status.code() != StatusCode::kNoSpace) poisoned_ = status;
  if (next_lsn_ > first_lsn) group_records_.Observe(next_lsn_ - first_lsn);
  stats_.records += next_lsn_ - first_lsn;
  stats_.last_lsn = next_lsn_ - 1;
  stats_.bytes += group_stats_.bytes;
  stats_.group_commits += group_stats_.group_commits;
  stats_.syncs += group_stats_.syncs;
  stats_.rotations += group_stats_.rotations;
  group_stats_ = {};
}

Status WalWriter::Flush(bool sync, uint64_t last_lsn) {
  // Only a sync is timed: a relaxed group pays no clock reading.
  const auto started =
      sync ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
  const auto timed = [&] {
    const auto elapsed = std::chrono::steady_clock::now() - started;
    sync_durations_ns_.Observe(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
  };
  if (buffer_.empty()) {
    // A direct segment is never left unsynced: every write to it is synced.
    if (!sync || !segment_unsynced_) return Status::OK();
    DOCDB_RETURN_IF_ERROR(segment_->Sync());
    timed();
    ++group_stats_.syncs;
    segment_unsynced_ = false;
    durable_lsn_.store(last_lsn, std::memory_order_relaxed);
    return Status::OK();
  }
  assert(sync || !direct_io());  // direct I/O is used in sync mode only
  Status written = direct_io() ? WriteDirect()
                   : sync      ? segment_->WriteAtAndSync(write_offset_, buffer_)
                               : segment_->WriteAt(write_offset_, buffer_);
  if (written.code() == StatusCode::kNoSpace) {
    // Part of the group may be on disk: erase it, so that nothing of a failed append
    // stays in the log, and leave the writer usable for when space is freed.
    buffer_.clear();
    if (direct_io()) return written;  // WriteDirect erased it
    const Status cut = CutBack(write_offset_);
    if (!cut.ok()) return cut.WithContext("cutting back after " + written.ToString());
    Status synced = segment_->Sync();
    if (!synced.ok()) return synced;
    return written;
  }
  DOCDB_RETURN_IF_ERROR(written);
  if (sync) timed();
  NoteBufferBytes();
  ++group_stats_.group_commits;
  group_stats_.bytes += buffer_.size();
  group_stats_.syncs += sync ? 1 : 0;
  write_offset_ += buffer_.size();
  buffer_.clear();
  segment_unsynced_ = !sync;
  if (sync) durable_lsn_.store(last_lsn, std::memory_order_relaxed);
  return Status::OK();
}

uint64_t WalWriter::ComposeBlocks(AlignedBuffer* image, uint64_t write_end) {
  // Rewriting the partial block's old bytes as they are keeps them whatever part of the
  // write a power cut lets through.
  const uint64_t block_start = RoundDown(write_offset_, kBlock);
  const size_t tail = write_offset_ - block_start;
  const size_t length = write_end - block_start;
  image->Reserve(length, 0);
  std::memcpy(image->data(), block_buffer_.data(), tail);
  std::memcpy(image->data() + tail, buffer_.data(), buffer_.size());
  std::memset(image->data() + tail + buffer_.size(), 0, length - tail - buffer_.size());
  return block_start;
}

void WalWriter::KeepPartialBlock(const char* image, uint64_t block_start, uint64_t end) {
  const size_t new_tail = end % kBlock;
  std::memcpy(block_buffer_.data(), image + (end - new_tail - block_start), new_tail);
}

Status WalWriter::WriteDirect() {
  const uint64_t end = write_offset_ + buffer_.size();
  // Past the written part, zeros up to the next chunk, within the preallocated segment.
  const uint64_t segment_end = RoundUp(options_.segment_size_bytes, kBlock);
  uint64_t write_end = RoundUp(end, kBlock);
  if (write_end > zeroed_to_) {
    write_end = std::max(write_end, std::min(RoundUp(end, kZeroFillChunkBytes), segment_end));
  }
  const uint64_t block_start = ComposeBlocks(&image_, write_end);
  const size_t tail = write_offset_ - block_start;
  const size_t length = write_end - block_start;
  const Status written =
      segment_->WriteAtAndSync(block_start, std::string_view(image_.data(), length));
  if (!written.ok()) {
    if (written.code() != StatusCode::kNoSpace) return written;
    // Part of the group may be on disk: the range goes back to the old block and zeros,
    // and nothing of a failed append stays in the log. Only a write that grew the file
    // can run out of space, and the part past the preallocated segment is cut off first,
    // so that the rewrite needs none.
    const uint64_t limit = std::max(segment_end, RoundUp(write_offset_, kBlock));
    DOCDB_RETURN_IF_ERROR(segment_->Truncate(limit));
    std::memset(image_.data() + tail, 0, length - tail);
    const uint64_t erase_end = std::min(write_end, limit);
    const Status erased = segment_->WriteAtAndSync(
        block_start, std::string_view(image_.data(), erase_end - block_start));
    if (!erased.ok()) return erased.WithContext("erasing after " + written.ToString());
    return written;
  }
  zeroed_to_ = std::max(zeroed_to_, write_end);
  KeepPartialBlock(image_.data(), block_start, end);
  return Status::OK();
}

void WalWriter::NoteBufferBytes() {
  buffer_capacity_.store(buffer_.capacity() + block_buffer_.capacity() + image_.capacity(),
                         std::memory_order_relaxed);
}

void WalWriter::RunPeriodicSync() {
  std::unique_lock<std::mutex> lock(timer_mu_);
  const auto interval = std::chrono::milliseconds(options_.periodic_sync_interval_ms);
  while (!timer_cv_.wait_for(lock, interval, [&] { return stop_timer_; })) {
    lock.unlock();
    // A failure poisons the writer, and every later Append reports it.
    Sync().IgnoreError();
    lock.lock();
  }
}

Status WalWriter::Close() {
  if (timer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(timer_mu_);
      stop_timer_ = true;
    }
    timer_cv_.notify_all();
    timer_.join();
  }
  Status synced = Sync();
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::FailedPrecondition("WAL " + dir_ + " is closed");
  closed_ = true;
  segment_.reset();
  return synced;
}

WalWriterStats WalWriter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Status WalWriter::poisoned() const {
  std::lock_guard<std::mutex> lock(mu_);
  return poisoned_;
}

}  // namespace docdb::io
