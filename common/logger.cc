// The default logger (include/docdb/logger.h).
#include "docdb/logger.h"

#include <cstdio>
#include <mutex>
#include <string>

namespace docdb {
namespace {

class StderrLogger : public Logger {
 public:
  explicit StderrLogger(LogLevel min_level) : min_level_(min_level) {}

  void Log(LogLevel level, std::string_view, std::string_view message) override {
    if (level < min_level_) return;
    std::string line = "docdb " + std::string(LogLevelName(level)) + ": ";
    line.append(message);
    line.push_back('\n');
    // One write per line, so that lines from several threads never interleave.
    std::lock_guard<std::mutex> lock(mu_);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  const LogLevel min_level_;
  std::mutex mu_;
};

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::shared_ptr<Logger> NewStderrLogger(LogLevel min_level) {
  return std::make_shared<StderrLogger>(min_level);
}

}  // namespace docdb
