// AcknowledgedCounter (acknowledged_counter.h).
#include "bench/ycsb/acknowledged_counter.h"

namespace docdb::ycsb {

AcknowledgedCounter::AcknowledgedCounter(int64_t start) : next_(start), limit_(start - 1) {}

int64_t AcknowledgedCounter::Next() { return next_.fetch_add(1, std::memory_order_relaxed); }

void AcknowledgedCounter::Acknowledge(int64_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  acknowledged_above_limit_.insert(value);
  // The limit moves only over a gap-free run, so that an insert still in flight below
  // it can never be read as missing.
  int64_t limit = limit_.load(std::memory_order_relaxed);
  while (!acknowledged_above_limit_.empty() && *acknowledged_above_limit_.begin() == limit + 1) {
    acknowledged_above_limit_.erase(acknowledged_above_limit_.begin());
    ++limit;
  }
  limit_.store(limit, std::memory_order_release);
}

}  // namespace docdb::ycsb
