// docdbd's server (docs/server.md): a Unix socket, a few I/O threads that own every
// connection (epoll), one worker thread for requests that may block, and the
// DatabasePool. Thread-safety: Start and Shutdown from one thread; the accessors from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "docdb/logger.h"
#include "docdb/options.h"
#include "docdb/status.h"

namespace docdb::ipc {

struct ServerOptions {
  std::string data_dir = "./data";
  std::string socket_path;  // empty: <data_dir>/docdb.sock
  // Group allowed to connect besides the owner (the socket is then mode 0660); empty
  // means the owner only (0600).
  std::string socket_group;
  // I/O threads; 0 means half the CPUs, at least one, so that the commit threads and
  // clients on the same machine keep the rest.
  uint32_t io_threads = 0;
  uint32_t max_connections = 1024;
  // A frame's body may be this long: a largest document with room for its request.
  uint32_t max_frame_body_bytes = (16u << 20) + (64u << 10);
  // Requests of one connection being handled at once; beyond it the server stops reading
  // from the connection until replies go out.
  uint32_t max_in_flight_per_connection = 1024;
  // Replies waiting for a connection that does not read them; beyond it the server stops
  // reading its requests.
  uint64_t max_output_bytes_per_connection = 64ull << 20;
  // A connection with nothing in flight and nothing received for this long is closed;
  // 0 = never.
  uint32_t idle_timeout_ms = 0;
  // A connection that leaves a frame half sent, or does not take its replies, for this
  // long is closed.
  uint32_t slow_client_timeout_ms = 30000;
  // On shutdown, how long connections may take to receive their last replies.
  uint32_t shutdown_drain_timeout_ms = 10000;
  // Where /metrics, /healthz and /readyz are served over HTTP ("host:port", port 0 for
  // any free one; docs/observability.md); empty: not served.
  std::string metrics_listen = "127.0.0.1:9470";
  // The engine options of every database.
  Options db;
};

// The effective socket path of `options`.
std::string SocketPathOf(const ServerOptions& options);

// What a running server counts, for tests and `stats`.
struct ServerCounters {
  uint64_t connections_accepted = 0;
  uint64_t connections_open = 0;
  uint64_t connections_refused = 0;  // beyond max_connections
  uint64_t protocol_errors = 0;      // connections closed for a malformed frame
  uint64_t requests = 0;
};

class Server {
 public:
  // Creates the data directory (0700 through the process umask), takes its LOCK (a
  // second server on it fails with Busy, naming it), opens `default`, replaces a stale
  // socket file (only when nothing answers on it) and starts listening.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                               std::shared_ptr<Logger> logger);
  // Shutdown, if not done yet.
  virtual ~Server() = default;

  // Stops accepting and reading requests, answers every request in flight (requests
  // received but not started get Aborted), closes connections, closes (checkpoints)
  // every database and removes the socket. Idempotent.
  virtual void Shutdown() = 0;
  virtual ServerCounters counters() const = 0;
  virtual const std::string& socket_path() const = 0;
  // The port /metrics is served on (0 when not served).
  virtual uint16_t metrics_port() const = 0;
  // Why the server is not ready for requests (/readyz), or empty when it is: it listens,
  // `default` is open, and no open database refuses writes.
  virtual std::string NotReadyReason() const = 0;

 protected:
  Server() = default;
};

}  // namespace docdb::ipc
