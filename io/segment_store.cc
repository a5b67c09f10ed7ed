// Data segment files (io/segment_store.h).
#include "io/segment_store.h"

#include <algorithm>
#include <cassert>

#include "common/coding.h"
#include "common/status_macros.h"
#include "io/file_names.h"

namespace docdb::io {
namespace {

// ForEachRecord reads a segment in pieces of this size.
constexpr size_t kScanChunkBytes = 1 << 20;

}  // namespace

uint64_t SegmentUsage::record_bytes() const {
  return length_bytes > kSegmentHeaderBytes ? length_bytes - kSegmentHeaderBytes : 0;
}

uint64_t SegmentUsage::dead_bytes() const {
  const uint64_t kept_or_live = live_bytes + kept_bytes;
  return record_bytes() > kept_or_live ? record_bytes() - kept_or_live : 0;
}

double SegmentUsage::dead_ratio() const {
  const uint64_t records = record_bytes();
  return records == 0 ? 0.0 : static_cast<double>(dead_bytes()) / static_cast<double>(records);
}

SegmentStore::SegmentStore(FileSystem* fs, std::string dir, uint64_t segment_size_bytes,
                           uint64_t buffer_bytes)
    : fs_(fs),
      dir_(std::move(dir)),
      segment_size_bytes_(segment_size_bytes),
      buffer_bytes_(buffer_bytes) {
  // Appends never grow the buffer while a reader may be copying from it.
  tail_.reserve(buffer_bytes_);
}

Result<std::unique_ptr<SegmentStore>> SegmentStore::Open(FileSystem* fs, const std::string& dir,
                                                         const std::vector<SegmentExtent>& durable,
                                                         uint64_t segment_size_bytes,
                                                         uint64_t buffer_bytes) {
  DOCDB_RETURN_IF_ERROR(fs->CreateDir(dir));
  DOCDB_RETURN_IF_ERROR(fs->SyncDir(DirName(dir)));
  std::unique_ptr<SegmentStore> store(new SegmentStore(fs, dir, segment_size_bytes, buffer_bytes));
  std::map<uint64_t, SegmentExtent> recorded;
  for (const SegmentExtent& e : durable) recorded[e.segment] = e;

  DOCDB_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs->ListDir(dir));
  bool removed = false;
  for (const std::string& name : names) {
    const std::optional<uint64_t> number = ParseDataSegmentFileName(name);
    if (!number) continue;
    const std::string path = JoinPath(dir, name);
    auto it = recorded.find(*number);
    if (it == recorded.end()) {
      DOCDB_RETURN_IF_ERROR(fs->RemoveFile(path));
      removed = true;
      continue;
    }
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs->OpenFile(path, OpenMode::kReadWrite));
    const SegmentExtent& extent = it->second;
    DOCDB_ASSIGN_OR_RETURN(const uint64_t size, file->Size());
    if (size < extent.length_bytes) {
      return Status::Corruption(path + " has " + std::to_string(size) +
                                " bytes but the checkpoint recorded " +
                                std::to_string(extent.length_bytes));
    }
    if (size > extent.length_bytes) {
      // Records written after the checkpoint: the WAL replay appends them again.
      DOCDB_RETURN_IF_ERROR(file->Truncate(extent.length_bytes));
      DOCDB_RETURN_IF_ERROR(file->Sync());
    }
    Segment segment = store->MakeSegment(std::move(file), extent.length_bytes);
    segment.live_by_collection = extent.live_by_collection;
    segment.min_lsn = extent.min_lsn;
    segment.kept = extent.kept_bytes;
    for (const auto& [collection, bytes] : segment.live_by_collection) segment.live += bytes;
    store->segments_[*number] = std::move(segment);
    recorded.erase(it);
  }
  if (!recorded.empty()) {
    return Status::Corruption(DataSegmentPath(dir, recorded.begin()->first) +
                              " is missing but the checkpoint refers to it");
  }
  if (removed) DOCDB_RETURN_IF_ERROR(fs->SyncDir(dir));

  std::lock_guard<std::mutex> lock(store->append_mu_);
  if (store->segments_.empty()) {
    DOCDB_RETURN_IF_ERROR(store->CreateSegment(1));
  } else {
    store->active_ = store->segments_.rbegin()->first;
    store->tail_offset_ = store->segments_.rbegin()->second.length;
  }
  return store;
}

