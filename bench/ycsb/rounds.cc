// Rounds of a docdb-bench run and their summary (rounds.h).
#include "bench/ycsb/rounds.h"

#include <algorithm>

#include "bench/ycsb/store_registry.h"

namespace docdb::ycsb {
namespace {

// Whether `a` and `b` measure the same thing, in whichever rounds.
bool SameMeasurement(const ReportRow& a, const ReportRow& b) {
  return a.workload == b.workload && a.engine == b.engine && a.durability == b.durability &&
         a.threads == b.threads;
}

// The summary of `group`, the rows of one measurement in round order; `rows` are all the
// rows, where each round's baseline is found.
RoundSummary Summarise(const std::vector<const ReportRow*>& group,
                       const std::vector<ReportRow>& rows) {
  const ReportRow& first = *group.front();
  RoundSummary summary;
  summary.workload = first.workload;
  summary.engine = first.engine;
  summary.durability = first.durability;
  summary.threads = first.threads;
  summary.cache = first.cache;
  summary.rounds = static_cast<int>(group.size());
  std::vector<double> ops, p50, p99, p999, ratios;
  for (const ReportRow* row : group) {
    const RunResult& r = row->result;
    ops.push_back(r.ops_per_s());
    p50.push_back(r.latency.PercentileUs(0.50));
    p99.push_back(r.latency.PercentileUs(0.99));
    p999.push_back(r.latency.PercentileUs(0.999));
    if (const std::optional<double> ratio = RatioToBaseline(rows, *row)) ratios.push_back(*ratio);
    // A summary calling itself cold must be cold in every round.
    if (row->cache == CacheState::kDropFailed) summary.cache = CacheState::kDropFailed;
    summary.reads_verified += r.reads_verified;
    summary.errors += r.errors;
    summary.wrong_reads += r.wrong_reads;
    if (summary.first_failure.empty()) summary.first_failure = r.first_failure;
  }
  summary.min_ops_per_s = *std::min_element(ops.begin(), ops.end());
  summary.max_ops_per_s = *std::max_element(ops.begin(), ops.end());
  summary.ops_per_s = Median(std::move(ops));
  summary.p50_us = Median(std::move(p50));
  summary.p99_us = Median(std::move(p99));
  summary.p999_us = Median(std::move(p999));
  if (!ratios.empty()) summary.ratio_to_baseline = Median(std::move(ratios));
  return summary;
}

}  // namespace

std::vector<std::string> EngineOrderOfRound(const std::vector<std::string>& engines, int round) {
  std::vector<std::string> order = engines;
  if (round % 2 == 0) std::reverse(order.begin(), order.end());
  return order;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

std::optional<double> RatioToBaseline(const std::vector<ReportRow>& rows, const ReportRow& row) {
  for (const ReportRow& base : rows) {
    if (base.engine == kBaselineEngine && base.round == row.round &&
        base.workload == row.workload && base.durability == row.durability &&
        base.threads == row.threads) {
      const double base_ops = base.result.ops_per_s();
      if (base_ops <= 0) return std::nullopt;
      return row.result.ops_per_s() / base_ops;
    }
  }
  return std::nullopt;
}

std::vector<RoundSummary> SummariseRounds(const std::vector<ReportRow>& rows) {
  std::vector<std::vector<const ReportRow*>> groups;
  for (const ReportRow& row : rows) {
    const auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return SameMeasurement(*g.front(), row);
    });
    if (group == groups.end()) {
      groups.push_back({&row});
    } else {
      group->push_back(&row);
    }
  }
  std::vector<RoundSummary> summaries;
  summaries.reserve(groups.size());
  for (const std::vector<const ReportRow*>& group : groups) {
    summaries.push_back(Summarise(group, rows));
  }
  return summaries;
}

}  // namespace docdb::ycsb
