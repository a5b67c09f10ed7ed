// io_uring backend: the only file that includes <liburing.h> (STYLE.md).
#include "io/uring_file_system.h"

#include <liburing.h>

#include <mutex>
#include <vector>

#include "io/posix_file_system.h"

namespace docdb::io {
namespace {

constexpr unsigned kRingEntries = 8;
constexpr uint64_t kWriteTag = 1;
constexpr uint64_t kSyncTag = 2;

// One io_uring instance. A ring is not safe for concurrent submission, so each is used
// by one thread at a time, leased from a RingPool.
class Ring {
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

  // Submits a write of `data` at `offset` linked to an fdatasync, and waits for both.
  // Returns the write's result (bytes or -errno) and the sync's (0, or -errno;
  // -ECANCELED when a failed or short write broke the link).
  void WriteAndSync(int fd, uint64_t offset, std::string_view data, int64_t* write_result,
                    int* sync_result) {
    *write_result = -EIO;
    *sync_result = 0;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_write(sqe, fd, data.data(), static_cast<unsigned>(data.size()), offset);
    io_uring_sqe_set_data64(sqe, kWriteTag);
    sqe->flags |= IOSQE_IO_LINK;
    io_uring_sqe* fsync = io_uring_get_sqe(&ring_);
    io_uring_prep_fsync(fsync, fd, IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data64(fsync, kSyncTag);
    Reap(2, write_result, sync_result);
  }

  // Submits a lone fdatasync and waits; returns 0 or -errno.
  int Sync(int fd) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data64(sqe, kSyncTag);
    int64_t unused = 0;
    int result = 0;
    Reap(1, &unused, &result);
    return result;
  }

 private:
  void Reap(unsigned expected, int64_t* write_result, int* sync_result) {
    int rc = 0;
    do {
      rc = io_uring_submit_and_wait(&ring_, expected);
    } while (rc == -EINTR);
    if (rc < 0) {
      // Nothing was submitted: report the submission error for every request.
      *write_result = rc;
      *sync_result = rc;
      return;
    }
    for (unsigned seen = 0; seen < expected; ++seen) {
      io_uring_cqe* cqe = nullptr;
      int wait = 0;
      do {
        wait = io_uring_wait_cqe(&ring_, &cqe);
      } while (wait == -EINTR);
      if (wait < 0) {
        *write_result = wait;
        *sync_result = wait;
        return;
      }
      if (io_uring_cqe_get_data64(cqe) == kWriteTag) {
        *write_result = cqe->res;
      } else {
        *sync_result = cqe->res;
      }
      io_uring_cqe_seen(&ring_, cqe);
    }
  }

  io_uring ring_{};
  bool initialised_ = false;
};

// Rings created on demand and reused, so that concurrent writers never share one.
class RingPool {
 public:
  class Lease {
   public:
    Lease(RingPool* pool, std::unique_ptr<Ring> ring) : pool_(pool), ring_(std::move(ring)) {}
    ~Lease() {
      if (ring_) pool_->Return(std::move(ring_));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Ring* get() const { return ring_.get(); }
    Ring* operator->() const { return ring_.get(); }

   private:
    RingPool* pool_;
    std::unique_ptr<Ring> ring_;
  };

  // A ring for the caller's exclusive use, or an error when a new one cannot be made.
  Result<std::unique_ptr<Ring>> Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        std::unique_ptr<Ring> ring = std::move(free_.back());
        free_.pop_back();
        return ring;
      }
    }
    auto ring = std::make_unique<Ring>();
    if (const int rc = ring->Init(); rc < 0) return ErrnoStatus(-rc, "io_uring_queue_init", "");
    return ring;
  }

  void Return(std::unique_ptr<Ring> ring) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(ring));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Ring>> free_;
};

class UringFile : public PosixFile {
 public:
  UringFile(int fd, std::string path, RingPool* rings)
      : PosixFile(fd, std::move(path)), rings_(rings) {}

  // WriteAt stays PosixFile's pwrite: a buffered write completes in the page cache, and
  // measured here a ring round trip for it costs about five times the syscall.
  Status WriteAtAndSync(uint64_t offset, std::string_view data) override {
    Result<std::unique_ptr<Ring>> ring = rings_->Take();
    if (!ring.ok()) return ring.status();
    RingPool::Lease lease(rings_, std::move(*ring));
    // The sync result of the submission that completed the write is the one that counts:
    // earlier submissions were short, so their linked sync was cancelled or covered only
    // part of the data.
    int last_sync_result = 0;
    Status written = WriteFully(
        [&](uint64_t off, std::string_view rest) -> int64_t {
          int64_t write_result = 0;
          lease->WriteAndSync(fd(), off, rest, &write_result, &last_sync_result);
          return write_result;
        },
        offset, data, path());
    if (!written.ok()) return written;
    if (last_sync_result < 0) return SyncFailedStatus(-last_sync_result, path());
    return Status::OK();
  }

  Status Sync() override {
    Result<std::unique_ptr<Ring>> ring = rings_->Take();
    if (!ring.ok()) return ring.status();
    RingPool::Lease lease(rings_, std::move(*ring));
    // Never retried: see PosixFile::Sync.
    if (const int rc = lease->Sync(fd()); rc < 0) return SyncFailedStatus(-rc, path());
    return Status::OK();
  }

 private:
  RingPool* const rings_;
};

class UringFileSystem : public PosixFileSystem {
 public:
  std::string_view name() const override { return "io_uring"; }

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override {
    Result<int> fd = OpenDescriptor(path, mode);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<File>(std::make_unique<UringFile>(*fd, path, &rings_));
  }

  RingPool* rings() { return &rings_; }

 private:
  RingPool rings_;
};

}  // namespace

Result<std::unique_ptr<FileSystem>> NewUringFileSystem() {
  auto fs = std::make_unique<UringFileSystem>();
  Result<std::unique_ptr<Ring>> ring = fs->rings()->Take();
  if (!ring.ok()) {
    return Status::NotSupported("io_uring unavailable: " + ring.status().ToString());
  }
  io_uring_probe* probe = io_uring_get_probe();
  const bool has_ops = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_WRITE) &&
                       io_uring_opcode_supported(probe, IORING_OP_FSYNC);
  if (probe != nullptr) io_uring_free_probe(probe);
  if (!has_ops) return Status::NotSupported("io_uring lacks IORING_OP_WRITE or IORING_OP_FSYNC");
  fs->rings()->Return(std::move(*ring));
  return std::unique_ptr<FileSystem>(std::move(fs));
}

}  // namespace docdb::io
