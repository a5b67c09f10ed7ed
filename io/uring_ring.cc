// The io_uring rings (io/uring_ring.h): the only file that includes <liburing.h> (STYLE.md).
#include "io/uring_ring.h"

#include <liburing.h>

#include <cassert>
#include <cerrno>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "io/errno_status.h"

namespace docdb::io {
namespace {

constexpr unsigned kRingEntries = 8;
// The user_data of each request, and its slot in the results that Ring::SubmitAndReap fills.
constexpr uint64_t kWriteTag = 0;
constexpr uint64_t kSyncTag = 1;
constexpr unsigned kTagCount = 2;

void PrepareSync(io_uring_sqe* sqe, int fd) {
  io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
  io_uring_sqe_set_data64(sqe, kSyncTag);
}

Status NoSqeStatus(std::string_view request, std::string_view path) {
  return Status::IoError("io_uring submission queue full: cannot queue " + std::string(request) +
                         " of " + std::string(path));
}

// The ring failed `step` with `err`: whether the data reached the disk is unknown, so this is
// a failed sync, whatever the errno.
Status RingFailedStatus(int err, std::string_view step, std::string_view path) {
  return SyncFailedStatus(err, path).WithContext(step);
}

}  // namespace

// One io_uring instance, used by one thread at a time. After an error it may still hold
// entries the kernel never took, or completions nobody reaped: it is then not idle, and the
// pool destroys it rather than let the next caller submit those entries (a stale write from a
// buffer that is gone) or take those completions as its own.
class UringRingPool::Ring {
 public:
  Ring() = default;
  ~Ring() {
    if (initialised_) io_uring_queue_exit(&ring_);
  }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Returns 0 or -errno.
  int Init() {
    const int rc = io_uring_queue_init(kRingEntries, &ring_, 0);
    initialised_ = rc == 0;
    return rc;
  }

  // True when no error was seen and nothing is queued or waiting to be reaped.
  bool idle() const {
    return !failed_ && io_uring_sq_ready(&ring_) == 0 && io_uring_cq_ready(&ring_) == 0;
  }

  // The fault a test asked for, armed for this ring's next operation only.
  void set_fault(std::optional<Fault> fault) { fault_ = fault; }

  // A submission entry, or null when the queue is full. A null fails the ring: entries taken
  // before it stay queued.
  io_uring_sqe* GetSqe() {
    io_uring_sqe* sqe = TakeFault(Step::kGetSqe) != 0 ? nullptr : io_uring_get_sqe(&ring_);
    if (sqe == nullptr) failed_ = true;
    return sqe;
  }

  // Submits the `prepared` entries and reaps as many completions, storing each result in
  // results[tag]. On a failed or short submission, or a failed wait, fails the ring, but
  // first waits for every request the kernel took, so that the caller may release the
  // buffers they read; returns IoError (RingFailedStatus) naming `path`.
  Status SubmitAndReap(unsigned prepared, int results[kTagCount], std::string_view path) {
    const int submitted = Submit(prepared);
    // The kernel's own count of the entries it took holds even when the submission failed.
    const unsigned in_flight = prepared - io_uring_sq_ready(&ring_);
    if (submitted < 0 || static_cast<unsigned>(submitted) < prepared) {
      failed_ = true;
      Drain(in_flight);
      if (submitted < 0) return RingFailedStatus(-submitted, "io_uring_submit", path);
      return RingFailedStatus(EIO, "io_uring_submit took fewer entries than queued", path);
    }
    for (unsigned reaped = 0; reaped < prepared; ++reaped) {
      io_uring_cqe* cqe = nullptr;
      if (const int rc = WaitCqe(&cqe); rc < 0) {
        failed_ = true;
        Drain(in_flight - reaped);
        return RingFailedStatus(-rc, "io_uring_wait_cqe", path);
      }
      const uint64_t tag = io_uring_cqe_get_data64(cqe);
      assert(tag < kTagCount);
      if (tag < kTagCount) results[tag] = cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
    }
    return Status::OK();
  }

 private:
  // The errno a test asked `step` to fail with (EIO when it gave none), or 0; consumed.
  int TakeFault(Step step) {
    if (!fault_ || fault_->step != step) return 0;
    const int err = fault_->err != 0 ? fault_->err : EIO;
    fault_.reset();
    return err;
  }

  // io_uring_submit_and_wait, retried on EINTR, which it returns only when it took nothing:
  // once entries are taken it returns their count, even if its wait was interrupted.
  int Submit(unsigned wait_nr) {
    int rc = 0;
    do {
      if (const int err = TakeFault(Step::kSubmit); err != 0) {
        rc = -err;
      } else if (fault_ && fault_->step == Step::kWait) {
        // A test's failed wait: submit without waiting, as when a signal cuts the wait
        // short, so that the completions may still be outstanding when the wait fails.
        rc = io_uring_submit(&ring_);
      } else {
        rc = io_uring_submit_and_wait(&ring_, wait_nr);
      }
    } while (rc == -EINTR);
    return rc;
  }

