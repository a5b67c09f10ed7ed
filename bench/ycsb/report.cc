// Text and JSON reports (report.h).
#include "bench/ycsb/report.h"

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "bench/ycsb/store_registry.h"

namespace docdb::ycsb {
namespace {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::OStreamWrapper>;

// "load" then the configured workloads: the order rows were produced in.
std::vector<std::string> WorkloadOrder(const BenchConfig& config) {
  std::vector<std::string> order = {"load"};
  for (const WorkloadSpec& spec : config.workloads) order.push_back(spec.name);
  return order;
}

std::string Format(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, value);
  return buf;
}

std::string StatusText(const ReportRow& row) {
  const RunResult& r = row.result;
  if (r.ok()) return "ok";
  return "FAILED (" + std::to_string(r.errors) + " errors, " + std::to_string(r.wrong_reads) +
         " wrong reads)";
}

void PrintTable(const std::string& workload, const BenchReport& report, std::ostream& out) {
  std::string title = workload == "load" ? "load: insert the records" : workload;
  if (Result<WorkloadSpec> spec = FindWorkload(workload); spec.ok()) {
    title = "Workload " + workload + ": " + spec->description;
  }
  out << "\n== " << title << "\n";
  char line[256];
  std::snprintf(line, sizeof(line), "%-12s %-10s %7s %6s %11s %9s %9s %9s %9s %9s  %s\n", "engine",
                "durability", "threads", "cache", "ops/s", "p50 us", "p99 us", "p99.9 us",
                "vs docdb", "verified", "status");
  out << line;
  for (const ReportRow& row : report.rows) {
    if (row.workload != workload) continue;
    const RunResult& r = row.result;
    const std::optional<double> ratio = RatioToBaseline(report, row);
    std::snprintf(line, sizeof(line),
                  "%-12s %-10s %7d %6s %11.0f %9.1f %9.1f %9.1f %9s %9llu  %s\n",
                  row.engine.c_str(), std::string(DurabilityModeName(row.durability)).c_str(),
                  row.threads, row.cache == CacheState::kCold ? "cold" : "warm", r.ops_per_s(),
                  r.latency.PercentileUs(0.50), r.latency.PercentileUs(0.99),
                  r.latency.PercentileUs(0.999), ratio ? Format("x%.2f", *ratio).c_str() : "-",
                  static_cast<unsigned long long>(r.reads_verified), StatusText(row).c_str());
    out << line;
  }
}

// Writes `"key": [...]`, each item by `write_item`.
template <typename Items, typename WriteItem>
void WriteArray(JsonWriter& w, const char* key, const Items& items, WriteItem write_item) {
  w.Key(key);
  w.StartArray();
  for (const auto& item : items) write_item(item);
  w.EndArray();
}

void WriteConfigJson(const BenchConfig& config, JsonWriter& w) {
  w.Key("config");
  w.StartObject();
  w.Key("documents");
  w.Int64(config.documents);
  w.Key("operations");
  w.Uint64(config.operations);
  w.Key("duration_s");
  w.Double(config.duration_s);
  WriteArray(w, "threads", config.threads, [&](int t) { w.Int(t); });
  WriteArray(w, "workloads", config.workloads,
             [&](const WorkloadSpec& spec) { w.String(spec.name); });
  WriteArray(w, "engines", config.engines, [&](const std::string& e) { w.String(e); });
  WriteArray(w, "durabilities", config.durabilities,
             [&](DurabilityMode d) { w.String(std::string(DurabilityModeName(d))); });
  w.Key("seed");
  w.Uint64(config.seed);
  w.Key("cold_cache");
  w.Bool(config.cold_cache);
  w.EndObject();
}

void WriteRowJson(const BenchReport& report, const ReportRow& row, JsonWriter& w) {
  const RunResult& r = row.result;
  w.StartObject();
  w.Key("workload");
  w.String(row.workload);
  w.Key("engine");
  w.String(row.engine);
  w.Key("durability");
  w.String(std::string(DurabilityModeName(row.durability)));
  w.Key("threads");
  w.Int(row.threads);
  w.Key("cache");
  w.String(std::string(CacheStateName(row.cache)));
  w.Key("operations");
  w.Uint64(r.operations);
  w.Key("seconds");
  w.Double(r.seconds);
  w.Key("ops_per_s");
  w.Double(r.ops_per_s());
  r.latency.WritePercentilesJson(w);
  w.Key("ratio_to_docdb");
  if (const std::optional<double> ratio = RatioToBaseline(report, row)) {
    w.Double(*ratio);
  } else {
    w.Null();
  }
  w.Key("reads_verified");
  w.Uint64(r.reads_verified);
  w.Key("errors");
  w.Uint64(r.errors);
  w.Key("wrong_reads");
  w.Uint64(r.wrong_reads);
  w.Key("first_failure");
  w.String(r.first_failure);
  w.EndObject();
}

}  // namespace

std::optional<double> RatioToBaseline(const BenchReport& report, const ReportRow& row) {
  for (const ReportRow& base : report.rows) {
    if (base.engine == kBaselineEngine && base.workload == row.workload &&
        base.durability == row.durability && base.threads == row.threads) {
      const double base_ops = base.result.ops_per_s();
      if (base_ops <= 0) return std::nullopt;
      return row.result.ops_per_s() / base_ops;
    }
  }
  return std::nullopt;
}

void PrintTables(const BenchConfig& config, const BenchReport& report, std::ostream& out) {
  out << "docdb-bench: " << config.documents << " documents, "
      << (config.operations > 0 ? std::to_string(config.operations) + " operations" : "")
      << (config.duration_s > 0 ? Format(" at most %.1f s", config.duration_s) : "")
      << " per workload, seed " << config.seed
      << ". Latencies per operation; 'vs docdb' = ops/s divided by DocDB's.\n";
  for (const std::string& workload : WorkloadOrder(config)) PrintTable(workload, report, out);
  for (const std::string& note : report.notes) out << "\nnote: " << note << "\n";
  for (const ReportRow& row : report.rows) {
    if (row.result.ok()) continue;
    out << "\nFAILED " << row.workload << " " << row.engine << " "
        << DurabilityModeName(row.durability) << " threads " << row.threads << ": "
        << row.result.first_failure << "\n";
  }
}

Status WriteJsonReport(const BenchConfig& config, const BenchReport& report,
                       const std::string& path) {
  std::ofstream file(path);
  if (!file) return Status::IoError("cannot create " + path);
  rapidjson::OStreamWrapper stream(file);
  JsonWriter w(stream);
  w.StartObject();
  w.Key("tool");
  w.String("docdb-bench");
  w.Key("version");
  w.String(DOCDB_VERSION);
  WriteConfigJson(config, w);
  w.Key("compiled_engines");
  w.StartArray();
  for (const std::string& engine : CompiledEngineNames()) w.String(engine);
  w.EndArray();
  w.Key("notes");
  w.StartArray();
  for (const std::string& note : report.notes) w.String(note);
  w.EndArray();
  w.Key("ok");
  w.Bool(report.ok);
  w.Key("rows");
  w.StartArray();
  for (const ReportRow& row : report.rows) WriteRowJson(report, row, w);
  w.EndArray();
  w.EndObject();
  file << "\n";
  file.close();
  if (!file) return Status::IoError("cannot write " + path);
  return Status::OK();
}

}  // namespace docdb::ycsb
