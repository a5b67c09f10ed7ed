#include "common/retry.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

namespace docdb {
namespace {

using std::chrono::nanoseconds;

TEST(ErrorClassTest, EveryCodeLandsInTheClassDocsErrorsMdGives) {
  struct Case {
    Status status;
    ErrorClass expected;
  };
  const Case cases[] = {
      {Status::OK(), ErrorClass::kNone},
      {Status::InvalidArgument("bad json"), ErrorClass::kValidation},
      {Status::NotFound("no such document"), ErrorClass::kValidation},
      {Status::AlreadyExists("exists"), ErrorClass::kValidation},
      {Status::Conflict("version"), ErrorClass::kValidation},
      {Status::NoSpace("write", ENOSPC), ErrorClass::kTransient},
      {Status::Busy("lock"), ErrorClass::kTransient},
      {Status::Aborted("closing"), ErrorClass::kTransient},
      {Status::IoError("write", EAGAIN), ErrorClass::kTransient},
      {Status::IoError("write", EINTR), ErrorClass::kTransient},
      {Status::IoError("write", EIO), ErrorClass::kCritical},
      {Status::IoError("fdatasync", EIO), ErrorClass::kCritical},
      {Status::IoError("write", EROFS), ErrorClass::kCritical},
      {Status::IoError("no errno"), ErrorClass::kCritical},
      {Status(StatusCode::kFailedPrecondition, "refuses writes", EIO), ErrorClass::kCritical},
      {Status::FailedPrecondition("not empty"), ErrorClass::kPermanent},
      {Status::Corruption("crc"), ErrorClass::kPermanent},
      {Status::NotSupported("newer"), ErrorClass::kPermanent},
      {Status(StatusCode::kPermissionDenied, "open", EACCES), ErrorClass::kPermanent},
      {Status::Internal("bug"), ErrorClass::kPermanent},
      {Status::Unavailable("connect", ECONNREFUSED), ErrorClass::kNetwork},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.error_class(), c.expected)
        << c.status.ToString() << " is " << ErrorClassName(c.status.error_class());
  }
}

TEST(ErrorClassTest, NamesAreStable) {
  EXPECT_EQ(ErrorClassName(ErrorClass::kTransient), "transient");
  EXPECT_EQ(ErrorClassName(ErrorClass::kPermanent), "permanent");
  EXPECT_EQ(ErrorClassName(ErrorClass::kCritical), "critical");
  EXPECT_EQ(ErrorClassName(ErrorClass::kValidation), "validation");
  EXPECT_EQ(ErrorClassName(ErrorClass::kNetwork), "network");
}

TEST(BackoffTest, DoublesFromTheInitialWaitToTheCapWithinTheJitter) {
  const RetryPolicy policy;  // 10 ms, x2, 1 s, +-25%
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Backoff backoff(policy, seed);
    double base_ms = 10;
    for (int i = 0; i < 10; ++i) {
      const double got = static_cast<double>(backoff.Next().count()) / 1e6;
      EXPECT_GE(got, base_ms * 0.75 - 1e-6) << "wait " << i << " seed " << seed;
      EXPECT_LE(got, base_ms * 1.25 + 1e-6) << "wait " << i << " seed " << seed;
      base_ms = std::min(base_ms * 2, 1000.0);
    }
  }
}

TEST(BackoffTest, JitterSpreadsTheWaits) {
  const RetryPolicy policy;
  std::vector<int64_t> firsts;
  for (uint64_t seed = 1; seed <= 8; ++seed) firsts.push_back(Backoff(policy, seed).Next().count());
  std::sort(firsts.begin(), firsts.end());
  EXPECT_LT(firsts.front(), firsts.back()) << "eight clients must not retry in lockstep";
}

TEST(RetryTransientTest, RepeatsTransientFailuresAtMostMaxRetriesTimes) {
  const RetryPolicy policy;
  std::vector<nanoseconds> waits;
  std::atomic<uint64_t> retries{0};
  int calls = 0;
  const Status last = RetryTransient(
      policy,
      [&] {
        ++calls;
        return Status::NoSpace("write", ENOSPC);
      },
      &retries, [&](nanoseconds wait) { waits.push_back(wait); });
  EXPECT_EQ(last.code(), StatusCode::kNoSpace);
  EXPECT_EQ(calls, 6) << "the first attempt and five retries";
  EXPECT_EQ(retries, 5u);
  ASSERT_EQ(waits.size(), 5u);
  for (size_t i = 1; i < waits.size(); ++i) {
    EXPECT_GT(waits[i], waits[i - 1]) << "x2 outgrows +-25% jitter";
  }
}

TEST(RetryTransientTest, StopsAtTheFirstSuccess) {
  int calls = 0;
  std::atomic<uint64_t> retries{0};
  const Status s = RetryTransient(
      RetryPolicy{}, [&] { return ++calls < 3 ? Status::Busy("busy") : Status::OK(); }, &retries,
      [](nanoseconds) {});
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(retries, 2u);
}

TEST(RetryTransientTest, NeverRepeatsCriticalValidationOrPermanentFailures) {
  for (const Status& failure : {Status::IoError("fdatasync", EIO), Status::InvalidArgument("bad"),
                                Status::Corruption("crc"), Status::Unavailable("gone")}) {
    int calls = 0;
    const Status s = RetryTransient(
        RetryPolicy{},
        [&] {
          ++calls;
          return failure;
        },
        nullptr, [](nanoseconds) { ADD_FAILURE() << "waited to repeat a non-transient failure"; });
    EXPECT_EQ(s, failure);
    EXPECT_EQ(calls, 1) << failure.ToString();
  }
}

TEST(RetryTransientTest, ZeroRetriesRunsOnce) {
  RetryPolicy policy;
  policy.max_retries = 0;
  int calls = 0;
  const Status s = RetryTransient(
      policy,
      [&] {
        ++calls;
        return Status::Busy("busy");
      },
      nullptr, [](nanoseconds) {});
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  EXPECT_EQ(calls, 1);
}

TEST(ErrorCountsTest, CountsFailuresByClassAndIgnoresSuccess) {
  ErrorCounts counts;
  counts.Note(Status::OK());
  counts.Note(Status::NoSpace("x"));
  counts.Note(Status::Busy("x"));
  counts.Note(Status::IoError("x", EIO));
  EXPECT_EQ(counts.count(ErrorClass::kTransient), 2u);
  EXPECT_EQ(counts.count(ErrorClass::kCritical), 1u);
  EXPECT_EQ(counts.count(ErrorClass::kNone), 0u);
}

}  // namespace
}  // namespace docdb
