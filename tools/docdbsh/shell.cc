// docdbsh's commands (tools/docdbsh/shell.h, docs/shell.md).
#include "tools/docdbsh/shell.h"

#include <fstream>
#include <future>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "tools/common/json_text.h"
#include "tools/common/table.h"

namespace docdb::shell {
namespace {

using tools::IndentJson;
using tools::JsonQuote;

// The first word of `text` and the rest, trimmed.
std::pair<std::string, std::string> SplitWord(const std::string& text) {
  const size_t start = text.find_first_not_of(" \t");
  if (start == std::string::npos) return {"", ""};
  const size_t end = text.find_first_of(" \t", start);
  if (end == std::string::npos) return {text.substr(start), ""};
  const size_t rest = text.find_first_not_of(" \t", end);
  std::string tail = rest == std::string::npos ? "" : text.substr(rest);
  while (!tail.empty() && (tail.back() == ' ' || tail.back() == '\t' || tail.back() == '\r')) {
    tail.pop_back();
  }
  return {text.substr(start, end - start), tail};
}

std::string Trim(const std::string& text) {
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  return text.substr(start, text.find_last_not_of(" \t\r\n") - start + 1);
}

std::string VersionJson(uint64_t version) {
  return R"({"version":)" + std::to_string(version) + "}";
}

// A list result: its cells for table mode, and each element as JSON.
struct List {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> elements;
};

}  // namespace

Shell::Shell(std::unique_ptr<Backend> backend, std::ostream& out, std::ostream& err)
    : backend_(std::move(backend)), out_(out), err_(err) {}

Status Shell::Start(const std::string& db) {
  Result<std::unique_ptr<DB>> opened = backend_->Open(db);
  if (!opened.ok()) return opened.status();
  db_ = std::move(*opened);
  db_name_ = db;
  return Status::OK();
}

std::string Shell::Prompt() const {
  return db_name_ + "/" + collection_ + (batch_ ? " (batch)" : "") + "> ";
}

const std::vector<Shell::Command>& Shell::Commands() {
  static const std::vector<Command> commands = {
      {".help", ".help [command]", "list the commands, or describe one", &Shell::Help},
      {".exit", ".exit [code]", "leave the shell", &Shell::Exit},
      {".open", ".open <db>", "use database <db> (created when missing)", &Shell::OpenDb},
      {".close", ".close", "go back to database default", &Shell::CloseDb},
      {".list-dbs", ".list-dbs", "the databases", &Shell::ListDbs},
      {".create-collection", ".create-collection <name>", "create a collection",
       &Shell::CreateCollection},
      {".drop-collection", ".drop-collection <name> [--force]",
       "drop a collection (--force: with its documents)", &Shell::DropCollection},
      {".list-collections", ".list-collections", "the collections and their document counts",
       &Shell::ListCollections},
      {".use-collection", ".use-collection <name>", "make <name> the current collection",
       &Shell::UseCollection},
      {".pwd", ".pwd", "the current database and collection", &Shell::Pwd},
      {".insert", ".insert [<id>] <json>", "create a document (an ID is made when none is given)",
       &Shell::Insert},
      {".put", ".put <id> <json>", "create or replace a document", &Shell::Put},
      {".update", ".update <id> <json>", "replace an existing document", &Shell::Update},
      {".get", ".get <id>", "print a document", &Shell::Get},
      {".delete", ".delete <id>", "delete a document", &Shell::Delete},
      {".patch", ".patch <id> <patch_ops_json>",
       "apply a JSON Patch: add remove replace move copy test, set delete insert", &Shell::Patch},
      {".merge", ".merge <id> <json>", "apply a JSON Merge Patch (RFC 7386)", &Shell::Merge},
      {".scan", ".scan [--prefix P] [--start S] [--end E] [--limit N]", "documents in ID order",
       &Shell::Scan},
      {".count", ".count", "documents in the current collection", &Shell::Count},
      {".begin", ".begin", "start an atomic batch of writes", &Shell::Begin},
      {".commit", ".commit", "commit the batch: every write or none", &Shell::Commit},
      {".abort", ".abort", "drop the batch", &Shell::Abort},
      {".stats", ".stats", "the database's counters", &Shell::Stats},
      {".checkpoint", ".checkpoint", "make the index current, so that recovery replays less",
       &Shell::Checkpoint},
      {".mode", ".mode pretty|json|jsonl|table", "how results are printed", &Shell::Mode},
      {".pretty", ".pretty on|off", "the same as .mode pretty / .mode json", &Shell::Pretty},
      {".timer", ".timer on|off", "print each command's time", &Shell::Timer},
      {".source", ".source <file>", "run the commands in a file", &Shell::Source},
      {".heal", ".heal <id>", "rebuild a damaged document from the WAL", &Shell::Heal},
      {".heal-all", ".heal-all", "check every document and heal the damaged ones", &Shell::HealAll},
      {".heal-stats", ".heal-stats", "healing counters and unrecoverable documents",
       &Shell::HealStats},
      {".metrics", ".metrics", "Prometheus metrics (text format)", &Shell::Metrics},
      {".mem", ".mem", "memory the database holds (overlay, queues, buffers)", &Shell::Memory},
      {".wal", ".wal", "WAL state: segments, bytes, syncs, LSNs", &Shell::Wal},
  };
  return commands;
}

const std::map<std::string, std::string>& Shell::Aliases() {
  // The older shell's names, so that its scripts run.
  static const std::map<std::string, std::string> aliases = {
      {".use", ".use-collection"}, {".read", ".get"},  {".create", ".insert"},
      {".ls", ".list-dbs"},        {".quit", ".exit"},
  };
  return aliases;
}

const Shell::Command* Shell::Find(const std::string& name) const {
  auto alias = Aliases().find(name);
  const std::string& real = alias == Aliases().end() ? name : alias->second;
  for (const Command& c : Commands()) {
    if (real == c.name) return &c;
  }
  return nullptr;
}

Outcome Shell::Run(const std::string& command) {
  const std::string line = Trim(command);
  if (line.empty() || line[0] == '#' || line.rfind("--", 0) == 0) return Outcome::kOk;
  auto [name, args] = SplitWord(line);
  const Command* c = Find(name);
  if (c == nullptr) {
    printed_ = false;
    return Fail(Status::InvalidArgument("unknown command '" + name + "' (.help lists them)"));
  }
  const auto started = std::chrono::steady_clock::now();
  printed_ = false;
  const Outcome outcome = (this->*(c->run))(args);
  // With --json, every command prints exactly one object.
  if (envelope_ && !printed_)
    out_ << R"({"ok":true})"
         << "\n";
  out_.flush();
  if (timer_) {
    const std::chrono::duration<double, std::milli> took =
        std::chrono::steady_clock::now() - started;
    err_ << "time: " << std::fixed << std::setprecision(3) << took.count() << " ms\n";
  }
  return outcome;
}

void Shell::Print(const std::string& object) {
  printed_ = true;
  if (envelope_) {
    // {"ok":true, then the object's own members.
    out_ << R"({"ok":true)" << (object.size() > 2 ? "," : "") << object.substr(1) << "\n";
    return;
  }
  out_ << (mode_ == OutputMode::kPretty ? IndentJson(object) : object) << "\n";
}

Outcome Shell::Fail(const Status& status) {
  if (envelope_) {
    printed_ = true;
    out_ << R"({"ok":false,"code":)" << JsonQuote(StatusCodeName(status.code())) << R"(,"message":)"
         << JsonQuote(status.message()) << "}\n";
  } else {
    out_.flush();  // so that the error follows the output before it, also through pipes
    err_ << "error: " << status.ToString() << "\n";
  }
  exit_code_ = 1;
  return status.code() == StatusCode::kUnavailable ? Outcome::kConnectionLost : Outcome::kFailed;
}

Outcome Shell::Report(const Status& status) {
  if (!status.ok()) return Fail(status);
  return Outcome::kOk;
}

namespace {

void PrintList(std::ostream& out, OutputMode mode, bool envelope, const std::string& key,
               const List& list) {
  if (envelope) {
    out << R"({"ok":true,)" << JsonQuote(key) << ":[";
    for (size_t i = 0; i < list.elements.size(); ++i) out << (i ? "," : "") << list.elements[i];
    out << "]}\n";
    return;
  }
  if (mode == OutputMode::kTable) {
    tools::PrintTable(out, list.columns, list.rows);
    return;
  }
  if (mode == OutputMode::kJsonl) {
    for (const std::string& e : list.elements) out << e << "\n";
    return;
  }
  std::string array = "[";
  for (size_t i = 0; i < list.elements.size(); ++i) array += (i ? "," : "") + list.elements[i];
  array += "]";
  out << (mode == OutputMode::kPretty ? IndentJson(array) : array) << "\n";
}

}  // namespace

Result<std::string> Shell::JsonArgument(const std::string& text) const {
  if (text.empty()) return Status::InvalidArgument("a JSON argument is missing");
  if (text[0] != '@') return text;
  std::ifstream in(text.substr(1), std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + text.substr(1));
  std::ostringstream body;
  body << in.rdbuf();
  return body.str();
}

Result<std::pair<std::string, std::string>> Shell::IdAndJson(const std::string& args) const {
  auto [id, rest] = SplitWord(args);
  if (id.empty() || rest.empty()) return Status::InvalidArgument("expected <id> <json>");
  Result<std::string> json = JsonArgument(rest);
  if (!json.ok()) return json.status();
  return std::make_pair(id, *json);
}

Outcome Shell::Write(WriteBatch::OpKind kind, const std::string& id, const std::string& json) {
  WriteBatch one;
  WriteBatch& batch = batch_ ? *batch_ : one;
  batch.Add(kind, collection_, id, json, std::nullopt);
  if (batch_) {
    Print(R"({"batched":)" + std::to_string(batch_->size()) + "}");
    return Outcome::kOk;
  }
  // A batch of one reports its errors as the single calls do, and gives its version.
  std::promise<Result<uint64_t>> done;
  std::future<Result<uint64_t>> version = done.get_future();
  db_->WriteAsync(std::move(one), [&done](Result<uint64_t> r) { done.set_value(std::move(r)); });
  Result<uint64_t> written = version.get();
  if (!written.ok()) return Fail(written.status());
  Print(VersionJson(*written));
  return Outcome::kOk;
}

Outcome Shell::Help(const std::string& args) {
  if (!args.empty()) {
    const Command* c = Find(args[0] == '.' ? args : "." + args);
    if (c == nullptr) return Fail(Status::NotFound("no command '" + args + "'"));
    out_ << c->usage << "\n  " << c->help << "\n";
    return Outcome::kOk;
  }
  for (const Command& c : Commands()) {
    out_ << std::left << std::setw(52) << c.usage << c.help << "\n";
  }
  out_ << "Aliases:";
  for (const auto& [alias, name] : Aliases()) out_ << " " << alias << "=" << name;
  out_ << "\nA JSON argument is the rest of the line as typed, or @file; it may span lines "
          "until its brackets close.\n";
  return Outcome::kOk;
}

Outcome Shell::Exit(const std::string& args) {
  if (!args.empty()) {
    try {
      exit_code_ = std::stoi(args);
    } catch (const std::exception&) {
      return Fail(Status::InvalidArgument("exit code '" + args + "' is not a number"));
    }
  }
  return Outcome::kExit;
}

Outcome Shell::OpenDb(const std::string& args) {
  if (args.empty()) return Fail(Status::InvalidArgument("usage: .open <db>"));
  if (batch_) return Fail(Status::FailedPrecondition("commit or abort the batch first"));
  Result<std::unique_ptr<DB>> opened = backend_->Open(args);
  if (!opened.ok()) return Fail(opened.status());
  db_ = std::move(*opened);
  db_name_ = args;
  collection_ = "default";
  return Outcome::kOk;
}

Outcome Shell::CloseDb(const std::string&) { return OpenDb("default"); }

Outcome Shell::ListDbs(const std::string&) {
  Result<std::vector<DatabaseEntry>> dbs = backend_->List();
  if (!dbs.ok()) return Fail(dbs.status());
  List list{{"name", "open"}, {}, {}};
  printed_ = true;
  for (const DatabaseEntry& d : *dbs) {
    list.rows.push_back({d.name, d.open ? "yes" : "no"});
    list.elements.push_back(R"({"name":)" + JsonQuote(d.name) + R"(,"open":)" +
                            (d.open ? "true" : "false") + "}");
  }
  PrintList(out_, mode_, envelope_, "databases", list);
  return Outcome::kOk;
}

Outcome Shell::CreateCollection(const std::string& args) {
  return Report(db_->CreateCollection(args));
}

Outcome Shell::DropCollection(const std::string& args) {
  auto [name, flag] = SplitWord(args);
  if (!flag.empty() && flag != "--force") {
    return Fail(Status::InvalidArgument("usage: .drop-collection <name> [--force]"));
  }
  const Outcome outcome = Report(db_->DropCollection(name, flag == "--force"));
  if (outcome == Outcome::kOk && name == collection_) collection_ = "default";
  return outcome;
}

Outcome Shell::ListCollections(const std::string&) {
  Result<std::vector<CollectionInfo>> collections = db_->ListCollections();
  if (!collections.ok()) return Fail(collections.status());
  List list{{"name", "documents"}, {}, {}};
  printed_ = true;
  for (const CollectionInfo& c : *collections) {
    list.rows.push_back({c.name, std::to_string(c.document_count)});
    list.elements.push_back(R"({"name":)" + JsonQuote(c.name) + R"(,"documents":)" +
                            std::to_string(c.document_count) + "}");
  }
  PrintList(out_, mode_, envelope_, "collections", list);
  return Outcome::kOk;
}

Outcome Shell::UseCollection(const std::string& args) {
  if (args.empty()) return Fail(Status::InvalidArgument("usage: .use-collection <name>"));
  Result<std::vector<CollectionInfo>> collections = db_->ListCollections();
  if (!collections.ok()) return Fail(collections.status());
  for (const CollectionInfo& c : *collections) {
    if (c.name == args) {
      collection_ = args;
      return Outcome::kOk;
    }
  }
  return Fail(Status::NotFound("collection '" + args + "' does not exist (.create-collection " +
                               args + " makes it)"));
}

Outcome Shell::Pwd(const std::string&) {
  Print(R"({"database":)" + JsonQuote(db_name_) + R"(,"collection":)" + JsonQuote(collection_) +
        R"(,"server":)" + JsonQuote(backend_->Describe()) + "}");
  return Outcome::kOk;
}

Outcome Shell::Insert(const std::string& args) {
  // ".insert <json>" makes an ID; ".insert <id> <json>" uses the given one.
  const bool json_first = !args.empty() && std::string("{[\"@").find(args[0]) != std::string::npos;
  auto [id, rest] = SplitWord(args);
  if (json_first || rest.empty()) {
    Result<std::string> json = JsonArgument(args);
    if (!json.ok()) return Fail(json.status());
    if (batch_) return Write(WriteBatch::OpKind::kInsert, db_->GenerateDocumentId(), *json);
    Result<Document> created = db_->InsertNew(collection_, *json);
    if (!created.ok()) return Fail(created.status());
    Print(R"({"id":)" + JsonQuote(created->id) + R"(,"version":)" +
          std::to_string(created->version) + "}");
    return Outcome::kOk;
  }
  Result<std::string> json = JsonArgument(rest);
  if (!json.ok()) return Fail(json.status());
  return Write(WriteBatch::OpKind::kInsert, id, *json);
}

Outcome Shell::Put(const std::string& args) {
  auto parsed = IdAndJson(args);
  if (!parsed.ok()) return Fail(parsed.status());
  return Write(WriteBatch::OpKind::kPut, parsed->first, parsed->second);
}

Outcome Shell::Update(const std::string& args) {
  auto parsed = IdAndJson(args);
  if (!parsed.ok()) return Fail(parsed.status());
  return Write(WriteBatch::OpKind::kUpdate, parsed->first, parsed->second);
}

Outcome Shell::Patch(const std::string& args) {
  auto parsed = IdAndJson(args);
  if (!parsed.ok()) return Fail(parsed.status());
  return Write(WriteBatch::OpKind::kPatch, parsed->first, parsed->second);
}

Outcome Shell::Merge(const std::string& args) {
  auto parsed = IdAndJson(args);
  if (!parsed.ok()) return Fail(parsed.status());
  return Write(WriteBatch::OpKind::kMergePatch, parsed->first, parsed->second);
}

Outcome Shell::Delete(const std::string& args) {
  if (args.empty()) return Fail(Status::InvalidArgument("usage: .delete <id>"));
  return Write(WriteBatch::OpKind::kDelete, args, "");
}

Outcome Shell::Get(const std::string& args) {
  if (args.empty()) return Fail(Status::InvalidArgument("usage: .get <id>"));
  Result<Document> doc = db_->Get(collection_, args);
  if (!doc.ok()) return Fail(doc.status());
  if (mode_ == OutputMode::kTable && !envelope_) {
    printed_ = true;
    PrintList(
        out_, mode_, false, "",
        {{"id", "version", "document"}, {{doc->id, std::to_string(doc->version), doc->json}}, {}});
  } else {
    Print(R"({"id":)" + JsonQuote(doc->id) + R"(,"version":)" + std::to_string(doc->version) +
          R"(,"doc":)" + doc->json + "}");
  }
  return Outcome::kOk;
}

Outcome Shell::Scan(const std::string& args) {
  ScanOptions options;
  std::istringstream words(args);
  for (std::string flag, value; words >> flag;) {
    if (!(words >> value)) return Fail(Status::InvalidArgument(flag + " needs a value"));
    if (flag == "--prefix") {
      options.prefix = value;
    } else if (flag == "--start") {
      options.start = value;
    } else if (flag == "--end") {
      options.end = value;
    } else if (flag == "--limit") {
      try {
        options.limit = std::stoull(value);
      } catch (const std::exception&) {
        return Fail(Status::InvalidArgument("--limit '" + value + "' is not a number"));
      }
    } else {
      return Fail(Status::InvalidArgument(
          "unknown option '" + flag +
          "' (usage: .scan [--prefix P] [--start S] [--end E] [--limit N])"));
    }
  }
  Result<std::vector<Document>> docs = db_->Scan(collection_, options);
  if (!docs.ok()) return Fail(docs.status());
  List list{{"id", "version", "document"}, {}, {}};
  printed_ = true;
  for (const Document& d : *docs) {
    list.rows.push_back({d.id, std::to_string(d.version), d.json});
    list.elements.push_back(R"({"id":)" + JsonQuote(d.id) + R"(,"version":)" +
                            std::to_string(d.version) + R"(,"doc":)" + d.json + "}");
  }
  PrintList(out_, mode_, envelope_, "documents", list);
  return Outcome::kOk;
}

Outcome Shell::Count(const std::string&) {
  Result<uint64_t> n = db_->Count(collection_);
  if (!n.ok()) return Fail(n.status());
  Print(R"({"count":)" + std::to_string(*n) + "}");
  return Outcome::kOk;
}

Outcome Shell::Begin(const std::string&) {
  if (batch_) return Fail(Status::FailedPrecondition("a batch is open already"));
  batch_.emplace();
  return Outcome::kOk;
}

Outcome Shell::Commit(const std::string&) {
  if (!batch_) return Fail(Status::FailedPrecondition("no batch is open (.begin opens one)"));
  WriteBatch batch = std::move(*batch_);
  batch_.reset();
  const size_t n = batch.size();
  if (Status s = db_->Write(batch); !s.ok()) return Fail(s);
  Print(R"({"committed":)" + std::to_string(n) + "}");
  return Outcome::kOk;
}

Outcome Shell::Abort(const std::string&) {
  if (!batch_) return Fail(Status::FailedPrecondition("no batch is open"));
  batch_.reset();
  return Outcome::kOk;
}

Outcome Shell::Stats(const std::string&) {
  Result<docdb::Stats> s = db_->GetStats();
  if (!s.ok()) return Fail(s.status());
  const RecoveryReport& r = s->recovery;
  Print(R"({"documents":)" + std::to_string(s->documents) + R"(,"collections":)" +
        std::to_string(s->collections) + R"(,"last_lsn":)" + std::to_string(s->last_lsn) +
        R"(,"checkpoint_lsn":)" + std::to_string(s->checkpoint_lsn) + R"(,"checkpoints":)" +
        std::to_string(s->checkpoints) + R"(,"overlay_entries":)" +
        std::to_string(s->overlay_entries) + R"(,"wal_bytes":)" + std::to_string(s->wal_bytes) +
        R"(,"wal_syncs":)" + std::to_string(s->wal_syncs) + R"(,"wal_group_commits":)" +
        std::to_string(s->wal_group_commits) + R"(,"io_backend":)" + JsonQuote(s->io_backend) +
        R"(,"recovery":{"records_replayed":)" + std::to_string(r.records_replayed) +
        R"(,"dropped_bytes":)" + std::to_string(r.dropped_bytes) + R"(,"detail":)" +
        JsonQuote(r.detail) + "}}");
  return Outcome::kOk;
}

namespace {

std::string DamagedJson(const std::vector<docdb::DamagedDocument>& documents) {
  std::string out = "[";
  for (const docdb::DamagedDocument& d : documents) {
    out += (out.size() > 1 ? "," : "") + std::string(R"({"collection":)") +
           JsonQuote(d.collection) + R"(,"id":)" + JsonQuote(d.id) + R"(,"version":)" +
           std::to_string(d.version) + R"(,"problem":)" + JsonQuote(d.problem) + "}";
  }
  return out + "]";
}

}  // namespace

Outcome Shell::Heal(const std::string& args) {
  if (args.empty()) return Fail(Status::InvalidArgument("usage: .heal <doc_id>"));
  Result<bool> healed = db_->HealDocument(collection_, args);
  if (!healed.ok()) return Fail(healed.status());
  Print(R"({"id":)" + JsonQuote(args) + R"(,"healed":)" + (*healed ? "true" : "false") + "}");
  return Outcome::kOk;
}

Outcome Shell::HealAll(const std::string&) {
  Result<docdb::HealReport> report = db_->HealAll();
  if (!report.ok()) return Fail(report.status());
  Print(R"({"documents_checked":)" + std::to_string(report->documents_checked) + R"(,"healed":)" +
        DamagedJson(report->healed) + R"(,"unrecoverable":)" + DamagedJson(report->unrecoverable) +
        "}");
  return Outcome::kOk;
}

Outcome Shell::HealStats(const std::string&) {
  Result<docdb::HealingStats> h = db_->GetHealingStats();
  if (!h.ok()) return Fail(h.status());
  Print(R"({"total_scans":)" + std::to_string(h->total_scans) + R"(,"documents_healed":)" +
        std::to_string(h->documents_healed) + R"(,"documents_corrupted":)" +
        std::to_string(h->documents_corrupted) + R"(,"on_demand_healings":)" +
        std::to_string(h->on_demand_healings) + R"(,"background_healings":)" +
        std::to_string(h->background_healings) + R"(,"last_scan_time_us":)" +
        std::to_string(h->last_scan_time_us) + R"(,"last_healing_time_us":)" +
        std::to_string(h->last_healing_time_us) + R"(,"documents_unrecoverable":)" +
        std::to_string(h->documents_unrecoverable) + R"(,"unrecoverable":)" +
        DamagedJson(h->unrecoverable) + "}");
  return Outcome::kOk;
}

Outcome Shell::Checkpoint(const std::string&) { return Report(db_->Checkpoint()); }

Outcome Shell::Mode(const std::string& args) {
  static const std::map<std::string, OutputMode> modes = {{"pretty", OutputMode::kPretty},
                                                          {"json", OutputMode::kJson},
                                                          {"jsonl", OutputMode::kJsonl},
                                                          {"table", OutputMode::kTable}};
  auto it = modes.find(args);
  if (it == modes.end())
    return Fail(Status::InvalidArgument("usage: .mode pretty|json|jsonl|table"));
  mode_ = it->second;
  return Outcome::kOk;
}

Outcome Shell::Pretty(const std::string& args) {
  if (args != "on" && args != "off") return Fail(Status::InvalidArgument("usage: .pretty on|off"));
  mode_ = args == "on" ? OutputMode::kPretty : OutputMode::kJson;
  return Outcome::kOk;
}

Outcome Shell::Timer(const std::string& args) {
  if (args != "on" && args != "off") return Fail(Status::InvalidArgument("usage: .timer on|off"));
  timer_ = args == "on";
  return Outcome::kOk;
}

Outcome Shell::Source(const std::string& args) {
  if (args.empty()) return Fail(Status::InvalidArgument("usage: .source <file>"));
  return source_file(args);
}

Outcome Shell::Metrics(const std::string&) {
  Result<std::string> text = db_->Metrics();
  if (!text.ok()) return Fail(text.status());
  if (envelope_) {
    Print(R"({"metrics":)" + JsonQuote(*text) + "}");
  } else {
    printed_ = true;
    out_ << *text;  // the exposition format, as a scraper would read it
  }
  return Outcome::kOk;
}

Outcome Shell::Memory(const std::string&) {
  Result<docdb::Stats> s = db_->GetStats();
  if (!s.ok()) return Fail(s.status());
  Print(R"({"memory_bytes":)" + std::to_string(s->memory_bytes) + R"(,"overlay_entries":)" +
        std::to_string(s->overlay_entries) + "}");
  return Outcome::kOk;
}

Outcome Shell::Wal(const std::string&) {
  Result<docdb::Stats> s = db_->GetStats();
  if (!s.ok()) return Fail(s.status());
  Print(R"({"wal_segments":)" + std::to_string(s->wal_segments) + R"(,"wal_disk_bytes":)" +
        std::to_string(s->wal_disk_bytes) + R"(,"wal_bytes":)" + std::to_string(s->wal_bytes) +
        R"(,"wal_syncs":)" + std::to_string(s->wal_syncs) + R"(,"wal_group_commits":)" +
        std::to_string(s->wal_group_commits) + R"(,"wal_segments_trimmed":)" +
        std::to_string(s->wal_segments_trimmed) + R"(,"last_lsn":)" + std::to_string(s->last_lsn) +
        R"(,"checkpoint_lsn":)" + std::to_string(s->checkpoint_lsn) + R"(,"direct_io":)" +
        (s->wal_direct_io ? "true" : "false") + "}");
  return Outcome::kOk;
}

std::vector<std::string> Shell::Complete(const std::string& line_so_far,
                                         const std::string& prefix) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& candidate) {
    if (candidate.rfind(prefix, 0) == 0) out.push_back(candidate);
  };
  const std::string first = SplitWord(line_so_far).first;
  if (line_so_far.find_first_of(" \t") == std::string::npos) {
    for (const Command& c : Commands()) add(c.name);
    for (const auto& [alias, name] : Aliases()) add(alias);
    return out;
  }
  const Command* c = Find(first);
  if (c == nullptr) return out;
  const std::string name = c->name;
  if (name == ".use-collection" || name == ".drop-collection") {
    if (Result<std::vector<CollectionInfo>> cs = db_->ListCollections(); cs.ok()) {
      for (const CollectionInfo& info : *cs) add(info.name);
    }
  } else if (name == ".open") {
    if (auto dbs = backend_->List(); dbs.ok()) {
      for (const DatabaseEntry& d : *dbs) add(d.name);
    }
  } else if (name == ".get" || name == ".delete" || name == ".update" || name == ".put" ||
             name == ".patch" || name == ".merge") {
    ScanOptions options;
    options.prefix = prefix;
    options.limit = 100;
    if (Result<std::vector<Document>> docs = db_->Scan(collection_, options); docs.ok()) {
      for (const Document& d : *docs) out.push_back(d.id);
    }
  }
  return out;
}

}  // namespace docdb::shell
