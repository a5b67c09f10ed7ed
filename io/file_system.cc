// Backend-independent helpers of the OS seam and the choice of backend (io/file_system.h).
#include "io/file_system.h"

#include <algorithm>

#include "common/status_macros.h"
#include "io/posix_file_system.h"
#include "io/uring_file_system.h"

namespace docdb::io {

Result<std::unique_ptr<FileSystem>> NewFileSystem(IoBackend backend) {
  if (backend == IoBackend::kPosix) {
    return std::unique_ptr<FileSystem>(std::make_unique<PosixFileSystem>());
  }
  Result<std::unique_ptr<FileSystem>> uring = NewUringFileSystem();
  if (uring.ok() || backend == IoBackend::kUring) return uring;
  // kAuto: io_uring is missing here (old kernel, sysctl, seccomp): the portable backend
  // gives the same guarantees with one syscall per operation.
  return std::unique_ptr<FileSystem>(std::make_unique<PosixFileSystem>());
}

Result<std::string> ReadFilePrefix(FileSystem* fs, const std::string& path, uint64_t length) {
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<File> file, fs->OpenFile(path, OpenMode::kRead));
  std::string bytes(static_cast<size_t>(length), '\0');
  DOCDB_ASSIGN_OR_RETURN(const size_t got, file->ReadAt(0, bytes.size(), bytes.data()));
  if (got < length) {
    return Status::Corruption(path + " has " + std::to_string(got) + " bytes, fewer than the " +
                              std::to_string(length) + " expected");
  }
  return bytes;
}

Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path) {
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<File> file, fs->OpenFile(path, OpenMode::kRead));
  DOCDB_ASSIGN_OR_RETURN(const uint64_t size, file->Size());
  std::string bytes(static_cast<size_t>(size), '\0');
  DOCDB_ASSIGN_OR_RETURN(const size_t got, file->ReadAt(0, bytes.size(), bytes.data()));
  bytes.resize(got);
  return bytes;
}

Status CopyFilePrefix(FileSystem* fs, const std::string& from, const std::string& to,
                      uint64_t length) {
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<File> source, fs->OpenFile(from, OpenMode::kRead));
  DOCDB_ASSIGN_OR_RETURN(const std::unique_ptr<File> copy, fs->OpenFile(to, OpenMode::kCreateNew));
  constexpr size_t kChunkBytes = 1 << 20;
  std::string chunk(kChunkBytes, '\0');
  for (uint64_t offset = 0; offset < length;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, length - offset));
    DOCDB_ASSIGN_OR_RETURN(const size_t got, source->ReadAt(offset, want, chunk.data()));
    if (got == 0) {
      return Status::Corruption(from + " ends at byte " + std::to_string(offset) + ", before the " +
                                std::to_string(length) + " bytes to copy");
    }
    DOCDB_RETURN_IF_ERROR(copy->WriteAt(offset, std::string_view(chunk.data(), got)));
    offset += got;
  }
  return copy->Sync();
}

Result<std::unique_ptr<File>> FileSystem::OpenDirect(const std::string& path) {
  return Status::NotSupported("the " + std::string(name()) + " file system does not open " + path +
                              " for direct I/O");
}

std::string DirName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos || path.size() == 1 ? path
                                                                         : path.substr(slash + 1));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string_view IoBackendName(IoBackend backend) {
  switch (backend) {
    case IoBackend::kAuto:
      return "auto";
    case IoBackend::kUring:
      return "io_uring";
    case IoBackend::kPosix:
      return "posix";
  }
  return "auto";
}

Result<IoBackend> ParseIoBackend(std::string_view name) {
  for (IoBackend b : {IoBackend::kAuto, IoBackend::kUring, IoBackend::kPosix}) {
    if (name == IoBackendName(b)) return b;
  }
  return Status::InvalidArgument("unknown I/O backend '" + std::string(name) +
                                 "' (expected auto, io_uring or posix)");
}

}  // namespace docdb::io
