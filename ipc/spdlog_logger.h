// docdbd's logger (docs/observability.md, "Logs"): spdlog writing to standard error,
// human-readable lines or JSON lines, UTC timestamps, flushed line by line.
// Thread-safety: as Logger (spdlog's sink takes a lock per line).
#pragma once

#include <memory>

#include "docdb/logger.h"

namespace docdb::ipc {

enum class LogFormat {
  kText,  // 2026-12-02T11:36:21.123Z info checkpoint: checkpoint of ./data/default ...
  kJson,  // {"time":"...","level":"info","event":"checkpoint","message":"..."}
};

std::shared_ptr<Logger> NewSpdlogLogger(LogLevel min_level, LogFormat format);

}  // namespace docdb::ipc
