#include "io/fault_file_system.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "tests/support/temp_dir.h"

namespace docdb::io {
namespace {

class FaultFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::move(*NewFileSystem(IoBackend::kPosix));
    fs_ = std::make_unique<FaultFileSystem>(base_.get(), /*seed=*/42);
  }

  std::unique_ptr<File> Open(const std::string& name) {
    Result<std::unique_ptr<File>> file = fs_->OpenFile(dir_.Join(name), OpenMode::kReadWrite);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(*file) : nullptr;
  }

  // Creates a file whose name is durable (directory synced) with `synced` contents.
  std::unique_ptr<File> DurableFile(const std::string& name, std::string_view synced) {
    auto file = Open(name);
    EXPECT_TRUE(file->WriteAtAndSync(0, synced).ok());
    EXPECT_TRUE(fs_->SyncDir(dir_.path()).ok());
    return file;
  }

  std::string OnDisk(const std::string& name) { return testing::ReadFileOrDie(dir_.Join(name)); }

  testing::TempDir dir_;
  std::unique_ptr<FileSystem> base_;
  std::unique_ptr<FaultFileSystem> fs_;
};

TEST_F(FaultFileSystemTest, NthOperationFailsOnceWithTheChosenErrno) {
  auto file = Open("f");
  fs_->InjectFault({FaultOp::kWrite, 2, ENOSPC});
  EXPECT_TRUE(file->WriteAt(0, "a").ok());
  Status second = file->WriteAt(1, "b");
  EXPECT_EQ(second.code(), StatusCode::kNoSpace);
  EXPECT_EQ(second.sys_errno(), ENOSPC);
  EXPECT_TRUE(file->WriteAt(1, "c").ok());
  EXPECT_EQ(OnDisk("f"), "ac");
  EXPECT_EQ(fs_->OpCount(FaultOp::kWrite), 3u);
}

TEST_F(FaultFileSystemTest, PathFilteredFaultCountsAndFailsOnlyItsPaths) {
  auto wal = Open("wal-1");
  auto seg = Open("seg-1");
  fs_->InjectFault({FaultOp::kWrite, 2, ENOSPC, false, false, "seg-"});
  EXPECT_TRUE(wal->WriteAt(0, "a").ok());
  EXPECT_TRUE(seg->WriteAt(0, "a").ok());
  EXPECT_TRUE(wal->WriteAt(1, "b").ok()) << "another path is neither counted nor failed";
  EXPECT_EQ(seg->WriteAt(1, "b").code(), StatusCode::kNoSpace);
  EXPECT_TRUE(seg->WriteAt(1, "c").ok());
}

TEST_F(FaultFileSystemTest, StickyFaultFailsEveryLaterOperation) {
  auto file = Open("f");
  fs_->InjectFault({FaultOp::kSync, 1, EIO, false, true});
  EXPECT_EQ(file->Sync().code(), StatusCode::kIoError);
  EXPECT_EQ(file->Sync().code(), StatusCode::kIoError);
  fs_->ClearFaults();
  EXPECT_TRUE(file->Sync().ok());
}

TEST_F(FaultFileSystemTest, FailedSyncIsIoErrorEvenForEnospc) {
  auto file = Open("f");
  fs_->InjectFault({FaultOp::kSync, 1, ENOSPC});
  Status s = file->Sync();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.sys_errno(), ENOSPC);
}

TEST_F(FaultFileSystemTest, TornWriteLeavesAPrefixAndFails) {
  auto file = Open("f");
  fs_->InjectFault({FaultOp::kWrite, 1, EIO, /*torn_write=*/true});
  const std::string data(4096, 'x');
  EXPECT_EQ(file->WriteAt(0, data).code(), StatusCode::kIoError);
  const std::string on_disk = OnDisk("f");
  EXPECT_LT(on_disk.size(), data.size());
  EXPECT_EQ(on_disk, data.substr(0, on_disk.size()));
}

TEST_F(FaultFileSystemTest, PowerCutDropsUnsyncedWritesAndKeepsSyncedOnes) {
  auto file = DurableFile("f", "durable|");
  ASSERT_TRUE(file->WriteAt(8, "lost").ok());
  ASSERT_TRUE(file->WriteAt(0, "DURABLE").ok());
  ASSERT_TRUE(fs_->PowerCut().ok());
  EXPECT_EQ(OnDisk("f"), "durable|");
}

TEST_F(FaultFileSystemTest, PowerCutUndoesUnsyncedTruncateAndAllocate) {
  auto file = DurableFile("f", "0123456789");
  ASSERT_TRUE(file->Truncate(4).ok());
  Status allocated = file->Allocate(0, 100);
  ASSERT_TRUE(allocated.ok() || allocated.code() == StatusCode::kNotSupported);
  ASSERT_TRUE(fs_->PowerCut().ok());
  EXPECT_EQ(OnDisk("f"), "0123456789");
}

