// The results of a docdb-bench run as text tables (one per workload, every peer's ratio
// to DocDB, medians over the rounds) and as JSON (docs/performance-ycsb.md, "Reading the
// output"). Thread-safety: pure functions.
#pragma once

#include <ostream>
#include <string>

#include "bench/ycsb/bench_runner.h"

namespace docdb::ycsb {

// One table per workload, in run order, of the rows summarised over the rounds
// (SummariseRounds), then the notes and the failures of every round.
void PrintTables(const BenchConfig& config, const BenchReport& report, std::ostream& out);

// The configuration, the engines built in, the notes, every round's rows and their
// summaries, as one JSON object.
Status WriteJsonReport(const BenchConfig& config, const BenchReport& report,
                       const std::string& path);

}  // namespace docdb::ycsb
