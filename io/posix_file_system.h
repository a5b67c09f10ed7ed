// The portable backend of the OS seam: pread/pwrite/fdatasync (docs/io.md). The io_uring
// backend derives from it and replaces the write path. Thread-safety: as FileSystem.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

#include "io/errno_status.h"
#include "io/file_system.h"

namespace docdb::io {

// Drives one write syscall (or ring submission) until all of data is written. `write_once`
// is called as write_once(offset, data) and returns the bytes written or -errno. A short
// count resubmits the rest; EINTR and EAGAIN resubmit the same bytes. Too many attempts
// without progress end in IoError rather than a spin.
template <typename WriteOnce>
Status WriteFully(WriteOnce&& write_once, uint64_t offset, std::string_view data,
                  std::string_view path) {
  constexpr int kMaxAttemptsWithoutProgress = 100;
  int stalled = 0;
  while (!data.empty()) {
    const int64_t n = write_once(offset, data);
    if (n > 0) {
      offset += static_cast<uint64_t>(n);
      data.remove_prefix(static_cast<size_t>(n));
      stalled = 0;
      continue;
    }
    if (n < 0 && n != -EINTR && n != -EAGAIN) {
      return ErrnoStatus(static_cast<int>(-n), "write", path);
    }
    if (++stalled >= kMaxAttemptsWithoutProgress) {
      return ErrnoStatus(n < 0 ? static_cast<int>(-n) : EIO, "write made no progress on", path);
    }
  }
  return Status::OK();
}

class PosixFile : public File {
 public:
  // Takes ownership of the open descriptor `fd`.
  PosixFile(int fd, std::string path);
  ~PosixFile() override;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) override;
  Status WriteAt(uint64_t offset, std::string_view data) override;
  Status WriteAtAndSync(uint64_t offset, std::string_view data) override;
  Status Sync() override;
  Status Allocate(uint64_t offset, uint64_t length) override;
  Status Truncate(uint64_t size) override;
  Result<uint64_t> Size() override;
  Result<std::shared_ptr<const MappedRegion>> Map(uint64_t length) override;
  const std::string& path() const override { return path_; }

 protected:
  int fd() const { return fd_; }

 private:
  const int fd_;
  const std::string path_;
};

// A PosixFile opened O_DIRECT (FileSystem::OpenDirect), on either backend: WriteAtAndSync
// is one pwritev2 with RWF_DSYNC.
class PosixDirectFile : public PosixFile {
 public:
  using PosixFile::PosixFile;
  Status WriteAtAndSync(uint64_t offset, std::string_view data) override;
};

class PosixFileSystem : public FileSystem {
 public:
  std::string_view name() const override { return "posix"; }
  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  Result<std::unique_ptr<File>> OpenDirect(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Result<bool> FileExists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

 protected:
  // Opens the descriptor for OpenFile; backends wrap it in their own File type.
  Result<int> OpenDescriptor(const std::string& path, OpenMode mode);
  // Opens the existing `path` read-write with O_DIRECT, for OpenDirect; NotSupported when
  // the file system refuses it.
  Result<int> OpenDirectDescriptor(const std::string& path);
};

}  // namespace docdb::io
