// One client connection to docdbd (docs/client.md): requests written under a lock and
// pipelined, responses read by a reader thread and matched to their requests by id.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "docdb/client.h"
#include "ipc/protocol.h"

namespace docdb::ipc {

class ClientConnection {
 public:
  using Callback = std::function<void(Result<Response>)>;

  // Connects, then exchanges hello. Unavailable when nothing answers.
  static Result<std::shared_ptr<ClientConnection>> Connect(const ClientOptions& options);
  // Closes the socket and joins the reader; requests still waiting fail with Unavailable.
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Sends `request` (its id is assigned here) and waits for the response, at most the
  // request timeout. Unavailable when the connection is lost or the time runs out.
  Result<Response> Call(Request request);
  // Sends `request`; `done` is called once, on the reader thread (or here when the
  // request cannot be sent). It must not block.
  void CallAsync(Request request, Callback done);

  const ServerInfo& server() const { return server_; }

 private:
  struct Pending {
    Command command;
    Callback done;
  };

  ClientConnection(int fd, ClientOptions options);
  void ReadResponses();
  // Fails every waiting request with `why` and refuses later ones.
  void Break(const Status& why);

  const int fd_;
  const ClientOptions options_;
  ServerInfo server_;
  std::mutex write_mu_;  // one frame at a time on the socket
  std::mutex mu_;
  std::map<uint64_t, Pending> pending_;  // guarded by mu_
  uint64_t next_id_ = 1;                 // guarded by mu_
  Status broken_;                        // guarded by mu_
  std::thread reader_;
};

}  // namespace docdb::ipc
