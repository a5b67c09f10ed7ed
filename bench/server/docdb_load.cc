// docdb-load: a load generator for docdbd in the style of redis-benchmark
// (bench/server/README.md). One thread, N connections, P requests in flight on each;
// prints ops/s, errors and p50/p99/p99.9 latency. Exit codes: 0 every reply was OK;
// 1 the run broke (connection refused or lost, malformed reply, no reply in time);
// 2 usage error; 3 the run completed but some replies carried an error status.
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/writer.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "bench/server/load_generator.h"

namespace docdb::serverbench {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRunFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitReplyErrors = 3;

// The shortest document BuildDocument makes: {"field0":"xyz"}.
constexpr uint32_t kMinDocumentBytes = 16;

using JsonWriter = rapidjson::Writer<rapidjson::OStreamWrapper>;

struct Args {
  std::string socket_path;
  uint32_t connections = 1;
  uint32_t pipeline = 1;
  std::string workload_name = "put";
  Workload workload = Workload::kPut;  // from workload_name
  uint64_t records = 100'000;
  uint32_t value_bytes = 1024;
  double seconds = 10;
  uint64_t requests = 0;
  bool load = false;
  uint32_t load_pipeline = 64;
  uint64_t seed = 1;
  std::string db = "default";
  std::string collection = "default";
  bool json = false;
  bool print_document = false;
};

const char* WorkloadName(Workload w) {
  switch (w) {
    case Workload::kPut:
      return "put";
    case Workload::kGet:
      return "get";
    case Workload::kMixed:
      return "mixed";
  }
  return "?";
}

// One of the names --workload accepts.
Workload ParseWorkload(const std::string& name) {
  if (name == "get") return Workload::kGet;
  if (name == "mixed") return Workload::kMixed;
  return Workload::kPut;
}

// A YCSB-like record of exactly `bytes` bytes: {"field0":"...",...} with up to ten
// fields (one per 100 bytes) of filler letters and digits, the same on every call.
std::string BuildDocument(uint32_t bytes) {
  const uint32_t fields = std::clamp<uint32_t>(bytes / 100, 1, 10);
  // Braces, the commas between fields, and `"fieldK":""` (11 bytes) for each.
  const uint32_t overhead = 2 + (fields - 1) + fields * 11;
  const uint32_t filler = bytes - overhead;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t state = 0x9E3779B97F4A7C15ull;
  std::string doc = "{";
  for (uint32_t f = 0; f < fields; ++f) {
    if (f > 0) doc += ',';
    doc += "\"field" + std::to_string(f) + "\":\"";
    const uint32_t length = filler / fields + (f < filler % fields ? 1 : 0);
    for (uint32_t i = 0; i < length; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      doc += kAlphabet[(state >> 33) % (sizeof kAlphabet - 1)];
    }
    doc += '"';
  }
  doc += '}';
  return doc;
}

void AddOptions(CLI::App& app, Args& args) {
  app.add_option("-s,--socket", args.socket_path, "docdbd's Unix socket (required for a run)");
  app.add_option("-c,--connections", args.connections, "Connections, all driven by one thread")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000));
  app.add_option("-P,--pipeline", args.pipeline, "Requests in flight per connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 65'536));
  app.add_option("-w,--workload", args.workload_name, "put, get or mixed (half gets, half puts)")
      ->capture_default_str()
      ->check(CLI::IsMember({"put", "get", "mixed"}));
  app.add_option("-r,--records", args.records, "Keyspace: keys user000000000000 .. records-1")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("-d,--value-bytes", args.value_bytes, "Size of the JSON document a put writes")
      ->capture_default_str()
      ->check(CLI::Range(kMinDocumentBytes, 16u << 20));
  app.add_option("--seconds", args.seconds, "Duration of the run (unless --requests)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("-n,--requests", args.requests, "Requests of the run, instead of --seconds")
      ->capture_default_str();
  app.add_flag("--load", args.load, "First put every record once, keys in order");
  app.add_option("--load-pipeline", args.load_pipeline,
                 "Requests in flight per connection in --load")
      ->capture_default_str()
      ->check(CLI::Range(1, 65'536));
  app.add_option("--seed", args.seed, "Seed of the key and operation choices")
      ->capture_default_str();
  app.add_option("--db", args.db, "Database")->capture_default_str();
  app.add_option("--collection", args.collection, "Collection")->capture_default_str();
  app.add_flag("--json", args.json, "Print one JSON object instead of text");
  app.add_flag("--print-document", args.print_document,
               "Print the document a put writes and exit (for other benchmarks' scripts)");
}

void PrintPhaseText(const char* name, const PhaseResult& r) {
  std::printf("%s: %llu requests in %.2f s: %.0f ops/s, %llu errors", name,
              static_cast<unsigned long long>(r.completed), r.elapsed_s, r.ops_per_s(),
              static_cast<unsigned long long>(r.errors));
  if (r.not_found > 0) {
    std::printf(" (%llu not found)", static_cast<unsigned long long>(r.not_found));
  }
  std::printf("\n  latency us: p50 %.1f  p99 %.1f  p99.9 %.1f\n", r.latency.PercentileUs(0.50),
              r.latency.PercentileUs(0.99), r.latency.PercentileUs(0.999));
  if (!r.first_error.ok()) std::printf("  first error: %s\n", r.first_error.ToString().c_str());
}

void WritePhaseJson(JsonWriter& w, const PhaseResult& r) {
  w.StartObject();
  w.Key("requests");
  w.Uint64(r.completed);
  w.Key("errors");
  w.Uint64(r.errors);
  w.Key("not_found");
  w.Uint64(r.not_found);
  w.Key("seconds");
  w.Double(r.elapsed_s);
  w.Key("ops_per_s");
  w.Double(r.ops_per_s());
  r.latency.WritePercentilesJson(w);
  w.Key("first_error");
  if (r.first_error.ok()) {
    w.Null();
  } else {
    w.String(r.first_error.ToString());
  }
  w.EndObject();
}

void PrintJson(const Args& args, const std::optional<PhaseResult>& load, const PhaseResult& run) {
  rapidjson::OStreamWrapper out(std::cout);
  JsonWriter w(out);
  w.StartObject();
  w.Key("workload");
  w.String(WorkloadName(args.workload));
  w.Key("connections");
  w.Uint(args.connections);
  w.Key("pipeline");
  w.Uint(args.pipeline);
  w.Key("records");
  w.Uint64(args.records);
  w.Key("value_bytes");
  w.Uint(args.value_bytes);
  w.Key("seed");
  w.Uint64(args.seed);
  if (load) {
    w.Key("load");
    WritePhaseJson(w, *load);
  }
  w.Key("run");
  WritePhaseJson(w, run);
  w.EndObject();
  std::cout << "\n";
}

int Fail(const char* during, const Status& status) {
  std::cerr << "docdb-load: " << during << ": " << status.ToString() << "\n";
  return kExitRunFailed;
}

int Run(const Args& args) {
  LoadTarget target;
  target.socket_path = args.socket_path;
  target.db = args.db;
  target.collection = args.collection;
  target.connections = args.connections;
  target.records = args.records;
  target.document = BuildDocument(args.value_bytes);
  target.seed = args.seed;
  Result<std::unique_ptr<LoadGenerator>> gen = LoadGenerator::Connect(target);
  if (!gen.ok()) return Fail("connecting", gen.status());
  if (args.pipeline > (*gen)->server_max_in_flight()) {
    std::cerr << "docdb-load: warning: docdbd serves " << (*gen)->server_max_in_flight()
              << " requests per connection at once, fewer than --pipeline " << args.pipeline
              << "\n";
  }

  std::optional<PhaseResult> load;
  if (args.load) {
    PhaseSpec spec;
    spec.workload = Workload::kPut;
    spec.sequential_keys = true;
    spec.pipeline = args.load_pipeline;
    spec.requests = args.records;
    Result<PhaseResult> r = (*gen)->Run(spec);
    if (!r.ok()) return Fail("loading", r.status());
    load = *std::move(r);
    if (!args.json) PrintPhaseText("load", *load);
  }

  PhaseSpec spec;
  spec.workload = args.workload;
  spec.pipeline = args.pipeline;
  spec.requests = args.requests;
  spec.seconds = args.seconds;
  Result<PhaseResult> run = (*gen)->Run(spec);
  if (!run.ok()) return Fail("running", run.status());
  if (args.json) {
    PrintJson(args, load, *run);
  } else {
    std::printf("%s, %u connections, pipeline %u, %u-byte documents, %llu keys\n",
                WorkloadName(args.workload), args.connections, args.pipeline, args.value_bytes,
                static_cast<unsigned long long>(args.records));
    PrintPhaseText(WorkloadName(args.workload), *run);
  }
  const bool errors = run->errors > 0 || (load && load->errors > 0);
  return errors ? kExitReplyErrors : kExitOk;
}

}  // namespace
}  // namespace docdb::serverbench

int main(int argc, char** argv) {
  using docdb::serverbench::Args;
  // The library throws nothing; this edge catches what CLI11 or the standard library might.
  try {
    CLI::App app{"docdb-load: a load generator for docdbd, in the style of redis-benchmark"};
    app.set_version_flag("--version", std::string("docdb-load ") + DOCDB_VERSION);
    Args args;
    docdb::serverbench::AddOptions(app, args);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? docdb::serverbench::kExitOk : docdb::serverbench::kExitUsage;
    }
    args.workload = docdb::serverbench::ParseWorkload(args.workload_name);
    if (args.print_document) {
      std::cout << docdb::serverbench::BuildDocument(args.value_bytes) << "\n";
      return docdb::serverbench::kExitOk;
    }
    if (args.socket_path.empty()) {
      std::cerr << "docdb-load: --socket is required\n";
      return docdb::serverbench::kExitUsage;
    }
    return docdb::serverbench::Run(args);
  } catch (const std::exception& e) {
    std::cerr << "docdb-load: " << e.what() << "\n";
    return docdb::serverbench::kExitRunFailed;
  }
}
