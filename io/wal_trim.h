// WAL trimming (docs/lifecycle.md, "WAL trimming"): deletes the segments a checkpoint
// made unnecessary for recovery. Thread-safety: one TrimWal at a time per directory;
// appends may go on meanwhile (the newest segment is never touched).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "docdb/status.h"
#include "io/file_system.h"

namespace docdb::io {

struct WalSegmentSize {
  uint64_t number = 0;
  uint64_t size_bytes = 0;  // preallocated space included
  friend bool operator==(const WalSegmentSize&, const WalSegmentSize&) = default;
};
// The wal-<n>.log files in `dir` and their sizes, in segment order; empty when `dir` is
// missing.
Result<std::vector<WalSegmentSize>> ListWalSegments(FileSystem* fs, const std::string& dir);

// The WAL segments a trim may delete and those it keeps.
struct WalTrimPlan {
  std::vector<uint64_t> deletable;  // in segment order
  uint64_t kept_for_healing = 0;    // wholly at or below the LSN, but among the newest kept
};

// Plans a trim of the log in `dir` after a checkpoint at `checkpoint_lsn`: the segments
// before the newest one whose (sound) header begins at or below checkpoint_lsn + 1 lie
// wholly at or below it. Of those, the newest `keep` stay; the newest segment of all
// (the one appended to) always stays. Only wal-<n>.log files are considered. A damaged
// header only makes the plan keep more: a log that salvage recovery read past damage
// is trimmed all the same.
Result<WalTrimPlan> PlanWalTrim(FileSystem* fs, const std::string& dir, uint64_t checkpoint_lsn,
                                uint32_t keep);

// What TrimWal deleted.
struct WalTrimResult {
  uint64_t segments = 0;
  uint64_t bytes = 0;  // their file sizes
};

// Carries out PlanWalTrim's plan, oldest segment first, and syncs the directory. On an
// error the segments deleted so far stay deleted (the log still begins with a whole
// segment: recovery never needs them).
Result<WalTrimResult> TrimWal(FileSystem* fs, const std::string& dir, uint64_t checkpoint_lsn,
                              uint32_t keep);

}  // namespace docdb::io
