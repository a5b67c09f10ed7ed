// Status and Result<T>: how every fallible DocDB call reports failure (docs/errors.md).
// A Status is a value; copies are independent. Thread-safety: like any value type.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace docdb {

enum class StatusCode : int {
  kOk = 0,
  kNotFound = 1,
  kAlreadyExists = 2,
  kInvalidArgument = 3,
  kCorruption = 4,
  kIoError = 5,
  kNoSpace = 6,
  kBusy = 7,
  kConflict = 8,
  kFailedPrecondition = 9,
  kPermissionDenied = 10,
  kNotSupported = 11,
  kAborted = 12,
  kInternal = 13,
  kUnavailable = 14,
};

// The stable, lower-case name of a code ("not_found"), as used in logs and --json output.
std::string_view StatusCodeName(StatusCode code);

// What a failure means for the caller (docs/errors.md, "Error classes"). Only transient
// failures are worth repeating, and then only operations that are safe to repeat.
enum class ErrorClass : int {
  kNone = 0,    // not a failure
  kTransient,   // may succeed if repeated later: a full disk, a busy resource
  kPermanent,   // repeating will fail the same way: damaged data, an unsupported request
  kCritical,    // the storage can no longer be trusted with writes: a failed fsync, EIO
  kValidation,  // the request itself is wrong: bad input, a version conflict, no such thing
  kNetwork,     // the server cannot be reached or the connection was lost
};
inline constexpr int kErrorClassCount = 6;

// "none", "transient", "permanent", "critical", "validation", "network".
std::string_view ErrorClassName(ErrorClass error_class);

// The outcome of an operation: OK, or a code plus the original errno (0 when none) and a
// message that names what failed and where (file, offset, LSN). Callers branch on code(),
// never on the message.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, int sys_errno = 0);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IoError(std::string msg, int sys_errno = 0) {
    return {StatusCode::kIoError, std::move(msg), sys_errno};
  }
  static Status NoSpace(std::string msg, int sys_errno = 0) {
    return {StatusCode::kNoSpace, std::move(msg), sys_errno};
  }
  static Status Busy(std::string msg) { return {StatusCode::kBusy, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status NotSupported(std::string msg) {
    return {StatusCode::kNotSupported, std::move(msg)};
  }
  static Status Aborted(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status Unavailable(std::string msg, int sys_errno = 0) {
    return {StatusCode::kUnavailable, std::move(msg), sys_errno};
  }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The errno (or library code) that caused this status; 0 when there was none.
  int sys_errno() const { return rep_ ? rep_->sys_errno : 0; }
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }

  // "OK", or "<code name>: <message>" followed by " (errno N: <strerror>)" when set.
  std::string ToString() const;

  // A copy whose message is "<context>: <message>"; same code and errno. OK stays OK.
  Status WithContext(std::string_view context) const;

  // Marks a deliberately ignored status; the caller's comment must say why.
  void IgnoreError() const {}

  // The class of this status (docs/errors.md has the table): kNone for OK.
  ErrorClass error_class() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.sys_errno() == b.sys_errno() && a.message() == b.message();
  }

 private:
  struct Rep {
    StatusCode code;
    int sys_errno;
    std::string message;
  };
  // nullptr means OK, so that the success path costs one pointer and no allocation.
  std::unique_ptr<Rep> rep_;
};

// A value of T or the Status that explains why there is none. Never holds an OK status
// without a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result built from a Status must carry an error");
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const& { return status_; }
  Status&& status() && { return std::move(status_); }

  // Requires ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  // By value, so that `for (auto& x : *Call())` does not bind to a dead temporary.
  T value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace docdb
