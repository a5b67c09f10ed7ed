// Retry with backoff (common/retry.h).
#include "common/retry.h"

#include <algorithm>
#include <optional>
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

void WaitToRetry(const RetryPolicy& policy, std::optional<Backoff>* backoff,
                 const RetrySleep& sleep) {
  if (!*backoff) backoff->emplace(policy, std::random_device{}());
  const std::chrono::nanoseconds wait = (*backoff)->Next();
  if (sleep) {
    sleep(wait);
  } else {
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace docdb
