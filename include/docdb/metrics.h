// Combining and printing DocDB's metrics (docs/observability.md): the families of
// several databases, or of a database and an application, merged so that each metric
// name appears once, and the Prometheus text format. Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace prometheus {
struct MetricFamily;
}  // namespace prometheus

namespace docdb {

// Moves the series of `more` into *families: a family whose name is already there gains
// the series, any other is appended. Series must differ in their labels (the db label).
void MergeMetricFamilies(std::vector<prometheus::MetricFamily> more,
                         std::vector<prometheus::MetricFamily>* families);

// The families in the Prometheus text exposition format (version 0.0.4).
std::string MetricsText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace docdb
