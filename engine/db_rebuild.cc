// Rebuilding a lost or damaged index from the checkpoint file and the data segments
// (engine/db_impl.h, docs/recovery.md, "Rebuilding the index").
#include <map>
#include <utility>

#include "common/status_macros.h"
#include "engine/db_impl.h"
#include "engine/names.h"
#include "index/checkpoint_file.h"
#include "io/file_names.h"
#include "io/segment_format.h"

namespace docdb::engine {
namespace {

// The newest record of one document found so far.
struct Newest {
  uint64_t lsn = 0;
  bool deleted = false;
  index::DocLocation location;
};

}  // namespace

Result<RebuildReport> RebuildIndex(const std::string& dir, bool accept_damage,
                                   const ProgressCallback& progress, io::FileSystem* fs) {
  const std::string what = "rebuilding the index of " + dir;
  Result<std::unique_ptr<io::FileLock>> lock = fs->LockFile(io::LockFilePath(dir));
  if (!lock.ok()) {
    return lock.status().code() == StatusCode::kBusy
               ? Status::Busy(what + ": the database is open in another process")
               : lock.status().WithContext(what);
  }
  index::CheckpointMeta meta;
  std::vector<index::CollectionRecord> collections;
  if (Status read = ReadCheckpointFile(fs, dir, &meta, &collections); !read.ok()) {
    if (read.code() != StatusCode::kNotFound) return read.WithContext(what);
    return Status::Corruption(what + ": no checkpoint file to rebuild from (" + read.ToString() +
                              ")");
  }
  std::map<std::string, uint64_t, std::less<>> collection_ids;
  for (const index::CollectionRecord& c : collections) collection_ids[c.name] = c.id;
  RevokedLsns revoked;
  for (const index::LsnRange& r : meta.revoked) revoked.emplace(r.first, r.last);

  // The newest record of each document, by key, among the records the checkpoint's
  // segment lengths take in: exactly the state the index had at the checkpoint, since
  // tombstones stay while anything older remains (docs/lifecycle.md).
  RebuildReport report;
  report.checkpoint_lsn = meta.checkpoint_lsn;
  std::map<std::string, Newest> newest;
  uint64_t segment_bytes = 0;
  for (const index::SegmentLength& s : meta.segments) segment_bytes += s.length_bytes;
  ProgressMeter meter(progress, segment_bytes);
  for (const index::SegmentLength& s : meta.segments) {
    const std::string path = io::DataSegmentPath(io::DataDirPath(dir), s.segment);
    DOCDB_ASSIGN_OR_RETURN(const std::string bytes, io::ReadFilePrefix(fs, path, s.length_bytes));
    ++report.segments;
    io::ScanSegmentBytes(
        bytes,
        [&](uint64_t offset, const io::SegmentRecord& record) {
          ++report.records;
          auto collection = collection_ids.find(record.collection);
          // A dropped collection, an earlier one of the same name, or a revoked write.
          if (collection == collection_ids.end() || record.lsn < collection->second ||
              IsRevoked(revoked, record.lsn)) {
            return;
          }
          Newest& n = newest[DocumentKey(collection->second, record.id)];
          if (record.lsn < n.lsn) return;
          n.lsn = record.lsn;
          n.deleted = record.kind == io::SegmentRecordKind::kTombstone;
          n.location = {s.segment, offset, static_cast<uint32_t>(io::SegmentRecordBytes(record)),
                        record.lsn};
        },
        [&](uint64_t offset, uint64_t length) {
          report.damaged_bytes += length;
          report.damage.push_back(path + " offset " + std::to_string(offset) + ": " +
                                  std::to_string(length) + " bytes hold no valid record");
        });
    meter.Advance(s.length_bytes);
  }
  if (!report.damage.empty() && !accept_damage) {
    return Status::Corruption(what + ": " + std::to_string(report.damage.size()) +
                              " damaged stretches of data segments, the first at " +
                              report.damage.front() +
                              "; a document whose newest record was there would come back in "
                              "an older version or not at all (accept the damage to rebuild "
                              "anyway)");
  }

  std::vector<index::IndexChange> changes;
  std::map<uint64_t, std::map<uint64_t, uint64_t>> live;  // segment -> collection -> bytes
  std::map<uint64_t, uint64_t> counts;                    // collection ID -> documents
  for (const auto& [key, n] : newest) {
    if (n.deleted) continue;
    changes.push_back({key, n.location});
    live[n.location.segment][CollectionIdOfKey(key)] += n.location.length;
    ++counts[CollectionIdOfKey(key)];
  }
  report.documents = changes.size();
  for (index::CollectionRecord& c : collections) c.document_count = counts[c.id];
  for (index::SegmentLength& s : meta.segments) {
    s.live.clear();
    for (const auto& [collection, bytes] : live[s.segment]) s.live.push_back({collection, bytes});
  }
  meta.has_live_bytes = true;

  // Built beside the old environment, which is then kept for forensics: a failure on
  // the way leaves the old one in place.
  const std::string index_dir = io::IndexDirPath(dir);
  const std::string building = index_dir + ".new";
  if (Result<std::vector<std::string>> leftover = fs->ListDir(building); leftover.ok()) {
    for (const std::string& name : *leftover) {
      DOCDB_RETURN_IF_ERROR(fs->RemoveFile(io::JoinPath(building, name)));
    }
  }
  DOCDB_RETURN_IF_ERROR(fs->CreateDir(building));
  {
    DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<index::LmdbIndex> rebuilt,
                           index::LmdbIndex::Open(building));
    DOCDB_RETURN_IF_ERROR(
        rebuilt->ApplyCheckpoint(changes, {}, collections, meta).WithContext(what));
  }
  DOCDB_RETURN_IF_ERROR(fs->SyncDir(building));
  DOCDB_ASSIGN_OR_RETURN(const bool had_index, fs->FileExists(index_dir));
  if (had_index) {
    for (int n = 1;; ++n) {
      report.previous_index = index_dir + ".old-" + std::to_string(n);
      DOCDB_ASSIGN_OR_RETURN(const bool taken, fs->FileExists(report.previous_index));
      if (!taken) break;
    }
    DOCDB_RETURN_IF_ERROR(fs->RenameFile(index_dir, report.previous_index).WithContext(what));
  }
  DOCDB_RETURN_IF_ERROR(fs->RenameFile(building, index_dir).WithContext(what));
  DOCDB_RETURN_IF_ERROR(fs->SyncDir(dir));
  meter.Finish();
  return report;
}

}  // namespace docdb::engine
