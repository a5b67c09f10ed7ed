// A shared mutex for a lock taken shared on every read and exclusive rarely (the LMDB
// index's map growth): taking and releasing it shared is one atomic increment and one
// decrement of a counter, with no mutex. Writer-first, like WriterFirstSharedMutex: an
// exclusive locker closes it to new shared lockers, which wait until it is done, and
// waits only for the shared holders already in. No thread may hold it shared twice (the
// second lock would wait for an exclusive locker that waits for the first).
// Thread-safety: a mutex; satisfies Lockable and SharedLockable.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace docdb {

class ReadMostlySharedMutex {
 public:
  void lock() {
    exclusive_mu_.lock();  // one exclusive locker at a time
    closed_.store(true);
    // Every shared locker that did not see the gate closed is counted: wait for them.
    for (int64_t n = shared_.load(); n != 0; n = shared_.load()) shared_.wait(n);
  }
  void unlock() {
    closed_.store(false);
    closed_.notify_all();
    exclusive_mu_.unlock();
  }

  void lock_shared() {
    while (!try_lock_shared()) closed_.wait(true);
  }
  // False when an exclusive locker holds it or waits for it.
  bool try_lock_shared() {
    // Counted first, then the gate checked (both sequentially consistent): an exclusive
    // locker that closed the gate before this check sees the count and waits for it.
    shared_.fetch_add(1);
    if (!closed_.load()) return true;
    unlock_shared();
    return false;
  }
  void unlock_shared() {
    if (shared_.fetch_sub(1) == 1 && closed_.load()) shared_.notify_all();
  }

 private:
  std::atomic<int64_t> shared_{0};  // holders, and lockers about to check the gate
  std::atomic<bool> closed_{false};
  std::mutex exclusive_mu_;
};

}  // namespace docdb
