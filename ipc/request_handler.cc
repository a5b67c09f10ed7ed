// Running protocol requests (ipc/request_handler.h, docs/protocol.md).
#include "ipc/request_handler.h"

#include <atomic>
#include <memory>
#include <mutex>

namespace docdb::ipc {
namespace {

// The status of `result`, having moved its value into *field when there is one.
template <typename T>
Status Take(Result<T> result, T* field) {
  if (!result.ok()) return std::move(result).status();
  *field = *std::move(result);
  return Status::OK();
}

// A scan answers at most this many documents (and never more than a frame holds); the
// client asks again from after the last one.
constexpr uint64_t kScanPageDocuments = 1000;

bool IsWrite(OpType type) { return type != OpType::kRead; }

// Adds `op` to `batch`. InvalidArgument for what no write takes.
Status AddToBatch(const Operation& op, DB& db, WriteBatch* batch, std::string* id) {
  const std::optional<WriteBatch::OpKind> kind = OpKindOf(op.type);
  if (!kind) return Status::InvalidArgument("a read is not a write");
  *id = op.id;
  if (*kind == WriteBatch::OpKind::kInsert) {
    if (op.expected_version) return Status::InvalidArgument("create takes no expected version");
    if (id->empty()) *id = db.GenerateDocumentId();
  }
  const bool deletes = *kind == WriteBatch::OpKind::kDelete;
  batch->Add(*kind, op.collection, *id, deletes ? std::string_view() : std::string_view(op.json),
             op.expected_version);
  return Status::OK();
}

OpResult Read(const Operation& op, DB& db) {
  OpResult result;
  Result<Document> doc = db.Get(op.collection, op.id);
  if (!doc.ok()) {
    result.status = doc.status();
    return result;
  }
  result.version = doc->version;
  result.id = std::move(doc->id);
  result.json = std::move(doc->json);
  result.exists = true;
  return result;
}

// The status of a non-atomic Execute: OK when every operation succeeded, else the first
// failure's, naming its operation.
Status BatchStatus(const std::vector<OpResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].status.ok()) {
      return results[i].status.WithContext("operation " + std::to_string(i));
    }
  }
  return Status::OK();
}

Response StatusOnly(Status status) {
  Response r;
  r.status = std::move(status);
  return r;
}

// A non-atomic Execute in progress: its operations run in order, each seeing the ones
// before it. Reads run at once; a run of consecutive writes is queued together and the
// rest continues from the completion of the last of them. `db` is a plain pointer: every
// continuation runs inside a WriteAsync completion, before the database can close.
struct ExecuteState : std::enable_shared_from_this<ExecuteState> {
  Request request;
  DB* db = nullptr;
  Respond respond;
  Response response;
  size_t next = 0;
  std::atomic<size_t> pending{0};

  void Step() {
    const std::vector<Operation>& ops = request.ops;
    while (next < ops.size() && !IsWrite(ops[next].type)) {
      response.results[next] = Read(ops[next], *db);
      ++next;
    }
    if (next == ops.size()) {
      response.status = BatchStatus(response.results);
      respond(EncodeResponse(request.command, request.request_id, response));
      return;
    }
    size_t end = next;
    while (end < ops.size() && IsWrite(ops[end].type)) ++end;
    const size_t first = next;
    next = end;
    pending.store(end - first);
    auto self = shared_from_this();
    for (size_t i = first; i < end; ++i) {
      WriteBatch batch;
      Status added = AddToBatch(ops[i], *db, &batch, &response.results[i].id);
      if (!added.ok()) {
        Finish(i, added);
        continue;
      }
      db->WriteAsync(std::move(batch),
                     [self, i](Result<uint64_t> r) { self->Finish(i, std::move(r)); });
    }
  }

  void Finish(size_t i, Result<uint64_t> outcome) {
    OpResult& result = response.results[i];
    if (outcome.ok()) {
      result.version = *outcome;
    } else {
      result.status = outcome.status();
      result.id.clear();
    }
    // The completion of the run's last write carries the Execute on. Completions come
    // in order from one thread, and the writes before them have been recorded.
    if (pending.fetch_sub(1) == 1) Step();
  }
};

}  // namespace

RequestHandler::RequestHandler(DatabasePool* pool, const ServerMetrics* metrics, ServerHello hello)
    : pool_(pool),
      metrics_(metrics),
      hello_(std::move(hello)),
      started_(std::chrono::steady_clock::now()) {}

