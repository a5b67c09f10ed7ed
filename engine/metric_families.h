// Building prometheus-cpp metric families from DocDB's counters (docs/observability.md).
// Thread-safety: pure functions over the caller's vectors.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/histogram.h"

namespace docdb::engine {

using MetricLabels = std::vector<prometheus::ClientMetric::Label>;

// Appends an empty family; returns it (valid until *families grows again).
prometheus::MetricFamily& AddFamily(std::vector<prometheus::MetricFamily>* families,
                                    std::string name, std::string help,
                                    prometheus::MetricType type);

// Appends one series to a counter, gauge or histogram family.
void AddValue(prometheus::MetricFamily* family, MetricLabels labels, double value);
// `scale` converts the histogram's units into the metric's (1e-9: nanoseconds to seconds).
void AddHistogram(prometheus::MetricFamily* family, MetricLabels labels,
                  const AtomicHistogram& histogram, double scale);

// The common case: a family of one series.
void AddSingle(std::vector<prometheus::MetricFamily>* families, std::string name, std::string help,
               prometheus::MetricType type, const MetricLabels& labels, double value);

}  // namespace docdb::engine
