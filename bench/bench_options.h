// The engine options DocDB's benchmarks (microbench, docdb-bench) start from, with the
// switches that measure what a feature costs (docs/performance.md):
// DOCDB_BENCH_METRICS=false runs without operation metrics, DOCDB_BENCH_WAL_DIRECT_IO=false
// with a buffered WAL (write + fdatasync), DOCDB_BENCH_SEGMENT_BUFFER=false with every
// data-segment record written as it comes. Thread-safety: reads the environment.
#pragma once

#include <cstdlib>
#include <string_view>

#include "docdb/options.h"

namespace docdb::bench {

// False only when the variable is set to "false".
inline bool EnvSwitch(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr || std::string_view(value) != "false";
}

inline Options BenchEngineOptions() {
  Options options;
  options.metrics_enabled = EnvSwitch("DOCDB_BENCH_METRICS");
  options.wal_direct_io = EnvSwitch("DOCDB_BENCH_WAL_DIRECT_IO");
  if (!EnvSwitch("DOCDB_BENCH_SEGMENT_BUFFER")) options.data_segment_buffer_bytes = 0;
  return options;
}

}  // namespace docdb::bench