Status SegmentStore::CreateSegment(uint64_t number) {
  DOCDB_RETURN_IF_ERROR(FlushLocked());
  const std::string path = DataSegmentPath(dir_, number);
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_->OpenFile(path, OpenMode::kCreateNew));
  const std::string header = EncodeSegmentHeader(number);
  if (Status written = file->WriteAt(0, header); !written.ok()) {
    // Were it left, the next attempt to begin this segment (a rotation, after a full
    // disk has room again) would find it there.
    file.reset();
    fs_->RemoveFile(path).IgnoreError();
    return written;
  }
  Segment segment = MakeSegment(std::move(file), header.size());
  std::unique_lock<std::shared_mutex> lock(segments_mu_);
  segments_[number] = std::move(segment);
  active_ = number;
  tail_offset_ = header.size();
  unsynced_.insert(number);
  dir_unsynced_ = true;
  return Status::OK();
}

SegmentStore::Segment SegmentStore::MakeSegment(std::unique_ptr<File> file, uint64_t length) const {
  // Mapped to the size limit, so that the mapping covers what later appends write; a
  // record larger than the limit (alone in its segment) is read with ReadAt. Without a
  // mapping every read uses ReadAt, so a mapping failure costs speed, not correctness.
  Result<std::shared_ptr<const MappedRegion>> mapping =
      file->Map(std::max(segment_size_bytes_, length));
  return Segment{std::shared_ptr<File>(std::move(file)),
                 mapping.ok() ? *std::move(mapping) : nullptr, length};
}

Result<SegmentLocation> SegmentStore::Append(const SegmentRecord& record, uint64_t collection_id,
                                             bool kept) {
  std::lock_guard<std::mutex> lock(append_mu_);
  const uint64_t size = SegmentRecordBytes(record);
  uint64_t offset = 0;
  {
    std::shared_lock<std::shared_mutex> read(segments_mu_);
    offset = segments_.at(active_).length;
  }
  if (offset + size > segment_size_bytes_ && offset > kSegmentHeaderBytes) {
    DOCDB_RETURN_IF_ERROR(CreateSegment(active_ + 1));
    offset = kSegmentHeaderBytes;
  }
  if (tail_.size() + size > buffer_bytes_) DOCDB_RETURN_IF_ERROR(FlushLocked());
  if (size <= buffer_bytes_) {
    std::unique_lock<std::shared_mutex> write(segments_mu_);
    assert(offset == tail_offset_ + tail_.size());
    AppendSegmentRecord(&tail_, record);
    NoteAppended(record, size, collection_id, kept);
  } else {
    // Larger than the buffer: written on its own, after what the buffer held.
    buffer_.clear();
    AppendSegmentRecord(&buffer_, record);
    DOCDB_RETURN_IF_ERROR(ActiveFile()->WriteAt(offset, buffer_));
    std::unique_lock<std::shared_mutex> write(segments_mu_);
    NoteAppended(record, size, collection_id, kept);
    tail_offset_ = offset + size;
  }
  return SegmentLocation{active_, offset, static_cast<uint32_t>(size)};
}

void SegmentStore::NoteAppended(const SegmentRecord& record, uint64_t size, uint64_t collection_id,
                                bool kept) {
  Segment& segment = segments_.at(active_);
  segment.length += size;
  segment.min_lsn = std::min(segment.min_lsn, record.lsn);
  if (kept) segment.kept += size;
  if (record.kind == SegmentRecordKind::kDocument) {
    segment.live += size;
    segment.live_by_collection[collection_id] += size;
  }
  unsynced_.insert(active_);
}

std::shared_ptr<File> SegmentStore::ActiveFile() const {
  std::shared_lock<std::shared_mutex> read(segments_mu_);
  return segments_.at(active_).file;
}

