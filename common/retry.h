// Repeating an operation that failed with a transient error (docs/errors.md, "Retry"):
// exponential backoff with jitter, a bounded number of times, and a count of every
// failure seen by class. Callers wrap only operations that are safe to repeat: a write
// repeated at the same offset, never an append that could land twice, and never an
// fsync. Thread-safety: Backoff is not thread-safe; ErrorCounts may be shared.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>

#include "docdb/options.h"
#include "docdb/status.h"

namespace docdb {

// Failures counted by class, for stats and metrics. Counts only go up.
class ErrorCounts {
 public:
  void Note(const Status& status) {
    if (!status.ok()) ++counts_[static_cast<int>(status.error_class())];
  }
  uint64_t count(ErrorClass c) const { return counts_[static_cast<int>(c)].load(); }

 private:
  std::array<std::atomic<uint64_t>, kErrorClassCount> counts_{};
};

// The waits between attempts: policy.initial_backoff_ms, then each one
// policy.backoff_multiplier times the last, capped at policy.max_backoff_ms, each moved
// by up to +-policy.jitter of itself at random.
class Backoff {
 public:
  Backoff(const RetryPolicy& policy, uint64_t seed);
  std::chrono::nanoseconds Next();

 private:
  const RetryPolicy policy_;
  double base_ns_;
  std::mt19937_64 rng_;
};

// How a retried operation waits: std::this_thread::sleep_for, or a test's recorder.
using RetrySleep = std::function<void(std::chrono::nanoseconds)>;

// Waits before a repetition: the backoff's next wait, through `sleep` when it is set.
// Seeds *backoff on the first call.
void WaitToRetry(const RetryPolicy& policy, std::optional<Backoff>* backoff,
                 const RetrySleep& sleep);

// Runs op (returning Status), and runs it again after a backoff wait while it fails with
// a transient error, at most policy.max_retries more times, counting each repetition in
// *retries (when not null). Returns the last outcome. A template, so that the common
// case, one attempt that succeeds, costs a call and nothing more.
template <typename Op>
Status RetryTransient(const RetryPolicy& policy, Op&& op, std::atomic<uint64_t>* retries,
                      const RetrySleep& sleep = {}) {
  std::optional<Backoff> backoff;
  for (uint32_t attempt = 0;; ++attempt) {
    Status status = op();
    if (status.error_class() != ErrorClass::kTransient || attempt == policy.max_retries) {
      return status;
    }
    if (retries != nullptr) ++*retries;
    WaitToRetry(policy, &backoff, sleep);
  }
}

}  // namespace docdb
