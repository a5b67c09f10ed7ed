// YCSB's ScrambledZipfianGenerator (scrambled_zipfian_generator.h).
#include "bench/ycsb/scrambled_zipfian_generator.h"

namespace docdb::ycsb {

ScrambledZipfianGenerator::ScrambledZipfianGenerator(int64_t min, int64_t max)
    : min_(min),
      item_count_(max - min + 1),
      // As in YCSB: new ZipfianGenerator(0, ITEM_COUNT, 0.99, ZETAN), so the underlying
      // generator covers ITEM_COUNT + 1 items.
      zipfian_(0, kItemCount, ZipfianGenerator::kZipfianConstant, kZetan) {}

int64_t ScrambledZipfianGenerator::Next(std::mt19937_64& rng) {
  const int64_t value = zipfian_.Next(rng);
  return min_ + FnvHash64(value) % item_count_;
}

}  // namespace docdb::ycsb
