// WAL reading and end-of-log classification (io/wal_reader.h).
#include "io/wal_reader.h"

#include <algorithm>
#include <cstring>

#include "common/status_macros.h"
#include "io/file_names.h"
#include "io/wal_format.h"

namespace docdb::io {
namespace {

// The offset of the first non-zero byte at or after `from`, or bytes.size(). Compares
// whole blocks against zeros: a preallocated segment is mostly zeros, and this runs over
// all of it at every open.
size_t NextNonZero(std::string_view bytes, size_t from) {
  static constexpr char kZeros[4096] = {};
  while (from + sizeof(kZeros) <= bytes.size() &&
         std::memcmp(bytes.data() + from, kZeros, sizeof(kZeros)) == 0) {
    from += sizeof(kZeros);
  }
  while (from < bytes.size() && bytes[from] == 0) ++from;
  return from;
}

bool AllZero(std::string_view bytes) { return NextNonZero(bytes, 0) == bytes.size(); }

// The first offset at or after `offset` (a multiple of 8) at which a record could start,
// skipping runs of zeros in one go: a record's LSN (bytes 8-15) is never zero, so its
// first non-zero byte lies at most 15 bytes in, and the record starts at most one unit
// before the unit holding that byte.
uint64_t NextRecordCandidate(std::string_view bytes, uint64_t offset) {
  const uint64_t nonzero = NextNonZero(bytes, offset) / kWalRecordAlignment * kWalRecordAlignment;
  return std::max<uint64_t>(offset,
                            nonzero >= kWalRecordAlignment ? nonzero - kWalRecordAlignment : 0);
}

// The bytes in `bytes` up to and including the last non-zero one.
uint64_t WrittenExtent(std::string_view bytes) {
  const auto last = std::find_if(bytes.rbegin(), bytes.rend(), [](char c) { return c != 0; });
  return static_cast<uint64_t>(bytes.rend() - last);
}

Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path, uint64_t limit) {
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs->OpenFile(path, OpenMode::kRead));
  DOCDB_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  size = std::min(size, limit);
  std::string bytes(size, '\0');
  DOCDB_ASSIGN_OR_RETURN(const size_t got, file->ReadAt(0, size, bytes.data()));
  bytes.resize(got);
  return bytes;
}

}  // namespace

std::string_view WalRecoveryModeName(WalRecoveryMode mode) {
  switch (mode) {
    case WalRecoveryMode::kTolerateTornTail:
      return "tolerate-torn-tail";
    case WalRecoveryMode::kAbsolute:
      return "absolute";
    case WalRecoveryMode::kSalvage:
      return "salvage";
  }
  return "tolerate-torn-tail";
}

Result<WalRecoveryMode> ParseWalRecoveryMode(std::string_view name) {
  for (auto mode : {WalRecoveryMode::kTolerateTornTail, WalRecoveryMode::kAbsolute,
                    WalRecoveryMode::kSalvage}) {
    if (name == WalRecoveryModeName(mode)) return mode;
  }
  return Status::InvalidArgument("unknown recovery mode '" + std::string(name) +
                                 "' (expected tolerate-torn-tail, absolute or salvage)");
}

std::string_view WalEndReasonName(WalEndReason reason) {
  switch (reason) {
    case WalEndReason::kClean:
      return "clean";
    case WalEndReason::kTornTail:
      return "torn-tail";
    case WalEndReason::kCorruption:
      return "corruption";
  }
  return "clean";
}

WalReader::WalReader(FileSystem* fs, const WalReaderOptions& options, bool single_file)
    : fs_(fs), options_(options), single_file_(single_file) {}

Result<std::unique_ptr<WalReader>> WalReader::OpenDir(FileSystem* fs, const std::string& dir,
                                                      const WalReaderOptions& options) {
  std::unique_ptr<WalReader> reader(new WalReader(fs, options, /*single_file=*/false));
  DOCDB_ASSIGN_OR_RETURN(const bool exists, fs->FileExists(dir));
  std::vector<std::string> names;
  if (exists) {
    DOCDB_ASSIGN_OR_RETURN(names, fs->ListDir(dir));
  }
  for (const std::string& name : names) {
    if (auto number = ParseWalSegmentFileName(name)) {
      reader->segments_.push_back({*number, JoinPath(dir, name), 0, 0});
    }
  }
  std::sort(reader->segments_.begin(), reader->segments_.end(),
            [](const WalSegmentInfo& a, const WalSegmentInfo& b) { return a.number < b.number; });
  DOCDB_RETURN_IF_ERROR(reader->ReadHeaders());
  return reader;
}

