// A shared mutex under which an exclusive locker waits only for the shared holders that
// came before it: shared lockers arriving later queue behind it. std::shared_mutex on
// glibc prefers readers, so a steady stream of overlapping shared holders (writers in a
// group commit) can keep an exclusive locker (a checkpoint) out for good.
// Thread-safety: a mutex; satisfies Lockable and SharedLockable.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace docdb {

class WriterFirstSharedMutex {
 public:
  void lock() {
    // Holding the gate keeps new shared lockers out while the current ones drain.
    std::lock_guard<std::mutex> gate(gate_);
    mu_.lock();
  }
  void unlock() { mu_.unlock(); }

  void lock_shared() {
    std::lock_guard<std::mutex> gate(gate_);
    mu_.lock_shared();
  }
  // False when an exclusive locker holds it or waits for it.
  bool try_lock_shared() {
    std::unique_lock<std::mutex> gate(gate_, std::try_to_lock);
    return gate.owns_lock() && mu_.try_lock_shared();
  }
  void unlock_shared() { mu_.unlock_shared(); }

 private:
  std::mutex gate_;
  std::shared_mutex mu_;
};

}  // namespace docdb
