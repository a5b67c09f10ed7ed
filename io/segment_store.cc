// Data segment files (io/segment_store.h).
#include "io/segment_store.h"

#include <algorithm>

#include "common/status_macros.h"
#include "io/file_names.h"

namespace docdb::io {

SegmentStore::SegmentStore(FileSystem* fs, std::string dir, uint64_t segment_size_bytes)
    : fs_(fs), dir_(std::move(dir)), segment_size_bytes_(segment_size_bytes) {}

Result<std::unique_ptr<SegmentStore>> SegmentStore::Open(FileSystem* fs, const std::string& dir,
                                                         const std::vector<SegmentExtent>& durable,
                                                         uint64_t segment_size_bytes) {
  DOCDB_RETURN_IF_ERROR(fs->CreateDir(dir));
  DOCDB_RETURN_IF_ERROR(fs->SyncDir(DirName(dir)));
  std::unique_ptr<SegmentStore> store(new SegmentStore(fs, dir, segment_size_bytes));
  std::map<uint64_t, uint64_t> recorded;
  for (const SegmentExtent& e : durable) recorded[e.segment] = e.length_bytes;

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
    DOCDB_ASSIGN_OR_RETURN(const uint64_t size, file->Size());
    if (size < it->second) {
      return Status::Corruption(path + " has " + std::to_string(size) +
                                " bytes but the checkpoint recorded " + std::to_string(it->second));
    }
    if (size > it->second) {
      // Records written after the checkpoint: the WAL replay appends them again.
      DOCDB_RETURN_IF_ERROR(file->Truncate(it->second));
      DOCDB_RETURN_IF_ERROR(file->Sync());
    }
    store->segments_[*number] = store->MakeSegment(std::move(file), it->second);
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
  }
  return store;
}

Status SegmentStore::CreateSegment(uint64_t number) {
  const std::string path = DataSegmentPath(dir_, number);
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_->OpenFile(path, OpenMode::kCreateNew));
  const std::string header = EncodeSegmentHeader(number);
  DOCDB_RETURN_IF_ERROR(file->WriteAt(0, header));
  Segment segment = MakeSegment(std::move(file), header.size());
  std::unique_lock<std::shared_mutex> lock(segments_mu_);
  segments_[number] = std::move(segment);
  active_ = number;
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

Result<SegmentLocation> SegmentStore::Append(const SegmentRecord& record) {
  std::lock_guard<std::mutex> lock(append_mu_);
  const uint64_t size = SegmentRecordBytes(record);
  uint64_t offset = 0;
  std::shared_ptr<File> file;
  {
    std::shared_lock<std::shared_mutex> read(segments_mu_);
    offset = segments_.at(active_).length;
  }
  if (offset + size > segment_size_bytes_ && offset > kSegmentHeaderBytes) {
    DOCDB_RETURN_IF_ERROR(CreateSegment(active_ + 1));
    offset = kSegmentHeaderBytes;
  }
  {
    std::shared_lock<std::shared_mutex> read(segments_mu_);
    file = segments_.at(active_).file;
  }
  buffer_.clear();
  AppendSegmentRecord(&buffer_, record);
  DOCDB_RETURN_IF_ERROR(file->WriteAt(offset, buffer_));
  std::unique_lock<std::shared_mutex> write(segments_mu_);
  segments_.at(active_).length = offset + size;
  unsynced_.insert(active_);
  return SegmentLocation{active_, offset, static_cast<uint32_t>(size)};
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
    // Only bytes below the appended length are copied out of the mapping: past it the
    // mapping would read zeros or fail, where ReadAt reports the location as corruption.
    const uint64_t end = location.offset + location.length;
    if (segment.mapping && end <= segment.length && end <= segment.mapping->size_bytes()) {
      mapping = segment.mapping;
    } else {
      file = segment.file;
    }
  }
  // One copy of the record, before it is decoded: no view into the mapping leaves the
  // guarded copy, so a page that cannot be read is an error here and never a SIGBUS later.
  buffer->resize(location.length);
  if (mapping) {
    const Status copied = mapping->CopyOut(location.offset, location.length, buffer->data());
    if (!copied.ok()) return copied.WithContext(where());
  } else {
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
  for (const auto& [number, segment] : segments_) out.push_back({number, segment.length});
  return out;
}

}  // namespace docdb::io
