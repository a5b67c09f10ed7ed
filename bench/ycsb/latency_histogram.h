// LatencyHistogram: operation latencies in log-linear buckets (32 per power of two, so
// a reported percentile is within about 3% of the true one), for p50/p99/p99.9.
// Thread-safety: one writer per histogram; Merge after the writers stopped.
#pragma once

#include <array>
#include <cstdint>

namespace docdb::ycsb {

class LatencyHistogram {
 public:
  void Record(uint64_t latency_ns);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // Writes the members "p50_us", "p99_us" and "p999_us" into the JSON object a RapidJSON
  // writer (plain or pretty) has open, as both benchmarks report them.
  template <typename JsonWriter>
  void WritePercentilesJson(JsonWriter& w) const {
    w.Key("p50_us");
    w.Double(PercentileUs(0.50));
    w.Key("p99_us");
    w.Double(PercentileUs(0.99));
    w.Key("p999_us");
    w.Double(PercentileUs(0.999));
  }
  // The latency below which a fraction `quantile` (0..1) of the recorded ones fall, in
  // microseconds (the bucket's midpoint); 0 when empty.
  double PercentileUs(double quantile) const;

 private:
  static constexpr int kSubBucketBits = 5;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kBucketCount = (64 - kSubBucketBits + 1) * kSubBuckets;

  static int BucketOf(uint64_t value);
  static uint64_t BucketLow(int bucket);

  std::array<uint64_t, kBucketCount> buckets_{};
  uint64_t count_ = 0;
};

}  // namespace docdb::ycsb
