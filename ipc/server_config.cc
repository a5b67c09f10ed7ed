// docdbd's configuration options (ipc/server_config.h, docs/configuration.md). The one
// table below names every option; the TOML reader, the overrides and --print-config all
// go through it.
#include "ipc/server_config.h"

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <variant>
#include <vector>

#include "io/file_system.h"

namespace docdb::ipc {
namespace {

// A configuration value as TOML holds it.
using Value = std::variant<int64_t, bool, std::string, double>;

struct OptionSpec {
  std::string_view name;
  // Sets the option; the error says what was expected, without the name.
  std::function<Status(const Value&, ServerConfig*)> set;
  std::function<Value(const ServerConfig&)> get;
};

// Where an option lives in a ServerConfig.
template <typename T>
using Field = std::function<T&(ServerConfig&)>;

template <typename T>
Field<T> InServer(T ServerOptions::*member) {
  return [member](ServerConfig& c) -> T& { return c.server.*member; };
}

template <typename T>
Field<T> InEngine(T Options::*member) {
  return [member](ServerConfig& c) -> T& { return c.server.db.*member; };
}

template <typename T>
Field<T> InRetry(T RetryPolicy::*member) {
  return [member](ServerConfig& c) -> T& { return c.server.db.retry.*member; };
}

template <typename T>
OptionSpec Number(std::string_view name, Field<T> field, uint64_t min = 0) {
  return {name,
          [field, min](const Value& v, ServerConfig* c) {
            const int64_t* n = std::get_if<int64_t>(&v);
            if (n == nullptr) return Status::InvalidArgument("expected an integer");
            if (*n < static_cast<int64_t>(min) ||
                static_cast<uint64_t>(*n) > std::numeric_limits<T>::max()) {
              return Status::InvalidArgument("expected an integer from " + std::to_string(min) +
                                             " to " +
                                             std::to_string(std::numeric_limits<T>::max()));
            }
            field(*c) = static_cast<T>(*n);
            return Status::OK();
          },
          [field](const ServerConfig& c) {
            return Value(static_cast<int64_t>(field(const_cast<ServerConfig&>(c))));
          }};
}

template <typename T>
OptionSpec Plain(std::string_view name, Field<T> field, const char* expected) {
  return {name,
          [field, expected](const Value& v, ServerConfig* c) {
            const T* x = std::get_if<T>(&v);
            if (x == nullptr) return Status::InvalidArgument(std::string("expected ") + expected);
            field(*c) = *x;
            return Status::OK();
          },
          [field](const ServerConfig& c) { return Value(field(const_cast<ServerConfig&>(c))); }};
}

// A number greater than 0 and at most 1; the integer 1 is taken as well.
OptionSpec Fraction(std::string_view name, Field<double> field) {
  return {name,
          [field](const Value& v, ServerConfig* c) {
            const double* d = std::get_if<double>(&v);
            const int64_t* n = std::get_if<int64_t>(&v);
            const double x = d != nullptr ? *d : n != nullptr ? static_cast<double>(*n) : -1;
            if ((d == nullptr && n == nullptr) || !(x > 0 && x <= 1)) {
              return Status::InvalidArgument("expected a number greater than 0 and at most 1");
            }
            field(*c) = x;
            return Status::OK();
          },
          [field](const ServerConfig& c) { return Value(field(const_cast<ServerConfig&>(c))); }};
}

OptionSpec String(std::string_view name, Field<std::string> field) {
  return Plain<std::string>(name, std::move(field), "a string");
}

OptionSpec Bool(std::string_view name, Field<bool> field) {
  return Plain<bool>(name, std::move(field), "true or false");
}

// An option whose value is one of a few names.
template <typename E>
OptionSpec Choice(std::string_view name, std::vector<std::pair<std::string_view, E>> choices,
                  Field<E> field) {
  return {name,
          [choices, field](const Value& v, ServerConfig* c) {
            const std::string* s = std::get_if<std::string>(&v);
            std::string expected;
            for (const auto& [label, value] : choices) {
              if (s != nullptr && *s == label) {
                field(*c) = value;
                return Status::OK();
              }
              expected += (expected.empty() ? "" : ", ") + std::string(label);
            }
            return Status::InvalidArgument("expected one of " + expected);
          },
          [choices, field](const ServerConfig& c) {
            const E current = field(const_cast<ServerConfig&>(c));
            for (const auto& [label, value] : choices) {
              if (value == current) return Value(std::string(label));
            }
            return Value(std::string());
          }};
}

const std::vector<OptionSpec>& Specs() {
  static const std::vector<OptionSpec> specs = {
      String("server.data_dir", InServer(&ServerOptions::data_dir)),
      String("server.socket", InServer(&ServerOptions::socket_path)),
      String("server.socket_group", InServer(&ServerOptions::socket_group)),
      Number("server.io_threads", InServer(&ServerOptions::io_threads)),
      Number("server.max_connections", InServer(&ServerOptions::max_connections), 1),
      Number("server.max_frame_body_bytes", InServer(&ServerOptions::max_frame_body_bytes), 4096),
      Number("server.max_in_flight_per_connection",
             InServer(&ServerOptions::max_in_flight_per_connection), 1),
      Number("server.max_output_bytes_per_connection",
             InServer(&ServerOptions::max_output_bytes_per_connection), 4096),
      Number("server.idle_timeout_ms", InServer(&ServerOptions::idle_timeout_ms)),
      Number("server.slow_client_timeout_ms", InServer(&ServerOptions::slow_client_timeout_ms), 1),
      Number("server.shutdown_drain_timeout_ms",
             InServer(&ServerOptions::shutdown_drain_timeout_ms)),
      String("server.metrics_listen", InServer(&ServerOptions::metrics_listen)),
      Choice<LogLevel>("log.level",
                       {{"debug", LogLevel::kDebug},
                        {"info", LogLevel::kInfo},
                        {"warning", LogLevel::kWarning},
                        {"error", LogLevel::kError}},
                       Field<LogLevel>([](ServerConfig& c) -> LogLevel& { return c.log_level; })),
      Choice<LogFormat>(
          "log.format", {{"text", LogFormat::kText}, {"json", LogFormat::kJson}},
          Field<LogFormat>([](ServerConfig& c) -> LogFormat& { return c.log_format; })),
      Choice<Durability>("engine.durability",
                         {{"sync", Durability::kSync},
                          {"periodic", Durability::kPeriodic},
                          {"none", Durability::kNone}},
                         InEngine(&Options::durability)),
      Number("engine.periodic_sync_interval_ms", InEngine(&Options::periodic_sync_interval_ms), 1),
      Bool("engine.checkpoint_auto", InEngine(&Options::checkpoint_auto)),
      Number("engine.checkpoint_interval_bytes", InEngine(&Options::checkpoint_interval_bytes), 1),
      Bool("engine.wal_trim_after_checkpoint", InEngine(&Options::wal_trim_after_checkpoint)),
      Number("engine.wal_keep_segments", InEngine(&Options::wal_keep_segments)),
      Bool("engine.compaction_auto", InEngine(&Options::compaction_auto)),
      Fraction("engine.compaction_dead_ratio", InEngine(&Options::compaction_dead_ratio)),
      Number("engine.compaction_max_bytes_per_second",
             InEngine(&Options::compaction_max_bytes_per_second)),
      Number("engine.wal_segment_size_bytes", InEngine(&Options::wal_segment_size_bytes), 1 << 16),
      Bool("engine.wal_direct_io", InEngine(&Options::wal_direct_io)),
      Number("engine.data_segment_size_bytes", InEngine(&Options::data_segment_size_bytes),
             1 << 16),
      Number("engine.data_segment_buffer_bytes", InEngine(&Options::data_segment_buffer_bytes)),
      Choice<IoBackend>("engine.io_backend",
                        {{"auto", IoBackend::kAuto},
                         {"io_uring", IoBackend::kUring},
                         {"posix", IoBackend::kPosix}},
                        InEngine(&Options::io_backend)),
      Choice<RecoveryMode>("engine.recovery_mode",
                           {{"tolerate_torn_tail", RecoveryMode::kTolerateTornTail},
                            {"absolute", RecoveryMode::kAbsolute},
                            {"salvage", RecoveryMode::kSalvage}},
                           InEngine(&Options::recovery_mode)),
      Bool("engine.checkpoint_on_close", InEngine(&Options::checkpoint_on_close)),
      Number("engine.max_pending_writes", InEngine(&Options::max_pending_writes), 1),
      Number("engine.max_pending_write_bytes", InEngine(&Options::max_pending_write_bytes), 1),
      Number("engine.max_index_readers", InEngine(&Options::max_index_readers), 1),
      Number("engine.max_document_bytes", InEngine(&Options::max_document_bytes), 16),
      Number("engine.max_nesting_depth", InEngine(&Options::max_nesting_depth), 1),
      Bool("engine.healing_enabled", InEngine(&Options::healing_enabled)),
      Number("engine.healing_interval_seconds", InEngine(&Options::healing_interval_seconds), 1),
      Bool("engine.healing_on_read", InEngine(&Options::healing_on_read)),
      Bool("engine.metrics_enabled", InEngine(&Options::metrics_enabled)),
      Number("engine.retry_max_retries", InRetry(&RetryPolicy::max_retries)),
      Number("engine.retry_initial_backoff_ms", InRetry(&RetryPolicy::initial_backoff_ms)),
      Number("engine.retry_max_backoff_ms", InRetry(&RetryPolicy::max_backoff_ms)),
  };
  return specs;
}

const OptionSpec* FindSpec(std::string_view name) {
  for (const OptionSpec& s : Specs()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<Value> ValueOf(const toml::node& node) {
  if (const auto* i = node.as_integer()) return Value(i->get());
  if (const auto* b = node.as_boolean()) return Value(b->get());
  if (const auto* s = node.as_string()) return Value(s->get());
  if (const auto* d = node.as_floating_point()) return Value(d->get());
  return std::nullopt;
}

// Applies every leaf of `table`, whose dotted name starts with `prefix`.
Status ApplyTable(const toml::table& table, const std::string& prefix, std::string_view source,
                  ServerConfig* config) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      if (Status s = ApplyTable(*sub, name + ".", source, config); !s.ok()) return s;
      continue;
    }
    const std::string where =
        std::string(source) + " line " + std::to_string(node.source().begin.line);
    const OptionSpec* spec = FindSpec(name);
    if (spec == nullptr) {
      return Status::InvalidArgument("unknown configuration key '" + name + "' (" + where +
                                     "; docs/configuration.md lists them)");
    }
    const std::optional<Value> value = ValueOf(node);
    Status set = value ? spec->set(*value, config)
                       : Status::InvalidArgument("expected a number, a string or a boolean");
    if (!set.ok()) {
      return Status::InvalidArgument("configuration key '" + name + "' (" + where +
                                     "): " + std::string(set.message()));
    }
  }
  return Status::OK();
}

std::string TomlLiteral(const Value& v) {
  if (const int64_t* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  std::ostringstream out;
  if (const double* d = std::get_if<double>(&v)) {
    out << toml::value<double>(*d);
    return out.str();
  }
  out << toml::value<std::string>(std::get<std::string>(v));
  return out.str();
}

}  // namespace

Status ApplyConfigToml(std::string_view toml_text, std::string_view source, ServerConfig* config) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + " line " +
                                   std::to_string(e.source().begin.line) +
                                   ": not valid TOML: " + std::string(e.description()));
  }
  // All or nothing: a file with one bad key changes nothing.
  ServerConfig applied = *config;
  if (Status s = ApplyTable(table, "", source, &applied); !s.ok()) return s;
  *config = std::move(applied);
  return Status::OK();
}

Status ApplyConfigSetting(std::string_view setting, ServerConfig* config) {
  const size_t eq = setting.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("setting '" + std::string(setting) + "' is not name=value");
  }
  const std::string name(setting.substr(0, eq));
  const std::string value(setting.substr(eq + 1));
  if (FindSpec(name) == nullptr) {
    return Status::InvalidArgument("unknown configuration key '" + name +
                                   "' (docs/configuration.md lists them)");
  }
  if (ApplyConfigToml(name + " = " + value, "--set", config).ok()) return Status::OK();
  // A bare word is a string.
  return ApplyConfigToml(name + " = " + TomlLiteral(Value(value)), "--set", config);
}

std::string ConfigToToml(const ServerConfig& config) {
  std::string out;
  std::string section;
  for (const OptionSpec& spec : Specs()) {
    const size_t dot = spec.name.find('.');
    const std::string_view table = spec.name.substr(0, dot);
    if (table != section) {
      out += (out.empty() ? "[" : "\n[") + std::string(table) + "]\n";
      section = std::string(table);
    }
    out += std::string(spec.name.substr(dot + 1)) + " = " + TomlLiteral(spec.get(config)) + "\n";
  }
  return out;
}

}  // namespace docdb::ipc
