// The OS seam: every open, read, write, sync, rename, unlink, directory sync and lock that
// DocDB does goes through FileSystem and File (docs/io.md). Backends: io_uring, portable
// POSIX, and the fault-injecting wrapper for tests. Thread-safety: a FileSystem may be
// used from any thread; a File may be used from several threads as long as their writes
// do not overlap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"

namespace docdb::io {

// Direct I/O (FileSystem::OpenDirect) moves whole blocks: its offsets, lengths and buffer
// addresses are multiples of this.
inline constexpr size_t kDirectIoAlignment = 4096;

enum class OpenMode {
  kRead,       // existing file, read-only
  kReadWrite,  // read-write, created (empty) when missing
  kCreateNew,  // read-write, AlreadyExists when the file exists
};

// A read-only memory mapping of part of a file, unmapped when the last holder lets go.
// Its bytes are reached only by copying them out, so that a page which cannot be read is
// an error of that copy and never a SIGBUS that ends the process.
class MappedRegion {
 public:
  virtual ~MappedRegion() = default;

  // How many bytes are mapped; the file may be shorter.
  virtual uint64_t size_bytes() const = 0;

  // Copies [offset, offset + n) of the mapping to dst, without a system call. A page that
  // cannot be read (past the end of the file, which may have been cut short underneath
  // the mapping; or a media error while paging it in) is IoError naming the file and the
  // offset, and dst then holds an unspecified part of the bytes; the region stays usable.
  // Bytes past the file's end on its last page read as zeros. InvalidArgument when the
  // range runs past size_bytes().
  virtual Status CopyOut(uint64_t offset, size_t n, char* dst) const = 0;
};

class File {
 public:
  virtual ~File() = default;

  // Maps [0, length) of the file for reading without a system call per read. `length`
  // may run past the file's current end: bytes written there later become readable
  // through the mapping. NotSupported when the backend does not map (the fault-injecting
  // file system, whose reads must all pass through ReadAt); callers then use ReadAt. The
  // first mapping installs the process-wide SIGBUS handler that MappedRegion::CopyOut
  // relies on (docs/io.md); a handler installed later by the embedding program must chain.
  virtual Result<std::shared_ptr<const MappedRegion>> Map(uint64_t length) {
    (void)length;
    return Status::NotSupported(path() + " cannot be memory-mapped by this file system");
  }

  // Reads up to n bytes at offset into dst and returns how many were read: fewer than n
  // only at end of file. EINTR and EAGAIN are retried inside.
  virtual Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) = 0;

  // Writes all of data at offset. Short writes, EINTR and EAGAIN are resubmitted inside.
  // NoSpace when the disk is full (part of data may have been written), IoError otherwise.
  virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;

  // WriteAt followed by Sync, as one unit: on io_uring a single submission with the
  // fdatasync linked to the write. NoSpace means the write failed and no sync ran; a
  // failed sync is IoError, as for Sync.
  virtual Status WriteAtAndSync(uint64_t offset, std::string_view data) = 0;

  // fdatasync: makes written data (and the size, where it changed) durable. Any failure
  // is IoError with the errno kept, and is never retried: the kernel may have dropped the
  // pages it could not write, so a second call could report success for lost data.
  virtual Status Sync() = 0;

  // Reserves [offset, offset + length) on disk, zero-filled, growing the file if needed,
  // so that later writes there need no allocation. NotSupported when the file system
  // cannot; NoSpace when the disk is full.
  virtual Status Allocate(uint64_t offset, uint64_t length) = 0;

  // Sets the file's size; bytes past it are discarded.
  virtual Status Truncate(uint64_t size) = 0;

  virtual Result<uint64_t> Size() = 0;

  virtual const std::string& path() const = 0;
};

// An exclusive lock on a file, held until this object is destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // "io_uring", "posix" or a wrapper's name, for logs and metrics.
  virtual std::string_view name() const = 0;

  virtual Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) = 0;

  // Opens the existing file `path` read-write for direct I/O (O_DIRECT): writes bypass
  // the page cache, and WriteAtAndSync is one write with RWF_DSYNC, durable when it
  // completes, with no separate fdatasync. ReadAt, WriteAt and WriteAtAndSync then need
  // offsets, lengths and buffer addresses aligned to kDirectIoAlignment (InvalidArgument
  // otherwise). NotSupported when the file system refuses direct I/O (tmpfs, for one) or
  // the backend does not do it; the file is then to be opened with OpenFile.
  virtual Result<std::unique_ptr<File>> OpenDirect(const std::string& path);

  // Creates the directory; OK when it already exists. The caller syncs the parent.
  virtual Status CreateDir(const std::string& path) = 0;

  // fsync of a directory: makes the creates, renames and removals in it durable.
  virtual Status SyncDir(const std::string& path) = 0;

  // Atomically replaces `to` with `from`. Durable after SyncDir of the directories.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;

  // NotFound when missing. Durable after SyncDir of the directory.
  virtual Status RemoveFile(const std::string& path) = 0;

  // The names (not paths) in a directory, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;

  virtual Result<bool> FileExists(const std::string& path) = 0;

  // Takes an exclusive lock on `path` (created if missing). Busy when another holder,
  // in this process or another, has it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

enum class IoBackend {
  kAuto,   // io_uring when the kernel offers it, POSIX otherwise
  kUring,  // io_uring or NotSupported
  kPosix,  // pread/pwrite/fdatasync
};

// "auto", "io_uring" or "posix"; parsed back by ParseIoBackend (InvalidArgument otherwise).
std::string_view IoBackendName(IoBackend backend);
Result<IoBackend> ParseIoBackend(std::string_view name);

// A file system on the chosen backend. With kAuto it never fails.
Result<std::unique_ptr<FileSystem>> NewFileSystem(IoBackend backend = IoBackend::kAuto);

// The first `length` bytes of `path`: Corruption when it has fewer.
Result<std::string> ReadFilePrefix(FileSystem* fs, const std::string& path, uint64_t length);
// All of `path`.
Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path);

// Copies the first `length` bytes of `from` into the new file `to` (AlreadyExists when it
// exists) and fdatasyncs it; Corruption when `from` is shorter. The directory of `to` is
// the caller's to sync.
Status CopyFilePrefix(FileSystem* fs, const std::string& from, const std::string& to,
                      uint64_t length);

// The parent directory of `path` ("." for a bare name), its last component (trailing
// slashes ignored), and the joining of two components.
std::string DirName(const std::string& path);
std::string BaseName(std::string_view path);
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace docdb::io
