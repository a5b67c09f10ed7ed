// The io_uring backend of the OS seam (docs/io.md): a write and its fdatasync go through
// a ring as one linked submission, and so do lone fdatasyncs. Plain reads and writes stay
// on pread/pwrite, which beat a ring round trip for page-cache hits. Thread-safety: as
// FileSystem.
#pragma once

#include <memory>

#include "io/file_system.h"

namespace docdb::io {

// A FileSystem on io_uring, or NotSupported (naming the reason) when the kernel refuses
// rings or lacks the write or fsync operations.
Result<std::unique_ptr<FileSystem>> NewUringFileSystem();

}  // namespace docdb::io
