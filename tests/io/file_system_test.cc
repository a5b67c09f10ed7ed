#include "io/file_system.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "io/posix_file_system.h"
#include "io/uring_file_system.h"
#include "tests/support/temp_dir.h"

namespace docdb::io {
namespace {

// Every backend must behave the same; io_uring is skipped where the kernel refuses it.
class FileSystemTest : public ::testing::TestWithParam<IoBackend> {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<FileSystem>> fs = NewFileSystem(GetParam());
    if (!fs.ok() && GetParam() == IoBackend::kUring) {
      GTEST_SKIP() << "io_uring unavailable here: " << fs.status().ToString();
    }
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    fs_ = std::move(*fs);
  }

  std::unique_ptr<File> Open(const std::string& name, OpenMode mode = OpenMode::kReadWrite) {
    Result<std::unique_ptr<File>> file = fs_->OpenFile(dir_.Join(name), mode);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(*file) : nullptr;
  }

  std::string ReadAll(File* file) {
    Result<uint64_t> size = file->Size();
    EXPECT_TRUE(size.ok());
    std::string out(*size, '\0');
    Result<size_t> got = file->ReadAt(0, out.size(), out.data());
    EXPECT_TRUE(got.ok());
    out.resize(*got);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<FileSystem> fs_;
};

TEST_P(FileSystemTest, WrittenBytesReadBack) {
  auto file = Open("a");
  ASSERT_TRUE(file->WriteAt(0, "hello").ok());
  ASSERT_TRUE(file->WriteAtAndSync(5, ", world").ok());
  ASSERT_TRUE(file->WriteAt(2, "LL").ok());
  EXPECT_EQ(ReadAll(file.get()), "heLLo, world");
  EXPECT_EQ(testing::ReadFileOrDie(dir_.Join("a")), "heLLo, world");
}

TEST_P(FileSystemTest, LargeWriteIsWrittenWhole) {
  auto file = Open("big");
  std::string data(3 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(file->WriteAtAndSync(4096, data).ok());
  std::string back(data.size(), '\0');
  Result<size_t> got = file->ReadAt(4096, back.size(), back.data());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, data.size());
  EXPECT_TRUE(back == data);
}

TEST_P(FileSystemTest, ReadPastEndIsShort) {
  auto file = Open("short");
  ASSERT_TRUE(file->WriteAt(0, "abc").ok());
  char buf[10];
  Result<size_t> got = file->ReadAt(1, sizeof(buf), buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 2u);
}

TEST_P(FileSystemTest, AllocateGrowsWithZerosAndTruncateShrinks) {
  auto file = Open("prealloc");
  ASSERT_TRUE(file->WriteAt(0, "xyz").ok());
  Status allocated = file->Allocate(0, 1 << 16);
  if (allocated.code() == StatusCode::kNotSupported) GTEST_SKIP() << "no fallocate here";
  ASSERT_TRUE(allocated.ok()) << allocated.ToString();
  EXPECT_EQ(*file->Size(), 1u << 16);
  std::string all = ReadAll(file.get());
  EXPECT_EQ(all.substr(0, 3), "xyz");
  EXPECT_EQ(all.find_first_not_of('\0', 3), std::string::npos);
  ASSERT_TRUE(file->Truncate(2).ok());
  EXPECT_EQ(ReadAll(file.get()), "xy");
}

TEST_P(FileSystemTest, CreateNewRefusesAnExistingFile) {
  Open("exists");
  Result<std::unique_ptr<File>> again = fs_->OpenFile(dir_.Join("exists"), OpenMode::kCreateNew);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().sys_errno(), EEXIST);
}

TEST_P(FileSystemTest, OpeningAMissingFileForReadIsNotFoundAndNamesThePath) {
  Result<std::unique_ptr<File>> file = fs_->OpenFile(dir_.Join("missing"), OpenMode::kRead);
  ASSERT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find(dir_.Join("missing")), std::string::npos);
  EXPECT_EQ(file.status().sys_errno(), ENOENT);
}

