// docdb-bench: the YCSB-style macro benchmark comparing DocDB with RocksDB, WiredTiger,
// SQLite, LMDB and LevelDB used as document stores, in one run
// (docs/performance-ycsb.md). Exit codes: 0 every run completed with correct reads;
// 1 a store failed or returned wrong data; 2 usage error.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "bench/ycsb/bench_runner.h"
#include "bench/ycsb/report.h"
#include "bench/ycsb/store_registry.h"
#include "bench/ycsb/svg_chart.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRunFailed = 1;
constexpr int kExitUsage = 2;

// The command line before it is checked and turned into a BenchConfig.
struct Args {
  int64_t documents = 100'000;
  uint64_t operations = 100'000;
  double duration_s = 0;
  std::vector<int> threads = {1};
  std::vector<std::string> workloads = {"all"};
  std::vector<std::string> engines = {"all"};
  std::string durability = "both";
  std::string data_dir = (std::filesystem::temp_directory_path() / "docdb-bench-ycsb").string();
  uint64_t seed = 1;
  bool cold_cache = false;
  int rounds = 1;
  bool list_engines = false;
  std::string json_out;
  std::string svg_out;
};

void AddOptions(CLI::App& app, Args& args) {
  app.add_option("-n,--documents", args.documents, "Records loaded before the workloads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("-o,--operations", args.operations,
                 "Operations per workload run, all threads together (0: run --duration-s)")
      ->capture_default_str();
  app.add_option("--duration-s", args.duration_s,
                 "Stop each workload run after this long (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("-t,--threads", args.threads, "Client thread counts, e.g. 1,2,8")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("-w,--workloads", args.workloads, "Workloads among A,B,C,D,E,F,W, or all")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("-e,--engines", args.engines,
                 "Engines (see --list-engines), or all; docdb is the baseline of every ratio")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("-d,--durability", args.durability, "durable, relaxed or both")
      ->capture_default_str()
      ->check(CLI::IsMember({"durable", "relaxed", "both"}));
  app.add_option("--data-dir", args.data_dir, "Where stores are created (and removed after)")
      ->capture_default_str();
  app.add_option("--seed", args.seed, "Seed of every random choice")->capture_default_str();
  app.add_flag("--cold-cache", args.cold_cache,
               "Before each workload: close the store, drop the OS page cache, reopen");
  app.add_option("--rounds", args.rounds,
                 "Run every engine this many times, the order reversed every other round; "
                 "the tables give medians")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--json-out", args.json_out, "Also write the results as JSON to this file");
  app.add_option("--svg-out", args.svg_out, "Also write a throughput chart (SVG) to this file");
  app.add_flag("--list-engines", args.list_engines, "Print the engines built in and exit");
}

Status ResolveWorkloads(const std::vector<std::string>& names, BenchConfig* config) {
  if (names.size() == 1 && names[0] == "all") {
    config->workloads = AllWorkloads();
    return Status::OK();
  }
  for (const std::string& name : names) {
    DOCDB_ASSIGN_OR_RETURN(WorkloadSpec spec, FindWorkload(name));
    config->workloads.push_back(std::move(spec));
  }
  return Status::OK();
}

Status ResolveEngines(const std::vector<std::string>& names, BenchConfig* config) {
  if (names.size() == 1 && names[0] == "all") {
    config->engines = CompiledEngineNames();
    return Status::OK();
  }
  for (const std::string& name : names) {
    DOCDB_RETURN_IF_ERROR(NewStore(name).status());  // InvalidArgument when not built in
    config->engines.push_back(name);
  }
  return Status::OK();
}

Result<BenchConfig> MakeConfig(const Args& args) {
  if (args.operations == 0 && args.duration_s <= 0) {
    return Status::InvalidArgument("--operations 0 needs a --duration-s");
  }
  BenchConfig config;
  config.documents = args.documents;
  config.operations = args.operations;
  config.duration_s = args.duration_s;
  config.threads = args.threads;
  config.data_dir = args.data_dir;
  config.seed = args.seed;
  config.cold_cache = args.cold_cache;
  config.rounds = args.rounds;
  if (args.durability != "relaxed") config.durabilities.push_back(DurabilityMode::kDurable);
  if (args.durability != "durable") config.durabilities.push_back(DurabilityMode::kRelaxed);
  DOCDB_RETURN_IF_ERROR(ResolveWorkloads(args.workloads, &config));
  DOCDB_RETURN_IF_ERROR(ResolveEngines(args.engines, &config));
  return config;
}

// Prints the tables and writes the requested files; false when a file could not be.
bool Publish(const Args& args, const BenchConfig& config, const BenchReport& report) {
  PrintTables(config, report, std::cout);
  bool written = true;
  if (!args.json_out.empty()) {
    const Status s = WriteJsonReport(config, report, args.json_out);
    if (!s.ok()) std::cerr << "docdb-bench: " << s.ToString() << "\n";
    written = written && s.ok();
  }
  if (!args.svg_out.empty()) {
    const Status s = WriteSvgChart(config, report, args.svg_out);
    if (!s.ok()) std::cerr << "docdb-bench: " << s.ToString() << "\n";
    written = written && s.ok();
  }
  return written;
}

int Run(int argc, char** argv) {
  CLI::App app{"docdb-bench: YCSB-style workloads on DocDB and peer engines, in one run"};
  app.set_version_flag("--version", std::string("docdb-bench ") + DOCDB_VERSION);
  app.footer("Exit codes: 0 ok; 1 a run failed or an engine returned wrong data; 2 usage.");
  Args args;
  AddOptions(app, args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (args.list_engines) {
    for (const std::string& engine : CompiledEngineNames()) std::cout << engine << "\n";
    return kExitOk;
  }
  Result<BenchConfig> config = MakeConfig(args);
  if (!config.ok()) {
    std::cerr << "docdb-bench: " << config.status().ToString() << "\n";
    return kExitUsage;
  }
  BenchRunner runner(*config);
  const BenchReport report = runner.Run(std::cerr);
  const bool published = Publish(args, *config, report);
  return report.ok && published ? kExitOk : kExitRunFailed;
}

}  // namespace
}  // namespace docdb::ycsb

int main(int argc, char** argv) { return docdb::ycsb::Run(argc, argv); }
