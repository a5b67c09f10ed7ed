// The C++ client of docdbd (docs/client.md): a connection to a server's Unix socket, and
// its databases as docdb::DB objects whose calls travel over it (docs/protocol.md).
// Thread-safety: a Client and the DBs it opens may be used from any number of threads at
// once; their requests are pipelined on the one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/db.h"
#include "docdb/status.h"

namespace docdb {

struct ClientOptions {
  std::string socket_path = "./data/docdb.sock";
  uint32_t connect_timeout_ms = 5000;
  // A request not answered in this long fails with Unavailable; 0 waits for ever.
  uint32_t request_timeout_ms = 60000;
  std::string client_name = "docdb-client";
};

struct ServerInfo {
  std::string server_version;
  uint32_t protocol_version = 0;
  uint32_t max_frame_body_bytes = 0;
  uint32_t max_in_flight_per_connection = 0;
  uint32_t max_document_bytes = 0;
  uint64_t uptime_ms = 0;  // how long docdbd had been running when this client connected
};

struct DatabaseEntry {
  std::string name;
  bool open = false;  // open in the server now
};

class Client {
 public:
  // Connects and exchanges hello. Unavailable when nothing answers at the socket;
  // NotSupported when the server speaks another protocol version.
  static Result<std::unique_ptr<Client>> Connect(const ClientOptions& options = {});
  virtual ~Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The server's database `name`, opened there first (created when missing). The DB
  // shares this connection and keeps it open after the Client is gone; destroying it
  // does not close the database in the server. Its calls behave as the embedded DB's,
  // and fail with Unavailable once the connection is lost. In its WriteAsync, `done` runs
  // on the client's reader thread, with the same rules as the embedded one.
  virtual Result<std::unique_ptr<DB>> OpenDatabase(std::string_view name) = 0;
  // Closes the database in the server (checkpointing it); NotFound when not open.
  virtual Status CloseDatabase(std::string_view name) = 0;
  // Deletes the database and its files; FailedPrecondition when another process has it.
  virtual Status DropDatabase(std::string_view name) = 0;
  virtual Result<std::vector<DatabaseEntry>> ListDatabases() = 0;
  virtual const ServerInfo& server() const = 0;

 protected:
  Client() = default;
};

}  // namespace docdb
