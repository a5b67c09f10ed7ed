// The named databases a server hosts under one root directory (docs/server.md,
// "Databases"): <root>/<name>/, opened on first use, closed and dropped on request.
// Thread-safety: every method may be called from any thread. A caller must not hold a
// DB it got from the pool while it calls Close, Drop or CloseAll, which wait for every
// such reference to go.
#pragma once

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "docdb/db.h"
#include "docdb/options.h"
#include "docdb/status.h"
#include "ipc/protocol.h"

namespace docdb::ipc {

class DatabasePool {
 public:
  // `root` must exist. Every database is opened with `options`.
  DatabasePool(std::string root, Options options);
  // Closes every open database.
  ~DatabasePool();
  DatabasePool(const DatabasePool&) = delete;
  DatabasePool& operator=(const DatabasePool&) = delete;

  // Names follow the collection rule: 1-64 bytes of [A-Za-z0-9_.-], not starting with
  // '.', so that no name can reach outside the root. InvalidArgument otherwise.
  static Status ValidateName(std::string_view name);

  // The database if it is open, else null; never opens. Cheap: for every request.
  std::shared_ptr<DB> Find(std::string_view name) const;
  // Opens (creating it when missing) or returns the open database. Recovery runs here:
  // this may take long, so servers call it off their I/O threads.
  Result<std::shared_ptr<DB>> Open(std::string_view name);
  // Closes an open database (checkpointing it) and returns once it is closed; NotFound
  // when it is not open.
  Status Close(std::string_view name);
  // Closes the database if open, then deletes its directory. NotFound when there is none;
  // FailedPrecondition when another process has it open.
  Status Drop(std::string_view name);
  // The open databases, by name (for metrics and readiness). Holding one delays a Close
  // of it until it is released.
  std::vector<std::pair<std::string, std::shared_ptr<DB>>> OpenDatabases() const;
  // Every database directory under the root, by name, and whether it is open here.
  Result<std::vector<DatabaseInfo>> List() const;
  void CloseAll();

 private:
  struct Entry {
    std::shared_ptr<DB> db;
    std::shared_future<void> closed;  // ready once the DB is destroyed
  };
  // Takes the database out of the map and waits until it is destroyed; false when it was
  // not open. Requires change_mu_.
  bool CloseLocked(std::string_view name);

  const std::string root_;
  const Options options_;
  // Held by Open, Close, Drop and CloseAll from start to end: one at a time, so that a
  // database is never opened while it is still closing. Find never waits for it.
  std::mutex change_mu_;
  // Guards open_; held only to look up or change an entry.
  mutable std::shared_mutex map_mu_;
  std::map<std::string, Entry, std::less<>> open_;
};

}  // namespace docdb::ipc
