// Reads the WAL in LSN order across its segments and says how it ends: cleanly, with a
// torn final record, or with corruption (docs/wal-format.md, "Reading and recovery").
// Thread-safety: a WalReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"
#include "io/file_system.h"

namespace docdb::io {

enum class WalRecoveryMode {
  kTolerateTornTail,  // default: a torn final record is the end of the log
  kAbsolute,          // any damage, a torn tail included, is an error
  kSalvage,           // skip damaged regions and go on with the next valid record
};
std::string_view WalRecoveryModeName(WalRecoveryMode mode);
// "tolerate-torn-tail", "absolute" or "salvage".
Result<WalRecoveryMode> ParseWalRecoveryMode(std::string_view name);

struct WalReaderOptions {
  WalRecoveryMode mode = WalRecoveryMode::kTolerateTornTail;
  // Records with smaller LSNs are skipped, and whole segments before them are not read.
  uint64_t start_lsn = 0;
  // Recovery: the log on disk must reach back to start_lsn. When its oldest segment
  // begins later, the records in between are missing: Corruption, or in salvage mode a
  // skipped region.
  bool require_start_lsn = false;
};

struct WalSegmentInfo {
  uint64_t number = 0;
  std::string path;
  uint64_t size_bytes = 0;
  uint64_t first_lsn = 0;
  uint32_t version = 0;  // of the segment's format
};

enum class WalEndReason { kClean, kTornTail, kCorruption };
std::string_view WalEndReasonName(WalEndReason reason);

// Where and why reading stopped. Complete once Next() returned false or an error.
struct WalEnd {
  WalEndReason reason = WalEndReason::kClean;
  uint64_t last_lsn = 0;          // the last valid record's LSN (first LSN - 1 when none)
  uint64_t segment = 0;           // the segment in which the log ends, or the damage is
  uint64_t offset = 0;            // just past the last valid record in that segment
  uint64_t dropped_bytes = 0;     // torn tail: written bytes after `offset` left unread
  uint64_t dropped_records = 0;   // torn tail: valid records of the damaged group dropped
  uint64_t salvaged_regions = 0;  // salvage mode: damaged regions skipped
  std::string first_salvaged;     // salvage mode: what the first skipped region was
  uint64_t skipped_records = 0;   // records of unknown informational types skipped
  std::string detail;             // what was found, for people
};

struct WalRecord {
  uint64_t lsn = 0;
  uint8_t type = 0;
  uint64_t durable_lsn = 0;  // as WalFrame::durable_lsn
  std::string_view payload;  // valid until the next call to Next()
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint64_t encoded_bytes = 0;
};

class WalReader {
 public:
  // Reads every wal-<n>.log in `dir`. A missing directory is an empty log.
  static Result<std::unique_ptr<WalReader>> OpenDir(FileSystem* fs, const std::string& dir,
                                                    const WalReaderOptions& options = {});
  // Reads one segment file on its own (for forensics): no checks against other segments.
  static Result<std::unique_ptr<WalReader>> OpenSegmentFile(FileSystem* fs, const std::string& path,
                                                            const WalReaderOptions& options = {});

  // Stores the next record and returns true, or returns false at the end of the log.
  // Corruption (in kTolerateTornTail and kAbsolute modes) names segment, offset and LSN;
  // NotSupported for a record type that must be understood but is not. After false or
  // an error, end() tells where and why reading stopped, and Next() repeats the outcome.
  Result<bool> Next(WalRecord* record);

  const WalEnd& end() const { return end_; }
  const std::vector<WalSegmentInfo>& segments() const { return segments_; }

 private:
  struct Position {
    size_t index;  // into segments_
    uint64_t offset;
    uint64_t lsn;
  };

  WalReader(FileSystem* fs, const WalReaderOptions& options, bool single_file);
  Status ReadHeaders();
  Status CheckSegmentsToRead(const std::vector<Status>& damage);
  Status LoadSegment(size_t index);
  // Decides what damage at the current position means; false when reading can go on.
  Status HandleDamage(std::string_view what, bool* finished);
  bool FindValidRecordAfter(Position* found);
  // Whether the damage at the current position lies in the last write before a crash:
  // every valid record from `found` on was written while the damaged LSN was not yet
  // known to be durable. Counts those records into *records.
  bool IsDamagedFinalGroup(const Position& found, uint64_t* records) const;
  // Moves past the block padding at the current position (io/wal_format.h) and returns
  // true when there is some.
  bool SkipBlockPadding();
  void NoteSalvaged(const std::string& what);
  void Finish(WalEndReason reason, std::string detail);
  std::string Where(uint64_t offset) const;

  FileSystem* const fs_;
  const WalReaderOptions options_;
  const bool single_file_;
  std::vector<WalSegmentInfo> segments_;
  size_t index_ = 0;
  bool loaded_ = false;
  std::string buf_;        // the current segment's bytes
  uint64_t offset_ = 0;    // into buf_
  uint64_t next_lsn_ = 0;  // the LSN the next record must have; 0 until a header is read
  bool finished_ = false;
  Status error_;
  WalEnd end_;
};

}  // namespace docdb::io
