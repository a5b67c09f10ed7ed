// The address of a Unix-domain socket path, checked once for everyone who binds or
// connects one (docdbd, the client, the benchmark's load generator, the tests).
// Thread-safety: a pure function.
#pragma once

#include <sys/un.h>

#include <string>

#include "docdb/status.h"

namespace docdb::ipc {

// InvalidArgument when `path` is empty or longer than sun_path holds (107 bytes).
Result<sockaddr_un> UnixAddress(const std::string& path);

}  // namespace docdb::ipc
