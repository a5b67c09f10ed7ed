// The one place where errno values become Status codes (STYLE.md: translate once, at the
// bottom of io/, and keep the number). Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "docdb/status.h"

namespace docdb::io {

// A Status for `err` saying what was being done to which path, e.g.
// ErrnoStatus(ENOSPC, "write", "/db/wal/wal-000001.log") is NoSpace with errno 28.
Status ErrnoStatus(int err, std::string_view operation, std::string_view path);

// A failed fdatasync or fsync: always IoError, whatever the errno (ENOSPC included),
// because the kernel may have dropped the data it could not write. The errno is kept.
Status SyncFailedStatus(int err, std::string_view path);

}  // namespace docdb::io
