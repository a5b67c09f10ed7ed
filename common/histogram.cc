// AtomicHistogram (common/histogram.h).
#include "common/histogram.h"

#include <algorithm>
#include <array>

namespace docdb {
namespace {

constexpr std::array<uint64_t, 19> kDurationBucketsNs = {
    10'000,        25'000,        50'000,        100'000,        250'000,
    500'000,       1'000'000,     2'500'000,     5'000'000,      10'000'000,
    25'000'000,    50'000'000,    100'000'000,   250'000'000,    500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000,
};

}  // namespace

std::span<const uint64_t> DurationBucketsNs() { return kDurationBucketsNs; }

AtomicHistogram::AtomicHistogram(std::span<const uint64_t> upper_bounds)
    : bounds_(upper_bounds), counts_(new std::atomic<uint64_t>[upper_bounds.size() + 1]()) {}

void AtomicHistogram::Observe(uint64_t value) {
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

AtomicHistogram::Snapshot AtomicHistogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_.size());
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    snapshot.count += counts_[i].load(std::memory_order_relaxed);
    if (i < bounds_.size()) snapshot.cumulative.push_back(snapshot.count);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

}  // namespace docdb
