// YCSB's AcknowledgedCounterGenerator: hands out the record numbers of new inserts and
// tracks the highest number below which every insert has been acknowledged, so that
// reads only ask for records known to exist (docs/performance-ycsb.md, "Key choice").
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>

namespace docdb::ycsb {

class AcknowledgedCounter {
 public:
  // Records [0, start) exist already.
  explicit AcknowledgedCounter(int64_t start);

  // The record number for the next insert.
  int64_t Next();
  // Marks the insert of `value` (from Next) as acknowledged by the store.
  void Acknowledge(int64_t value);
  // Every record in [0, LastValue()] exists.
  int64_t LastValue() const { return limit_.load(std::memory_order_acquire); }

 private:
  std::atomic<int64_t> next_;
  std::atomic<int64_t> limit_;
  std::mutex mu_;
  std::set<int64_t> acknowledged_above_limit_;  // guarded by mu_
};

}  // namespace docdb::ycsb
