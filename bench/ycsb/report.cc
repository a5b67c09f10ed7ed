// Text and JSON reports (report.h).
#include "bench/ycsb/report.h"

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include "bench/ycsb/rounds.h"
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

std::string StatusText(const RoundSummary& summary) {
  if (summary.ok()) return "ok";
  return "FAILED (" + std::to_string(summary.errors) + " errors, " +
         std::to_string(summary.wrong_reads) + " wrong reads)";
}

// The header of a table; `show_range` adds the min and max ops/s columns, which only a
// run of several rounds has.
std::string TableHeader(bool show_range) {
  char part[128];
  std::snprintf(part, sizeof(part), "%-12s %-10s %7s %6s %11s", "engine", "durability", "threads",
                "cache", "ops/s");
  std::string line = part;
  if (show_range) {
    std::snprintf(part, sizeof(part), " %11s %11s", "min ops/s", "max ops/s");
    line += part;
  }
  std::snprintf(part, sizeof(part), " %9s %9s %9s %9s %9s  %s\n", "p50 us", "p99 us", "p99.9 us",
                "vs docdb", "verified", "status");
  return line + part;
}

// One line of a table, columns as in TableHeader(show_range).
std::string TableLine(const RoundSummary& s, bool show_range) {
  char part[256];
  std::snprintf(part, sizeof(part), "%-12s %-10s %7d %6s %11.0f", s.engine.c_str(),
                std::string(DurabilityModeName(s.durability)).c_str(), s.threads,
                s.cache == CacheState::kCold ? "cold" : "warm", s.ops_per_s);
  std::string line = part;
  if (show_range) {
    std::snprintf(part, sizeof(part), " %11.0f %11.0f", s.min_ops_per_s, s.max_ops_per_s);
    line += part;
  }
  const std::string ratio = s.ratio_to_baseline ? Format("x%.2f", *s.ratio_to_baseline) : "-";
  std::snprintf(part, sizeof(part), " %9.1f %9.1f %9.1f %9s %9llu  %s\n", s.p50_us, s.p99_us,
                s.p999_us, ratio.c_str(), static_cast<unsigned long long>(s.reads_verified),
                StatusText(s).c_str());
  return line + part;
}

void PrintTable(const std::string& workload, const std::vector<RoundSummary>& summaries,
                bool show_range, std::ostream& out) {
  std::string title = workload == "load" ? "load: insert the records" : workload;
  if (Result<WorkloadSpec> spec = FindWorkload(workload); spec.ok()) {
    title = "Workload " + workload + ": " + spec->description;
  }
  out << "\n== " << title << "\n" << TableHeader(show_range);
  for (const RoundSummary& summary : summaries) {
    if (summary.workload == workload) out << TableLine(summary, show_range);
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
  w.Key("rounds");
  w.Int(config.rounds);
  w.EndObject();
}

// `"ratio_to_docdb": ratio`, null when there is none.
void WriteRatioJson(const std::optional<double>& ratio, JsonWriter& w) {
  w.Key("ratio_to_docdb");
  if (ratio) {
    w.Double(*ratio);
  } else {
    w.Null();
  }
}

// What a row or a summary measured: the members both begin with.
void WriteMeasurementJson(const std::string& workload, const std::string& engine,
                          DurabilityMode durability, int threads, CacheState cache, JsonWriter& w) {
  w.Key("workload");
  w.String(workload);
  w.Key("engine");
  w.String(engine);
  w.Key("durability");
  w.String(std::string(DurabilityModeName(durability)));
  w.Key("threads");
  w.Int(threads);
  w.Key("cache");
  w.String(std::string(CacheStateName(cache)));
}

// What a row or a summary found: the members both end with.
void WriteOutcomeJson(uint64_t reads_verified, uint64_t errors, uint64_t wrong_reads,
                      const std::string& first_failure, JsonWriter& w) {
  w.Key("reads_verified");
  w.Uint64(reads_verified);
  w.Key("errors");
  w.Uint64(errors);
  w.Key("wrong_reads");
  w.Uint64(wrong_reads);
  w.Key("first_failure");
  w.String(first_failure);
}

void WriteRowJson(const BenchReport& report, const ReportRow& row, JsonWriter& w) {
  const RunResult& r = row.result;
  w.StartObject();
  WriteMeasurementJson(row.workload, row.engine, row.durability, row.threads, row.cache, w);
  w.Key("round");
  w.Int(row.round);
  w.Key("operations");
  w.Uint64(r.operations);
  w.Key("seconds");
  w.Double(r.seconds);
  w.Key("ops_per_s");
  w.Double(r.ops_per_s());
  r.latency.WritePercentilesJson(w);
  WriteRatioJson(RatioToBaseline(report.rows, row), w);
  WriteOutcomeJson(r.reads_verified, r.errors, r.wrong_reads, r.first_failure, w);
  w.EndObject();
}

// A summary has a raw row's members (its figures the medians, its counts the totals),
// plus how many rounds it covers and the range of their ops/s.
void WriteSummaryJson(const RoundSummary& s, JsonWriter& w) {
  w.StartObject();
  WriteMeasurementJson(s.workload, s.engine, s.durability, s.threads, s.cache, w);
  w.Key("rounds");
  w.Int(s.rounds);
  w.Key("ops_per_s");
  w.Double(s.ops_per_s);
  w.Key("min_ops_per_s");
  w.Double(s.min_ops_per_s);
  w.Key("max_ops_per_s");
  w.Double(s.max_ops_per_s);
  w.Key("p50_us");
  w.Double(s.p50_us);
  w.Key("p99_us");
  w.Double(s.p99_us);
  w.Key("p999_us");
  w.Double(s.p999_us);
  WriteRatioJson(s.ratio_to_baseline, w);
  WriteOutcomeJson(s.reads_verified, s.errors, s.wrong_reads, s.first_failure, w);
  w.EndObject();
}

}  // namespace

void PrintTables(const BenchConfig& config, const BenchReport& report, std::ostream& out) {
  out << "docdb-bench: " << config.documents << " documents, "
      << (config.operations > 0 ? std::to_string(config.operations) + " operations" : "")
      << (config.duration_s > 0 ? Format(" at most %.1f s", config.duration_s) : "")
      << " per workload, seed " << config.seed
      << ". Latencies per operation; 'vs docdb' = ops/s divided by DocDB's.\n";
  const bool several_rounds = config.rounds > 1;
  if (several_rounds) {
    out << config.rounds
        << " rounds, the engine order reversed every other round. Figures are medians over the"
           " rounds ('vs docdb': of each round's own ratio); min/max ops/s: the slowest and"
           " fastest round; verified: the total.\n";
  }
  const std::vector<RoundSummary> summaries = SummariseRounds(report.rows);
  for (const std::string& workload : WorkloadOrder(config)) {
    PrintTable(workload, summaries, several_rounds, out);
  }
  for (const std::string& note : report.notes) out << "\nnote: " << note << "\n";
  for (const ReportRow& row : report.rows) {
    if (row.result.ok()) continue;
    out << "\nFAILED " << row.workload << " " << row.engine << " "
        << DurabilityModeName(row.durability) << " threads " << row.threads
        << (several_rounds ? " round " + std::to_string(row.round) : "") << ": "
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
  w.Key("summary");
  w.StartArray();
  for (const RoundSummary& summary : SummariseRounds(report.rows)) WriteSummaryJson(summary, w);
  w.EndArray();
  w.EndObject();
  file << "\n";
  file.close();
  if (!file) return Status::IoError("cannot write " + path);
  return Status::OK();
}

}  // namespace docdb::ycsb