Status SegmentStore::Flush() {
  std::lock_guard<std::mutex> lock(append_mu_);
  return FlushLocked();
}

Status SegmentStore::FlushLocked() {
  if (tail_.empty()) return Status::OK();
  // Only appends change the buffer, and they wait for append_mu_: readers may copy from
  // it meanwhile.
  DOCDB_RETURN_IF_ERROR(ActiveFile()->WriteAt(tail_offset_, tail_));
  std::unique_lock<std::shared_mutex> write(segments_mu_);
  tail_offset_ += tail_.size();
  tail_.clear();
  return Status::OK();
}

void SegmentStore::Release(const SegmentLocation& location, uint64_t collection_id) {
  std::unique_lock<std::shared_mutex> lock(segments_mu_);
  auto it = segments_.find(location.segment);
  // Callers release only what they know to be live; a miss is an accounting defect, and
  // the segment then simply stays (compaction never removes a segment with live bytes).
  assert(it != segments_.end());
  if (it == segments_.end()) return;
  auto live = it->second.live_by_collection.find(collection_id);
  assert(live != it->second.live_by_collection.end() && live->second >= location.length);
  if (live == it->second.live_by_collection.end() || live->second < location.length) return;
  it->second.live -= location.length;
  if ((live->second -= location.length) == 0) it->second.live_by_collection.erase(live);
}

void SegmentStore::ReleaseCollection(uint64_t collection_id) {
  std::unique_lock<std::shared_mutex> lock(segments_mu_);
  for (auto& [number, segment] : segments_) {
    auto live = segment.live_by_collection.find(collection_id);
    if (live == segment.live_by_collection.end()) continue;
    segment.live -= live->second;
    segment.live_by_collection.erase(live);
  }
}

Status SegmentStore::Seal() {
  std::lock_guard<std::mutex> lock(append_mu_);
  {
    std::shared_lock<std::shared_mutex> read(segments_mu_);
    // An empty active segment stays the active one: sealing it would reclaim nothing.
    if (segments_.at(active_).length <= kSegmentHeaderBytes) return Status::OK();
  }
  return CreateSegment(active_ + 1);
}

Status SegmentStore::ForEachRecord(
    uint64_t number,
    const std::function<bool(const SegmentLocation&, const SegmentRecord&)>& visit) const {
  std::shared_ptr<File> file;
  uint64_t length = 0;
  {
    std::shared_lock<std::shared_mutex> lock(segments_mu_);
    auto it = segments_.find(number);
    if (it == segments_.end()) {
      return Status::NotFound("no data segment " + DataSegmentFileName(number));
    }
    if (number == active_) {
      return Status::FailedPrecondition("data segment " + DataSegmentFileName(number) +
                                        " is being appended to");
    }
    file = it->second.file;
    length = it->second.length;
  }
  const auto where = [&](uint64_t offset) {
    return DataSegmentPath(dir_, number) + " offset " + std::to_string(offset);
  };
  std::string chunk;
  uint64_t chunk_offset = kSegmentHeaderBytes;  // file offset of chunk[0]
  size_t pos = 0;
  // Makes chunk[pos, pos + n) hold the bytes at chunk_offset + pos.
  const auto have = [&](size_t n) -> Status {
    if (pos + n <= chunk.size()) return Status::OK();
    chunk.erase(0, pos);
    chunk_offset += pos;
    pos = 0;
    const size_t want = std::max(n, kScanChunkBytes);
    const uint64_t left = length - (chunk_offset + chunk.size());
    const size_t read = static_cast<size_t>(std::min<uint64_t>(want - chunk.size(), left));
    const size_t old = chunk.size();
    chunk.resize(old + read);
    DOCDB_ASSIGN_OR_RETURN(const size_t got,
                           file->ReadAt(chunk_offset + old, read, chunk.data() + old));
    chunk.resize(old + got);
    if (chunk.size() < n) {
      return Status::Corruption(where(chunk_offset) + ": a record runs past the segment's end");
    }
    return Status::OK();
  };
  while (chunk_offset + pos < length) {
    const uint64_t offset = chunk_offset + pos;
    DOCDB_RETURN_IF_ERROR(have(kSegmentRecordHeaderBytes));
    const uint64_t size = kSegmentRecordHeaderBytes + DecodeFixed32(chunk.data() + pos + 4);
    if (offset + size > length) {
      return Status::Corruption(where(offset) + ": a record runs past the segment's end");
    }
    DOCDB_RETURN_IF_ERROR(have(static_cast<size_t>(size)));
    Result<SegmentRecord> record =
        DecodeSegmentRecord(std::string_view(chunk).substr(pos, static_cast<size_t>(size)));
    if (!record.ok()) return record.status().WithContext(where(offset));
    if (!visit(SegmentLocation{number, offset, static_cast<uint32_t>(size)}, *record)) break;
    pos += static_cast<size_t>(size);
  }
  return Status::OK();
}

