#include "docdb/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <set>

#include "common/status_macros.h"

namespace docdb {
namespace {

TEST(StatusTest, DefaultIsOkAndCarriesNothing) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.sys_errno(), 0);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ToStringNamesCodeMessageAndErrno) {
  Status s = Status::NoSpace("write /db/wal/wal-000001.log", ENOSPC);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNoSpace);
  EXPECT_EQ(s.sys_errno(), ENOSPC);
  EXPECT_EQ(s.ToString(),
            "no_space: write /db/wal/wal-000001.log (errno 28: No space left on device)");
}

TEST(StatusTest, CopiesAreIndependent) {
  Status a = Status::Corruption("segment 3");
  Status b = a;
  a = Status::OK();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(b.code(), StatusCode::kCorruption);
  EXPECT_EQ(b.message(), "segment 3");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCodeAndErrno) {
  Status s = Status::IoError("fdatasync failed", EIO).WithContext("open WAL /db/wal");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.sys_errno(), EIO);
  EXPECT_EQ(s.message(), "open WAL /db/wal: fdatasync failed");
  EXPECT_TRUE(Status::OK().WithContext("anything").ok());
}

TEST(StatusTest, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(StatusCode::kUnavailable); ++c) {
    names.insert(StatusCodeName(static_cast<StatusCode>(c)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(StatusCode::kUnavailable) + 1);
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(ResultTest, HoldsValueOrError) {
  Result<std::string> good = std::string("doc");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, "doc");
  EXPECT_EQ(good->size(), 3u);

  Result<std::string> bad = Status::NotFound("users/alice");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("not positive: " + std::to_string(v));
  return v;
}

Status DoubleInto(int v, int* out) {
  DOCDB_ASSIGN_OR_RETURN(const int parsed, ParsePositive(v));
  *out = parsed * 2;
  DOCDB_RETURN_IF_ERROR(Status::OK());
  return Status::OK();
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesTheFirstError) {
  int out = 0;
  ASSERT_TRUE(DoubleInto(21, &out).ok());
  EXPECT_EQ(out, 42);
  Status s = DoubleInto(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "not positive: -1");
  EXPECT_EQ(out, 42);
}

}  // namespace
}  // namespace docdb
