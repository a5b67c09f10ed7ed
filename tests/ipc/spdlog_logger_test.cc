// docdbd's logger (ipc/spdlog_logger.h, docs/observability.md "Logs"): levels filter,
// text lines carry time, level and event, JSON lines are valid JSON with the same fields,
// bytes that are not UTF-8 never break a line.
#include "ipc/spdlog_logger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "json/validator.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

// What `log` writes to standard error, captured through a file.
template <typename Fn>
std::string CaptureStderr(Fn log) {
  testing::TempDir dir;
  const std::string path = dir.Join("stderr");
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  std::FILE* file = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(file), STDERR_FILENO);
  log();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::fclose(file);
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SpdlogLoggerTest, TextLinesCarryTimeLevelAndEventAndLevelsFilter) {
  const std::string out = CaptureStderr([] {
    auto logger = ipc::NewSpdlogLogger(LogLevel::kInfo, ipc::LogFormat::kText);
    logger->Log(LogLevel::kDebug, "checkpoint", "not shown");
    logger->Log(LogLevel::kInfo, "checkpoint", "checkpoint of db at LSN 7");
    logger->Log(LogLevel::kError, "critical", "fsync failed");
  });
  EXPECT_EQ(out.find("not shown"), std::string::npos) << out;
  EXPECT_NE(out.find(" info checkpoint: checkpoint of db at LSN 7\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" error critical: fsync failed\n"), std::string::npos) << out;
  EXPECT_EQ(out[4], '-') << "an ISO 8601 date first: " << out;
  EXPECT_NE(out.find("Z info"), std::string::npos) << "UTC: " << out;
}

TEST(SpdlogLoggerTest, JsonLinesAreValidJsonEvenForBytesThatAreNotUtf8) {
  const std::string out = CaptureStderr([] {
    auto logger = ipc::NewSpdlogLogger(LogLevel::kWarning, ipc::LogFormat::kJson);
    logger->Log(LogLevel::kInfo, "open", "not shown");
    logger->Log(LogLevel::kWarning, "protocol_error", "connection 3: \"bad\"\n\xff frame");
  });
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << "one line: " << out;
  const std::string line = out.substr(0, out.size() - 1);
  EXPECT_TRUE(json::ValidateAndMinifyJson(line, {}).ok()) << line;
  EXPECT_NE(line.find(R"("level":"warning")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("event":"protocol_error")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("message":"connection 3: \"bad\"\n\\xff frame")"), std::string::npos)
      << line;
  EXPECT_EQ(line.rfind(R"({"time":")", 0), 0u) << line;
}

}  // namespace
}  // namespace docdb
