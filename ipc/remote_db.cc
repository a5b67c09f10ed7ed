// A docdbd database behind the DB interface (ipc/remote_db.h, docs/client.md).
#include "ipc/remote_db.h"

#include <random>

#include "common/status_macros.h"

namespace docdb::ipc {
namespace {

// The response's status, or the transport's.
Status StatusOf(const Result<Response>& r) { return r.ok() ? r->status : r.status(); }

}  // namespace

RemoteDB::RemoteDB(std::shared_ptr<ClientConnection> connection, std::string name)
    : connection_(std::move(connection)),
      name_(std::move(name)),
      id_generator_(std::random_device{}()) {}

Request RemoteDB::RequestFor(Command command) const {
  Request r;
  r.command = command;
  r.db = name_;
  return r;
}

Result<OpResult> RemoteDB::CallOne(Command command, std::string_view collection,
                                   std::string_view id, std::string_view json,
                                   std::optional<uint64_t> expected_version) {
  Request req = RequestFor(command);
  req.ops.push_back({OpType::kRead, std::string(collection), std::string(id), std::string(json),
                     expected_version});
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(std::move(req)));
  if (!r.status.ok()) return r.status;
  if (r.results.size() != 1) return Status::Internal("docdbd answered without a result");
  return std::move(r.results.front());
}

Status RemoteDB::CallForStatus(Request request) {
  return StatusOf(connection_->Call(std::move(request)));
}

Status RemoteDB::CreateCollection(std::string_view name) {
  Request r = RequestFor(Command::kCreateCollection);
  r.collection = name;
  return CallForStatus(std::move(r));
}

Status RemoteDB::DropCollection(std::string_view name, bool force) {
  Request r = RequestFor(Command::kDeleteCollection);
  r.collection = name;
  r.force = force;
  return CallForStatus(std::move(r));
}

Result<std::vector<CollectionInfo>> RemoteDB::ListCollections() {
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(RequestFor(Command::kListCollections)));
  if (!r.status.ok()) return r.status;
  return std::move(r.collections);
}

Result<uint64_t> RemoteDB::Insert(std::string_view collection, std::string_view id,
                                  std::string_view json) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r, CallOne(Command::kInsert, collection, id, json, std::nullopt));
  return r.version;
}

Result<Document> RemoteDB::InsertNew(std::string_view collection, std::string_view json) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r,
                         CallOne(Command::kInsertNew, collection, "", json, std::nullopt));
  return Document{std::move(r.id), "", r.version};
}

std::string RemoteDB::GenerateDocumentId() { return id_generator_.Next(); }

Result<uint64_t> RemoteDB::Put(std::string_view collection, std::string_view id,
                               std::string_view json, const WriteOptions& options) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r,
                         CallOne(Command::kPut, collection, id, json, options.expected_version));
  return r.version;
}

Result<uint64_t> RemoteDB::Update(std::string_view collection, std::string_view id,
                                  std::string_view json, const WriteOptions& options) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r,
                         CallOne(Command::kUpdate, collection, id, json, options.expected_version));
  return r.version;
}

Result<uint64_t> RemoteDB::Delete(std::string_view collection, std::string_view id,
                                  const WriteOptions& options) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r,
                         CallOne(Command::kDelete, collection, id, "", options.expected_version));
  return r.version;
}

Result<uint64_t> RemoteDB::Patch(std::string_view collection, std::string_view id,
                                 std::string_view patch_json, const WriteOptions& options) {
  DOCDB_ASSIGN_OR_RETURN(
      OpResult r, CallOne(Command::kPatch, collection, id, patch_json, options.expected_version));
  return r.version;
}

Result<uint64_t> RemoteDB::MergePatch(std::string_view collection, std::string_view id,
                                      std::string_view merge_patch_json,
                                      const WriteOptions& options) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r, CallOne(Command::kMergePatch, collection, id, merge_patch_json,
                                             options.expected_version));
  return r.version;
}

Result<Document> RemoteDB::Get(std::string_view collection, std::string_view id) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r, CallOne(Command::kGet, collection, id, "", std::nullopt));
  return Document{std::move(r.id), std::move(r.json), r.version};
}

Result<bool> RemoteDB::Exists(std::string_view collection, std::string_view id) {
  DOCDB_ASSIGN_OR_RETURN(OpResult r, CallOne(Command::kExists, collection, id, "", std::nullopt));
  return r.exists;
}

