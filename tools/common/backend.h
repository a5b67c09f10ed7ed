// Where a tool's databases are (docs/shell.md, docs/admin.md): a docdbd reached through the
// client, or a data directory opened in-process, laid out as docdbd's (<dir>/<name>/).
// Thread-safety: one thread (the tool's).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "docdb/client.h"
#include "docdb/db.h"

namespace docdb::tools {

class Backend {
 public:
  virtual ~Backend() = default;
  // The database `name`, opened (created when missing).
  virtual Result<std::unique_ptr<DB>> Open(const std::string& name) = 0;
  virtual Result<std::vector<DatabaseEntry>> List() = 0;
  // Deletes the database and its files (docs/server.md, "Databases"): FailedPrecondition
  // when another process has it open.
  virtual Status Drop(const std::string& name) = 0;
  // "docdbd 0.1.0 at ./data/docdb.sock" or "data directory ./data".
  virtual std::string Describe() const = 0;
  // How long the server has been running, when there is one.
  virtual std::optional<uint64_t> UptimeMs() const = 0;
};

// Connects to docdbd at `socket_path`.
Result<std::unique_ptr<Backend>> ConnectBackend(const std::string& socket_path);
// Opens databases under `data_dir` in this process; each holds its LOCK while open, so a
// docdbd serving the same directory makes Open fail with busy, saying so.
std::unique_ptr<Backend> EmbeddedBackend(const std::string& data_dir);

// The socket both tools connect to when given neither --socket nor --data-dir.
inline constexpr const char* kDefaultSocketPath = "./data/docdb.sock";
// What the tools' --socket and --data-dir choose: the data directory when one is given,
// else docdbd at `socket_path` (kDefaultSocketPath when empty).
Result<std::unique_ptr<Backend>> OpenBackend(const std::string& socket_path,
                                             const std::string& data_dir);

}  // namespace docdb::tools
