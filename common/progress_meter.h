// Reports a long operation's progress to a ProgressCallback (include/docdb/progress.h)
// a few hundred times over its run rather than once per unit. Thread-safety: one thread
// (the operation's).
#pragma once

#include <algorithm>
#include <cstdint>

#include "docdb/progress.h"

namespace docdb {

class ProgressMeter {
 public:
  // `callback` may be empty (nothing is reported) and must outlive the meter.
  ProgressMeter(const ProgressCallback& callback, uint64_t total)
      : callback_(callback), total_(total) {}

  // Raises the total to at least `total` (what the operation found grows meanwhile).
  void AtLeast(uint64_t total) { total_ = std::max(total_, total); }

  // `units` more are done; the total grows to cover them.
  void Advance(uint64_t units) {
    done_ += units;
    total_ = std::max(total_, done_);
    if (done_ - reported_ >= std::max<uint64_t>(1, total_ / kReportsPerRun)) Report();
  }

  // Everything is done.
  void Finish() {
    done_ = total_;
    Report();
  }

 private:
  static constexpr uint64_t kReportsPerRun = 500;

  void Report() {
    reported_ = done_;
    if (callback_) callback_(Progress{done_, total_});
  }

  const ProgressCallback& callback_;
  uint64_t total_;
  uint64_t done_ = 0;
  uint64_t reported_ = 0;
};

}  // namespace docdb