Result<std::unique_ptr<WalReader>> WalReader::OpenSegmentFile(FileSystem* fs,
                                                              const std::string& path,
                                                              const WalReaderOptions& options) {
  std::unique_ptr<WalReader> reader(new WalReader(fs, options, /*single_file=*/true));
  reader->segments_.push_back({0, path, 0, 0});
  DOCDB_RETURN_IF_ERROR(reader->ReadHeaders());
  return reader;
}

Status WalReader::ReadHeaders() {
  // Every header is read first: a damaged one, or a gap in the numbering, matters only
  // where the segment is still to be read, not among those wholly before start_lsn.
  std::vector<Status> damage(segments_.size());
  for (size_t i = 0; i < segments_.size(); ++i) {
    WalSegmentInfo& info = segments_[i];
    DOCDB_ASSIGN_OR_RETURN(const std::string head,
                           ReadWholeFile(fs_, info.path, kWalSegmentHeaderBytes));
    Result<WalSegmentHeader> header = DecodeWalSegmentHeader(head);
    if (!header.ok()) {
      damage[i] = header.status().WithContext(info.path);
      continue;
    }
    if (single_file_) info.number = header->segment_number;
    if (header->segment_number != info.number) {
      damage[i] = Status::Corruption(info.path + ": header names segment " +
                                     std::to_string(header->segment_number));
      continue;
    }
    info.first_lsn = header->first_lsn;
    info.version = header->version;
  }
  // Skip the segments that hold only records below start_lsn: those whose successor
  // starts at or below it.
  while (index_ + 1 < segments_.size() && damage[index_ + 1].ok() &&
         segments_[index_ + 1].first_lsn <= options_.start_lsn) {
    ++index_;
  }
  DOCDB_RETURN_IF_ERROR(CheckSegmentsToRead(damage));
  if (segments_.empty()) {
    Finish(WalEndReason::kClean, "empty log");
    return Status::OK();
  }
  if (options_.require_start_lsn && segments_[index_].first_lsn > options_.start_lsn) {
    const WalSegmentInfo& oldest = segments_[index_];
    const std::string what = "WAL records from LSN " + std::to_string(options_.start_lsn) + " to " +
                             std::to_string(oldest.first_lsn - 1) +
                             " are missing: the oldest segment, " + oldest.path +
                             ", begins at LSN " + std::to_string(oldest.first_lsn);
    if (options_.mode != WalRecoveryMode::kSalvage) return Status::Corruption(what);
    NoteSalvaged(what);
  }
  return Status::OK();
}

Status WalReader::CheckSegmentsToRead(const std::vector<Status>& damage) {
  // Every segment from index_ on is read: each needs a good header, and their numbers
  // must follow on. Salvage leaves out a segment with a damaged header and reads past a
  // gap (LoadSegment counts the LSNs it skips).
  std::vector<WalSegmentInfo> kept(segments_.begin(), segments_.begin() + index_);
  for (size_t i = index_; i < segments_.size(); ++i) {
    if (!damage[i].ok()) {
      if (options_.mode != WalRecoveryMode::kSalvage) return damage[i];
      NoteSalvaged(std::string(damage[i].message()));
      continue;
    }
    if (kept.size() > index_ && segments_[i].number != kept.back().number + 1 &&
        options_.mode != WalRecoveryMode::kSalvage) {
      return Status::Corruption("WAL segment " + std::to_string(kept.back().number + 1) +
                                " is missing (found " + kept.back().path + " and " +
                                segments_[i].path + ")");
    }
    kept.push_back(segments_[i]);
  }
  segments_ = std::move(kept);
  if (index_ >= segments_.size()) index_ = segments_.empty() ? 0 : segments_.size() - 1;
  return Status::OK();
}

std::string WalReader::Where(uint64_t offset) const {
  return segments_[index_].path + " offset " + std::to_string(offset) + " (LSN " +
         std::to_string(next_lsn_) + ")";
}