TEST_P(FileSystemTest, DirectoryOperations) {
  ASSERT_TRUE(fs_->CreateDir(dir_.Join("sub")).ok());
  ASSERT_TRUE(fs_->CreateDir(dir_.Join("sub")).ok()) << "creating an existing directory is OK";
  Open("sub/b");
  Open("sub/a");
  ASSERT_TRUE(fs_->RenameFile(dir_.Join("sub/b"), dir_.Join("sub/c")).ok());
  ASSERT_TRUE(fs_->SyncDir(dir_.Join("sub")).ok());
  EXPECT_EQ(*fs_->ListDir(dir_.Join("sub")), (std::vector<std::string>{"a", "c"}));
  ASSERT_TRUE(fs_->RemoveFile(dir_.Join("sub/a")).ok());
  EXPECT_FALSE(*fs_->FileExists(dir_.Join("sub/a")));
  EXPECT_TRUE(*fs_->FileExists(dir_.Join("sub/c")));
  EXPECT_EQ(fs_->RemoveFile(dir_.Join("sub/a")).code(), StatusCode::kNotFound);
}

TEST_P(FileSystemTest, SecondLockOnTheSameFileIsBusyUntilReleased) {
  Result<std::unique_ptr<FileLock>> first = fs_->LockFile(dir_.Join("LOCK"));
  ASSERT_TRUE(first.ok());
  Result<std::unique_ptr<FileLock>> second = fs_->LockFile(dir_.Join("LOCK"));
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  first->reset();
  EXPECT_TRUE(fs_->LockFile(dir_.Join("LOCK")).ok());
}

TEST_P(FileSystemTest, CopyOutOfAMappingReturnsTheFileBytesAndRefusesRangesPastIt) {
  auto file = Open("mapped");
  ASSERT_TRUE(file->WriteAt(0, "0123456789").ok());
  Result<std::shared_ptr<const MappedRegion>> region = file->Map(1 << 20);
  ASSERT_TRUE(region.ok()) << region.status().ToString();
  EXPECT_EQ((*region)->size_bytes(), 1u << 20);
  std::string out(4, '\0');
  ASSERT_TRUE((*region)->CopyOut(3, out.size(), out.data()).ok());
  EXPECT_EQ(out, "3456");
  ASSERT_TRUE(file->WriteAt(10, "abcd").ok());
  ASSERT_TRUE((*region)->CopyOut(10, out.size(), out.data()).ok()) << "appends show through";
  EXPECT_EQ(out, "abcd");
  EXPECT_EQ((*region)->CopyOut((1 << 20) - 2, out.size(), out.data()).code(),
            StatusCode::kInvalidArgument);
}

// Pages wholly past the end of a file cut short underneath its mapping fault (SIGBUS)
// when touched; 256 KiB puts the copies past the first page at any page size.
TEST_P(FileSystemTest, CopyOutOfAMappingCutShortUnderneathIsAnIoErrorNotASigbus) {
  constexpr size_t kBytes = 256 * 1024;
  auto file = Open("mapped");
  ASSERT_TRUE(file->WriteAt(0, std::string(kBytes, 'm')).ok());
  Result<std::shared_ptr<const MappedRegion>> region = file->Map(kBytes);
  ASSERT_TRUE(region.ok()) << region.status().ToString();
  ASSERT_TRUE(file->Truncate(16).ok());

  std::string out(100, '\0');
  const Status past = (*region)->CopyOut(kBytes - out.size(), out.size(), out.data());
  EXPECT_EQ(past.code(), StatusCode::kIoError) << past.ToString();
  EXPECT_EQ(past.sys_errno(), EIO);
  EXPECT_NE(past.message().find(file->path()), std::string::npos) << past.ToString();
  // A copy that starts on the file's last page and runs past it fails as a whole.
  std::string straddling(kBytes / 2, '\0');
  EXPECT_EQ((*region)->CopyOut(0, straddling.size(), straddling.data()).code(),
            StatusCode::kIoError);
  // The region stays usable: what is left of the file still copies out.
  ASSERT_TRUE((*region)->CopyOut(0, 16, out.data()).ok());
  EXPECT_EQ(out.substr(0, 16), std::string(16, 'm'));
  EXPECT_EQ((*region)->CopyOut(kBytes - out.size(), out.size(), out.data()).code(),
            StatusCode::kIoError);
}

INSTANTIATE_TEST_SUITE_P(Backends, FileSystemTest,
                         ::testing::Values(IoBackend::kPosix, IoBackend::kUring),
                         [](const auto& param_info) {
                           return param_info.param == IoBackend::kPosix ? "posix" : "io_uring";
                         });

