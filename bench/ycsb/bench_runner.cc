// BenchRunner (bench_runner.h).
#include "bench/ycsb/bench_runner.h"

#include <filesystem>
#include <iomanip>

#include "bench/ycsb/acknowledged_counter.h"
#include "bench/ycsb/cold_cache.h"
#include "bench/ycsb/rounds.h"
#include "bench/ycsb/store_registry.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

// A row standing for a step that failed before any operation ran.
ReportRow FailedStep(std::string step, int round, const std::string& engine,
                     DurabilityMode durability, int threads, const Status& status) {
  ReportRow row;
  row.workload = std::move(step);
  row.engine = engine;
  row.durability = durability;
  row.threads = threads;
  row.round = round;
  row.result.errors = 1;
  row.result.first_failure = status.ToString();
  return row;
}

std::string StoreDir(const BenchConfig& config, const std::string& engine,
                     DurabilityMode durability, int threads) {
  return (std::filesystem::path(config.data_dir) /
          (engine + "-" + std::string(DurabilityModeName(durability)) + "-t" +
           std::to_string(threads)))
      .string();
}

// An empty directory at `dir`, whatever was there before.
Status ResetDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!ec) std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot reset " + dir + ": " + ec.message(), ec.value());
  return Status::OK();
}

}  // namespace

std::string_view CacheStateName(CacheState state) {
  switch (state) {
    case CacheState::kWarm:
      return "warm";
    case CacheState::kCold:
      return "cold";
    case CacheState::kDropFailed:
      return "warm-drop-refused";
  }
  return "unknown";
}

BenchRunner::BenchRunner(BenchConfig config) : config_(std::move(config)) {}

BenchReport BenchRunner::Run(std::ostream& progress) {
  BenchReport report;
  for (int round = 1; round <= config_.rounds; ++round) {
    for (const std::string& engine : EngineOrderOfRound(config_.engines, round)) {
      for (const DurabilityMode durability : config_.durabilities) {
        for (const int threads : config_.threads) {
          RunEngine(round, engine, durability, threads, progress, &report);
        }
      }
    }
  }
  return report;
}

void BenchRunner::RunEngine(int round, const std::string& engine, DurabilityMode durability,
                            int threads, std::ostream& progress, BenchReport* report) {
  const std::string dir = StoreDir(config_, engine, durability, threads);
  Result<std::unique_ptr<DocStore>> store = NewStore(engine);
  Status status = store.ok() ? ResetDir(dir) : store.status();
  if (status.ok()) status = (*store)->Open(dir, durability);
  if (!status.ok()) {
    AddRow(FailedStep("open", round, engine, durability, threads, status), progress, report);
    return;
  }
  AcknowledgedCounter inserted(0);
  WorkloadRunner runner(store->get(), &inserted);
  ReportRow load{"load", engine, durability, threads, CacheState::kWarm, {}, round};
  load.result = runner.Load(config_.documents, threads);
  AddRow(std::move(load), progress, report);
  for (const WorkloadSpec& spec : config_.workloads) {
    ReportRow row{spec.name, engine, durability, threads, CacheState::kWarm, {}, round};
    status = PrepareCache(store->get(), dir, durability, &row.cache, report);
    if (!status.ok()) {
      AddRow(FailedStep(spec.name, round, engine, durability, threads, status), progress, report);
      break;
    }
    const RunOptions options{threads, config_.operations, config_.duration_s, config_.seed};
    row.result = runner.Run(spec, options);
    AddRow(std::move(row), progress, report);
  }
  status = (*store)->Close();
  if (!status.ok())
    AddRow(FailedStep("close", round, engine, durability, threads, status), progress, report);
  // Best effort: a leftover directory costs disk space, never a wrong result.
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

Status BenchRunner::PrepareCache(DocStore* store, const std::string& dir, DurabilityMode durability,
                                 CacheState* state, BenchReport* report) {
  *state = CacheState::kWarm;
  if (!config_.cold_cache) return Status::OK();
  // Closing first empties the engine's own caches and writes its files back, so that
  // the drop leaves nothing of the data in memory.
  DOCDB_RETURN_IF_ERROR(store->Close());
  const Status dropped = DropPageCache();
  *state = dropped.ok() ? CacheState::kCold : CacheState::kDropFailed;
  if (!dropped.ok() && !noted_drop_refused_) {
    noted_drop_refused_ = true;
    report->notes.push_back("cold cache requested but the page cache could not be dropped (" +
                            dropped.ToString() +
                            "): stores were closed and reopened, the OS page cache stayed warm");
  }
  return store->Open(dir, durability);
}

void BenchRunner::AddRow(ReportRow row, std::ostream& progress, BenchReport* report) {
  const RunResult& r = row.result;
  // One round's lines look as they always did; several rounds say which each line is of.
  if (config_.rounds > 1) progress << "round " << row.round << "/" << config_.rounds << "  ";
  progress << std::left << std::setw(6) << row.workload << std::setw(12) << row.engine
           << std::setw(8) << DurabilityModeName(row.durability) << " threads " << row.threads
           << ": " << std::fixed << std::setprecision(0) << r.ops_per_s() << " ops/s"
           << (r.ok() ? "" : "  FAILED: " + r.first_failure) << "\n"
           << std::flush;
  if (!r.ok()) report->ok = false;
  report->rows.push_back(std::move(row));
}

}  // namespace docdb::ycsb
