// OperationMetrics (engine/operation_metrics.h).
#include "engine/operation_metrics.h"

#include "engine/metric_families.h"

namespace docdb::engine {

std::string_view OperationName(Operation op) {
  static constexpr std::array<std::string_view, kOperationCount> kNames = {"get",
                                                                           "exists",
                                                                           "scan",
                                                                           "count",
                                                                           "insert",
                                                                           "put",
                                                                           "update",
                                                                           "delete",
                                                                           "patch",
                                                                           "merge",
                                                                           "batch",
                                                                           "create_collection",
                                                                           "drop_collection",
                                                                           "checkpoint",
                                                                           "trim",
                                                                           "compact",
                                                                           "heal",
                                                                           "verify",
                                                                           "backup"};
  return kNames[static_cast<size_t>(op)];
}

Operation OperationOfBatch(const WriteBatch& batch) {
  if (batch.size() != 1) return Operation::kBatch;
  switch (batch.ops().front().kind) {
    case WriteBatch::OpKind::kInsert:
      return Operation::kInsert;
    case WriteBatch::OpKind::kPut:
      return Operation::kPut;
    case WriteBatch::OpKind::kUpdate:
      return Operation::kUpdate;
    case WriteBatch::OpKind::kDelete:
      return Operation::kDelete;
    case WriteBatch::OpKind::kPatch:
      return Operation::kPatch;
    case WriteBatch::OpKind::kMergePatch:
      return Operation::kMerge;
  }
  return Operation::kBatch;
}

OperationMetrics::OperationMetrics(bool enabled) : enabled_(enabled) {
  for (size_t i = 0; i < kOperationCount; ++i) durations_.emplace_back(DurationBucketsNs());
}

void OperationMetrics::Finish(Operation op, StatusCode code, Clock::time_point start) {
  if (!enabled_) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
  const auto i = static_cast<size_t>(op);
  counts_[i][static_cast<size_t>(code)].fetch_add(1, std::memory_order_relaxed);
  durations_[i].Observe(static_cast<uint64_t>(elapsed.count()));
}

void OperationMetrics::Collect(const std::string& db_label,
                               std::vector<prometheus::MetricFamily>* families) const {
  prometheus::MetricFamily& counts =
      AddFamily(families, "docdb_operations_total",
                "Operations finished, by kind and outcome (a StatusCode name)",
                prometheus::MetricType::Counter);
  for (size_t op = 0; op < kOperationCount; ++op) {
    const std::string name(OperationName(static_cast<Operation>(op)));
    for (size_t code = 0; code < kCodeCount; ++code) {
      const uint64_t n = counts_[op][code].load(std::memory_order_relaxed);
      // Every kind has its ok series from the start; failures appear once they happen.
      if (n == 0 && code != 0) continue;
      const std::string status(StatusCodeName(static_cast<StatusCode>(code)));
      AddValue(&counts, {{"db", db_label}, {"operation", name}, {"status", status}},
               static_cast<double>(n));
    }
  }
  // Added after the loop above: AddFamily may move the families, and `counts` with them.
  prometheus::MetricFamily& durations =
      AddFamily(families, "docdb_operation_duration_seconds",
                "How long operations took, from the call to the result (for WriteAsync, to "
                "its callback)",
                prometheus::MetricType::Histogram);
  for (size_t op = 0; op < kOperationCount; ++op) {
    AddHistogram(
        &durations,
        {{"db", db_label}, {"operation", std::string(OperationName(static_cast<Operation>(op)))}},
        durations_[op], 1e-9);
  }
}

}  // namespace docdb::engine
