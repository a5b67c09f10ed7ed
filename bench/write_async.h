// Waiting for one DB::WriteAsync, for the benchmarks that measure the commit thread with
// each client thread keeping one write in flight (microbench's
// DurableInsert/ThroughCommitThread, docdb-bench's docdb-async). Thread-safety: as
// DB::WriteAsync.
#pragma once

#include <atomic>
#include <utility>

#include "docdb/db.h"

namespace docdb::bench {

// Commits `batch` through DB::WriteAsync and returns its outcome once `done` has run.
inline Status CommitThroughWriteAsync(DB& db, WriteBatch batch) {
  std::atomic<bool> done{false};
  Status outcome;
  db.WriteAsync(std::move(batch), [&](Result<uint64_t> version) {
    outcome = version.status();
    done.store(true, std::memory_order_release);
    done.notify_one();
  });
  done.wait(false, std::memory_order_acquire);
  return outcome;
}

}  // namespace docdb::bench
