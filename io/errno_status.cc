// errno -> Status translation (io/errno_status.h).
#include "io/errno_status.h"

#include <cerrno>
#include <string>

namespace docdb::io {
namespace {

StatusCode CodeForErrno(int err) {
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return StatusCode::kNoSpace;
    case ENOENT:
    case ENOTDIR:
      return StatusCode::kNotFound;
    case EEXIST:
      return StatusCode::kAlreadyExists;
    case EACCES:
    case EPERM:
    case EROFS:
      return StatusCode::kPermissionDenied;
    case EWOULDBLOCK:
      return StatusCode::kBusy;
    case EINVAL:
    case ENAMETOOLONG:
      return StatusCode::kInvalidArgument;
    case ENOSYS:
    case EOPNOTSUPP:
      return StatusCode::kNotSupported;
    default:
      return StatusCode::kIoError;
  }
}

}  // namespace

Status ErrnoStatus(int err, std::string_view operation, std::string_view path) {
  std::string message(operation);
  message += " ";
  message += path;
  return {CodeForErrno(err), std::move(message), err};
}

Status SyncFailedStatus(int err, std::string_view path) {
  return Status::IoError("fdatasync " + std::string(path) + " failed; data may be lost", err);
}

}  // namespace docdb::io
