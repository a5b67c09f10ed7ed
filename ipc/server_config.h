// docdbd's configuration (docs/configuration.md): every server and engine option under a
// dotted name, read from a TOML file or from "name=value" settings, and written back as
// TOML for --print-config. Thread-safety: pure functions on the caller's values.
#pragma once

#include <string>
#include <string_view>

#include "docdb/logger.h"
#include "docdb/status.h"
#include "ipc/server.h"
#include "ipc/spdlog_logger.h"

namespace docdb::ipc {

struct ServerConfig {
  ServerOptions server;
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kText;
};

// Applies the settings of a TOML document to `config`; `source` names it in errors.
// InvalidArgument naming the key for an unknown key, a value of the wrong type or out
// of range, and for malformed TOML (with its line); `config` is then unchanged.
Status ApplyConfigToml(std::string_view toml, std::string_view source, ServerConfig* config);

// Applies one "name=value" setting (a command-line override). The value is TOML
// (`4`, `true`, `"x"`); a bare word is taken as a string.
Status ApplyConfigSetting(std::string_view setting, ServerConfig* config);

// Every option with its value in `config`, as a TOML document that ApplyConfigToml reads
// back to the same configuration.
std::string ConfigToToml(const ServerConfig& config);

}  // namespace docdb::ipc
