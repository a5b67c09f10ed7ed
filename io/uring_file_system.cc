// io_uring backend (io/uring_file_system.h); the rings themselves live in io/uring_ring.h.
#include "io/uring_file_system.h"

#include <cerrno>

#include "common/status_macros.h"
#include "io/posix_file_system.h"
#include "io/uring_ring.h"

namespace docdb::io {
namespace {

class UringFile : public PosixFile {
 public:
  UringFile(int fd, std::string path, UringRingPool* rings)
      : PosixFile(fd, std::move(path)), rings_(rings) {}

  // WriteAt stays PosixFile's pwrite: a buffered write completes in the page cache, and
  // measured here a ring round trip for it costs about five times the syscall.
  Status WriteAtAndSync(uint64_t offset, std::string_view data) override {
    // The sync result of the submission that completed the write is the one that counts:
    // earlier submissions were short, so their linked sync was cancelled or covered only
    // part of the data.
    int last_sync_result = 0;
    // A failure of the ring itself is not a write result to retry: it ends the call.
    Status ring_failure;
    Status written = WriteFully(
        [&](uint64_t off, std::string_view rest) -> int64_t {
          Result<UringWriteAndSyncResult> done = rings_->WriteAndSync(fd(), off, rest, path());
          if (!done.ok()) {
            ring_failure = std::move(done).status();
            return -EIO;  // an errno WriteFully does not retry, so that it stops here
          }
          last_sync_result = done->sync_result;
          return done->write_result;
        },
        offset, data, path());
    if (!ring_failure.ok()) return ring_failure;
    if (!written.ok()) return written;
    if (last_sync_result < 0) return SyncFailedStatus(-last_sync_result, path());
    return Status::OK();
  }

  Status Sync() override { return rings_->Sync(fd(), path()); }

 private:
  UringRingPool* const rings_;
};

// OpenDirect is PosixFileSystem's: an O_DIRECT write with RWF_DSYNC submitted through a
// ring is handed to an io-wq worker on ext4 (it cannot complete without blocking), so it
// would cost two thread switches more than the same pwritev2 on the caller's thread
// (docs/io.md, "Direct files").
class UringFileSystem : public PosixFileSystem {
 public:
  std::string_view name() const override { return "io_uring"; }

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override {
    Result<int> fd = OpenDescriptor(path, mode);
    if (!fd.ok()) return fd.status();
    return std::unique_ptr<File>(std::make_unique<UringFile>(*fd, path, &rings_));
  }

  UringRingPool* rings() { return &rings_; }

 private:
  UringRingPool rings_;
};

}  // namespace

Result<std::unique_ptr<FileSystem>> NewUringFileSystem() {
  auto fs = std::make_unique<UringFileSystem>();
  DOCDB_RETURN_IF_ERROR(fs->rings()->CheckSupported());
  return std::unique_ptr<FileSystem>(std::move(fs));
}

}  // namespace docdb::io
