// WriterFirstSharedMutex and ReadMostlySharedMutex: an exclusive locker waits only for
// the shared holders that came before it.
#include "common/writer_first_shared_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "common/read_mostly_shared_mutex.h"

namespace docdb {
namespace {

template <typename Mutex>
class WriterFirstSharedMutexTest : public ::testing::Test {};
using SharedMutexes = ::testing::Types<WriterFirstSharedMutex, ReadMostlySharedMutex>;
TYPED_TEST_SUITE(WriterFirstSharedMutexTest, SharedMutexes);

TYPED_TEST(WriterFirstSharedMutexTest, SharedLockersArrivingAfterAWaitingWriterQueueBehindIt) {
  TypeParam mu;
  mu.lock_shared();  // an earlier reader
  std::atomic<bool> writer_in{false};
  std::thread writer([&] {
    mu.lock();
    writer_in = true;
    mu.unlock();
  });
  // Until the writer is waiting, new shared lockers get in; from then on none does. A
  // reader-preferring lock lets them in for ever: the bound turns that into a failure.
  constexpr long kMaxTries = 10'000'000;
  long tries = 0;
  while (tries < kMaxTries && mu.try_lock_shared()) {
    mu.unlock_shared();
    std::this_thread::yield();
    ++tries;
  }
  EXPECT_LT(tries, kMaxTries) << "shared lockers kept getting in past a waiting writer";
  EXPECT_FALSE(writer_in.load()) << "the earlier reader still holds it";
  mu.unlock_shared();
  writer.join();
  EXPECT_TRUE(writer_in.load());
  ASSERT_TRUE(mu.try_lock_shared()) << "free again once the writer is done";
  mu.unlock_shared();
}

TYPED_TEST(WriterFirstSharedMutexTest, SharedHoldersShareAndExcludeTheWriter) {
  TypeParam mu;
  mu.lock_shared();
  ASSERT_TRUE(mu.try_lock_shared());
  mu.unlock_shared();
  mu.unlock_shared();
  mu.lock();
  std::thread reader([&] { EXPECT_FALSE(mu.try_lock_shared()); });
  reader.join();
  mu.unlock();
}

TYPED_TEST(WriterFirstSharedMutexTest, AnExclusiveHolderIsAloneAmongReadersComingAndGoing) {
  TypeParam mu;
  bool writing = false;  // guarded by mu: a shared holder beside the writer sees it set
  std::atomic<bool> stop{false};
  std::atomic<int> overlaps{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        std::shared_lock<TypeParam> lock(mu);
        if (writing) ++overlaps;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    std::lock_guard<TypeParam> lock(mu);
    writing = true;
    std::this_thread::yield();
    writing = false;
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(overlaps.load(), 0);
}

}  // namespace
}  // namespace docdb
