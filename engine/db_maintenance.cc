// Verify and Backup of DBImpl (engine/db_impl.h, docs/admin.md).
#include <map>
#include <utility>

#include "common/status_macros.h"
#include "engine/db_impl.h"
#include "io/file_names.h"

namespace docdb::engine {

Result<VerifyReport> DBImpl::Verify(const ProgressCallback& progress) {
  return Measured(Operation::kVerify, [&]() -> Result<VerifyReport> {
    VerifyReport report;
    DOCDB_RETURN_IF_ERROR(VerifyAccounting(&report));
    uint64_t documents = 0;
    for (const index::CollectionRecord& c : catalog_.Snapshot()) documents += c.document_count;
    ProgressMeter meter(progress, documents);
    const auto note = [&](const index::CollectionRecord& collection, const std::string& id,
                          const index::DocLocation& location, const Status& damage) {
      NoteDamaged(DocumentKey(collection.id, id), location);
      report.damaged.push_back(
          {collection.name, id, location.version, std::string(damage.message())});
      return Status::OK();
    };
    DOCDB_ASSIGN_OR_RETURN(report.documents_checked, ForEachDamagedRecord(note, false, &meter));
    for (const io::SegmentExtent& e : segments_->Extents()) {
      ++report.segments_checked;
      if (Status header = segments_->CheckHeader(e.segment); !header.ok()) {
        report.problems.push_back(header.ToString());
      }
    }
    logger_->Log(report.ok() ? LogLevel::kInfo : LogLevel::kWarning, "verify",
                 "verify of " + dir_ + ": " + std::to_string(report.documents_checked) +
                     " documents and " + std::to_string(report.segments_checked) +
                     " data segments checked, " + std::to_string(report.damaged.size()) +
                     " damaged documents, " + std::to_string(report.problems.size()) +
                     " other problems");
    meter.Finish();
    return report;
  });
}

Status DBImpl::VerifyAccounting(VerifyReport* report) {
  // With writes held off, the catalog, the index with the overlay, and the segments'
  // accounting describe one state.
  std::unique_lock<WriterFirstSharedMutex> commit(commit_mu_);
  std::map<uint64_t, io::SegmentExtent> extents;
  for (io::SegmentExtent& e : segments_->Extents()) extents[e.segment] = std::move(e);
  std::map<uint64_t, std::map<uint64_t, uint64_t>> live;  // segment -> collection -> bytes
  std::map<uint64_t, std::string> names;                  // collection ID -> name
  for (const index::CollectionRecord& collection : catalog_.Snapshot()) {
    names[collection.id] = collection.name;
    DOCDB_ASSIGN_OR_RETURN(const auto found,
                           CollectLocations(collection.id, "", "", "", UINT64_MAX));
    if (found.size() != collection.document_count) {
      report->problems.push_back("collection '" + collection.name + "': the catalog counts " +
                                 std::to_string(collection.document_count) +
                                 " documents, the index names " + std::to_string(found.size()));
    }
    for (const auto& [id, location] : found) {
      const std::string what = "document '" + collection.name + "/" + id + "' version " +
                               std::to_string(location.version);
      auto extent = extents.find(location.segment);
      if (extent == extents.end()) {
        report->problems.push_back(what + ": the index names data segment " +
                                   io::DataSegmentFileName(location.segment) +
                                   ", which the database does not have");
      } else if (location.offset + location.length > extent->second.length_bytes) {
        report->problems.push_back(what + ": the index names bytes " +
                                   std::to_string(location.offset) + "-" +
                                   std::to_string(location.offset + location.length) + " of " +
                                   io::DataSegmentFileName(location.segment) + ", which has " +
                                   std::to_string(extent->second.length_bytes));
      }
      live[location.segment][collection.id] += location.length;
    }
  }
  for (const auto& [segment, extent] : extents) {
    std::map<uint64_t, uint64_t> recorded = extent.live_by_collection;
    const std::map<uint64_t, uint64_t>& named = live[segment];
    for (const auto& [collection, bytes] : named) recorded.try_emplace(collection, 0);
    for (const auto& [collection, bytes] : recorded) {
      auto it = named.find(collection);
      const uint64_t expected = it == named.end() ? 0 : it->second;
      if (bytes == expected) continue;
      auto name = names.find(collection);
      report->problems.push_back(
          "data segment " + io::DataSegmentFileName(segment) + ": " + std::to_string(bytes) +
          " live bytes of collection " +
          (name == names.end() ? "ID " + std::to_string(collection) : "'" + name->second + "'") +
          " are counted, the index names " + std::to_string(expected));
    }
  }
  return Status::OK();
}

Status DBImpl::Backup(const std::string& destination_dir, const ProgressCallback& progress) {
  return Measured(Operation::kBackup, [&]() -> Status {
    const std::string what = "backup of " + dir_ + " to " + destination_dir;
    DOCDB_ASSIGN_OR_RETURN(const bool exists, fs_->FileExists(destination_dir));
    if (exists) {
      DOCDB_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs_->ListDir(destination_dir));
      if (!names.empty()) {
        return Status::FailedPrecondition(what + ": the destination is not empty");
      }
    }
    // Every write acknowledged before the call is in the index from here on.
    DOCDB_RETURN_IF_ERROR(Checkpoint().WithContext(what));
    // No checkpoint meanwhile: the index, the segments it lists and their recorded lengths
    // stay as they are (appends go past those lengths, and no segment is removed).
    std::lock_guard<std::mutex> no_checkpoint(checkpoint_mu_);
    DOCDB_ASSIGN_OR_RETURN(const index::CheckpointMeta meta, index_->ReadMeta());
    uint64_t segment_bytes = 0;
    for (const index::SegmentLength& s : meta.segments) segment_bytes += s.length_bytes;
    ProgressMeter meter(progress, segment_bytes);
    const auto copy = [&]() -> Status {
      DOCDB_RETURN_IF_ERROR(fs_->CreateDir(destination_dir));
      DOCDB_RETURN_IF_ERROR(fs_->SyncDir(io::DirName(destination_dir)));
      const std::string index_dir = io::IndexDirPath(destination_dir);
      DOCDB_RETURN_IF_ERROR(fs_->CreateDir(index_dir));
      DOCDB_RETURN_IF_ERROR(index_->CopyTo(index_dir));
      DOCDB_ASSIGN_OR_RETURN(
          const std::unique_ptr<io::File> index_file,
          fs_->OpenFile(io::IndexDataFilePath(destination_dir), io::OpenMode::kRead));
      DOCDB_RETURN_IF_ERROR(index_file->Sync());
      DOCDB_ASSIGN_OR_RETURN(const uint64_t index_bytes, index_file->Size());
      meter.AtLeast(segment_bytes + index_bytes);
      meter.Advance(index_bytes);
      DOCDB_RETURN_IF_ERROR(fs_->SyncDir(index_dir));
      const std::string data_dir = io::DataDirPath(destination_dir);
      DOCDB_RETURN_IF_ERROR(fs_->CreateDir(data_dir));
      for (const index::SegmentLength& s : meta.segments) {
        DOCDB_RETURN_IF_ERROR(
            io::CopyFilePrefix(fs_, io::DataSegmentPath(io::DataDirPath(dir_), s.segment),
                               io::DataSegmentPath(data_dir, s.segment), s.length_bytes));
        meter.Advance(s.length_bytes);
      }
      DOCDB_RETURN_IF_ERROR(fs_->SyncDir(data_dir));
      // The copy needs no WAL record: its index holds every write up to the checkpoint. Its
      // log begins right after it, as a database's does after a trim.
      io::WalWriterOptions wal_options;
      wal_options.segment_size_bytes = options_.wal_segment_size_bytes;
      io::WalEnd end;
      end.last_lsn = meta.checkpoint_lsn;
      DOCDB_ASSIGN_OR_RETURN(
          std::unique_ptr<io::WalWriter> wal,
          io::WalWriter::Open(fs_, io::WalDirPath(destination_dir), wal_options, end));
      DOCDB_RETURN_IF_ERROR(wal->Sync());
      wal.reset();
      DOCDB_ASSIGN_OR_RETURN(const std::vector<index::CollectionRecord> collections,
                             index_->ReadCollections());
      return WriteCheckpointFile(fs_, destination_dir, meta, collections);
    };
    if (Status copied = copy(); !copied.ok()) return Noted(copied.WithContext(what));
    logger_->Log(LogLevel::kInfo, "backup",
                 what + ": checkpoint LSN " + std::to_string(meta.checkpoint_lsn) + ", " +
                     std::to_string(meta.segments.size()) + " data segments");
    meter.Finish();
    return Status::OK();
  });
}

}  // namespace docdb::engine
