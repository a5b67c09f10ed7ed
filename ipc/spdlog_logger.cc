// The spdlog logger (ipc/spdlog_logger.h).
#include "ipc/spdlog_logger.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

#include "json/string.h"

namespace docdb::ipc {
namespace {

spdlog::level::level_enum SpdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarning:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// `text` as a JSON string; bytes that are not UTF-8 (a file name, say) are written as
// the text \xNN, so that the line stays valid JSON.
void AppendJsonText(std::string_view text, std::string* out) {
  if (json::IsValidUtf8(text)) {
    json::AppendQuotedJsonString(text, out);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string clean;
  while (!text.empty()) {
    const size_t valid = json::ValidUtf8PrefixBytes(text);
    clean.append(text.substr(0, valid));
    if (valid == text.size()) break;
    const auto bad = static_cast<uint8_t>(text[valid]);
    clean += {'\\', 'x', kHex[bad >> 4], kHex[bad & 0xF]};
    text.remove_prefix(valid + 1);
  }
  json::AppendQuotedJsonString(clean, out);
}

class SpdlogLogger : public Logger {
 public:
  SpdlogLogger(LogLevel min_level, LogFormat format)
      : format_(format), logger_("docdbd", std::make_shared<spdlog::sinks::stderr_sink_mt>()) {
    // The message part of a JSON line is the event and message members, quoted here.
    logger_.set_pattern(format == LogFormat::kJson
                            ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                            : "%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                        spdlog::pattern_time_type::utc);
    logger_.set_level(SpdlogLevel(min_level));
    // Every line reaches the file at once: a crash must not take the last lines with it.
    logger_.flush_on(spdlog::level::trace);
  }

  void Log(LogLevel level, std::string_view event, std::string_view message) override {
    const spdlog::level::level_enum l = SpdlogLevel(level);
    if (!logger_.should_log(l)) return;
    std::string line;
    if (format_ == LogFormat::kJson) {
      line = "\"event\":";
      AppendJsonText(event, &line);
      line += ",\"message\":";
      AppendJsonText(message, &line);
    } else {
      line.append(event).append(": ").append(message);
    }
    logger_.log(l, spdlog::string_view_t(line.data(), line.size()));
  }

 private:
  const LogFormat format_;
  spdlog::logger logger_;
};

}  // namespace

std::shared_ptr<Logger> NewSpdlogLogger(LogLevel min_level, LogFormat format) {
  return std::make_shared<SpdlogLogger>(min_level, format);
}

}  // namespace docdb::ipc