Status SegmentStore::CheckHeader(uint64_t number) const {
  std::shared_ptr<File> file;
  {
    std::shared_lock<std::shared_mutex> lock(segments_mu_);
    auto it = segments_.find(number);
    if (it == segments_.end()) {
      return Status::NotFound("no data segment " + DataSegmentFileName(number));
    }
    file = it->second.file;
  }
  std::string header(kSegmentHeaderBytes, '\0');
  DOCDB_ASSIGN_OR_RETURN(const size_t got, file->ReadAt(0, header.size(), header.data()));
  header.resize(got);
  const Result<uint64_t> decoded = DecodeSegmentHeader(header);
  if (!decoded.ok()) return decoded.status().WithContext(DataSegmentPath(dir_, number));
  if (*decoded != number) {
    return Status::Corruption(DataSegmentPath(dir_, number) + ": its header names segment " +
                              std::to_string(*decoded));
  }
  return Status::OK();
}

Status SegmentStore::Retire(uint64_t number) {
  std::lock_guard<std::mutex> append(append_mu_);
  std::unique_lock<std::shared_mutex> lock(segments_mu_);
  auto it = segments_.find(number);
  if (it == segments_.end()) {
    return Status::NotFound("no data segment " + DataSegmentFileName(number));
  }
  if (number == active_ || it->second.live != 0) {
    return Status::FailedPrecondition(
        "data segment " + DataSegmentFileName(number) +
        (number == active_ ? " is being appended to"
                           : " still holds " + std::to_string(it->second.live) + " live bytes"));
  }
  it->second.retired = true;
  return Status::OK();
}

std::vector<uint64_t> SegmentStore::Retired() const {
  std::shared_lock<std::shared_mutex> lock(segments_mu_);
  std::vector<uint64_t> out;
  for (const auto& [number, segment] : segments_) {
    if (segment.retired) out.push_back(number);
  }
  return out;
}

Result<uint64_t> SegmentStore::RemoveRetired(const std::vector<uint64_t>& numbers) {
  uint64_t bytes = 0;
  if (numbers.empty()) return bytes;
  {
    std::shared_lock<std::shared_mutex> lock(segments_mu_);
    for (uint64_t number : numbers) {
      auto it = segments_.find(number);
      if (it == segments_.end() || !it->second.retired) {
        return Status::FailedPrecondition("data segment " + DataSegmentFileName(number) +
                                          " is not retired");
      }
      bytes += it->second.length;
    }
  }
  // A read pinned from now on learns its location after the index and overlay stopped
  // naming these segments; one pinned before may still be about to look one up.
  read_epochs_.WaitForReaders();
  {
    std::unique_lock<std::shared_mutex> lock(segments_mu_);
    for (uint64_t number : numbers) {
      unsynced_.erase(number);
      segments_.erase(number);  // a read already past the lookup keeps its file open
    }
  }
  for (uint64_t number : numbers) {
    DOCDB_RETURN_IF_ERROR(fs_->RemoveFile(DataSegmentPath(dir_, number)));
  }
  DOCDB_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  return bytes;
}

