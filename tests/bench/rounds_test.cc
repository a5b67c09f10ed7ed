// The rounds of docdb-bench (bench/ycsb/rounds.h): the engine order alternates between
// rounds, and the summary gives medians, extremes and the median of each round's own
// ratio to DocDB, since those are the figures the tables, JSON and chart show.
#include "bench/ycsb/rounds.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace docdb::ycsb {
namespace {

// A row of `engine` at workload C, relaxed, one thread, in `round`, that did `ops_per_s`
// operations in one second, each of them taking `latency_ns`.
ReportRow RowOf(const std::string& engine, int round, uint64_t ops_per_s,
                uint64_t latency_ns = 1000) {
  ReportRow row;
  row.workload = "C";
  row.engine = engine;
  row.durability = DurabilityMode::kRelaxed;
  row.threads = 1;
  row.round = round;
  row.result.operations = ops_per_s;
  row.result.seconds = 1;
  row.result.reads_verified = ops_per_s;
  row.result.latency.Record(latency_ns);
  return row;
}

// The summary of `engine` among `summaries`; fails the test when there is none.
RoundSummary SummaryOf(const std::vector<RoundSummary>& summaries, const std::string& engine) {
  for (const RoundSummary& summary : summaries) {
    if (summary.engine == engine) return summary;
  }
  ADD_FAILURE() << "no summary for " << engine;
  return {};
}

TEST(DocdbBenchRoundsTest, MedianOfAnOddCountIsTheMiddleValue) {
  EXPECT_EQ(Median({7}), 7);
  EXPECT_EQ(Median({30, 10, 20}), 20);
  EXPECT_EQ(Median({5, 1, 100, 3, 4}), 4);
}

TEST(DocdbBenchRoundsTest, MedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues) {
  EXPECT_EQ(Median({10, 20}), 15);
  EXPECT_EQ(Median({40, 10, 30, 20}), 25);
  EXPECT_EQ(Median({}), 0);
}

TEST(DocdbBenchRoundsTest, EvenRoundsRunTheEnginesInReverseOrder) {
  const std::vector<std::string> engines = {"docdb", "rocksdb", "lmdb"};
  EXPECT_EQ(EngineOrderOfRound(engines, 1), engines);
  EXPECT_EQ(EngineOrderOfRound(engines, 2), (std::vector<std::string>{"lmdb", "rocksdb", "docdb"}));
  EXPECT_EQ(EngineOrderOfRound(engines, 3), engines);
  EXPECT_EQ(EngineOrderOfRound(engines, 4), EngineOrderOfRound(engines, 2));
}

TEST(DocdbBenchRoundsTest, OneRoundSummaryHasThatRoundsFigures) {
  const std::vector<ReportRow> rows = {RowOf("docdb", 1, 200, 1000), RowOf("lmdb", 1, 300, 5000)};
  const std::vector<RoundSummary> summaries = SummariseRounds(rows);
  ASSERT_EQ(summaries.size(), 2u);
  const RoundSummary lmdb = SummaryOf(summaries, "lmdb");
  EXPECT_EQ(lmdb.rounds, 1);
  EXPECT_EQ(lmdb.ops_per_s, 300);
  EXPECT_EQ(lmdb.min_ops_per_s, 300);
  EXPECT_EQ(lmdb.max_ops_per_s, 300);
  EXPECT_EQ(lmdb.p50_us, rows[1].result.latency.PercentileUs(0.50));
  EXPECT_EQ(lmdb.p999_us, rows[1].result.latency.PercentileUs(0.999));
  ASSERT_TRUE(lmdb.ratio_to_baseline.has_value());
  EXPECT_DOUBLE_EQ(*lmdb.ratio_to_baseline, 1.5);
  EXPECT_EQ(lmdb.reads_verified, 300u);
  EXPECT_TRUE(lmdb.ok());
}

TEST(DocdbBenchRoundsTest, SummaryGivesTheMedianAndTheSlowestAndFastestRound) {
  const std::vector<ReportRow> rows = {RowOf("lmdb", 1, 300), RowOf("lmdb", 2, 100),
                                       RowOf("lmdb", 3, 250), RowOf("lmdb", 4, 900)};
  const std::vector<RoundSummary> summaries = SummariseRounds(rows);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].rounds, 4);
  EXPECT_EQ(summaries[0].ops_per_s, 275);
  EXPECT_EQ(summaries[0].min_ops_per_s, 100);
  EXPECT_EQ(summaries[0].max_ops_per_s, 900);
  EXPECT_EQ(summaries[0].reads_verified, 1550u);
  // No docdb row: nothing to divide by.
  EXPECT_FALSE(summaries[0].ratio_to_baseline.has_value());
}

