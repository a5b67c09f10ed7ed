// The POSIX backend (io/posix_file_system.h) and the backend-independent helpers of
// io/file_system.h.
#include "io/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>

#include "common/status_macros.h"
#include "io/mapped_copy.h"

namespace docdb::io {
namespace {

// Retries a syscall returning -1/errno on EINTR; returns the result or -errno.
template <typename Call>
int64_t RetryOnEintr(Call&& call) {
  for (;;) {
    const int64_t r = call();
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

class PosixFileLock : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing the descriptor drops the flock
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  const int fd_;
};

class PosixMappedRegion : public MappedRegion {
 public:
  PosixMappedRegion(void* address, size_t length, std::string path)
      : address_(address), length_(length), path_(std::move(path)) {}
  ~PosixMappedRegion() override { ::munmap(address_, length_); }
  PosixMappedRegion(const PosixMappedRegion&) = delete;
  PosixMappedRegion& operator=(const PosixMappedRegion&) = delete;

  uint64_t size_bytes() const override { return length_; }

  Status CopyOut(uint64_t offset, size_t n, char* dst) const override {
    if (offset > length_ || n > length_ - offset) {
      return Status::InvalidArgument("copy of " + std::to_string(n) + " bytes at offset " +
                                     std::to_string(offset) + " runs past the " +
                                     std::to_string(length_) + " bytes mapped of " + path_);
    }
    const char* src = static_cast<const char*>(address_) + offset;
    const char* fault = CopyFromMapping(src, n, dst);
    if (fault == nullptr) return Status::OK();
    // SIGBUS carries no errno; EIO is what a read of the same page would report.
    return Status::IoError("cannot read " + path_ + " at offset " +
                               std::to_string(offset + static_cast<uint64_t>(fault - src)) +
                               " through its mapping: the page is past the end of the file, or "
                               "the disk failed to read it",
                           EIO);
  }

 private:
  void* const address_;
  const size_t length_;
  const std::string path_;
};

}  // namespace

PosixFile::PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

PosixFile::~PosixFile() { ::close(fd_); }

Result<size_t> PosixFile::ReadAt(uint64_t offset, size_t n, char* dst) {
  size_t done = 0;
  while (done < n) {
    const int64_t r = RetryOnEintr(
        [&] { return ::pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done)); });
    if (r < 0 && r != -EAGAIN) return ErrnoStatus(static_cast<int>(-r), "read", path_);
    if (r == 0) break;  // end of file
    if (r > 0) done += static_cast<size_t>(r);
  }
  return done;
}

Status PosixFile::WriteAt(uint64_t offset, std::string_view data) {
  return WriteFully(
      [this](uint64_t off, std::string_view rest) -> int64_t {
        const ssize_t r = ::pwrite(fd_, rest.data(), rest.size(), static_cast<off_t>(off));
        return r < 0 ? -errno : r;
      },
      offset, data, path_);
}

Status PosixFile::WriteAtAndSync(uint64_t offset, std::string_view data) {
  Status status = WriteAt(offset, data);
  if (!status.ok()) return status;
  return Sync();
}

Status PosixDirectFile::WriteAtAndSync(uint64_t offset, std::string_view data) {
  return WriteFully(
      [this](uint64_t off, std::string_view rest) -> int64_t {
        iovec v{const_cast<char*>(rest.data()), rest.size()};
        const ssize_t r = ::pwritev2(fd(), &v, 1, static_cast<off_t>(off), RWF_DSYNC);
        return r < 0 ? -errno : r;
      },
      offset, data, path());
}

Status PosixFile::Sync() {
  // Deliberately not retried on any error: after a failed fdatasync the kernel may have
  // dropped the dirty pages, so a second call could report success for lost data.
  if (::fdatasync(fd_) != 0) return SyncFailedStatus(errno, path_);
  return Status::OK();
}

Status PosixFile::Allocate(uint64_t offset, uint64_t length) {
  const int64_t r = RetryOnEintr(
      [&] { return ::fallocate(fd_, 0, static_cast<off_t>(offset), static_cast<off_t>(length)); });
  if (r < 0) return ErrnoStatus(static_cast<int>(-r), "fallocate", path_);
  return Status::OK();
}

