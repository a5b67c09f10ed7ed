// Retry with backoff (common/retry.h).
#include "common/retry.h"

#include <algorithm>
#include <thread>

namespace docdb {

Backoff::Backoff(const RetryPolicy& policy, uint64_t seed)
    : policy_(policy), base_ns_(1e6 * policy.initial_backoff_ms), rng_(seed) {}

std::chrono::nanoseconds Backoff::Next() {
  const double cap = 1e6 * policy_.max_backoff_ms;
  const double base = std::min(base_ns_, cap);
  base_ns_ = std::min(base_ns_ * policy_.backoff_multiplier, cap);
  std::uniform_real_distribution<double> jitter(-policy_.jitter, policy_.jitter);
  return std::chrono::nanoseconds(static_cast<int64_t>(base * (1 + jitter(rng_))));
}

Status RetryTransient(const RetryPolicy& policy, const std::function<Status()>& op,
                      std::atomic<uint64_t>* retries, const RetrySleep& sleep) {
  Backoff backoff(policy, std::random_device{}());
  for (uint32_t attempt = 0;; ++attempt) {
    Status status = op();
    if (status.error_class() != ErrorClass::kTransient || attempt == policy.max_retries) {
      return status;
    }
    if (retries != nullptr) ++*retries;
    const std::chrono::nanoseconds wait = backoff.Next();
    if (sleep) {
      sleep(wait);
    } else {
      std::this_thread::sleep_for(wait);
    }
  }
}

}  // namespace docdb
