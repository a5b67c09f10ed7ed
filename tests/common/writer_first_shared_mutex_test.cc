// WriterFirstSharedMutex: an exclusive locker waits only for the shared holders that came
// before it.
#include "common/writer_first_shared_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace docdb {
namespace {

TEST(WriterFirstSharedMutexTest, SharedLockersArrivingAfterAWaitingWriterQueueBehindIt) {
  WriterFirstSharedMutex mu;
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

TEST(WriterFirstSharedMutexTest, SharedHoldersShareAndExcludeTheWriter) {
  WriterFirstSharedMutex mu;
  mu.lock_shared();
  ASSERT_TRUE(mu.try_lock_shared());
  mu.unlock_shared();
  mu.unlock_shared();
  mu.lock();
  std::thread reader([&] { EXPECT_FALSE(mu.try_lock_shared()); });
  reader.join();
  mu.unlock();
}

}  // namespace
}  // namespace docdb
