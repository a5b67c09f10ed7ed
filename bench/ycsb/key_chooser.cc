// KeyChooser (key_chooser.h).
#include "bench/ycsb/key_chooser.h"

#include "bench/ycsb/user_record.h"

namespace docdb::ycsb {

KeyChooser::KeyChooser(RequestDistribution distribution, int64_t record_count,
                       int64_t expected_new_keys, const AcknowledgedCounter* inserted,
                       uint64_t seed)
    : distribution_(distribution), inserted_(inserted), rng_(seed) {
  if (distribution == RequestDistribution::kZipfian) {
    // CoreWorkload: new ScrambledZipfianGenerator(insertstart,
    //                                              insertstart + insertcount + expectednewkeys)
    scrambled_.emplace(0, record_count + expected_new_keys);
  } else {
    // SkewedLatestGenerator: new ZipfianGenerator(basis.lastValue()), i.e. [0, last - 1].
    const int64_t last = inserted->LastValue();
    latest_.emplace(0, last - 1);
  }
}

int64_t KeyChooser::NextKeyNumber() {
  if (distribution_ == RequestDistribution::kLatest) {
    // SkewedLatestGenerator.nextValue: max - zipfian.nextLong(max).
    const int64_t max = inserted_->LastValue();
    return max - latest_->Next(rng_, max);
  }
  // CoreWorkload.nextKeynum: draw again until the record is known to exist.
  int64_t keynum = 0;
  do {
    keynum = scrambled_->Next(rng_);
  } while (keynum > inserted_->LastValue());
  return keynum;
}

int KeyChooser::NextField() { return std::uniform_int_distribution<int>(0, kFieldCount - 1)(rng_); }

int KeyChooser::NextScanLength() {
  return std::uniform_int_distribution<int>(1, kMaxScanLength)(rng_);
}

double KeyChooser::NextUniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

}  // namespace docdb::ycsb
