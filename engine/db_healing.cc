// Healing of DBImpl (engine/db_impl.h, docs/healing.md): a document whose record is
// damaged is rebuilt from the WAL record of exactly the version the index names, written
// to the active data segment and re-indexed.
#include <chrono>
#include <utility>

#include "common/status_macros.h"
#include "engine/db_impl.h"
#include "io/file_names.h"
#include "io/wal_reader.h"

namespace docdb::engine {
namespace {

// A scan of every document reads this many documents' locations at a time.
constexpr uint64_t kScanPageDocuments = 1024;

std::string Describe(std::string_view collection, std::string_view id, uint64_t version) {
  return "document '" + std::string(collection) + "/" + std::string(id) + "' version " +
         std::to_string(version);
}

}  // namespace

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<bool> DBImpl::HealDocument(std::string_view collection, std::string_view id) {
  ++heal_document_calls_;
  return Measured(Operation::kHeal, [&]() -> Result<bool> {
    DOCDB_RETURN_IF_ERROR(ValidateCollectionName(collection));
    DOCDB_RETURN_IF_ERROR(ValidateDocumentId(id));
    Result<Checked> checked = CheckDocument(collection, id, /*heal=*/true, HealOrigin::kOnDemand);
    if (!checked.ok()) return Noted(checked.status());
    return checked->healed;
  });
}

Result<HealReport> DBImpl::HealAll() {
  return Measured(Operation::kHeal, [&] { return Noted(ScanAll(HealOrigin::kOnDemand)); });
}

Result<HealingStats> DBImpl::GetHealingStats() {
  // A document written since it was found unrecoverable is no longer damaged.
  std::vector<std::pair<std::string, uint64_t>> listed;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    for (const auto& [key, damaged] : unrecoverable_) listed.emplace_back(key, damaged.version);
  }
  for (const auto& [key, version] : listed) {
    DOCDB_ASSIGN_OR_RETURN(const Current current, Lookup(key));
    if (!current || current->version != version) {
      std::lock_guard<std::mutex> lock(state_mu_);
      auto it = unrecoverable_.find(key);
      if (it != unrecoverable_.end() && it->second.version == version) unrecoverable_.erase(it);
    }
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  HealingStats stats = healing_;
  stats.documents_healed = stats.on_demand_healings + stats.background_healings;
  stats.documents_unrecoverable = unrecoverable_.size();
  for (const auto& [key, damaged] : unrecoverable_) stats.unrecoverable.push_back(damaged);
  return stats;
}

Result<Document> DBImpl::HealAfterRead(std::string_view collection, std::string_view id) {
  Result<Checked> checked =
      CheckDocument(collection, id, options_.healing_on_read, HealOrigin::kOnDemand);
  if (!checked.ok()) return Noted(checked.status());
  return std::move(checked->document);
}

Result<DBImpl::Checked> DBImpl::CheckDocument(std::string_view collection, std::string_view id,
                                              bool heal, HealOrigin origin) {
  DOCDB_ASSIGN_OR_RETURN(const uint64_t collection_id, catalog_.Find(collection));
  const std::string key = DocumentKey(collection_id, id);
  // A write or a compaction that moves the document between the check and the rewrite
  // wins; the document is then checked again where it is now.
  for (;;) {
    // A collection dropped meanwhile (and perhaps made again) no longer holds it.
    const Result<uint64_t> now_id = catalog_.Find(collection);
    if (!now_id.ok() || *now_id != collection_id) {
      return Status::NotFound("collection '" + std::string(collection) +
                              "' was dropped while document '" + std::string(id) + "' was checked");
    }
    Current current;
    Result<Document> read = [&]() -> Result<Document> {
      const auto pin = segments_->Pin();  // until the document is read
      DOCDB_ASSIGN_OR_RETURN(current, Lookup(key));
      if (!current) {
        return Status::NotFound("document '" + std::string(collection) + "/" + std::string(id) +
                                "' does not exist");
      }
      return ReadDocument(collection, id, *current);
    }();
    if (read.ok()) return Checked{*std::move(read), false};
    // Only a damaged record is healed: not a damaged index, whose lookup failed.
    if (!current || read.status().code() != StatusCode::kCorruption) return read.status();
    NoteDamaged(key, *current);
    const std::string what = Describe(collection, id, current->version);
    if (!heal) return read.status();

    // Read without the pin: the WAL is read under the checkpoint lock, and a checkpoint
    // may be waiting for pinned reads to finish.
    const Result<std::optional<std::string>> body = BodyFromWal(current->version, collection, id);
    if (!body.ok() || !body->has_value()) {
      const std::string why = body.ok() ? "the WAL no longer holds that version"
                                        : "the WAL cannot be read: " + body.status().ToString();
      NoteUnrecoverable(key, {std::string(collection), std::string(id), current->version,
                              std::string(read.status().message()) + "; " + why});
      return Status::Corruption(what + " is damaged (" + std::string(read.status().message()) +
                                ") and cannot be healed: " + why);
    }
    Result<bool> rewritten = Rewrite(collection, id, *current, **body);
    if (!rewritten.ok()) return rewritten.status().WithContext("healing " + what);
    if (!*rewritten) continue;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      ++(origin == HealOrigin::kBackground ? healing_.background_healings
                                           : healing_.on_demand_healings);
      healing_.last_healing_time_us = NowMicros();
      unrecoverable_.erase(key);
    }
    logger_->Log(LogLevel::kWarning, "heal",
                 "healed " + what + " in " + dir_ +
                     " from the WAL: " + std::string(read.status().message()));
    return Checked{Document{std::string(id), **body, current->version}, true};
  }
}

