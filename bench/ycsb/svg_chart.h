// The throughput chart of a docdb-bench run, written directly as SVG text: one panel per
// workload and durability, bars grouped by thread count, one colour per engine, each bar
// the median ops/s over the rounds (docs/performance-ycsb.md, "Reading the output").
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "bench/ycsb/bench_runner.h"

namespace docdb::ycsb {

// The whole SVG document.
std::string RenderSvgChart(const BenchConfig& config, const BenchReport& report);

// RenderSvgChart written to `path`; IoError when it cannot be.
Status WriteSvgChart(const BenchConfig& config, const BenchReport& report, const std::string& path);

}  // namespace docdb::ycsb