TEST_F(FaultFileSystemTest, FileCreatedSinceTheLastDirectorySyncVanishes) {
  auto file = Open("new");
  ASSERT_TRUE(file->WriteAtAndSync(0, "synced data, unsynced name").ok());
  ASSERT_TRUE(fs_->PowerCut().ok());
  EXPECT_FALSE(*base_->FileExists(dir_.Join("new")));
}

TEST_F(FaultFileSystemTest, UnsyncedRenameAndRemoveAreRolledBack) {
  DurableFile("a", "A");
  DurableFile("b", "B");
  ASSERT_TRUE(fs_->RenameFile(dir_.Join("a"), dir_.Join("c")).ok());
  ASSERT_TRUE(fs_->RemoveFile(dir_.Join("b")).ok());
  EXPECT_EQ(*fs_->ListDir(dir_.path()), (std::vector<std::string>{"c"}));
  ASSERT_TRUE(fs_->PowerCut().ok());
  EXPECT_EQ(*base_->ListDir(dir_.path()), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(OnDisk("a"), "A");
  EXPECT_EQ(OnDisk("b"), "B");
}

TEST_F(FaultFileSystemTest, SyncedRemoveIsPermanent) {
  DurableFile("a", "A");
  ASSERT_TRUE(fs_->RemoveFile(dir_.Join("a")).ok());
  ASSERT_TRUE(fs_->SyncDir(dir_.path()).ok());
  ASSERT_TRUE(fs_->PowerCut().ok());
  EXPECT_TRUE(base_->ListDir(dir_.path())->empty());
}

TEST_F(FaultFileSystemTest, NothingWorksAfterAPowerCutUntilRestart) {
  auto file = DurableFile("f", "x");
  ASSERT_TRUE(fs_->PowerCut().ok());
  EXPECT_EQ(file->WriteAt(0, "y").code(), StatusCode::kIoError);
  EXPECT_EQ(fs_->OpenFile(dir_.Join("f"), OpenMode::kRead).status().code(), StatusCode::kIoError);
  fs_->Restart();
  EXPECT_EQ(file->WriteAt(0, "y").code(), StatusCode::kIoError)
      << "a file opened before the cut belongs to the dead machine";
  auto reopened = Open("f");
  EXPECT_TRUE(reopened->WriteAt(0, "y").ok());
}

TEST_F(FaultFileSystemTest, RandomPowerCutIsDeterministicForASeed) {
  auto run = [&](uint64_t seed) {
    testing::TempDir dir;
    FaultFileSystem fs(base_.get(), seed);
    auto file = std::move(*fs.OpenFile(dir.Join("f"), OpenMode::kReadWrite));
    EXPECT_TRUE(file->WriteAtAndSync(0, std::string(4096, 's')).ok());
    EXPECT_TRUE(fs.SyncDir(dir.path()).ok());
    for (int i = 0; i < 8; ++i) {
      EXPECT_TRUE(
          file->WriteAt(4096 + i * 1024, std::string(1024, static_cast<char>('a' + i))).ok());
    }
    EXPECT_TRUE(fs.PowerCut(PowerCutMode::kRandomUnsynced).ok());
    return testing::ReadFileOrDie(dir.Join("f"));
  };
  const std::string first = run(7);
  EXPECT_EQ(first, run(7));
  EXPECT_EQ(first.substr(0, 4096), std::string(4096, 's')) << "synced data always survives";
  bool some_seed_differs = false;
  for (uint64_t seed = 8; seed < 16 && !some_seed_differs; ++seed)
    some_seed_differs = run(seed) != first;
  EXPECT_TRUE(some_seed_differs);
}

TEST_F(FaultFileSystemTest, ReorderedSectorsCanKeepLaterSectorsOfAWriteWithoutEarlierOnes) {
  constexpr size_t kSector = 512;
  constexpr size_t kSectors = 8;
  bool later_without_earlier = false;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    testing::TempDir dir;
    FaultFileSystem fs(base_.get(), seed);
    auto file = std::move(*fs.OpenFile(dir.Join("f"), OpenMode::kReadWrite));
    ASSERT_TRUE(file->WriteAtAndSync(0, std::string(kSector * kSectors, 'o')).ok());
    ASSERT_TRUE(fs.SyncDir(dir.path()).ok());
    ASSERT_TRUE(file->WriteAt(0, std::string(kSector * kSectors, 'n')).ok());
    ASSERT_TRUE(fs.PowerCut(PowerCutMode::kReorderedSectors).ok());
    const std::string after = testing::ReadFileOrDie(dir.Join("f"));
    ASSERT_EQ(after.size(), kSector * kSectors);
    bool dropped_before = false;
    for (size_t i = 0; i < kSectors; ++i) {
      const std::string sector = after.substr(i * kSector, kSector);
      const bool kept = sector == std::string(kSector, 'n');
      ASSERT_TRUE(kept || sector == std::string(kSector, 'o')) << "sector " << i << " is whole";
      if (kept && dropped_before) later_without_earlier = true;
      dropped_before |= !kept;
    }
  }
  EXPECT_TRUE(later_without_earlier);
}

}  // namespace
}  // namespace docdb::io
