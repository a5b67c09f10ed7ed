// BenchRunner: a whole docdb-bench run, every engine x durability x thread count, each
// on a fresh store: load, then the chosen workloads in order; all of it once per round
// (docs/performance-ycsb.md, "Method", "Rounds"). Thread-safety: one Run at a time.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "bench/ycsb/doc_store.h"
#include "bench/ycsb/workload.h"
#include "bench/ycsb/workload_runner.h"

namespace docdb::ycsb {

struct BenchConfig {
  int64_t documents = 100'000;
  uint64_t operations = 100'000;  // per workload run, all threads together; 0 = by time
  double duration_s = 0;          // per workload run; 0 = no time limit
  std::vector<int> threads = {1};
  std::vector<WorkloadSpec> workloads;
  std::vector<std::string> engines;
  std::vector<DurabilityMode> durabilities;
  std::string data_dir;
  uint64_t seed = 1;
  bool cold_cache = false;
  int rounds = 1;  // times the whole engine sequence runs, the order alternating
};

// How the page cache stood when a workload started.
enum class CacheState {
  kWarm,        // as the load (or the previous workload) left it
  kCold,        // store closed, page cache dropped, store reopened
  kDropFailed,  // cold was asked for; the store was reopened but the drop was refused
};
std::string_view CacheStateName(CacheState state);  // "warm", "cold", "warm-drop-refused"

struct ReportRow {
  std::string workload;  // "load", "A" .. "F", "W"
  std::string engine;
  DurabilityMode durability = DurabilityMode::kDurable;
  int threads = 1;
  CacheState cache = CacheState::kWarm;
  RunResult result;
  int round = 1;  // 1 .. BenchConfig::rounds
};

struct BenchReport {
  std::vector<ReportRow> rows;     // every round's, in the order they ran
  std::vector<std::string> notes;  // things the reader must know (a refused cache drop)
  bool ok = true;                  // every engine opened, ran and read correctly
};

class BenchRunner {
 public:
  explicit BenchRunner(BenchConfig config);

  // Runs everything config.rounds times, round r in EngineOrderOfRound(engines, r),
  // printing one progress line per row to `progress`. Stores are created under
  // config.data_dir and removed after their runs, so every round starts on fresh ones.
  BenchReport Run(std::ostream& progress);

 private:
  // Load and workloads of one engine at one durability and thread count, in `round`.
  void RunEngine(int round, const std::string& engine, DurabilityMode durability, int threads,
                 std::ostream& progress, BenchReport* report);
  // Close, drop the page cache, reopen, when cold-cache runs were asked for.
  Status PrepareCache(DocStore* store, const std::string& dir, DurabilityMode durability,
                      CacheState* state, BenchReport* report);
  void AddRow(ReportRow row, std::ostream& progress, BenchReport* report);

  BenchConfig config_;
  bool noted_drop_refused_ = false;
};

}  // namespace docdb::ycsb
