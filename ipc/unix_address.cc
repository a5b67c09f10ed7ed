// Unix-domain socket addresses (ipc/unix_address.h).
#include "ipc/unix_address.h"

#include <sys/socket.h>

#include <cstring>

namespace docdb::ipc {

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return Status::InvalidArgument("socket path '" + path + "' must be 1-" +
                                   std::to_string(sizeof(addr.sun_path) - 1) + " bytes long");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

}  // namespace docdb::ipc
