// Where DocDB's log lines go (docs/recovery.md, "What is reported"): recovery findings
// and failures that stop writes. Thread-safety: Log may be called from any DocDB thread
// at once, so implementations must be thread-safe.
#pragma once

#include <memory>
#include <string_view>

namespace docdb {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// "debug", "info", "warning" or "error".
std::string_view LogLevelName(LogLevel level);

class Logger {
 public:
  virtual ~Logger() = default;
  // One event: `event` is its stable name ("checkpoint", "open", "protocol_error": the
  // list is in docs/observability.md), `message` one line with its key figures, without
  // a trailing newline. Must not block for long and must not call back into the database
  // that logged it.
  virtual void Log(LogLevel level, std::string_view event, std::string_view message) = 0;
};

// Writes "docdb <level>: <message>" lines at `min_level` and above to standard error;
// the default logger of an embedded database, with warnings and errors. (docdbd logs
// through spdlog, with timestamps and a JSON-lines format.)
std::shared_ptr<Logger> NewStderrLogger(LogLevel min_level = LogLevel::kWarning);

}  // namespace docdb