Result<std::optional<std::string>> DBImpl::BodyFromWal(uint64_t version,
                                                       std::string_view collection,
                                                       std::string_view id) {
  // No trim removes WAL segments while they are read.
  std::lock_guard<std::mutex> no_trim(checkpoint_mu_);
  io::WalReaderOptions reader_options;
  reader_options.start_lsn = version;
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<io::WalReader> reader,
                         io::WalReader::OpenDir(fs_, io::WalDirPath(dir_), reader_options));
  io::WalRecord record;
  std::vector<io::WalOp> ops;
  for (;;) {
    DOCDB_ASSIGN_OR_RETURN(const bool more, reader->Next(&record));
    if (!more || record.lsn > version) return std::optional<std::string>();
    if (record.lsn < version) continue;
    DOCDB_RETURN_IF_ERROR(io::DecodeWalPayload(record.type, record.payload, &ops));
    // The index names only applied writes, so this record was committed and never
    // revoked. Within a batch the document's last operation is what it left.
    std::optional<std::string> body;
    for (const io::WalOp& op : ops) {
      if (op.collection != collection || op.id != id) continue;
      body = op.kind == io::WalOp::Kind::kPut ? std::optional(std::string(op.body)) : std::nullopt;
    }
    return body;
  }
}

Result<bool> DBImpl::Rewrite(std::string_view collection, std::string_view id,
                             const index::DocLocation& damaged, const std::string& body) {
  // As a write to the document would: its stripe, then the commit lock shared.
  std::lock_guard<std::mutex> stripe(key_locks_[StripeOf(collection, id)]);
  std::shared_lock<WriterFirstSharedMutex> commit(commit_mu_);
  DOCDB_RETURN_IF_ERROR(CheckWritable());
  const Result<uint64_t> collection_id = catalog_.Find(collection);
  if (!collection_id.ok()) return false;  // dropped
  const std::string key = DocumentKey(*collection_id, id);
  DOCDB_ASSIGN_OR_RETURN(const Current current, Lookup(key));
  if (!current || !(*current == damaged)) return false;
  io::SegmentRecord record;
  record.kind = io::SegmentRecordKind::kDocument;
  record.lsn = damaged.version;
  record.collection = collection;
  record.id = id;
  record.body = body;
  DOCDB_ASSIGN_OR_RETURN(const io::SegmentLocation healed, AppendToSegment(record, *collection_id));
  overlay_.Apply({{key, OverlayEntry{healed, damaged.version}}});
  segments_->Release(ToSegmentLocation(damaged), *collection_id);
  return true;
}

