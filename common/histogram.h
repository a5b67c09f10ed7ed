// A histogram for hot paths (docs/observability.md): Observe is a bucket search and two
// relaxed atomic increments, with no lock. Thread-safety: Observe and Read may be called
// from any thread at once; a Read taken while values are observed may miss the newest of
// them, never count one twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace docdb {

// Upper bounds, in nanoseconds, of the buckets of DocDB's duration histograms: 10 us
// to 10 s in steps of 1, 2.5 and 5 per decade.
std::span<const uint64_t> DurationBucketsNs();

class AtomicHistogram {
 public:
  // `upper_bounds` ascending, in the units Observe takes; they must outlive the histogram
  // (static tables). Values above the last bound fall in the +Inf bucket.
  explicit AtomicHistogram(std::span<const uint64_t> upper_bounds);

  void Observe(uint64_t value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound: observations at or below it
    uint64_t count = 0;                // all observations (the +Inf bucket)
    uint64_t sum = 0;
  };
  Snapshot Read() const;
  std::span<const uint64_t> upper_bounds() const { return bounds_; }

 private:
  const std::span<const uint64_t> bounds_;
  // Per bucket, not cumulative; the last one is +Inf.
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> sum_{0};
};

}  // namespace docdb
