// DropPageCache (cold_cache.h).
#include "bench/ycsb/cold_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace docdb::ycsb {

Status DropPageCache() {
  constexpr const char* kPath = "/proc/sys/vm/drop_caches";
  // Only clean pages can be dropped: write everything back first.
  ::sync();
  const int fd = ::open(kPath, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == EACCES || err == EPERM || err == EROFS) {
      return {StatusCode::kPermissionDenied, std::string("cannot open ") + kPath, err};
    }
    return Status::IoError(std::string("cannot open ") + kPath, err);
  }
  const ssize_t written = ::write(fd, "3\n", 2);
  const int err = errno;
  ::close(fd);
  if (written != 2) return Status::IoError(std::string("cannot write ") + kPath, err);
  return Status::OK();
}

}  // namespace docdb::ycsb
