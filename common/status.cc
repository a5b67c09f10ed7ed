// Status implementation (include/docdb/status.h).
#include "docdb/status.h"

#include <cerrno>
#include <cstring>

namespace docdb {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kIoError:
      return "io_error";
    case StatusCode::kNoSpace:
      return "no_space";
    case StatusCode::kBusy:
      return "busy";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kNotSupported:
      return "not_supported";
    case StatusCode::kAborted:
      return "aborted";
    case StatusCode::kInternal:
      return "internal";
    case StatusCode::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

std::string_view ErrorClassName(ErrorClass error_class) {
  switch (error_class) {
    case ErrorClass::kNone:
      return "none";
    case ErrorClass::kTransient:
      return "transient";
    case ErrorClass::kPermanent:
      return "permanent";
    case ErrorClass::kCritical:
      return "critical";
    case ErrorClass::kValidation:
      return "validation";
    case ErrorClass::kNetwork:
      return "network";
  }
  return "unknown";
}

namespace {

// The errnos of an I/O that failed for now, not for good: the kernel was short of
// something or was interrupted, and nothing it had accepted was dropped.
bool IsTransientErrno(int err) {
  switch (err) {
    case EAGAIN:
    case EINTR:
    case EBUSY:
    case ENOMEM:
    case ENOBUFS:
    case ETIMEDOUT:
      return true;
    default:
      return false;
  }
}

}  // namespace

ErrorClass Status::error_class() const {
  switch (code()) {
    case StatusCode::kOk:
      return ErrorClass::kNone;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
      return ErrorClass::kValidation;
    case StatusCode::kNoSpace:
    case StatusCode::kBusy:
    case StatusCode::kAborted:
      return ErrorClass::kTransient;
    case StatusCode::kIoError:
      // Any other failed I/O (EIO above all, and every failed fsync) may have cost data
      // the kernel had accepted: it is never repeated.
      return IsTransientErrno(sys_errno()) ? ErrorClass::kTransient : ErrorClass::kCritical;
    case StatusCode::kFailedPrecondition:
      // A database refusing writes after a critical failure keeps that failure's errno.
      return sys_errno() != 0 ? ErrorClass::kCritical : ErrorClass::kPermanent;
    case StatusCode::kUnavailable:
      return ErrorClass::kNetwork;
    case StatusCode::kCorruption:
    case StatusCode::kPermissionDenied:
    case StatusCode::kNotSupported:
    case StatusCode::kInternal:
      return ErrorClass::kPermanent;
  }
  return ErrorClass::kPermanent;
}

Status::Status(StatusCode code, std::string message, int sys_errno) {
  if (code != StatusCode::kOk) {
    rep_ = std::make_unique<Rep>(Rep{code, sys_errno, std::move(message)});
  }
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  if (rep_->sys_errno != 0) {
    out += " (errno " + std::to_string(rep_->sys_errno) + ": ";
    out += std::strerror(rep_->sys_errno);  // NOLINT(concurrency-mt-unsafe): glibc's is safe
    out += ")";
  }
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return {};
  std::string msg(context);
  msg += ": ";
  msg += rep_->message;
  return {rep_->code, std::move(msg), rep_->sys_errno};
}

}  // namespace docdb
