// Records what a long operation reports to its ProgressCallback, for tests of the
// contract in include/docdb/progress.h. Thread-safety: one operation at a time.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "docdb/progress.h"

namespace docdb::testing {

class ProgressLog {
 public:
  ProgressCallback Callback() {
    return [this](const Progress& p) { seen_.push_back(p); };
  }

  // Success when the reports came in order (done never falling, never past its total),
  // at least `min_reports` of them, the last with done == total == `total` (0: any).
  ::testing::AssertionResult RanToTheEnd(size_t min_reports, uint64_t total = 0) const {
    if (seen_.size() < min_reports) {
      return ::testing::AssertionFailure()
             << seen_.size() << " progress reports, expected at least " << min_reports;
    }
    for (size_t i = 0; i < seen_.size(); ++i) {
      const Progress& p = seen_[i];
      if (p.done > p.total || (i > 0 && p.done < seen_[i - 1].done)) {
        return ::testing::AssertionFailure() << "report " << i << ": " << p.done << " of "
                                             << p.total << " after " << seen_[i - 1].done;
      }
    }
    const Progress& last = seen_.back();
    if (last.done != last.total || (total != 0 && last.total != total)) {
      return ::testing::AssertionFailure() << "the last report is " << last.done << " of "
                                           << last.total << ", expected " << total;
    }
    return ::testing::AssertionSuccess();
  }

  const std::vector<Progress>& seen() const { return seen_; }

 private:
  std::vector<Progress> seen_;
};

}  // namespace docdb::testing