Result<SegmentRecord> SegmentStore::Read(const SegmentLocation& location,
                                         SegmentReadBuffer* buffer) const {
  // Built only on an error: this is the read path.
  const auto where = [&] {
    return DataSegmentPath(dir_, location.segment) + " offset " + std::to_string(location.offset);
  };
  std::shared_ptr<const MappedRegion> mapping;
  std::shared_ptr<File> file;
  {
    std::shared_lock<std::shared_mutex> lock(segments_mu_);
    auto it = segments_.find(location.segment);
    if (it == segments_.end()) {
      return Status::Corruption("index points at missing data segment " +
                                DataSegmentFileName(location.segment));
    }
    const Segment& segment = it->second;
    const uint64_t end = location.offset + location.length;
    if (location.segment == active_ && location.offset >= tail_offset_) {
      if (end > tail_offset_ + tail_.size()) {
        return Status::Corruption(where() + ": record runs past the end of the segment");
      }
      buffer->assign(tail_, static_cast<size_t>(location.offset - tail_offset_), location.length);
    } else if (segment.mapping && end <= segment.length && end <= segment.mapping->size_bytes()) {
      // Only bytes below the appended length are copied out of the mapping: past it the
      // mapping would read zeros or fail, where ReadAt reports the location as corruption.
      mapping = segment.mapping;
    } else {
      file = segment.file;
    }
  }
  // One copy of the record, before it is decoded: no view into the mapping leaves the
  // guarded copy, so a page that cannot be read is an error here and never a SIGBUS later.
  if (mapping) {
    buffer->resize(location.length);
    const Status copied = mapping->CopyOut(location.offset, location.length, buffer->data());
    if (!copied.ok()) return copied.WithContext(where());
  } else if (file) {
    buffer->resize(location.length);
    DOCDB_ASSIGN_OR_RETURN(const size_t got,
                           file->ReadAt(location.offset, location.length, buffer->data()));
    if (got != location.length) {
      return Status::Corruption(where() + ": record runs past the end of the segment");
    }
  }
  Result<SegmentRecord> record = DecodeSegmentRecord(*buffer);
  if (!record.ok()) return record.status().WithContext(where());
  return record;
}

Status SegmentStore::SyncAll() {
  std::vector<std::shared_ptr<File>> files;
  bool sync_dir = false;
  {
    std::unique_lock<std::shared_mutex> lock(segments_mu_);
    for (uint64_t n : unsynced_) files.push_back(segments_.at(n).file);
    unsynced_.clear();
    sync_dir = dir_unsynced_;
    dir_unsynced_ = false;
  }
  // A failure leaves the data unsynced for good: the caller's checkpoint fails, and the
  // database stops taking writes (a failed fsync is never retried).
  for (const auto& file : files) DOCDB_RETURN_IF_ERROR(file->Sync());
  if (sync_dir) DOCDB_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  return Status::OK();
}

std::vector<SegmentExtent> SegmentStore::Extents() const {
  std::shared_lock<std::shared_mutex> lock(segments_mu_);
  std::vector<SegmentExtent> out;
  for (const auto& [number, segment] : segments_) {
    if (!segment.retired) {
      out.push_back(
          {number, segment.length, segment.live_by_collection, segment.min_lsn, segment.kept});
    }
  }
  return out;
}

uint64_t SegmentStore::OldestLsnOutside(uint64_t segment) const {
  std::shared_lock<std::shared_mutex> lock(segments_mu_);
  uint64_t oldest = UINT64_MAX;
  for (const auto& [number, s] : segments_) {
    if (number != segment && !s.retired) oldest = std::min(oldest, s.min_lsn);
  }
  return oldest;
}

std::vector<SegmentUsage> SegmentStore::Usage() const {
  std::shared_lock<std::shared_mutex> lock(segments_mu_);
  std::vector<SegmentUsage> out;
  for (const auto& [number, segment] : segments_) {
    if (!segment.retired) {
      out.push_back({number, segment.length, segment.live, number == active_, segment.kept});
    }
  }
  return out;
}

}  // namespace docdb::io
