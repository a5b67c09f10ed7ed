// The results of a docdb-bench run as text tables (one per workload, every peer's ratio
// to DocDB) and as JSON (docs/performance-ycsb.md, "Reading the output").
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "bench/ycsb/bench_runner.h"

namespace docdb::ycsb {

// ops/s of `row` divided by DocDB's at the same workload, durability and thread count;
// nullopt when DocDB did not run there or did nothing.
std::optional<double> RatioToBaseline(const BenchReport& report, const ReportRow& row);

// One table per workload, in run order, then the notes and the failures.
void PrintTables(const BenchConfig& config, const BenchReport& report, std::ostream& out);

// The configuration, the engines built in, the notes and every row, as one JSON object.
Status WriteJsonReport(const BenchConfig& config, const BenchReport& report,
                       const std::string& path);

}  // namespace docdb::ycsb
