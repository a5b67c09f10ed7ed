// LatencyHistogram (latency_histogram.h).
#include "bench/ycsb/latency_histogram.h"

#include <bit>
#include <cmath>

namespace docdb::ycsb {

// Values below kSubBuckets have a bucket each; above, a value with its highest bit at
// position m falls in row m - kSubBucketBits + 1, column = its next kSubBucketBits bits.
int LatencyHistogram::BucketOf(uint64_t value) {
  if (value < kSubBuckets) return static_cast<int>(value);
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - kSubBucketBits;
  const auto column = static_cast<int>((value >> shift) & (kSubBuckets - 1));
  return (shift + 1) * kSubBuckets + column;
}

uint64_t LatencyHistogram::BucketLow(int bucket) {
  if (bucket < kSubBuckets) return static_cast<uint64_t>(bucket);
  const int shift = bucket / kSubBuckets - 1;
  const auto column = static_cast<uint64_t>(bucket % kSubBuckets);
  return (uint64_t{kSubBuckets} | column) << shift;
}

void LatencyHistogram::Record(uint64_t latency_ns) {
  ++buckets_[static_cast<size_t>(BucketOf(latency_ns))];
  ++count_;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

double LatencyHistogram::PercentileUs(double quantile) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(quantile * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (int b = 0; b < kBucketCount; ++b) {
    seen += buckets_[static_cast<size_t>(b)];
    if (seen >= rank && buckets_[static_cast<size_t>(b)] > 0) {
      const double low = static_cast<double>(BucketLow(b));
      const double high = b + 1 < kBucketCount ? static_cast<double>(BucketLow(b + 1)) : low;
      return (low + high) / 2 / 1000.0;
    }
  }
  return 0;
}

}  // namespace docdb::ycsb
