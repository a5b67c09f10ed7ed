// A database on a real, small ext4 file system that fills up (docs/errors.md, "A full
// disk"): the write that finds the disk full fails with NoSpace and leaves no trace,
// later writes fail the same way without the database turning read-only, writes resume
// as soon as space is freed, and a reopen finds exactly the acknowledged writes. Needs
// root (mount); skipped with a message where mounting is not permitted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "docdb/db.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

class SmallExt4 {
 public:
  // A loop-mounted ext4 file system of `mib` MiB with no reserved blocks; mounted() says
  // whether that worked, why_not() why not.
  explicit SmallExt4(int mib) {
    if (::geteuid() != 0) {
      why_not_ = "mounting a loop device needs root";
      return;
    }
    const std::string image = dir_.Join("fs.img");
    std::filesystem::create_directory(mount_point());
    const testing::CommandResult made =
        testing::RunCommand("sh", "-c 'truncate -s " + std::to_string(mib) + "M " + image +
                                      " && mkfs.ext4 -q -m 0 -F " + image + "'");
    if (made.exit_code != 0) {
      why_not_ = "mkfs.ext4 failed: " + made.out;
      return;
    }
    const testing::CommandResult mounted =
        testing::RunCommand("mount", "-o loop " + image + " " + mount_point());
    if (mounted.exit_code != 0) {
      why_not_ = "mount -o loop is not permitted here: " + mounted.out;
      return;
    }
    mounted_ = true;
  }
  ~SmallExt4() {
    if (mounted_) testing::RunCommand("umount", mount_point());
  }

  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }
  std::string mount_point() const { return dir_.Join("mnt"); }

 private:
  testing::TempDir dir_;
  bool mounted_ = false;
  std::string why_not_;
};

// With 1 MiB WAL segments the disk is found full when the WAL begins a new one (nothing
// is logged). With one 16 MiB segment, preallocated at the open, it is found full by a
// data-segment append after the WAL record is durable: the write is revoked (measured:
// 154 writes acknowledged, then 4 revoked after 5 retries each).
class DBDiskFullTest : public ::testing::TestWithParam<uint64_t> {};

INSTANTIATE_TEST_SUITE_P(WalSegmentBytes, DBDiskFullTest,
                         ::testing::Values(uint64_t{1} << 20, uint64_t{16} << 20));

TEST_P(DBDiskFullTest, FullDiskFailsWritesCleanlyAndTheyResumeOnceSpaceIsFreed) {
  SmallExt4 disk(24);
  if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
  const std::string ballast = disk.mount_point() + "/ballast";
  testing::WriteFileOrDie(ballast, std::string(4 << 20, 'b'));  // freed later
  Options options;
  options.wal_segment_size_bytes = GetParam();
  options.data_segment_size_bytes = 1 << 20;
  // Nothing frees space on its own (a checkpoint trims the WAL): the test frees it.
  options.checkpoint_auto = false;
  options.retry.initial_backoff_ms = 1;
  options.retry.max_backoff_ms = 4;
  const std::string path = disk.mount_point() + "/db";
  std::map<std::string, std::string> acked;
  {
    std::unique_ptr<DB> db = std::move(*DB::Open(path, options));
    const auto body_of = [](int i) {
      return R"({"i":)" + std::to_string(i) + R"(,"pad":")" + std::string(4000, 'x') + "\"}";
    };
    Status full;
    for (int i = 0; i < 20'000 && full.ok(); ++i) {
      const std::string id = "d" + std::to_string(i);
      full = db->Put("default", id, body_of(i)).status();
      if (full.ok()) acked[id] = body_of(i);
    }
    ASSERT_EQ(full.code(), StatusCode::kNoSpace) << full.ToString();
    ASSERT_GT(acked.size(), 100u);
    // Still full: each write as large fails the same clean way, and the database stays
    // writable.
    for (int i = 0; i < 3; ++i) {
      const Status again = db->Put("default", "while-full", body_of(-1)).status();
      EXPECT_EQ(again.code(), StatusCode::kNoSpace) << again.ToString();
    }
    const Stats stats = *db->GetStats();
    EXPECT_FALSE(stats.read_only) << stats.read_only_reason;
    // For the record (--gtest_output=xml): how far the disk went, and how it failed.
    RecordProperty("acknowledged_before_full", static_cast<int>(acked.size()));
    RecordProperty("writes_revoked", static_cast<int>(stats.writes_revoked));
    RecordProperty("retries", static_cast<int>(stats.retries));
    EXPECT_FALSE(*db->Exists("default", "while-full"));
    EXPECT_EQ(*db->Count("default"), acked.size());

    std::filesystem::remove(ballast);
    ASSERT_TRUE(db->Put("default", "after", "2").ok()) << "no reopen needed";
    acked["after"] = "2";
    ASSERT_TRUE(db->Checkpoint().ok());
    for (const auto& [id, body] : acked) ASSERT_EQ(db->Get("default", id)->json, body) << id;
  }
  std::unique_ptr<DB> reopened = std::move(*DB::Open(path, options));
  EXPECT_EQ(*reopened->Count("default"), acked.size());
  EXPECT_FALSE(*reopened->Exists("default", "while-full"));
  for (const auto& [id, body] : acked) ASSERT_EQ(reopened->Get("default", id)->json, body) << id;
}

}  // namespace
}  // namespace docdb