Result<uint64_t> DBImpl::ForEachDamagedRecord(const DamagedRecordVisitor& visit, bool background,
                                              ProgressMeter* progress) {
  uint64_t checked = 0;
  for (const index::CollectionRecord& collection : catalog_.Snapshot()) {
    std::string start;
    for (;;) {
      std::vector<std::pair<std::string, index::DocLocation>> damaged;
      std::vector<Status> damage;
      uint64_t seen = 0;
      {
        const auto pin = segments_->Pin();  // until the documents are read
        DOCDB_ASSIGN_OR_RETURN(const auto found,
                               CollectLocations(collection.id, start, "", "", kScanPageDocuments));
        for (const auto& [id, location] : found) {
          const Result<Document> read = ReadDocument(collection.name, id, location);
          if (!read.ok() && read.status().code() != StatusCode::kCorruption) return read.status();
          if (read.ok()) continue;
          damaged.emplace_back(id, location);
          damage.push_back(read.status());
        }
        seen = found.size();
        if (seen > 0) start = found.back().first + std::string(1, '\0');  // the next ID up
      }
      checked += seen;
      if (progress != nullptr) progress->Advance(seen);
      // Outside the pin, which a checkpoint removing segments may be waiting for.
      for (size_t i = 0; i < damaged.size(); ++i) {
        DOCDB_RETURN_IF_ERROR(visit(collection, damaged[i].first, damaged[i].second, damage[i]));
      }
      if (seen < kScanPageDocuments) break;
      if (background) {
        {
          std::lock_guard<std::mutex> lock(background_mu_);
          if (stopping_) return Status::Aborted("database " + dir_ + " is closing");
        }
        // A long scan does not hold up the checkpoints that bound recovery.
        if (TakeCheckpointRequest()) RunCheckpoint().IgnoreError();
      }
    }
  }
  return checked;
}

Result<HealReport> DBImpl::ScanAll(HealOrigin origin) {
  HealReport report;
  const auto heal = [&](const index::CollectionRecord& collection, const std::string& id,
                        const index::DocLocation& location, const Status&) {
    const Result<Checked> checked = CheckDocument(collection.name, id, true, origin);
    if (checked.ok()) {
      if (checked->healed) {
        report.healed.push_back({collection.name, id, checked->document.version, ""});
      }
    } else if (checked.status().code() == StatusCode::kCorruption) {
      report.unrecoverable.push_back(
          {collection.name, id, location.version, std::string(checked.status().message())});
    } else if (checked.status().code() != StatusCode::kNotFound) {  // deleted meanwhile
      return checked.status();
    }
    return Status::OK();
  };
  DOCDB_ASSIGN_OR_RETURN(report.documents_checked,
                         ForEachDamagedRecord(heal, origin == HealOrigin::kBackground));
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    ++healing_.total_scans;
    healing_.last_scan_time_us = NowMicros();
  }
  logger_->Log(
      report.healed.empty() && report.unrecoverable.empty() ? LogLevel::kInfo : LogLevel::kWarning,
      "heal_scan",
      "healing scan of " + dir_ + ": " + std::to_string(report.documents_checked) +
          " documents checked, " + std::to_string(report.healed.size()) + " healed, " +
          std::to_string(report.unrecoverable.size()) + " unrecoverable");
  return report;
}

void DBImpl::NoteDamaged(const std::string& key, const index::DocLocation& location) {
  std::lock_guard<std::mutex> lock(state_mu_);
  if (damaged_seen_.emplace(key, location.segment, location.offset).second) {
    ++healing_.documents_corrupted;
  }
}

void DBImpl::NoteUnrecoverable(const std::string& key, DamagedDocument document) {
  const std::string message = Describe(document.collection, document.id, document.version) +
                              " in " + dir_ + " is unrecoverable: " + document.problem;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    DamagedDocument& listed = unrecoverable_[key];
    if (listed.version == document.version) return;  // logged when it was first found
    listed = std::move(document);
  }
  logger_->Log(LogLevel::kError, "heal_unrecoverable", message);
}

}  // namespace docdb::engine
