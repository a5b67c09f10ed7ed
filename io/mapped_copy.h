// Copying bytes out of a memory mapping so that a page which cannot be read (a media
// error while paging it in, or the file cut short underneath the mapping) is an error
// rather than SIGBUS (docs/io.md). Used by the POSIX backend's MappedRegion only.
// Thread-safety: any thread may copy at any time; installation is once per process.
#pragma once

#include <cstddef>

#include "docdb/status.h"

namespace docdb::io {

// Installs the process-wide SIGBUS handler that guarded copies rely on, chaining to the
// handler it replaces for every fault outside a guarded copy. Idempotent and thread-safe;
// call it before the first CopyFromMapping (PosixFile::Map does). IoError, with the
// errno, when sigaction fails.
Status InstallMappedCopyGuard();

// Copies [src, src + n) to dst, where src lies inside a mapping. Returns nullptr when all
// n bytes were copied; otherwise the address in [src, src + n) whose page could not be
// read, and dst holds an unspecified part of the bytes. Costs no system call unless a
// page faults. Requires InstallMappedCopyGuard to have succeeded.
const char* CopyFromMapping(const char* src, size_t n, char* dst);

}  // namespace docdb::io