// The guard turns only faults of its own copies into errors: any other SIGBUS still goes
// to the handler installed before it (the sanitizer's, or the default that ends the
// process), so that a bug elsewhere is not swallowed.
TEST(MappedCopyGuardTest, SigbusOutsideAGuardedCopyStillEndsTheProcess) {
  testing::TempDir dir;
  const std::string path = dir.Join("mapped");
  constexpr size_t kBytes = 256 * 1024;
  testing::WriteFileOrDie(path, std::string(kBytes, 'm'));
  EXPECT_EXIT(
      {
        std::unique_ptr<FileSystem> fs = std::move(*NewFileSystem(IoBackend::kPosix));
        std::unique_ptr<File> file = std::move(*fs->OpenFile(path, OpenMode::kReadWrite));
        Result<std::shared_ptr<const MappedRegion>> region = file->Map(kBytes);  // installs it
        const int fd = ::open(path.c_str(), O_RDONLY);
        void* raw = ::mmap(nullptr, kBytes, PROT_READ, MAP_SHARED, fd, 0);
        if (!region.ok() || raw == MAP_FAILED || !file->Truncate(16).ok()) std::_Exit(3);
        const volatile char* unguarded = static_cast<const char*>(raw);
        std::printf("%d\n", unguarded[kBytes - 1]);
        std::_Exit(0);
      },
      [](int status) {
        // Killed by SIGBUS; or, under AddressSanitizer, whose handler came first, its
        // report's exit code.
        return (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS) ||
               (WIFEXITED(status) && WEXITSTATUS(status) == 1);
      },
      "");
}

TEST(FileSystemChoiceTest, AutoAlwaysGivesAFileSystem) {
  Result<std::unique_ptr<FileSystem>> fs = NewFileSystem(IoBackend::kAuto);
  ASSERT_TRUE(fs.ok());
  const bool uring = NewUringFileSystem().ok();
  EXPECT_EQ((*fs)->name(), uring ? "io_uring" : "posix");
}

TEST(FileSystemChoiceTest, BackendNamesParseBack) {
  for (IoBackend b : {IoBackend::kAuto, IoBackend::kUring, IoBackend::kPosix}) {
    EXPECT_EQ(*ParseIoBackend(IoBackendName(b)), b);
  }
  EXPECT_EQ(ParseIoBackend("aio").status().code(), StatusCode::kInvalidArgument);
}

// WriteFully is the resubmission loop under both backends' writes.
struct ScriptedWrite {
  std::vector<int64_t> results;  // what each call returns; positive values are capped
  std::vector<std::pair<uint64_t, size_t>> calls;
  int64_t operator()(uint64_t offset, std::string_view data) {
    calls.emplace_back(offset, data.size());
    const int64_t r = results.at(calls.size() - 1);
    return r > 0 ? std::min<int64_t>(r, static_cast<int64_t>(data.size())) : r;
  }
};

TEST(WriteFullyTest, ShortWritesAreResubmittedFromWhereTheyStopped) {
  ScriptedWrite w{{3, 4, 100}, {}};
  ASSERT_TRUE(WriteFully(std::ref(w), 10, "0123456789", "f").ok());
  ASSERT_EQ(w.calls.size(), 3u);
  EXPECT_EQ(w.calls[1], (std::pair<uint64_t, size_t>{13, 7}));
  EXPECT_EQ(w.calls[2], (std::pair<uint64_t, size_t>{17, 3}));
}

TEST(WriteFullyTest, EintrAndEagainAreRetried) {
  ScriptedWrite w{{-EINTR, -EAGAIN, 10}, {}};
  ASSERT_TRUE(WriteFully(std::ref(w), 0, "0123456789", "f").ok());
  EXPECT_EQ(w.calls.size(), 3u);
}

TEST(WriteFullyTest, ErrorsAreReportedWithErrnoKept) {
  ScriptedWrite w{{2, -ENOSPC}, {}};
  Status s = WriteFully(std::ref(w), 0, "0123456789", "/db/f");
  EXPECT_EQ(s.code(), StatusCode::kNoSpace);
  EXPECT_EQ(s.sys_errno(), ENOSPC);
  EXPECT_NE(s.message().find("/db/f"), std::string::npos);
  ScriptedWrite eio{{-EIO}, {}};
  EXPECT_EQ(WriteFully(std::ref(eio), 0, "x", "f").code(), StatusCode::kIoError);
}

TEST(WriteFullyTest, NoProgressEndsInAnErrorRatherThanASpin) {
  ScriptedWrite w{std::vector<int64_t>(1000, 0), {}};
  Status s = WriteFully(std::ref(w), 0, "x", "f");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_LT(w.calls.size(), 1000u);
}

}  // namespace
}  // namespace docdb::io