Status WalReader::LoadSegment(size_t index) {
  index_ = index;
  WalSegmentInfo& info = segments_[index_];
  DOCDB_ASSIGN_OR_RETURN(buf_, ReadWholeFile(fs_, info.path, UINT64_MAX));
  info.size_bytes = buf_.size();
  loaded_ = true;
  offset_ = kWalSegmentHeaderBytes;
  end_.segment = info.number;
  end_.offset = offset_;
  if (next_lsn_ != 0 && info.first_lsn != next_lsn_) {
    const std::string what = info.path + " starts at LSN " + std::to_string(info.first_lsn) +
                             " but the log before it ends at LSN " + std::to_string(next_lsn_ - 1);
    if (options_.mode != WalRecoveryMode::kSalvage) {
      Finish(WalEndReason::kCorruption, what);
      return Status::Corruption(what);
    }
    NoteSalvaged(what);
  }
  next_lsn_ = info.first_lsn;
  return Status::OK();
}

bool WalReader::SkipBlockPadding() {
  // Zeros up to the next block boundary, and there the record with the next LSN: a group
  // written while the one before it was still in flight began on a block of its own. Any
  // other zeros followed by written bytes are damage: a record is written at one place
  // only, so the next LSN at the boundary means nothing was lost in between.
  if (segments_[index_].version < kWalBlockPaddingVersion) return false;
  const uint64_t boundary = (offset_ / kWalBlockBytes + 1) * kWalBlockBytes;
  if (boundary >= buf_.size()) return false;
  WalFrame frame;
  if (DecodeWalRecord(std::string_view(buf_).substr(boundary), &frame) != WalFrameStatus::kOk ||
      frame.lsn != next_lsn_ || NextNonZero(buf_, offset_) < boundary) {
    return false;
  }
  offset_ = boundary;
  return true;
}

void WalReader::NoteSalvaged(const std::string& what) {
  if (end_.salvaged_regions++ == 0) end_.first_salvaged = what;
}

void WalReader::Finish(WalEndReason reason, std::string detail) {
  finished_ = true;
  end_.reason = reason;
  end_.last_lsn = next_lsn_ == 0 ? 0 : next_lsn_ - 1;
  end_.detail = std::move(detail);
}

bool WalReader::FindValidRecordAfter(Position* found) {
  // In this segment: any record with a good checksum and an LSN not yet read. Records
  // start at multiples of 8, so only those offsets can hold one.
  uint64_t offset = (offset_ + kWalRecordAlignment) / kWalRecordAlignment * kWalRecordAlignment;
  for (; offset + kWalRecordHeaderBytes <= buf_.size(); offset += kWalRecordAlignment) {
    offset = NextRecordCandidate(buf_, offset);
    if (offset + kWalRecordHeaderBytes > buf_.size()) break;
    WalFrame frame;
    if (DecodeWalRecord(std::string_view(buf_).substr(offset), &frame) == WalFrameStatus::kOk &&
        frame.lsn >= next_lsn_) {
      *found = {index_, offset, frame.lsn};
      return true;
    }
  }
  // A later segment: the writer creates one only after the previous is complete and
  // synced, so its existence alone means the damage here is not a torn tail.
  if (index_ + 1 < segments_.size()) {
    *found = {index_ + 1, kWalSegmentHeaderBytes, segments_[index_ + 1].first_lsn};
    return true;
  }
  return false;
}

bool WalReader::IsDamagedFinalGroup(const Position& found, uint64_t* records) const {
  // A later segment is begun only once this one is synced whole: damage before it was
  // durable once, whatever the records after it in this segment say.
  if (found.index != index_ || index_ + 1 < segments_.size()) return false;
  const uint64_t damaged_lsn = next_lsn_;
  *records = 0;
  for (uint64_t offset = found.offset; offset + kWalRecordHeaderBytes <= buf_.size();) {
    offset = NextRecordCandidate(buf_, offset);
    if (offset + kWalRecordHeaderBytes > buf_.size()) break;
    WalFrame frame;
    if (DecodeWalRecord(std::string_view(buf_).substr(offset), &frame) != WalFrameStatus::kOk ||
        frame.lsn < damaged_lsn) {
      offset += kWalRecordAlignment;
      continue;
    }
    // Written once the damaged record was known durable: the damage came later, to data
    // that had been acknowledged. (Version-1 records read as durable through themselves.)
    if (frame.durable_lsn >= damaged_lsn) return false;
    ++*records;
    offset += frame.encoded_bytes;
  }
  return true;
}

