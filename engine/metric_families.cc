// Metric family builders (engine/metric_families.h) and the public merge and text
// functions (include/docdb/metrics.h).
#include "engine/metric_families.h"

#include <prometheus/text_serializer.h>

#include <algorithm>

#include "docdb/metrics.h"

namespace docdb {
namespace engine {

prometheus::MetricFamily& AddFamily(std::vector<prometheus::MetricFamily>* families,
                                    std::string name, std::string help,
                                    prometheus::MetricType type) {
  prometheus::MetricFamily& family = families->emplace_back();
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddValue(prometheus::MetricFamily* family, MetricLabels labels, double value) {
  prometheus::ClientMetric& metric = family->metric.emplace_back();
  metric.label = std::move(labels);
  switch (family->type) {
    case prometheus::MetricType::Counter:
      metric.counter.value = value;
      break;
    case prometheus::MetricType::Untyped:
      metric.untyped.value = value;
      break;
    default:
      metric.gauge.value = value;
  }
}

void AddHistogram(prometheus::MetricFamily* family, MetricLabels labels,
                  const AtomicHistogram& histogram, double scale) {
  const AtomicHistogram::Snapshot snapshot = histogram.Read();
  prometheus::ClientMetric& metric = family->metric.emplace_back();
  metric.label = std::move(labels);
  metric.histogram.sample_count = snapshot.count;
  metric.histogram.sample_sum = static_cast<double>(snapshot.sum) * scale;
  const auto bounds = histogram.upper_bounds();
  for (size_t i = 0; i < bounds.size(); ++i) {
    metric.histogram.bucket.push_back(
        {snapshot.cumulative[i], static_cast<double>(bounds[i]) * scale});
  }
}

void AddSingle(std::vector<prometheus::MetricFamily>* families, std::string name, std::string help,
               prometheus::MetricType type, const MetricLabels& labels, double value) {
  AddValue(&AddFamily(families, std::move(name), std::move(help), type), labels, value);
}

}  // namespace engine

void MergeMetricFamilies(std::vector<prometheus::MetricFamily> more,
                         std::vector<prometheus::MetricFamily>* families) {
  for (prometheus::MetricFamily& family : more) {
    auto same =
        std::find_if(families->begin(), families->end(),
                     [&](const prometheus::MetricFamily& f) { return f.name == family.name; });
    if (same == families->end()) {
      families->push_back(std::move(family));
    } else {
      std::move(family.metric.begin(), family.metric.end(), std::back_inserter(same->metric));
    }
  }
}

std::string MetricsText(const std::vector<prometheus::MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace docdb
