// WAL trimming (io/wal_trim.h).
#include "io/wal_trim.h"

#include <algorithm>
#include <optional>

#include "common/status_macros.h"
#include "io/file_names.h"
#include "io/wal_format.h"

namespace docdb::io {
namespace {

Result<uint64_t> FileSize(FileSystem* fs, const std::string& path) {
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<File> file, fs->OpenFile(path, OpenMode::kRead));
  return file->Size();
}

// The first LSN a segment's header names; nullopt when it cannot be read or is damaged.
std::optional<uint64_t> FirstLsnOf(FileSystem* fs, const std::string& dir, uint64_t number) {
  Result<std::unique_ptr<File>> file = fs->OpenFile(WalSegmentPath(dir, number), OpenMode::kRead);
  if (!file.ok()) return std::nullopt;
  std::string head(kWalSegmentHeaderBytes, '\0');
  const Result<size_t> got = (*file)->ReadAt(0, head.size(), head.data());
  if (!got.ok()) return std::nullopt;
  head.resize(*got);
  const Result<WalSegmentHeader> header = DecodeWalSegmentHeader(head);
  if (!header.ok() || header->segment_number != number) return std::nullopt;
  return header->first_lsn;
}

}  // namespace

Result<std::vector<WalSegmentSize>> ListWalSegments(FileSystem* fs, const std::string& dir) {
  std::vector<WalSegmentSize> out;
  DOCDB_ASSIGN_OR_RETURN(const bool exists, fs->FileExists(dir));
  if (!exists) return out;
  DOCDB_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs->ListDir(dir));
  for (const std::string& name : names) {
    const std::optional<uint64_t> number = ParseWalSegmentFileName(name);
    if (!number) continue;
    Result<uint64_t> size = FileSize(fs, JoinPath(dir, name));
    // A segment trimmed between the listing and the open is simply gone.
    if (!size.ok() && size.status().code() == StatusCode::kNotFound) continue;
    DOCDB_RETURN_IF_ERROR(size.status());
    out.push_back({*number, *size});
  }
  std::sort(out.begin(), out.end(),
            [](const WalSegmentSize& a, const WalSegmentSize& b) { return a.number < b.number; });
  return out;
}

Result<WalTrimPlan> PlanWalTrim(FileSystem* fs, const std::string& dir, uint64_t checkpoint_lsn,
                                uint32_t keep) {
  DOCDB_ASSIGN_OR_RETURN(const std::vector<WalSegmentSize> segments, ListWalSegments(fs, dir));
  // The newest segment whose header is sound and which begins at or below C + 1: every
  // segment before it holds only records <= C, whatever their own headers say (LSNs grow
  // with segment numbers). A damaged header can only make the trim keep more.
  size_t below = 0;  // segments [0, below) hold only records <= checkpoint_lsn
  for (size_t i = segments.size(); i-- > 1;) {
    const std::optional<uint64_t> first = FirstLsnOf(fs, dir, segments[i].number);
    if (first && *first <= checkpoint_lsn + 1) {
      below = i;
      break;
    }
  }
  WalTrimPlan plan;
  const size_t kept = std::min<size_t>(below, keep);
  plan.kept_for_healing = kept;
  for (size_t i = 0; i + kept < below; ++i) plan.deletable.push_back(segments[i].number);
  return plan;
}

Result<WalTrimResult> TrimWal(FileSystem* fs, const std::string& dir, uint64_t checkpoint_lsn,
                              uint32_t keep) {
  DOCDB_ASSIGN_OR_RETURN(const WalTrimPlan plan, PlanWalTrim(fs, dir, checkpoint_lsn, keep));
  WalTrimResult result;
  for (uint64_t number : plan.deletable) {
    const std::string path = WalSegmentPath(dir, number);
    DOCDB_ASSIGN_OR_RETURN(const uint64_t size, FileSize(fs, path));
    DOCDB_RETURN_IF_ERROR(fs->RemoveFile(path));
    ++result.segments;
    result.bytes += size;
  }
  if (result.segments > 0) DOCDB_RETURN_IF_ERROR(fs->SyncDir(dir));
  return result;
}

}  // namespace docdb::io