TEST(DocdbBenchRoundsTest, RatioIsTakenWithinEachRoundThenItsMedian) {
  // Ratios per round: 0.5, 1.5, 1.0, so the median is 1.0; dividing the medians of ops/s
  // instead (300 / 200) would give 1.5.
  const std::vector<ReportRow> rows = {RowOf("docdb", 1, 100), RowOf("lmdb", 1, 50),
                                       RowOf("lmdb", 2, 300),  RowOf("docdb", 2, 200),
                                       RowOf("docdb", 3, 400), RowOf("lmdb", 3, 400)};
  const std::vector<RoundSummary> summaries = SummariseRounds(rows);
  const RoundSummary lmdb = SummaryOf(summaries, "lmdb");
  EXPECT_EQ(lmdb.ops_per_s, 300);
  ASSERT_TRUE(lmdb.ratio_to_baseline.has_value());
  EXPECT_DOUBLE_EQ(*lmdb.ratio_to_baseline, 1.0);
  const RoundSummary docdb = SummaryOf(summaries, "docdb");
  ASSERT_TRUE(docdb.ratio_to_baseline.has_value());
  EXPECT_DOUBLE_EQ(*docdb.ratio_to_baseline, 1.0);
}

TEST(DocdbBenchRoundsTest, RatioLeavesOutRoundsWhereDocdbDidNotRun) {
  // Round 2's docdb failed to open, so it has no C row: lmdb's ratio is round 1's alone.
  const std::vector<ReportRow> rows = {RowOf("docdb", 1, 100), RowOf("lmdb", 1, 200),
                                       RowOf("lmdb", 2, 900)};
  const RoundSummary lmdb = SummaryOf(SummariseRounds(rows), "lmdb");
  ASSERT_TRUE(lmdb.ratio_to_baseline.has_value());
  EXPECT_DOUBLE_EQ(*lmdb.ratio_to_baseline, 2.0);
}

TEST(DocdbBenchRoundsTest, LatenciesAreTheMediansOfTheRoundsPercentiles) {
  const std::vector<ReportRow> rows = {RowOf("lmdb", 1, 100, 1'000), RowOf("lmdb", 2, 100, 90'000),
                                       RowOf("lmdb", 3, 100, 4'000)};
  const RoundSummary lmdb = SummaryOf(SummariseRounds(rows), "lmdb");
  EXPECT_EQ(lmdb.p50_us, rows[2].result.latency.PercentileUs(0.50));
  EXPECT_EQ(lmdb.p99_us, rows[2].result.latency.PercentileUs(0.99));
}

TEST(DocdbBenchRoundsTest, FailureInAnyRoundFailsTheSummary) {
  std::vector<ReportRow> rows = {RowOf("lmdb", 1, 100), RowOf("lmdb", 2, 100),
                                 RowOf("lmdb", 3, 100)};
  rows[1].result.wrong_reads = 2;
  rows[1].result.first_failure = "round 2 read the wrong record";
  rows[2].result.errors = 1;
  rows[2].result.first_failure = "round 3 failed";
  const RoundSummary lmdb = SummaryOf(SummariseRounds(rows), "lmdb");
  EXPECT_FALSE(lmdb.ok());
  EXPECT_EQ(lmdb.wrong_reads, 2u);
  EXPECT_EQ(lmdb.errors, 1u);
  EXPECT_EQ(lmdb.first_failure, "round 2 read the wrong record");
}

TEST(DocdbBenchRoundsTest, SummariesKeepTheOrderOfFirstAppearance) {
  // Round 2 ran the engines in reverse; the summaries follow round 1.
  const std::vector<ReportRow> rows = {RowOf("docdb", 1, 1),   RowOf("rocksdb", 1, 1),
                                       RowOf("lmdb", 1, 1),    RowOf("lmdb", 2, 1),
                                       RowOf("rocksdb", 2, 1), RowOf("docdb", 2, 1)};
  const std::vector<RoundSummary> summaries = SummariseRounds(rows);
  ASSERT_EQ(summaries.size(), 3u);
  EXPECT_EQ(summaries[0].engine, "docdb");
  EXPECT_EQ(summaries[1].engine, "rocksdb");
  EXPECT_EQ(summaries[2].engine, "lmdb");
}

TEST(DocdbBenchRoundsTest, DifferentWorkloadsDurabilitiesAndThreadCountsAreSeparateSummaries) {
  std::vector<ReportRow> rows = {RowOf("lmdb", 1, 10), RowOf("lmdb", 1, 20), RowOf("lmdb", 1, 30),
                                 RowOf("lmdb", 1, 40)};
  rows[1].workload = "A";
  rows[2].durability = DurabilityMode::kDurable;
  rows[3].threads = 8;
  const std::vector<RoundSummary> summaries = SummariseRounds(rows);
  ASSERT_EQ(summaries.size(), 4u);
  for (size_t i = 0; i < summaries.size(); ++i) {
    EXPECT_EQ(summaries[i].rounds, 1) << i;
    EXPECT_EQ(summaries[i].ops_per_s, rows[i].result.ops_per_s()) << i;
  }
}

TEST(DocdbBenchRoundsTest, RefusedCacheDropInAnyRoundIsNotReportedAsCold) {
  std::vector<ReportRow> rows = {RowOf("lmdb", 1, 10), RowOf("lmdb", 2, 10)};
  rows[0].cache = CacheState::kCold;
  rows[1].cache = CacheState::kDropFailed;
  EXPECT_EQ(SummaryOf(SummariseRounds(rows), "lmdb").cache, CacheState::kDropFailed);
}

}  // namespace
}  // namespace docdb::ycsb
