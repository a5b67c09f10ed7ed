// YCSB's ZipfianGenerator (zipfian_generator.h). Variable names follow YCSB's source so
// that the port can be checked line by line against it.
#include "bench/ycsb/zipfian_generator.h"

#include <cmath>
#include <limits>

namespace docdb::ycsb {

int64_t FnvHash64(int64_t value) {
  constexpr uint64_t kOffsetBasis = 0xCBF29CE484222325ull;
  constexpr uint64_t kPrime = 1099511628211ull;
  // Java's long arithmetic wraps; unsigned arithmetic gives the same bits.
  uint64_t hash = kOffsetBasis;
  auto val = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) {
    const uint64_t octet = val & 0xff;
    // Java's >> on a long is arithmetic; only the low 8 bits of each step are used, and
    // all 8 bytes are consumed, so a logical shift yields the same octets.
    val >>= 8;
    hash ^= octet;
    hash *= kPrime;
  }
  const auto signed_hash = static_cast<int64_t>(hash);
  if (signed_hash == std::numeric_limits<int64_t>::min()) return signed_hash;  // Math.abs
  return signed_hash < 0 ? -signed_hash : signed_hash;
}

ZipfianGenerator::ZipfianGenerator(int64_t min, int64_t max, double zipfian_constant)
    : ZipfianGenerator(min, max, zipfian_constant, Zeta(0, max - min + 1, zipfian_constant, 0.0)) {}

ZipfianGenerator::ZipfianGenerator(int64_t min, int64_t max, double zipfian_constant, double zetan)
    : items_(max - min + 1),
      base_(min),
      theta_(zipfian_constant),
      zeta2theta_(Zeta(0, 2, zipfian_constant, 0.0)),
      alpha_(1.0 / (1.0 - zipfian_constant)),
      zetan_(zetan),
      count_for_zeta_(items_) {
  ComputeEta();
}

double ZipfianGenerator::Zeta(int64_t start, int64_t n, double theta, double initial_sum) {
  double sum = initial_sum;
  for (int64_t i = start; i < n; ++i) sum += 1 / std::pow(static_cast<double>(i + 1), theta);
  return sum;
}

void ZipfianGenerator::ComputeEta() {
  eta_ = (1 - std::pow(2.0 / static_cast<double>(items_), 1 - theta_)) / (1 - zeta2theta_ / zetan_);
}

int64_t ZipfianGenerator::Next(std::mt19937_64& rng) { return Next(rng, items_); }

int64_t ZipfianGenerator::Next(std::mt19937_64& rng, int64_t item_count) {
  if (item_count > count_for_zeta_) {
    zetan_ = Zeta(count_for_zeta_, item_count, theta_, zetan_);
    count_for_zeta_ = item_count;
    ComputeEta();
  } else if (item_count < count_for_zeta_) {
    // YCSB recomputes from scratch when the count shrinks (allowitemcountdecrease).
    zetan_ = Zeta(0, item_count, theta_, 0.0);
    count_for_zeta_ = item_count;
    ComputeEta();
  }
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const double uz = u * zetan_;
  if (uz < 1.0) return base_;
  if (uz < 1.0 + std::pow(0.5, theta_)) return base_ + 1;
  return base_ + static_cast<int64_t>(static_cast<double>(item_count) *
                                      std::pow(eta_ * u - eta_ + 1, alpha_));
}

}  // namespace docdb::ycsb
