// The one module that knows DocDB's file names on disk (docs/architecture.md, "Files of
// one database"). Nobody else formats or parses them. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace docdb::io {

// <db>/wal
std::string WalDirPath(std::string_view db_dir);
// "wal-000042.log": at least six digits, more when the number needs them.
std::string WalSegmentFileName(uint64_t number);
// <wal_dir>/wal-<n>.log
std::string WalSegmentPath(std::string_view wal_dir, uint64_t number);
// The temporary name a new segment has until it is complete: <wal_dir>/wal-<n>.log.tmp
std::string WalSegmentTempPath(std::string_view wal_dir, uint64_t number);

// <db>/data
std::string DataDirPath(std::string_view db_dir);
// "seg-000042.dat"
std::string DataSegmentFileName(uint64_t number);
std::string DataSegmentPath(std::string_view data_dir, uint64_t number);
// The segment number of a "seg-<n>.dat" name; nullopt for any other name.
std::optional<uint64_t> ParseDataSegmentFileName(std::string_view name);
// <db>/checkpoint, a copy of the index's last checkpoint for a rebuild, and the name it
// is written under first
std::string CheckpointFilePath(std::string_view db_dir);
std::string CheckpointTempPath(std::string_view db_dir);
// <db>/index (the LMDB environment), <db>/index/data.mdb (LMDB's data file) and <db>/LOCK
std::string IndexDirPath(std::string_view db_dir);
std::string IndexDataFilePath(std::string_view db_dir);
std::string LockFilePath(std::string_view db_dir);

// The segment number of a "wal-<n>.log" name; nullopt for any other name.
std::optional<uint64_t> ParseWalSegmentFileName(std::string_view name);
// True for names that WalSegmentTempPath produces: leftovers of an interrupted rotation.
bool IsWalTempFileName(std::string_view name);

}  // namespace docdb::io