std::string RequestHandler::ErrorFrame(Command command, uint64_t request_id, Status status) {
  return EncodeResponse(command, request_id, StatusOnly(std::move(status)));
}

RequestHandler::Route RequestHandler::RouteOf(const Request& request) const {
  switch (request.command) {
    case Command::kHello:
    case Command::kListDbs:
    case Command::kMetrics:
      return {};
    case Command::kOpenDb:
    case Command::kCloseDb:
    case Command::kDropDb:
    case Command::kCheckpoint:
    case Command::kTrim:
    case Command::kCompact:
    case Command::kHeal:
    case Command::kHealAll:
    case Command::kVerify:
    case Command::kBackup:
    case Command::kCreateCollection:
    case Command::kDeleteCollection:
      return {true, nullptr};
    default: {
      // A database that is not open yet opens (and recovers) first.
      std::shared_ptr<DB> db = pool_->Find(request.db);
      const bool opens = db == nullptr;
      return {opens, std::move(db)};
    }
  }
}

bool RequestHandler::Writes(const Request& request) {
  switch (request.command) {
    case Command::kExecute:
    case Command::kPut:
    case Command::kInsert:
    case Command::kInsertNew:
    case Command::kUpdate:
    case Command::kDelete:
    case Command::kPatch:
    case Command::kMergePatch:
      for (const Operation& op : request.ops) {
        if (IsWrite(op.type)) return true;
      }
      return false;
    default:
      return false;
  }
}

void RequestHandler::Handle(Request request, std::shared_ptr<DB> db, Respond respond) {
  const Command command = request.command;
  const uint64_t id = request.request_id;
  switch (command) {
    case Command::kHello: {
      Response r;
      r.hello = hello_;
      r.hello.uptime_ms =
          static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started_)
                                    .count());
      respond(EncodeResponse(command, id, r));
      return;
    }
    case Command::kListDbs: {
      Response r;
      r.status = Take(pool_->List(), &r.databases);
      respond(EncodeResponse(command, id, r));
      return;
    }
    case Command::kCloseDb:
      respond(ErrorFrame(command, id, pool_->Close(request.db)));
      return;
    case Command::kDropDb:
      respond(ErrorFrame(command, id, pool_->Drop(request.db)));
      return;
    case Command::kMetrics: {
      // The whole server, whatever database the request names (docs/protocol.md).
      Response r;
      r.text = metrics_->Text();
      respond(EncodeResponse(command, id, r));
      return;
    }
    default:
      break;
  }
  if (db == nullptr) db = pool_->Find(request.db);
  if (db == nullptr) {
    Result<std::shared_ptr<DB>> opened = pool_->Open(request.db);
    if (!opened.ok()) {
      respond(ErrorFrame(command, id, opened.status()));
      return;
    }
    db = std::move(*opened);
  }
  HandleWithDb(std::move(request), std::move(db), std::move(respond));
}

