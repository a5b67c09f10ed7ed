// Counts and durations of a database's operations, by kind and outcome
// (docs/observability.md: docdb_operations_total, docdb_operation_duration_seconds).
// Thread-safety: every method may be called from any thread at once; recording takes no
// lock (relaxed atomic increments).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "common/histogram.h"
#include "docdb/status.h"
#include "docdb/write_batch.h"

namespace prometheus {
struct MetricFamily;
}  // namespace prometheus

namespace docdb::engine {

enum class Operation : uint8_t {
  kGet,
  kExists,
  kScan,
  kCount,
  kInsert,
  kPut,
  kUpdate,
  kDelete,
  kPatch,
  kMerge,
  kBatch,  // a WriteBatch of other than one operation
  kCreateCollection,
  kDropCollection,
  kCheckpoint,
  kTrim,
  kCompact,
  kHeal,  // HealDocument and HealAll
  kVerify,
  kBackup,
};
inline constexpr size_t kOperationCount = 19;

// The `operation` label: "get", "put", ..., "create_collection".
std::string_view OperationName(Operation op);
// What a WriteBatch of these operations counts as: its one operation's kind, or kBatch.
Operation OperationOfBatch(const WriteBatch& batch);

class OperationMetrics {
 public:
  using Clock = std::chrono::steady_clock;

  // Disabled, Start and Finish do nothing (Options::metrics_enabled).
  explicit OperationMetrics(bool enabled);

  // When an operation starts: a clock reading, or the epoch when disabled.
  Clock::time_point Start() const { return enabled_ ? Clock::now() : Clock::time_point(); }
  // Counts an operation that started at `start` and ended with `code`.
  void Finish(Operation op, StatusCode code, Clock::time_point start);

  // Appends docdb_operations_total and docdb_operation_duration_seconds, each series
  // labelled db=`db_label`.
  void Collect(const std::string& db_label, std::vector<prometheus::MetricFamily>* families) const;

 private:
  static constexpr size_t kCodeCount = static_cast<size_t>(StatusCode::kUnavailable) + 1;

  const bool enabled_;
  std::array<std::array<std::atomic<uint64_t>, kCodeCount>, kOperationCount> counts_{};
  std::deque<AtomicHistogram> durations_;  // by operation (a deque: they cannot move)
};

}  // namespace docdb::engine
