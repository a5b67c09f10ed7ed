// Runs decoded protocol requests against the databases of a DatabasePool
// (docs/protocol.md, "Commands"). Writes go through DB::WriteAsync and are answered from
// their completion; reads are answered before Handle returns. Thread-safety: Handle may
// be called from any number of threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "ipc/database_pool.h"
#include "ipc/protocol.h"
#include "ipc/server_metrics.h"

namespace docdb::ipc {

// Delivers a response frame; called exactly once per request, from any thread (for a
// write, DocDB's commit thread: it must not block).
using Respond = std::function<void(std::string frame)>;

class RequestHandler {
 public:
  // `pool` and `metrics` must outlive the handler; `hello` is what Hello answers.
  RequestHandler(DatabasePool* pool, const ServerMetrics* metrics, ServerHello hello);

  // Where a request runs. `may_block`: handling it may block for long (it opens, closes
  // or drops a database, checkpoints, or changes collections), so it belongs off the I/O
  // threads. `db`: the open database it names, for a request that does not block (a
  // request waiting for the worker must not hold one: the worker may be closing it).
  struct Route {
    bool may_block = false;
    std::shared_ptr<DB> db;
  };
  Route RouteOf(const Request& request) const;
  // True when `request` writes documents (through WriteAsync).
  static bool Writes(const Request& request);

  // Runs the request; `db` is its Route's (null: looked up, and opened if need be, here).
  void Handle(Request request, std::shared_ptr<DB> db, Respond respond);

  // The response frame to a request that could not be decoded or run.
  static std::string ErrorFrame(Command command, uint64_t request_id, Status status);

 private:
  void HandleWithDb(Request request, std::shared_ptr<DB> db, Respond respond);
  void Execute(Request request, DB& db, Respond respond);
  void ExecuteAtomically(Request request, DB& db, Respond respond);
  Response Scan(const Request& request, DB& db) const;

  DatabasePool* const pool_;
  const ServerMetrics* const metrics_;
  const ServerHello hello_;
  const std::chrono::steady_clock::time_point started_;  // for the hello's uptime
};

}  // namespace docdb::ipc
