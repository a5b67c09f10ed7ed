// YCSB's ZipfianGenerator and fnvhash64, ported faithfully from YCSB 0.17
// (site.ycsb.generator.ZipfianGenerator, site.ycsb.Utils) so that key popularity matches
// YCSB's (docs/performance-ycsb.md, "Key choice"). Thread-safety: a generator is used by
// one thread; FnvHash64 is pure.
#pragma once

#include <cstdint>
#include <random>

namespace docdb::ycsb {

// YCSB's Utils.fnvhash64: FNV-1 over the 8 little-endian bytes of `value`, then Java's
// Math.abs (so the result is non-negative except for the one value Math.abs leaves).
int64_t FnvHash64(int64_t value);

// Integers in [min, max] where item min+i has popularity proportional to 1/(i+1)^theta.
class ZipfianGenerator {
 public:
  static constexpr double kZipfianConstant = 0.99;

  // Computes zeta(items, theta) here, in O(items).
  ZipfianGenerator(int64_t min, int64_t max, double zipfian_constant = kZipfianConstant);
  // With zeta(items, theta) precomputed by the caller.
  ZipfianGenerator(int64_t min, int64_t max, double zipfian_constant, double zetan);

  // The next value for the item count given at construction.
  int64_t Next(std::mt19937_64& rng);
  // YCSB's nextLong(itemcount): the item count may grow between calls, and zeta is
  // extended incrementally (as YCSB does, eta keeps using the constructed item count).
  int64_t Next(std::mt19937_64& rng, int64_t item_count);

  // YCSB's zeta(st, n, theta, initialsum): initial_sum + sum over i in [st, n) of
  // 1/(i+1)^theta.
  static double Zeta(int64_t start, int64_t n, double theta, double initial_sum);

 private:
  void ComputeEta();

  int64_t items_;
  int64_t base_;
  double theta_;
  double zeta2theta_;
  double alpha_;
  double zetan_;
  double eta_ = 0;
  int64_t count_for_zeta_;
};

}  // namespace docdb::ycsb
