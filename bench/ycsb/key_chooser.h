// KeyChooser: which record, field and scan length the next operation of one client
// thread uses, as YCSB's CoreWorkload chooses them (docs/performance-ycsb.md, "Key
// choice"). Thread-safety: one per client thread; the AcknowledgedCounter is shared.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "bench/ycsb/acknowledged_counter.h"
#include "bench/ycsb/scrambled_zipfian_generator.h"
#include "bench/ycsb/workload.h"
#include "bench/ycsb/zipfian_generator.h"

namespace docdb::ycsb {

class KeyChooser {
 public:
  static constexpr int kMaxScanLength = 100;  // YCSB's maxscanlength, uniform 1..100

  // `record_count` records exist when the workload starts; `expected_new_keys` is
  // YCSB's operationcount * insertproportion * 2, which widens the zipfian range.
  // `inserted` must outlive this object.
  KeyChooser(RequestDistribution distribution, int64_t record_count, int64_t expected_new_keys,
             const AcknowledgedCounter* inserted, uint64_t seed);

  // A record number whose insert has been acknowledged (YCSB's nextKeynum).
  int64_t NextKeyNumber();
  // The field an update writes: uniform over the ten fields.
  int NextField();
  // YCSB's scan length: uniform in [1, kMaxScanLength].
  int NextScanLength();
  // A uniform draw in [0, 1), for choosing the operation.
  double NextUniform();

 private:
  RequestDistribution distribution_;
  const AcknowledgedCounter* inserted_;
  std::mt19937_64 rng_;
  std::optional<ScrambledZipfianGenerator> scrambled_;  // kZipfian
  std::optional<ZipfianGenerator> latest_;              // kLatest (SkewedLatestGenerator)
};

}  // namespace docdb::ycsb
