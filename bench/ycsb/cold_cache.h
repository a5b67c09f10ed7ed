// Dropping the operating system's page cache between a load and a run, for cold-cache
// measurements (docs/performance-ycsb.md, "Cold cache"). Thread-safety: any thread.
#pragma once

#include "docdb/status.h"

namespace docdb::ycsb {

// sync(2), then writes 3 to /proc/sys/vm/drop_caches (page cache, dentries, inodes).
// PermissionDenied or IoError, with errno, when the machine does not permit it (not
// root, or /proc/sys read-only as in most containers).
Status DropPageCache();

}  // namespace docdb::ycsb