void RequestHandler::HandleWithDb(Request request, std::shared_ptr<DB> db, Respond respond) {
  const Command command = request.command;
  const uint64_t id = request.request_id;
  Response r;
  switch (command) {
    case Command::kOpenDb:
      break;
    case Command::kExecute:
      if (request.atomic) {
        ExecuteAtomically(std::move(request), *db, std::move(respond));
      } else {
        Execute(std::move(request), *db, std::move(respond));
      }
      return;
    case Command::kGet:
      r.results.push_back(Read(request.ops.front(), *db));
      r.status = r.results.front().status;
      break;
    case Command::kExists: {
      const Operation& op = request.ops.front();
      r.results.emplace_back();
      r.status = Take(db->Exists(op.collection, op.id), &r.results.front().exists);
      break;
    }
    case Command::kInsertNew:
      request.ops.front().id.clear();
      [[fallthrough]];
    case Command::kPut:
    case Command::kInsert:
    case Command::kUpdate:
    case Command::kDelete:
    case Command::kPatch:
    case Command::kMergePatch:
      if (command == Command::kInsert && request.ops.front().id.empty()) {
        r.status = Status::InvalidArgument("insert needs a document id (insert_new makes one)");
        break;
      }
      // One operation: an Execute of one, whose response is that operation's.
      Execute(std::move(request), *db, std::move(respond));
      return;
    case Command::kScan:
      r = Scan(request, *db);
      break;
    case Command::kCount:
      r.status = Take(db->Count(request.collection), &r.count);
      break;
    case Command::kStats:
      r.status = Take(db->GetStats(), &r.stats);
      break;
    case Command::kListCollections:
      r.status = Take(db->ListCollections(), &r.collections);
      break;
    case Command::kCreateCollection:
      r.status = db->CreateCollection(request.collection);
      break;
    case Command::kDeleteCollection:
      r.status = db->DropCollection(request.collection, request.force);
      break;
    case Command::kCheckpoint:
      r.status = db->Checkpoint();
      break;
    case Command::kTrim:
      r.status = db->TrimWal();
      break;
    case Command::kCompact:
      r.status = db->Compact();
      break;
    case Command::kHeal:
      r.status = Take(db->HealDocument(request.collection, request.ops.front().id), &r.healed);
      break;
    case Command::kHealAll:
      r.status = Take(db->HealAll(), &r.heal_report);
      break;
    case Command::kVerify:
      r.status = Take(db->Verify(), &r.verify);
      break;
    case Command::kBackup:
      // The server's working directory is no business of its clients.
      r.status = request.path.starts_with('/')
                     ? db->Backup(request.path)
                     : Status::InvalidArgument("backup destination '" + request.path +
                                               "' is not an absolute path");
      break;
    case Command::kHealStats:
      r.status = Take(db->GetHealingStats(), &r.healing);
      break;
    default:
      r.status = Status::Internal("no handler for " + CommandName(static_cast<uint16_t>(command)));
      break;
  }
  respond(EncodeResponse(command, id, r));
}

void RequestHandler::Execute(Request request, DB& db, Respond respond) {
  auto state = std::make_shared<ExecuteState>();
  state->response.results.resize(request.ops.size());
  state->request = std::move(request);
  state->db = &db;
  // A single-document command answers with its operation's status.
  if (state->request.command != Command::kExecute) {
    state->respond = [respond = std::move(respond), state = state.get()](std::string) {
      Response& r = state->response;
      r.status = r.results.front().status;
      respond(EncodeResponse(state->request.command, state->request.request_id, r));
    };
  } else {
    state->respond = std::move(respond);
  }
  state->Step();
}

void RequestHandler::ExecuteAtomically(Request request, DB& db, Respond respond) {
  auto response = std::make_shared<Response>();
  response->results.resize(request.ops.size());
  WriteBatch batch;
  for (size_t i = 0; i < request.ops.size(); ++i) {
    const Operation& op = request.ops[i];
    Status added = IsWrite(op.type)
                       ? AddToBatch(op, db, &batch, &response->results[i].id)
                       : Status::InvalidArgument("an atomic execute holds only writes");
    if (!added.ok()) {
      respond(ErrorFrame(Command::kExecute, request.request_id,
                         added.WithContext("operation " + std::to_string(i))));
      return;
    }
  }
  db.WriteAsync(std::move(batch), [response, id = request.request_id,
                                   respond = std::move(respond)](Result<uint64_t> outcome) {
    response->status = outcome.ok() ? Status::OK() : outcome.status();
    for (OpResult& r : response->results) {
      r.status = response->status;
      if (outcome.ok()) r.version = *outcome;
      if (!outcome.ok()) r.id.clear();
    }
    respond(EncodeResponse(Command::kExecute, id, *response));
  });
}

Response RequestHandler::Scan(const Request& request, DB& db) const {
  ScanOptions options = request.scan;
  const bool capped = options.limit == 0 || options.limit > kScanPageDocuments;
  if (capped) options.limit = kScanPageDocuments;
  Result<std::vector<Document>> docs = db.Scan(request.collection, options);
  if (!docs.ok()) return StatusOnly(docs.status());
  Response r;
  r.more = capped && docs->size() == kScanPageDocuments;
  // Stop where the frame would pass the limit: the client continues from there.
  uint64_t bytes = 64;
  for (Document& d : *docs) {
    bytes += 16 + d.id.size() + d.json.size();
    if (bytes > hello_.max_frame_body_bytes && !r.documents.empty()) {
      r.more = true;
      break;
    }
    r.documents.push_back(std::move(d));
  }
  return r;
}

}  // namespace docdb::ipc
