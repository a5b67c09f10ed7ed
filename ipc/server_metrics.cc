// ServerMetrics (ipc/server_metrics.h).
#include "ipc/server_metrics.h"

#include <prometheus/metric_family.h>

#include "docdb/metrics.h"
#include "engine/metric_families.h"

namespace docdb::ipc {

using engine::AddFamily;
using engine::AddHistogram;
using engine::AddSingle;
using prometheus::MetricType;

ServerMetrics::ServerMetrics(const SharedCounters* counters, DatabasePool* pool)
    : counters_(counters), pool_(pool) {
  for (uint16_t c = 0; c <= kMaxCommand; ++c)
    request_durations_ns_.emplace_back(DurationBucketsNs());
}

void ServerMetrics::RequestAnswered(Command command, Clock::duration elapsed) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  request_durations_ns_[static_cast<uint16_t>(command)].Observe(static_cast<uint64_t>(ns));
}

std::vector<prometheus::MetricFamily> ServerMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  const auto count = [](const std::atomic<uint64_t>& c) {
    return static_cast<double>(c.load(std::memory_order_relaxed));
  };
  AddSingle(&families, "docdb_connections", "Client connections open", MetricType::Gauge, {},
            count(counters_->connections_open));
  AddSingle(&families, "docdb_connections_accepted_total", "Client connections accepted",
            MetricType::Counter, {}, count(counters_->connections_accepted));
  AddSingle(&families, "docdb_connections_refused_total",
            "Client connections refused at server.max_connections", MetricType::Counter, {},
            count(counters_->connections_refused));
  AddSingle(&families, "docdb_requests_in_flight", "Requests received and not yet answered",
            MetricType::Gauge, {}, count(counters_->requests_in_flight));
  AddSingle(&families, "docdb_requests_total", "Requests received (Metrics requests aside)",
            MetricType::Counter, {}, count(counters_->requests));
  prometheus::MetricFamily& durations = AddFamily(
      &families, "docdb_request_duration_seconds",
      "From a request's arrival to its answer, by protocol command", MetricType::Histogram);
  for (uint16_t c = 1; c <= kMaxCommand; ++c) {
    // Only the commands clients use: thirty empty histograms would drown the rest.
    if (request_durations_ns_[c].Read().count == 0) continue;
    AddHistogram(&durations, {{"command", CommandName(c)}}, request_durations_ns_[c], 1e-9);
  }
  // The network class of docdb_errors_total: a connection closed for a malformed frame.
  // The databases add the other classes, each with its db label.
  AddSingle(&families, "docdb_errors_total", "Failures by error class", MetricType::Counter,
            {{"category", "network"}}, count(counters_->protocol_errors));
  for (const auto& [name, db] : pool_->OpenDatabases()) {
    std::vector<prometheus::MetricFamily> more;
    // A database that cannot report (its disk failed) leaves only its series out.
    if (db->CollectMetrics(&more).ok()) MergeMetricFamilies(std::move(more), &families);
  }
  return families;
}

std::string ServerMetrics::Text() const { return MetricsText(Collect()); }

}  // namespace docdb::ipc
