// One of docdbd's I/O threads (docs/server.md, "Threads"): it owns a set of connections
// and an epoll instance, reads and parses every request they send, runs it through the
// RequestHandler (or hands one that may block to the worker) and writes the replies,
// which other threads post back to it. Thread-safety: Adopt, Post, BeginShutdown and
// AddListener may be called from any thread; everything else runs on the thread itself.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "docdb/logger.h"
#include "ipc/protocol.h"
#include "ipc/request_handler.h"
#include "ipc/server.h"
#include "ipc/server_metrics.h"
#include "ipc/worker_thread.h"

namespace docdb::ipc {

class IoThread {
 public:
  struct Context {
    const ServerOptions* options;
    RequestHandler* handler;
    WorkerThread* worker;
    Logger* logger;
    SharedCounters* counters;
    ServerMetrics* metrics;
  };
  explicit IoThread(Context context);
  ~IoThread();  // joins; BeginShutdown must have been called
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  Status Start();
  // Takes over a connected, non-blocking socket.
  void Adopt(int fd, uint64_t connection_id);
  // Calls `on_readable` on this thread whenever `fd` is readable, until RemoveListener.
  void AddListener(int fd, std::function<void()> on_readable);
  // Stops watching the listener and closes it; returns once done.
  void RemoveListener();
  // Runs `task` on this thread soon.
  void Post(std::function<void()> task);
  // Stops reading requests; answers what is in flight, fails what was received but not
  // started, and exits once every connection is closed (or the drain timeout passed).
  void BeginShutdown();
  void Join();

 private:
  struct Connection;
  using Clock = std::chrono::steady_clock;

  void Run();
  void RunPosted();
  void ReadFrom(Connection* c);
  void Service(Connection* c);
  void Parse(Connection* c);
  // Answers the requests received but not started with Aborted.
  void FailUnparsed(Connection* c);
  void Dispatch(Connection* c, Request request);
  // Runs the request parsed last, held until the connection's writes are answered.
  bool DispatchHeld(Connection* c);
  // Queues an error response and closes the connection once it is written.
  void ProtocolError(Connection* c, uint16_t command, uint64_t request_id, const Status& why);
  // `from_worker` and `wrote` say what the request was: its end lifts what held the
  // connection's later requests.
  void OnReply(const std::shared_ptr<Connection>& c, std::string frame, bool from_worker,
               bool wrote);
  void Flush(Connection* c);
  void UpdateInterest(Connection* c);
  void Close(Connection* c, const char* why);
  void SweepTimeouts();
  void MarkDirty(Connection* c);

  const Context ctx_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;

  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;  // guarded by posted_mu_
  bool wake_pending_ = false;                  // guarded by posted_mu_

  // Owned by the thread.
  std::vector<char> read_buffer_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  // Connections with something to do at the end of this round; shared, since one may be
  // closed (and leave connections_) while it waits here.
  std::vector<std::shared_ptr<Connection>> dirty_;
  std::vector<std::shared_ptr<Connection>> closed_;  // freed after the current events
  int listen_fd_ = -1;
  std::function<void()> on_listen_;
  bool shutting_down_ = false;
  Clock::time_point drain_deadline_;
  Clock::time_point next_sweep_;
};

}  // namespace docdb::ipc
