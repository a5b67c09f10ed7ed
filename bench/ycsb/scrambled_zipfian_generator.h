// YCSB's ScrambledZipfianGenerator (site.ycsb.generator.ScrambledZipfianGenerator):
// zipfian popularity spread over the key space by fnvhash64, so that the popular items
// are not clustered. Thread-safety: one thread per generator.
#pragma once

#include <cstdint>
#include <random>

#include "bench/ycsb/zipfian_generator.h"

namespace docdb::ycsb {

class ScrambledZipfianGenerator {
 public:
  // YCSB's constants for the default zipfian constant 0.99: zipfian values are drawn
  // over 10^10 items with their zeta precomputed, then hashed into [min, max].
  static constexpr double kZetan = 26.46902820178302;
  static constexpr int64_t kItemCount = 10'000'000'000;

  ScrambledZipfianGenerator(int64_t min, int64_t max);

  int64_t Next(std::mt19937_64& rng);

 private:
  int64_t min_;
  int64_t item_count_;
  ZipfianGenerator zipfian_;
};

}  // namespace docdb::ycsb
