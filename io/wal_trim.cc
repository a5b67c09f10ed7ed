// WAL trimming (io/wal_trim.h).
#include "io/wal_trim.h"

#include <algorithm>

#include "common/status_macros.h"
#include "io/file_names.h"
#include "io/wal_reader.h"

namespace docdb::io {
namespace {

Result<uint64_t> FileSize(FileSystem* fs, const std::string& path) {
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<File> file, fs->OpenFile(path, OpenMode::kRead));
  return file->Size();
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
  // A reader positioned at checkpoint_lsn + 1 has checked every header from the segment
  // holding it on; the ones before it are read too, and their successors' first LSNs
  // say which lie wholly at or below the checkpoint.
  WalReaderOptions options;
  options.start_lsn = checkpoint_lsn + 1;
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<WalReader> reader,
                         WalReader::OpenDir(fs, dir, options));
  const std::vector<WalSegmentInfo>& segments = reader->segments();
  size_t below = 0;  // segments [0, below) hold only records <= checkpoint_lsn
  while (below + 1 < segments.size()) {
    const WalSegmentInfo& next = segments[below + 1];
    if (next.first_lsn == 0) {
      return Status::Corruption(next.path + " has a damaged header: the WAL is not trimmed");
    }
    if (next.first_lsn > checkpoint_lsn + 1) break;
    ++below;
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
