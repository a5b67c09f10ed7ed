// walinspect: offline forensics on a DocDB write-ahead log (docs/walinspect.md). Reads
// a WAL directory or one segment file and never modifies anything.
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/writer.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/wal_payload.h"
#include "io/wal_reader.h"

namespace docdb::io {
namespace {

// Exit codes (docs/walinspect.md).
constexpr int kExitClean = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTornTail = 3;
constexpr int kExitCorruption = 4;

using JsonWriter = rapidjson::Writer<rapidjson::OStreamWrapper>;

struct Args {
  bool json = false;
  std::string mode = "tolerate-torn-tail";
  std::string path;
  uint64_t from_lsn = 0;
  uint64_t to_lsn = UINT64_MAX;
  std::string type;
  std::optional<std::string> collection;
  std::optional<std::string> id;
  bool bodies = false;
};

// What one pass over the log found, for the exit code and the closing report.
struct Outcome {
  Status error;               // a read error, if reading stopped on one
  uint64_t bad_payloads = 0;  // checksummed records whose payload does not parse
};

void WriteString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// One member of the object being written.
void Field(JsonWriter& w, const char* key, uint64_t value) {
  w.Key(key);
  w.Uint64(value);
}
void Field(JsonWriter& w, const char* key, std::string_view value) {
  w.Key(key);
  WriteString(w, value);
}

std::string SegmentName(const WalReader& reader, uint64_t number) {
  for (const WalSegmentInfo& s : reader.segments()) {
    if (s.number == number) return std::filesystem::path(s.path).filename().string();
  }
  return "segment " + std::to_string(number);
}

int ExitCodeFor(const WalReader& reader, const Outcome& outcome) {
  if (!outcome.error.ok() && outcome.error.code() != StatusCode::kCorruption &&
      outcome.error.code() != StatusCode::kNotSupported) {
    return kExitError;
  }
  if (reader.end().reason == WalEndReason::kCorruption || outcome.bad_payloads > 0 ||
      reader.end().salvaged_regions > 0) {
    return kExitCorruption;
  }
  if (reader.end().reason == WalEndReason::kTornTail) return kExitTornTail;
  return kExitClean;
}

void WriteEndJson(JsonWriter& w, const WalReader& reader, const Outcome& outcome) {
  const WalEnd& end = reader.end();
  w.Key("end");
  w.StartObject();
  Field(w, "reason", WalEndReasonName(end.reason));
  Field(w, "last_lsn", end.last_lsn);
  Field(w, "segment", end.segment);
  Field(w, "offset", end.offset);
  Field(w, "dropped_bytes", end.dropped_bytes);
  Field(w, "dropped_records", end.dropped_records);
  Field(w, "salvaged_regions", end.salvaged_regions);
  Field(w, "skipped_records", end.skipped_records);
  Field(w, "bad_payloads", outcome.bad_payloads);
  Field(w, "detail", end.detail);
  if (!outcome.error.ok()) {
    Field(w, "error", outcome.error.ToString());
  }
  w.EndObject();
}

void PrintEndText(const WalReader& reader, const Outcome& outcome) {
  const WalEnd& end = reader.end();
  std::cout << "end: " << WalEndReasonName(end.reason) << ", last LSN " << end.last_lsn;
  if (end.segment != 0) {
    std::cout << ", at " << SegmentName(reader, end.segment) << " offset " << end.offset;
  }
  std::cout << "\n";
  if (!end.detail.empty()) std::cout << "  " << end.detail << "\n";
  if (end.dropped_bytes > 0) {
    std::cout << "  torn bytes dropped: " << end.dropped_bytes;
    if (end.dropped_records > 0) {
      std::cout << " (" << end.dropped_records << " whole records of the unfinished write)";
    }
    std::cout << "\n";
  }
  if (end.salvaged_regions > 0) {
    std::cout << "  damaged regions skipped: " << end.salvaged_regions << "\n";
  }
  if (end.skipped_records > 0) {
    std::cout << "  unknown informational records skipped: " << end.skipped_records << "\n";
  }
  if (outcome.bad_payloads > 0) {
    std::cout << "  records with malformed payloads: " << outcome.bad_payloads << "\n";
  }
  if (!outcome.error.ok()) std::cerr << "walinspect: " << outcome.error.ToString() << "\n";
}

// Closes the "records" or "segments" array and the JSON object opened for --json (or
// prints the text summary), and returns the exit code.
int Finish(const Args& args, JsonWriter& w, const WalReader& reader, const Outcome& outcome) {
  if (args.json) {
    w.EndArray();
    WriteEndJson(w, reader, outcome);
    w.EndObject();
    std::cout << "\n";
  } else {
    PrintEndText(reader, outcome);
  }
  return ExitCodeFor(reader, outcome);
}

// Reads every record, calling visit(record, ops, payload_status) for each.
template <typename Visit>
Outcome ReadAll(WalReader& reader, Visit&& visit) {
  Outcome outcome;
  WalRecord record;
  std::vector<WalOp> ops;
  for (;;) {
    Result<bool> more = reader.Next(&record);
    if (!more.ok()) {
      outcome.error = more.status();
      break;
    }
    if (!*more) break;
    const Status decoded = DecodeWalPayload(record.type, record.payload, &ops);
    if (!decoded.ok()) ++outcome.bad_payloads;
    visit(record, ops, decoded);
  }
  return outcome;
}

bool Matches(const Args& args, uint8_t type_filter, const WalRecord& record,
             const std::vector<WalOp>& ops) {
  if (record.lsn < args.from_lsn || record.lsn > args.to_lsn) return false;
  if (!args.type.empty() && record.type != type_filter) return false;
  if (!args.collection && !args.id) return true;
  for (const WalOp& op : ops) {
    if ((!args.collection || op.collection == *args.collection) &&
        (!args.id || op.id == *args.id)) {
      return true;
    }
  }
  return false;
}

int RunDump(const Args& args, WalReader& reader) {
  uint8_t type_filter = 0;
  if (!args.type.empty() && !ParseWalRecordTypeName(args.type, &type_filter)) {
    std::cerr << "walinspect: unknown record type '" << args.type
              << "' (expected put, delete, batch, create-collection or drop-collection)\n";
    return kExitUsage;
  }
  rapidjson::OStreamWrapper out(std::cout);
  JsonWriter w(out);
  if (args.json) {
    w.StartObject();
    w.Key("records");
    w.StartArray();
  }
  auto visit = [&](const WalRecord& record, const std::vector<WalOp>& ops, const Status& decoded) {
    if (!Matches(args, type_filter, record, ops)) return;
    const std::string type = WalRecordTypeName(record.type);
    if (!args.json) {
      std::cout << "LSN " << record.lsn << "  " << type << "  "
                << SegmentName(reader, record.segment) << "@" << record.offset << "  "
                << record.encoded_bytes << " bytes  durable through LSN " << record.durable_lsn
                << "\n";
      if (!decoded.ok()) std::cout << "    payload error: " << decoded.ToString() << "\n";
      for (const WalOp& op : ops) {
        std::cout << "    " << WalOpKindName(op.kind) << " " << op.collection;
        if (op.kind == WalOp::Kind::kAbort) {
          std::cout << "revokes LSN " << op.first_lsn << "-" << op.last_lsn;
        }
        if (!op.id.empty()) std::cout << "/" << op.id;
        if (op.kind == WalOp::Kind::kPut) std::cout << "  (" << op.body.size() << " body bytes)";
        std::cout << "\n";
        if (args.bodies && op.kind == WalOp::Kind::kPut) std::cout << "      " << op.body << "\n";
      }
      return;
    }
    w.StartObject();
    Field(w, "lsn", record.lsn);
    Field(w, "type", type);
    Field(w, "segment", record.segment);
    Field(w, "offset", record.offset);
    Field(w, "bytes", record.encoded_bytes);
    Field(w, "durable_lsn", record.durable_lsn);
    if (!decoded.ok()) {
      Field(w, "payload_error", decoded.ToString());
    }
    w.Key("ops");
    w.StartArray();
    for (const WalOp& op : ops) {
      w.StartObject();
      Field(w, "op", WalOpKindName(op.kind));
      if (op.kind == WalOp::Kind::kAbort) {
        Field(w, "first_lsn", op.first_lsn);
        Field(w, "last_lsn", op.last_lsn);
      } else {
        Field(w, "collection", op.collection);
      }
      if (!op.id.empty()) {
        Field(w, "id", op.id);
      }
      if (op.kind == WalOp::Kind::kPut) {
        Field(w, "body_bytes", op.body.size());
        if (args.bodies) {
          Field(w, "body", op.body);
        }
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  };
  const Outcome outcome = ReadAll(reader, visit);
  return Finish(args, w, reader, outcome);
}

// Every record that wrote the document (args.collection, args.id), oldest first: its
// puts and deletes, and drops of its collection after it was first written. A document's version is
// the LSN of the record that wrote it.
int RunHistory(const Args& args, WalReader& reader) {
  rapidjson::OStreamWrapper out(std::cout);
  JsonWriter w(out);
  if (args.json) {
    w.StartObject();
    Field(w, "collection", *args.collection);
    Field(w, "id", *args.id);
    w.Key("records");
    w.StartArray();
  }
  uint64_t found = 0;
  uint64_t last_found_lsn = 0;
  auto visit = [&](const WalRecord& record, const std::vector<WalOp>& ops, const Status&) {
    for (const WalOp& op : ops) {
      // A drop of the collection ends the document too, once it has been written; an
      // abort revokes what it wrote in the aborted range.
      const bool dropped = op.kind == WalOp::Kind::kDropCollection && found > 0;
      const bool revoked = op.kind == WalOp::Kind::kAbort && found > 0 &&
                           op.first_lsn <= last_found_lsn && last_found_lsn <= op.last_lsn;
      if (!revoked && (op.collection != *args.collection || (!dropped && op.id != *args.id))) {
        continue;
      }
      last_found_lsn = record.lsn;
      if (revoked) {
        if (!args.json) {
          std::cout << "LSN " << record.lsn << "  abort  revokes LSN " << op.first_lsn << "-"
                    << op.last_lsn << "  " << SegmentName(reader, record.segment) << "@"
                    << record.offset << "\n";
          continue;
        }
        w.StartObject();
        Field(w, "lsn", record.lsn);
        Field(w, "op", WalOpKindName(op.kind));
        Field(w, "first_lsn", op.first_lsn);
        Field(w, "last_lsn", op.last_lsn);
        Field(w, "segment", record.segment);
        Field(w, "offset", record.offset);
        w.EndObject();
        continue;
      }
      ++found;
      const std::string type = WalRecordTypeName(record.type);
      if (!args.json) {
        std::cout << "LSN " << record.lsn << "  " << WalOpKindName(op.kind) << "  version "
                  << record.lsn << "  " << type << " record of " << ops.size() << " op"
                  << (ops.size() == 1 ? "" : "s") << "  " << SegmentName(reader, record.segment)
                  << "@" << record.offset;
        if (op.kind == WalOp::Kind::kPut) std::cout << "  " << op.body.size() << " body bytes";
        std::cout << "\n";
        if (args.bodies && op.kind == WalOp::Kind::kPut) std::cout << "    " << op.body << "\n";
        continue;
      }
      w.StartObject();
      Field(w, "lsn", record.lsn);
      Field(w, "op", WalOpKindName(op.kind));
      Field(w, "version", record.lsn);
      Field(w, "record_type", type);
      Field(w, "record_ops", ops.size());
      Field(w, "segment", record.segment);
      Field(w, "offset", record.offset);
      if (op.kind == WalOp::Kind::kPut) {
        Field(w, "body_bytes", op.body.size());
        if (args.bodies) {
          Field(w, "body", op.body);
        }
      }
      w.EndObject();
    }
  };
  const Outcome outcome = ReadAll(reader, visit);
  if (!args.json && found == 0) {
    std::cout << "no record of " << *args.collection << "/" << *args.id << " in the log\n";
  }
  return Finish(args, w, reader, outcome);
}

int RunVerify(const Args& args, WalReader& reader) {
  uint64_t records = 0;
  uint64_t first_lsn = 0;
  const Outcome outcome = ReadAll(reader, [&](const WalRecord& record, const auto&, const auto&) {
    if (records++ == 0) first_lsn = record.lsn;
  });
  if (args.json) {
    rapidjson::OStreamWrapper out(std::cout);
    JsonWriter w(out);
    w.StartObject();
    Field(w, "segments", reader.segments().size());
    Field(w, "records", records);
    Field(w, "first_lsn", first_lsn);
    WriteEndJson(w, reader, outcome);
    w.EndObject();
    std::cout << "\n";
  } else {
    std::cout << reader.segments().size() << " segments, " << records << " records";
    if (records > 0) std::cout << ", LSN " << first_lsn << " to " << reader.end().last_lsn;
    std::cout << "\n";
    PrintEndText(reader, outcome);
  }
  return ExitCodeFor(reader, outcome);
}

struct SegmentStats {
  uint64_t records = 0;
  uint64_t record_bytes = 0;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;
  std::map<std::string, uint64_t> by_type;
};

int RunStats(const Args& args, WalReader& reader) {
  std::map<uint64_t, SegmentStats> per_segment;
  const Outcome outcome = ReadAll(reader, [&](const WalRecord& record, const auto&, const auto&) {
    SegmentStats& s = per_segment[record.segment];
    if (s.records++ == 0) s.first_lsn = record.lsn;
    s.last_lsn = record.lsn;
    s.record_bytes += record.encoded_bytes;
    ++s.by_type[WalRecordTypeName(record.type)];
  });
  rapidjson::OStreamWrapper out(std::cout);
  JsonWriter w(out);
  if (args.json) {
    w.StartObject();
    w.Key("segments");
    w.StartArray();
  }
  for (const WalSegmentInfo& info : reader.segments()) {
    const SegmentStats& s = per_segment[info.number];
    if (!args.json) {
      std::cout << std::filesystem::path(info.path).filename().string() << " (format "
                << info.version << "): " << s.records << " records, " << s.record_bytes
                << " record bytes of " << info.size_bytes << " file bytes";
      if (s.records > 0) std::cout << ", LSN " << s.first_lsn << " to " << s.last_lsn;
      for (const auto& [type, n] : s.by_type) std::cout << ", " << type << " " << n;
      std::cout << "\n";
      continue;
    }
    w.StartObject();
    Field(w, "segment", info.number);
    Field(w, "path", info.path);
    Field(w, "format_version", info.version);
    Field(w, "file_bytes", info.size_bytes);
    Field(w, "records", s.records);
    Field(w, "record_bytes", s.record_bytes);
    Field(w, "first_lsn", s.first_lsn);
    Field(w, "last_lsn", s.last_lsn);
    w.Key("by_type");
    w.StartObject();
    for (const auto& [type, n] : s.by_type) {
      WriteString(w, type);
      w.Uint64(n);
    }
    w.EndObject();
    w.EndObject();
  }
  return Finish(args, w, reader, outcome);
}

Result<std::unique_ptr<WalReader>> OpenReader(FileSystem* fs, const Args& args) {
  Result<WalRecoveryMode> mode = ParseWalRecoveryMode(args.mode);
  if (!mode.ok()) return mode.status();
  WalReaderOptions options;
  options.mode = *mode;
  options.start_lsn = args.from_lsn;
  std::error_code ec;
  if (!std::filesystem::exists(args.path, ec)) {
    return Status::NotFound(args.path + ": no such file or directory");
  }
  if (std::filesystem::is_directory(args.path, ec)) {
    return WalReader::OpenDir(fs, args.path, options);
  }
  return WalReader::OpenSegmentFile(fs, args.path, options);
}

int Run(int argc, char** argv) {
  CLI::App app{"walinspect: offline forensics for DocDB write-ahead logs; never modifies files"};
  app.set_version_flag("--version", std::string("walinspect ") + DOCDB_VERSION);
  app.fallthrough();
  app.require_subcommand(1, 1);
  Args args;
  app.add_flag("--json", args.json, "Print one JSON object instead of text");
  app.add_option("--mode", args.mode, "Recovery mode: tolerate-torn-tail, absolute or salvage")
      ->capture_default_str();

  CLI::App* dump = app.add_subcommand("dump", "Print every record");
  CLI::App* verify =
      app.add_subcommand("verify", "Check every checksum; say where the log ends and why");
  CLI::App* stats = app.add_subcommand("stats", "Per segment: records by type, bytes, LSN range");
  CLI::App* history = app.add_subcommand("history", "Every record of one document, oldest first");
  history->add_option("collection", args.collection, "The document's collection")->required();
  history->add_option("id", args.id, "The document's ID")->required();
  history->add_flag("--bodies", args.bodies, "Print document bodies");
  for (CLI::App* sub : {dump, verify, stats, history}) {
    sub->add_option("path", args.path, "A WAL directory or one wal-<n>.log file")->required();
  }
  dump->add_option("--from-lsn", args.from_lsn, "Only records with LSN >= this");
  dump->add_option("--to-lsn", args.to_lsn, "Only records with LSN <= this");
  dump->add_option("--type", args.type, "Only records of this type (put, delete, batch, ...)");
  dump->add_option("--collection", args.collection, "Only records touching this collection");
  dump->add_option("--id", args.id, "Only records touching this document ID");
  dump->add_flag("--bodies", args.bodies, "Print document bodies");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitClean : kExitUsage;
  }

  Result<std::unique_ptr<FileSystem>> fs = NewFileSystem(IoBackend::kPosix);
  if (!fs.ok()) {
    std::cerr << "walinspect: " << fs.status().ToString() << "\n";
    return kExitError;
  }
  Result<std::unique_ptr<WalReader>> reader = OpenReader(fs->get(), args);
  if (!reader.ok()) {
    std::cerr << "walinspect: " << reader.status().ToString() << "\n";
    const StatusCode code = reader.status().code();
    if (code == StatusCode::kInvalidArgument) return kExitUsage;
    return code == StatusCode::kCorruption ? kExitCorruption : kExitError;
  }
  if (*dump) return RunDump(args, **reader);
  if (*verify) return RunVerify(args, **reader);
  if (*history) return RunHistory(args, **reader);
  return RunStats(args, **reader);
}

}  // namespace
}  // namespace docdb::io

int main(int argc, char** argv) {
  // The library throws nothing; this edge catches what CLI11 or the standard library might.
  try {
    return docdb::io::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "walinspect: " << e.what() << "\n";
    return 1;
  }
}
