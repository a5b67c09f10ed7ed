// Read epochs: readers announce themselves without ever waiting, and a reclaimer waits
// for exactly the readers that were in progress when it began (those that came later
// cannot see what it reclaims). DocDB's data segments use it, so that a compacted
// segment is deleted only when no read can still be about to touch it
// (docs/lifecycle.md). Thread-safety: Enter from any number of threads; WaitForReaders
// from any number (they take turns).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace docdb {

class ReadEpochs {
 public:
  // Held by one reader; leaving wakes a reclaimer waiting for it.
  class Guard {
   public:
    Guard(Guard&& other) noexcept : epochs_(other.epochs_), epoch_(other.epoch_) {
      other.epochs_ = nullptr;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;
    ~Guard() {
      if (epochs_ != nullptr) epochs_->Leave(epoch_);
    }

   private:
    friend class ReadEpochs;
    Guard(ReadEpochs* epochs, uint64_t epoch) : epochs_(epochs), epoch_(epoch) {}
    ReadEpochs* epochs_;
    uint64_t epoch_;
  };

  Guard Enter() {
    for (;;) {
      const uint64_t epoch = epoch_.load();
      readers_[epoch & 1].fetch_add(1);
      // A reclaimer that moved the epoch on between the two loads may already have
      // found this slot empty: count in the new epoch instead.
      if (epoch_.load() == epoch) return Guard(this, epoch);
      Leave(epoch);
    }
  }

  // Returns once every reader that entered before this call has left. Never makes a
  // reader wait.
  void WaitForReaders() {
    std::lock_guard<std::mutex> one_at_a_time(mu_);
    const uint64_t old = epoch_.fetch_add(1);  // readers from now on count in the other slot
    std::atomic<int64_t>& slot = readers_[old & 1];
    for (int64_t n = slot.load(); n != 0; n = slot.load()) slot.wait(n);
  }

  uint64_t epoch() const { return epoch_.load(); }  // tests: a reclaimer has begun

 private:
  void Leave(uint64_t epoch) {
    std::atomic<int64_t>& slot = readers_[epoch & 1];
    // The last reader of an epoch that has been moved past wakes its reclaimer.
    if (slot.fetch_sub(1) == 1 && epoch_.load() != epoch) slot.notify_all();
  }

  std::atomic<uint64_t> epoch_{0};
  std::atomic<int64_t> readers_[2] = {0, 0};
  std::mutex mu_;
};

}  // namespace docdb
