// Repeated rounds of a docdb-bench run (--rounds): the engine order of each round and the
// summary of every round's rows into medians (docs/performance-ycsb.md, "Rounds").
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/ycsb/bench_runner.h"

namespace docdb::ycsb {

// One (workload, engine, durability, threads) over every round that produced it.
struct RoundSummary {
  std::string workload;
  std::string engine;
  DurabilityMode durability = DurabilityMode::kDurable;
  int threads = 1;
  CacheState cache = CacheState::kWarm;  // the first round's; kDropFailed if any round's was
  int rounds = 0;                        // rows summarised
  double ops_per_s = 0;                  // the median over the rounds
  double min_ops_per_s = 0;
  double max_ops_per_s = 0;
  double p50_us = 0;  // the median of the rounds' p50, likewise p99 and p99.9
  double p99_us = 0;
  double p999_us = 0;
  // The median of the rounds' ratios to the baseline, each from its own round's baseline
  // figure; nullopt when no round had one.
  std::optional<double> ratio_to_baseline;
  uint64_t reads_verified = 0;  // all rounds together, as are errors and wrong reads
  uint64_t errors = 0;
  uint64_t wrong_reads = 0;
  std::string first_failure;  // of the earliest round that failed

  bool ok() const { return errors == 0 && wrong_reads == 0; }
};

// The engines in the order round `round` (1-based) runs them: as given in odd rounds,
// reversed in even ones, so that no engine always runs first or last.
std::vector<std::string> EngineOrderOfRound(const std::vector<std::string>& engines, int round);

// The middle value of `values`, the mean of the two middle ones for an even count; 0 when
// empty.
double Median(std::vector<double> values);

// ops/s of `row` divided by the baseline engine's (kBaselineEngine) at the same workload,
// durability, thread count and round, among `rows`; nullopt when the baseline did not run
// there or did nothing.
std::optional<double> RatioToBaseline(const std::vector<ReportRow>& rows, const ReportRow& row);

// One summary per (workload, engine, durability, threads) found in `rows`, in the order
// each first appears (so round 1's order when every round produced the same rows).
std::vector<RoundSummary> SummariseRounds(const std::vector<ReportRow>& rows);

}  // namespace docdb::ycsb
