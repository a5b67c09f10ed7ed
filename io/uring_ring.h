// The io_uring rings behind the io_uring backend (docs/io.md): a pool that lends each call a
// ring of its own and destroys a ring that saw an error. Only uring_ring.cc includes
// <liburing.h>; no liburing type appears here. Thread-safety: every method may be called
// concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "docdb/status.h"

namespace docdb::io {

// What the kernel reported for a write linked to an fdatasync.
struct UringWriteAndSyncResult {
  int64_t write_result = 0;  // bytes written, or -errno
  int sync_result = 0;       // 0, or -errno; -ECANCELED when a failed or short write broke the link
};

class UringRingPool {
 public:
  // Rings counted over the pool's life, and those idle in it now.
  struct Counters {
    uint64_t created = 0;
    uint64_t discarded = 0;
    size_t free = 0;
  };

  // The step of a ring operation that a test makes fail (FailNextOperationForTesting).
  enum class Step { kGetSqe, kSubmit, kWait };

  UringRingPool();
  ~UringRingPool();
  UringRingPool(const UringRingPool&) = delete;
  UringRingPool& operator=(const UringRingPool&) = delete;

  // OK when the kernel grants a ring that supports IORING_OP_WRITE and IORING_OP_FSYNC;
  // otherwise NotSupported, naming the reason. The ring made to find out stays in the pool.
  Status CheckSupported();

  // Writes `data` at `offset` of `fd` through a leased ring, linked to an fdatasync, and
  // waits for both; returns what the kernel reported for each (a short write is the
  // caller's to resubmit). When the ring itself fails (no free submission entry, submitting
  // or waiting failed) returns IoError with the errno kept: the caller cannot know whether
  // its data reached the disk. Such a ring is destroyed, not reused, and only after every
  // request the kernel took from it has completed, so `data` is not read once this returns
  // (unless waiting for those completions fails too, with anything but EINTR: destroying
  // the ring then cancels them, and the kernel may finish that asynchronously).
  // `path` names the file in error messages.
  Result<UringWriteAndSyncResult> WriteAndSync(int fd, uint64_t offset, std::string_view data,
                                               std::string_view path);

  // An fdatasync of `fd` through a leased ring. Returns OK, or IoError with the errno kept
  // when the fdatasync or the ring fails (SyncFailedStatus); never retried.
  Status Sync(int fd, std::string_view path);

  Counters counters() const;

  // Test-only: the next WriteAndSync or Sync fails at `step` with `err` (ignored for kGetSqe,
  // which then finds the submission queue full) instead of calling the kernel for it.
  void FailNextOperationForTesting(Step step, int err);

 private:
  class Ring;
  class Lease;
  struct Fault {
    Step step;
    int err;
  };

  // A ring for the caller's exclusive use, or an error when a new one cannot be made.
  Result<Lease> Take();
  // Keeps `ring` for reuse when it is idle; destroys it otherwise.
  void Return(std::unique_ptr<Ring> ring);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Ring>> free_;
  std::optional<Fault> next_fault_;
  uint64_t created_ = 0;
  uint64_t discarded_ = 0;
};

}  // namespace docdb::io