  // io_uring_wait_cqe, retried on EINTR. Returns 0 or -errno.
  int WaitCqe(io_uring_cqe** cqe) {
    int rc = 0;
    do {
      const int err = TakeFault(Step::kWait);
      rc = err != 0 ? -err : io_uring_wait_cqe(&ring_, cqe);
    } while (rc == -EINTR);
    return rc;
  }

  // Waits for and discards `count` completions. Stops only if waiting fails other than by
  // EINTR: nothing more can then be learnt from the ring, and destroying it makes the
  // kernel cancel what is left.
  void Drain(unsigned count) {
    for (; count > 0; --count) {
      io_uring_cqe* cqe = nullptr;
      if (WaitCqe(&cqe) < 0) return;
      io_uring_cqe_seen(&ring_, cqe);
    }
  }

  io_uring ring_{};
  bool initialised_ = false;
  bool failed_ = false;
  std::optional<Fault> fault_;
};

// A ring leased for one operation; hands it back to the pool, which keeps it only if idle.
class UringRingPool::Lease {
 public:
  Lease(UringRingPool* pool, std::unique_ptr<Ring> ring) : pool_(pool), ring_(std::move(ring)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (ring_) pool_->Return(std::move(ring_));
  }
  Ring& ring() const { return *ring_; }

 private:
  UringRingPool* pool_;
  std::unique_ptr<Ring> ring_;
};

UringRingPool::UringRingPool() = default;
UringRingPool::~UringRingPool() = default;

Result<UringRingPool::Lease> UringRingPool::Take() {
  std::unique_ptr<Ring> ring;
  std::optional<Fault> fault;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fault = std::exchange(next_fault_, std::nullopt);
    if (!free_.empty()) {
      ring = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!ring) {
    ring = std::make_unique<Ring>();
    if (const int rc = ring->Init(); rc < 0) return ErrnoStatus(-rc, "io_uring_queue_init", "");
    std::lock_guard<std::mutex> lock(mu_);
    ++created_;
  }
  ring->set_fault(fault);
  return Lease(this, std::move(ring));
}

void UringRingPool::Return(std::unique_ptr<Ring> ring) {
  const bool reusable = ring->idle();
  std::lock_guard<std::mutex> lock(mu_);
  if (reusable) {
    free_.push_back(std::move(ring));
  } else {
    ++discarded_;  // `ring` is destroyed on return, after the lock is released
  }
}

Status UringRingPool::CheckSupported() {
  Result<Lease> lease = Take();
  if (!lease.ok()) {
    return Status::NotSupported("io_uring unavailable: " + lease.status().ToString());
  }
  io_uring_probe* probe = io_uring_get_probe();
  const bool has_ops = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_WRITE) &&
                       io_uring_opcode_supported(probe, IORING_OP_FSYNC);
  if (probe != nullptr) io_uring_free_probe(probe);
  if (!has_ops) return Status::NotSupported("io_uring lacks IORING_OP_WRITE or IORING_OP_FSYNC");
  return Status::OK();
}

Result<UringWriteAndSyncResult> UringRingPool::WriteAndSync(int fd, uint64_t offset,
                                                            std::string_view data,
                                                            std::string_view path) {
  Result<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  Ring& ring = lease->ring();
  io_uring_sqe* write = ring.GetSqe();
  io_uring_sqe* sync = write != nullptr ? ring.GetSqe() : nullptr;
  if (sync == nullptr) return NoSqeStatus("a write and its fdatasync", path);
  io_uring_prep_write(write, fd, data.data(), static_cast<unsigned>(data.size()), offset);
  io_uring_sqe_set_data64(write, kWriteTag);
  write->flags |= IOSQE_IO_LINK;
  PrepareSync(sync, fd);
  int results[kTagCount] = {-EIO, 0};
  DOCDB_RETURN_IF_ERROR(ring.SubmitAndReap(2, results, path));
  return UringWriteAndSyncResult{results[kWriteTag], results[kSyncTag]};
}

Status UringRingPool::Sync(int fd, std::string_view path) {
  Result<Lease> lease = Take();
  if (!lease.ok()) return lease.status();
  Ring& ring = lease->ring();
  io_uring_sqe* sync = ring.GetSqe();
  if (sync == nullptr) return NoSqeStatus("an fdatasync", path);
  PrepareSync(sync, fd);
  int results[kTagCount] = {0, 0};
  DOCDB_RETURN_IF_ERROR(ring.SubmitAndReap(1, results, path));
  // Never retried: see PosixFile::Sync.
  if (results[kSyncTag] < 0) return SyncFailedStatus(-results[kSyncTag], path);
  return Status::OK();
}

UringRingPool::Counters UringRingPool::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {created_, discarded_, free_.size()};
}

void UringRingPool::FailNextOperationForTesting(Step step, int err) {
  std::lock_guard<std::mutex> lock(mu_);
  next_fault_ = Fault{step, err};
}

}  // namespace docdb::io