Status PosixFile::Truncate(uint64_t size) {
  const int64_t r = RetryOnEintr([&] { return ::ftruncate(fd_, static_cast<off_t>(size)); });
  if (r < 0) return ErrnoStatus(static_cast<int>(-r), "ftruncate", path_);
  return Status::OK();
}

Result<uint64_t> PosixFile::Size() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return ErrnoStatus(errno, "fstat", path_);
  return static_cast<uint64_t>(st.st_size);
}

Result<std::shared_ptr<const MappedRegion>> PosixFile::Map(uint64_t length) {
  if (length == 0) return Status::InvalidArgument("cannot map 0 bytes of " + path_);
  DOCDB_RETURN_IF_ERROR(InstallMappedCopyGuard());
  void* address = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd_, 0);
  if (address == MAP_FAILED) return ErrnoStatus(errno, "mmap", path_);
  return std::shared_ptr<const MappedRegion>(
      std::make_shared<PosixMappedRegion>(address, static_cast<size_t>(length), path_));
}

Result<int> PosixFileSystem::OpenDescriptor(const std::string& path, OpenMode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case OpenMode::kRead:
      flags |= O_RDONLY;
      break;
    case OpenMode::kReadWrite:
      flags |= O_RDWR | O_CREAT;
      break;
    case OpenMode::kCreateNew:
      flags |= O_RDWR | O_CREAT | O_EXCL;
      break;
  }
  const int64_t fd = RetryOnEintr([&] { return ::open(path.c_str(), flags, 0644); });
  if (fd < 0) return ErrnoStatus(static_cast<int>(-fd), "open", path);
  return static_cast<int>(fd);
}

Result<std::unique_ptr<File>> PosixFileSystem::OpenFile(const std::string& path, OpenMode mode) {
  Result<int> fd = OpenDescriptor(path, mode);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<File>(std::make_unique<PosixFile>(*fd, path));
}

Result<int> PosixFileSystem::OpenDirectDescriptor(const std::string& path) {
  const int64_t fd =
      RetryOnEintr([&] { return ::open(path.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC); });
  if (fd == -EINVAL) {
    return Status::NotSupported("the file system of " + path + " refuses direct I/O (O_DIRECT)");
  }
  if (fd < 0) return ErrnoStatus(static_cast<int>(-fd), "open for direct I/O", path);
  return static_cast<int>(fd);
}

Result<std::unique_ptr<File>> PosixFileSystem::OpenDirect(const std::string& path) {
  Result<int> fd = OpenDirectDescriptor(path);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<File>(std::make_unique<PosixDirectFile>(*fd, path));
}

Status PosixFileSystem::CreateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::OK();
    return Status::AlreadyExists("create directory " + path + ": exists and is not a directory");
  }
  return ErrnoStatus(errno, "create directory", path);
}

Status PosixFileSystem::SyncDir(const std::string& path) {
  const int64_t fd =
      RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return ErrnoStatus(static_cast<int>(-fd), "open directory", path);
  const int rc = ::fsync(static_cast<int>(fd));
  const int err = errno;
  ::close(static_cast<int>(fd));
  if (rc != 0) return SyncFailedStatus(err, path);
  return Status::OK();
}

Status PosixFileSystem::RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoStatus(errno, "rename " + from + " to", to);
  }
  return Status::OK();
}

Status PosixFileSystem::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoStatus(errno, "remove", path);
  return Status::OK();
}

Result<std::vector<std::string>> PosixFileSystem::ListDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoStatus(errno, "list directory", path);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(dir);
  if (err != 0) return ErrnoStatus(err, "list directory", path);
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> PosixFileSystem::FileExists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoStatus(errno, "stat", path);
}

Result<std::unique_ptr<FileLock>> PosixFileSystem::LockFile(const std::string& path) {
  Result<int> fd = OpenDescriptor(path, OpenMode::kReadWrite);
  if (!fd.ok()) return fd.status();
  // flock locks belong to the open file description, so a second open in this same
  // process conflicts too: one owner per database, whatever the process.
  if (RetryOnEintr([&] { return ::flock(*fd, LOCK_EX | LOCK_NB); }) < 0) {
    const int err = errno;
    ::close(*fd);
    if (err == EWOULDBLOCK) return Status::Busy("lock " + path + ": held by another owner");
    return ErrnoStatus(err, "lock", path);
  }
  return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(*fd));
}

}  // namespace docdb::io