Status WalReader::HandleDamage(std::string_view what, bool* finished) {
  const std::string where = Where(offset_);
  Position found{};
  uint64_t group_records = 0;
  const bool valid_after = FindValidRecordAfter(&found);
  if (!valid_after || IsDamagedFinalGroup(found, &group_records)) {
    // The end of the log: a crash cut the last write short, or (a disk writing the
    // sectors of one write out of order) left some of its records whole after a torn one.
    // Nothing from here on was acknowledged in sync mode.
    end_.dropped_bytes = WrittenExtent(std::string_view(buf_).substr(offset_));
    end_.dropped_records = group_records;
    std::string detail = (valid_after ? "damaged final write at " : "torn final record at ") +
                         where + ": " + std::string(what) + "; " +
                         std::to_string(end_.dropped_bytes) + " bytes dropped";
    if (valid_after) {
      detail += ", with " + std::to_string(group_records) +
                " whole records of the same unfinished write after the damage";
    }
    *finished = true;
    if (options_.mode == WalRecoveryMode::kAbsolute) {
      Finish(WalEndReason::kCorruption, detail);
      return Status::Corruption(std::move(detail));
    }
    Finish(WalEndReason::kTornTail, std::move(detail));
    return Status::OK();
  }
  std::string detail = "corrupt WAL at " + where + ": " + std::string(what) +
                       "; valid records follow at " + segments_[found.index].path + " offset " +
                       std::to_string(found.offset) + " (LSN " + std::to_string(found.lsn) + ")";
  if (options_.mode != WalRecoveryMode::kSalvage) {
    *finished = true;
    Finish(WalEndReason::kCorruption, detail);
    return Status::Corruption(std::move(detail));
  }
  NoteSalvaged(detail);
  if (found.index != index_) {
    loaded_ = false;
    index_ = found.index;
    next_lsn_ = 0;  // the next segment's header sets it
    return Status::OK();
  }
  offset_ = found.offset;
  next_lsn_ = found.lsn;
  return Status::OK();
}

Result<bool> WalReader::Next(WalRecord* record) {
  while (!finished_) {
    if (!loaded_) {
      if (Status s = LoadSegment(index_); !s.ok()) {
        error_ = s;
        finished_ = true;
        break;
      }
    }
    const std::string_view rest = std::string_view(buf_).substr(offset_);
    WalFrame frame;
    const WalFrameStatus status =
        rest.empty() ? WalFrameStatus::kZeros : DecodeWalRecord(rest, &frame);
    if (status == WalFrameStatus::kOk && frame.lsn == next_lsn_) {
      if (!IsKnownWalRecordType(frame.type) && !IsSkippableWalRecordType(frame.type)) {
        // Not consumed: the log's known content ends before this record.
        error_ =
            Status::NotSupported(Where(offset_) + ": record type " + std::to_string(frame.type) +
                                 " is not known to this build (written by a newer DocDB?)");
        Finish(WalEndReason::kCorruption, std::string(error_.message()));
        break;
      }
      record->lsn = frame.lsn;
      record->type = frame.type;
      record->durable_lsn = frame.durable_lsn;
      record->payload = frame.payload;
      record->segment = segments_[index_].number;
      record->offset = offset_;
      record->encoded_bytes = frame.encoded_bytes;
      offset_ += frame.encoded_bytes;
      end_.offset = offset_;
      ++next_lsn_;
      if (!IsKnownWalRecordType(frame.type)) {
        ++end_.skipped_records;
        continue;
      }
      if (frame.lsn < options_.start_lsn) continue;
      return true;
    }
    if (status == WalFrameStatus::kZeros && AllZero(rest)) {
      // The written part of this segment ends here; the log goes on in the next one.
      if (index_ + 1 < segments_.size()) {
        loaded_ = false;
        ++index_;
        continue;
      }
      Finish(WalEndReason::kClean, "clean end of log at " + Where(offset_));
      break;
    }
    // Padding shorter than a record header decodes as a bad header or checksum (the
    // header runs into the next block), so every status but a whole record is checked.
    if (status != WalFrameStatus::kOk && SkipBlockPadding()) continue;
    std::string what(WalFrameStatusName(status));
    if (status == WalFrameStatus::kOk) {
      what = "record has LSN " + std::to_string(frame.lsn) + " where " + std::to_string(next_lsn_) +
             " was expected";
    } else if (status == WalFrameStatus::kZeros) {
      what = "unwritten space followed by written bytes";
    }
    bool finished = false;
    if (Status s = HandleDamage(what, &finished); !s.ok()) error_ = s;
    if (finished) break;
  }
  if (!error_.ok()) return error_;
  return false;
}

}  // namespace docdb::io