Result<std::vector<Document>> RemoteDB::Scan(std::string_view collection,
                                             const ScanOptions& options) {
  std::vector<Document> out;
  Request req = RequestFor(Command::kScan);
  req.collection = collection;
  req.scan = options;
  for (;;) {
    DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(req));
    if (!r.status.ok()) return r.status;
    for (Document& d : r.documents) out.push_back(std::move(d));
    if (!r.more || r.documents.empty() || (options.limit != 0 && out.size() >= options.limit)) {
      return out;
    }
    // The next page starts just after the last ID: the ID with a NUL byte appended is the
    // first one that sorts after it.
    req.scan.start = out.back().id + '\0';
    if (options.limit != 0) req.scan.limit = options.limit - out.size();
  }
}

Result<uint64_t> RemoteDB::Count(std::string_view collection) {
  Request req = RequestFor(Command::kCount);
  req.collection = collection;
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(std::move(req)));
  if (!r.status.ok()) return r.status;
  return r.count;
}

Request RemoteDB::AtomicExecuteOf(const WriteBatch& batch, Request request) {
  request.atomic = true;
  for (const WriteBatch::Op& op : batch.ops()) {
    request.ops.push_back({OpTypeOf(op.kind), op.collection, op.id, op.json, op.expected_version});
  }
  return request;
}

Status RemoteDB::Write(const WriteBatch& batch) {
  if (batch.empty()) return Status::OK();
  return CallForStatus(AtomicExecuteOf(batch, RequestFor(Command::kExecute)));
}

void RemoteDB::WriteAsync(WriteBatch batch, std::function<void(Result<uint64_t>)> done) {
  if (batch.empty()) {
    done(uint64_t{0});
    return;
  }
  connection_->CallAsync(AtomicExecuteOf(batch, RequestFor(Command::kExecute)),
                         [done = std::move(done)](Result<Response> r) {
                           const Status s = StatusOf(r);
                           if (!s.ok()) {
                             done(s);
                           } else if (r->results.empty()) {
                             done(Status::Internal("docdbd answered without a result"));
                           } else {
                             done(r->results.front().version);
                           }
                         });
}

Status RemoteDB::Checkpoint() { return CallForStatus(RequestFor(Command::kCheckpoint)); }

Status RemoteDB::TrimWal() { return CallForStatus(RequestFor(Command::kTrim)); }

Status RemoteDB::Compact(const ProgressCallback& /*progress*/) {
  return CallForStatus(RequestFor(Command::kCompact));
}

Result<Stats> RemoteDB::GetStats() {
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(RequestFor(Command::kStats)));
  if (!r.status.ok()) return r.status;
  return std::move(r.stats);
}

Result<std::string> RemoteDB::Metrics() {
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(RequestFor(Command::kMetrics)));
  if (!r.status.ok()) return r.status;
  return std::move(r.text);
}

Status RemoteDB::CollectMetrics(std::vector<prometheus::MetricFamily>*) {
  return Status::NotSupported(
      "CollectMetrics: a server's metrics come as text (Metrics, or its /metrics)");
}

Result<bool> RemoteDB::HealDocument(std::string_view collection, std::string_view id) {
  Request req = RequestFor(Command::kHeal);
  req.collection = collection;
  Operation& op = req.ops.emplace_back();
  op.collection = collection;
  op.id = id;
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(std::move(req)));
  if (!r.status.ok()) return r.status;
  return r.healed;
}

Result<HealReport> RemoteDB::HealAll() {
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(RequestFor(Command::kHealAll)));
  if (!r.status.ok()) return r.status;
  return std::move(r.heal_report);
}

Result<VerifyReport> RemoteDB::Verify(const ProgressCallback& /*progress*/) {
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(RequestFor(Command::kVerify)));
  if (!r.status.ok()) return r.status;
  return std::move(r.verify);
}

Status RemoteDB::Backup(const std::string& destination_dir, const ProgressCallback& /*progress*/) {
  Request req = RequestFor(Command::kBackup);
  req.path = destination_dir;
  return CallForStatus(std::move(req));
}

Result<HealingStats> RemoteDB::GetHealingStats() {
  DOCDB_ASSIGN_OR_RETURN(Response r, connection_->Call(RequestFor(Command::kHealStats)));
  if (!r.status.ok()) return r.status;
  return std::move(r.healing);
}

}  // namespace docdb::ipc
