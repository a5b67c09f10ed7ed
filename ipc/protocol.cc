// Frame and body coding of DocDB's wire protocol (ipc/protocol.h, docs/protocol.md).
#include "ipc/protocol.h"

#include <array>

#include "common/coding.h"
#include "common/crc32c.h"

namespace docdb::ipc {
namespace {

constexpr size_t kHeaderCrcOffset = 20;

// Builds a frame: room for the header first, then the body's fields, then the header
// written in front of them, so that the body is never copied.
class BodyWriter {
 public:
  explicit BodyWriter(size_t expected_body_bytes = 0) : out_(kFrameHeaderBytes, '\0') {
    out_.reserve(kFrameHeaderBytes + expected_body_bytes);
  }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) {
    U8(static_cast<uint8_t>(v));
    U8(static_cast<uint8_t>(v >> 8));
  }
  void U32(uint32_t v) { PutFixed32(&out_, v); }
  void U64(uint64_t v) { PutFixed64(&out_, v); }
  void Bytes(std::string_view v) {
    U32(static_cast<uint32_t>(v.size()));
    out_.append(v);
  }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void OptionalU64(const std::optional<uint64_t>& v) {
    Bool(v.has_value());
    U64(v.value_or(0));
  }
  void StatusField(const Status& s) {
    U16(static_cast<uint16_t>(s.code()));
    U32(static_cast<uint32_t>(s.sys_errno()));
    Bytes(s.message());
  }
  // The whole frame, under `header` (whose body_length is set here).
  std::string Finish(FrameHeader header) && {
    header.body_length = static_cast<uint32_t>(out_.size() - kFrameHeaderBytes);
    EncodeFrameHeader(header, out_.data());
    return std::move(out_);
  }

 private:
  std::string out_;
};

// Reads the fields of a body from the front; the first field that does not fit makes
// every later read fail too, and Finish() names it.
class BodyReader {
 public:
  BodyReader(std::string_view in, std::string what) : in_(in), what_(std::move(what)) {}

  uint8_t U8(const char* field) {
    if (!Have(1, field)) return 0;
    const auto v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  uint16_t U16(const char* field) {
    if (!Have(2, field)) return 0;
    const auto v =
        static_cast<uint16_t>(static_cast<uint8_t>(in_[0]) | (static_cast<uint8_t>(in_[1]) << 8));
    in_.remove_prefix(2);
    return v;
  }
  uint32_t U32(const char* field) {
    if (!Have(4, field)) return 0;
    const uint32_t v = DecodeFixed32(in_.data());
    in_.remove_prefix(4);
    return v;
  }
  uint64_t U64(const char* field) {
    if (!Have(8, field)) return 0;
    const uint64_t v = DecodeFixed64(in_.data());
    in_.remove_prefix(8);
    return v;
  }
  std::string Bytes(const char* field) {
    const uint32_t n = U32(field);
    if (!Have(n, field)) return {};
    std::string v(in_.substr(0, n));
    in_.remove_prefix(n);
    return v;
  }
  bool Bool(const char* field) {
    const uint8_t v = U8(field);
    if (v > 1 && error_.empty()) error_ = std::string(field) + " is " + std::to_string(v);
    return v == 1;
  }
  std::optional<uint64_t> OptionalU64(const char* field) {
    const bool present = Bool(field);
    const uint64_t v = U64(field);
    return present ? std::optional<uint64_t>(v) : std::nullopt;
  }
  Status StatusField(const char* field) {
    const uint16_t code = U16(field);
    const uint32_t sys_errno = U32(field);
    std::string message = Bytes(field);
    if (code > static_cast<uint16_t>(StatusCode::kUnavailable) && error_.empty()) {
      error_ = std::string(field) + " has unknown status code " + std::to_string(code);
    }
    if (!error_.empty() || code == 0) return Status::OK();
    return Status(static_cast<StatusCode>(code), std::move(message), static_cast<int>(sys_errno));
  }
  // A count of items each at least `min_item_bytes` long: never more than the rest of the
  // body could hold, so that an absurd count cannot make the decoder allocate.
  uint32_t Count(const char* field, size_t min_item_bytes) {
    const uint32_t n = U32(field);
    if (error_.empty() && n > in_.size() / min_item_bytes) {
      error_ = std::string(field) + " of " + std::to_string(n) + " cannot fit in the " +
               std::to_string(in_.size()) + " bytes left";
    }
    return error_.empty() ? n : 0;
  }
  void Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }
  bool ok() const { return error_.empty(); }
  bool AtEnd() const { return in_.empty(); }

  // OK when every field was there and, unless `allow_more`, nothing is left over.
  Status Finish(bool allow_more = false) const {
    if (!error_.empty()) return Status::InvalidArgument(what_ + ": " + error_);
    if (!in_.empty() && !allow_more) {
      return Status::InvalidArgument(what_ + ": " + std::to_string(in_.size()) +
                                     " bytes after the last field");
    }
    return Status::OK();
  }

 private:
  bool Have(size_t n, const char* field) {
    if (!error_.empty()) return false;
    if (in_.size() < n) {
      error_ = std::string(field) + " is truncated (" + std::to_string(n) + " bytes needed, " +
               std::to_string(in_.size()) + " left)";
      return false;
    }
    return true;
  }

  std::string_view in_;
  std::string what_;
  std::string error_;
};

constexpr std::array<const char*, kMaxCommand + 1> kCommandNames = {"",
                                                                    "open_db",
                                                                    "close_db",
                                                                    "execute",
                                                                    "stats",
                                                                    "create_collection",
                                                                    "delete_collection",
                                                                    "list_collections",
                                                                    "list_dbs",
                                                                    "heal",
                                                                    "heal_all",
                                                                    "heal_stats",
                                                                    "metrics",
                                                                    "hello",
                                                                    "get",
                                                                    "put",
                                                                    "insert",
                                                                    "insert_new",
                                                                    "update",
                                                                    "delete",
                                                                    "patch",
                                                                    "merge_patch",
                                                                    "scan",
                                                                    "count",
                                                                    "checkpoint",
                                                                    "trim",
                                                                    "compact",
                                                                    "verify",
                                                                    "backup",
                                                                    "drop_db",
                                                                    "exists"};

bool IsKnownCommand(uint16_t command) { return command >= 1 && command <= kMaxCommand; }

bool IsKnownOpType(uint8_t type) {
  switch (static_cast<OpType>(type)) {
    case OpType::kCreate:
    case OpType::kRead:
    case OpType::kUpdate:
    case OpType::kDelete:
    case OpType::kPatch:
    case OpType::kPut:
    case OpType::kMergePatch:
      return true;
  }
  return false;
}

// The operation a single-document command stands for.
std::optional<OpType> SingleOpType(Command command) {
  switch (command) {
    case Command::kGet:
    case Command::kExists:
      return OpType::kRead;
    case Command::kPut:
      return OpType::kPut;
    case Command::kInsert:
    case Command::kInsertNew:
      return OpType::kCreate;
    case Command::kUpdate:
      return OpType::kUpdate;
    case Command::kDelete:
      return OpType::kDelete;
    case Command::kPatch:
      return OpType::kPatch;
    case Command::kMergePatch:
      return OpType::kMergePatch;
    default:
      return std::nullopt;
  }
}

// Commands whose request body is just a database name.
bool TakesOnlyDb(Command command) {
  switch (command) {
    case Command::kOpenDb:
    case Command::kCloseDb:
    case Command::kDropDb:
    case Command::kStats:
    case Command::kListCollections:
    case Command::kHealAll:
    case Command::kHealStats:
    case Command::kMetrics:
    case Command::kCheckpoint:
    case Command::kTrim:
    case Command::kCompact:
    case Command::kVerify:
      return true;
    default:
      return false;
  }
}

// An operation's fields after its type: collection, id, json, expected version.
void PutOperationFields(BodyWriter& w, const Operation& op) {
  w.Bytes(op.collection);
  w.Bytes(op.id);
  w.Bytes(op.json);
  w.OptionalU64(op.expected_version);
}

Operation GetOperationFields(BodyReader& r, OpType type) {
  Operation op;
  op.type = type;
  op.collection = r.Bytes("collection");
  op.id = r.Bytes("id");
  op.json = r.Bytes("json");
  op.expected_version = r.OptionalU64("expected version");
  return op;
}

// The smallest encoded operation: type, three empty strings, the expected version.
constexpr size_t kMinOperationBytes = 1 + 3 * 4 + 1 + 8;

void PutOpResultFields(BodyWriter& w, const OpResult& r) {
  w.U64(r.version);
  w.Bytes(r.id);
  w.Bytes(r.json);
  w.Bool(r.exists);
}

void GetOpResultFields(BodyReader& r, OpResult* out) {
  out->version = r.U64("version");
  out->id = r.Bytes("id");
  out->json = r.Bytes("json");
  out->exists = r.Bool("exists");
}

constexpr size_t kMinOpResultBytes = 2 + 4 + 4 + 8 + 4 + 4 + 1;

void PutStats(BodyWriter& w, const Stats& s) {
  for (uint64_t v : {s.documents, s.collections, s.last_lsn, s.checkpoint_lsn, s.checkpoints,
                     s.checkpoint_max_wait_us, s.overlay_entries, s.wal_bytes, s.wal_syncs,
                     s.wal_group_commits}) {
    w.U64(v);
  }
  w.Bytes(s.io_backend);
  const RecoveryReport& r = s.recovery;
  for (uint64_t v :
       {r.records_replayed, r.first_lsn, r.last_lsn, r.torn_tail_segment, r.torn_tail_offset,
        r.torn_tail_lsn, r.dropped_bytes, r.dropped_records, r.salvaged_regions}) {
    w.U64(v);
  }
  w.Bytes(r.first_salvaged);
  w.Bytes(r.detail);
  for (uint64_t v : {s.checkpoint_failures, s.wal_segments, s.wal_disk_bytes,
                     s.wal_segments_trimmed, s.data_segments, s.data_bytes, s.live_bytes,
                     s.compactions, s.compaction_bytes_copied, s.compaction_bytes_reclaimed}) {
    w.U64(v);
  }
  w.Bytes(s.last_checkpoint_error);
  for (uint64_t v : {s.writes_revoked, s.errors_transient, s.errors_permanent, s.errors_critical,
                     s.errors_validation, s.retries, r.records_revoked}) {
    w.U64(v);
  }
  w.Bool(s.read_only);
  w.Bytes(s.read_only_reason);
  w.U64(s.memory_bytes);
  w.U64(s.dead_bytes);
  w.U64(static_cast<uint64_t>(s.last_checkpoint_time_us));
  w.U64(s.recovery.duration_us);
  w.Bool(s.wal_direct_io);
}

void PutDamaged(BodyWriter& w, const std::vector<DamagedDocument>& documents) {
  w.U32(static_cast<uint32_t>(documents.size()));
  for (const DamagedDocument& d : documents) {
    w.Bytes(d.collection);
    w.Bytes(d.id);
    w.U64(d.version);
    w.Bytes(d.problem);
  }
}

void GetDamaged(BodyReader& r, std::vector<DamagedDocument>* documents) {
  documents->resize(r.Count("damaged document count", 4 + 4 + 8 + 4));
  for (DamagedDocument& d : *documents) {
    d.collection = r.Bytes("damaged document collection");
    d.id = r.Bytes("damaged document id");
    d.version = r.U64("damaged document version");
    d.problem = r.Bytes("damaged document problem");
  }
}

void PutHealingStats(BodyWriter& w, const HealingStats& h) {
  for (uint64_t v : {h.total_scans, h.documents_healed, h.documents_corrupted, h.on_demand_healings,
                     h.background_healings, static_cast<uint64_t>(h.last_scan_time_us),
                     static_cast<uint64_t>(h.last_healing_time_us), h.documents_unrecoverable}) {
    w.U64(v);
  }
  PutDamaged(w, h.unrecoverable);
}

void GetHealingStats(BodyReader& r, HealingStats* h) {
  for (uint64_t* v : {&h->total_scans, &h->documents_healed, &h->documents_corrupted,
                      &h->on_demand_healings, &h->background_healings}) {
    *v = r.U64("healing stats");
  }
  h->last_scan_time_us = static_cast<int64_t>(r.U64("last scan time"));
  h->last_healing_time_us = static_cast<int64_t>(r.U64("last healing time"));
  h->documents_unrecoverable = r.U64("unrecoverable documents");
  GetDamaged(r, &h->unrecoverable);
}

void GetStats(BodyReader& r, Stats* s) {
  for (uint64_t* v : {&s->documents, &s->collections, &s->last_lsn, &s->checkpoint_lsn,
                      &s->checkpoints, &s->checkpoint_max_wait_us, &s->overlay_entries,
                      &s->wal_bytes, &s->wal_syncs, &s->wal_group_commits}) {
    *v = r.U64("stats");
  }
  s->io_backend = r.Bytes("io backend");
  RecoveryReport& rr = s->recovery;
  for (uint64_t* v : {&rr.records_replayed, &rr.first_lsn, &rr.last_lsn, &rr.torn_tail_segment,
                      &rr.torn_tail_offset, &rr.torn_tail_lsn, &rr.dropped_bytes,
                      &rr.dropped_records, &rr.salvaged_regions}) {
    *v = r.U64("recovery");
  }
  rr.first_salvaged = r.Bytes("first salvaged");
  rr.detail = r.Bytes("recovery detail");
  if (r.AtEnd()) return;  // a server from before the lifecycle fields
  for (uint64_t* v :
       {&s->checkpoint_failures, &s->wal_segments, &s->wal_disk_bytes, &s->wal_segments_trimmed,
        &s->data_segments, &s->data_bytes, &s->live_bytes, &s->compactions,
        &s->compaction_bytes_copied, &s->compaction_bytes_reclaimed}) {
    *v = r.U64("lifecycle stats");
  }
  s->last_checkpoint_error = r.Bytes("last checkpoint error");
  if (r.AtEnd()) return;  // a server from before the reliability fields
  for (uint64_t* v :
       {&s->writes_revoked, &s->errors_transient, &s->errors_permanent, &s->errors_critical,
        &s->errors_validation, &s->retries, &rr.records_revoked}) {
    *v = r.U64("reliability stats");
  }
  s->read_only = r.Bool("read only");
  s->read_only_reason = r.Bytes("read only reason");
  if (r.AtEnd()) return;  // a server from before the observability fields
  s->memory_bytes = r.U64("memory bytes");
  s->dead_bytes = r.U64("dead bytes");
  s->last_checkpoint_time_us = static_cast<int64_t>(r.U64("last checkpoint time"));
  rr.duration_us = r.U64("recovery duration");
  if (r.AtEnd()) return;  // a server from before direct I/O
  s->wal_direct_io = r.Bool("wal direct io");
}

void PutRequestBody(BodyWriter& w, const Request& req) {
  const Command c = req.command;
  if (c == Command::kHello) {
    w.U16(req.client_version);
    w.Bytes(req.client_name);
    return;
  }
  if (c == Command::kListDbs) return;
  w.Bytes(req.db);
  if (TakesOnlyDb(c)) return;
  if (SingleOpType(c)) {
    PutOperationFields(w, req.ops.empty() ? Operation{} : req.ops.front());
    return;
  }
  switch (c) {
    case Command::kExecute:
      w.U32(static_cast<uint32_t>(req.ops.size()));
      for (const Operation& op : req.ops) {
        w.U8(static_cast<uint8_t>(op.type));
        PutOperationFields(w, op);
      }
      return;
    case Command::kCreateCollection:
    case Command::kCount:
      w.Bytes(req.collection);
      return;
    case Command::kDeleteCollection:
      w.Bytes(req.collection);
      w.Bool(req.force);
      return;
    case Command::kScan:
      w.Bytes(req.collection);
      w.Bytes(req.scan.start);
      w.Bytes(req.scan.end);
      w.Bytes(req.scan.prefix);
      w.U64(req.scan.limit);
      return;
    case Command::kHeal:
      w.Bytes(req.collection);
      PutOperationFields(w, req.ops.empty() ? Operation{} : req.ops.front());
      return;
    case Command::kBackup:
      w.Bytes(req.path);
      return;
    default:
      return;
  }
}

void GetRequestBody(BodyReader& r, Request* req) {
  const Command c = req->command;
  if (c == Command::kHello) {
    req->client_version = r.U16("client version");
    req->client_name = r.Bytes("client name");
    return;
  }
  if (c == Command::kListDbs) return;
  req->db = r.Bytes("database name");
  if (TakesOnlyDb(c)) return;
  if (std::optional<OpType> type = SingleOpType(c)) {
    req->ops.push_back(GetOperationFields(r, *type));
    return;
  }
  switch (c) {
    case Command::kExecute: {
      const uint32_t n = r.Count("operation count", kMinOperationBytes);
      req->ops.reserve(n);
      for (uint32_t i = 0; i < n && r.ok(); ++i) {
        const uint8_t type = r.U8("operation type");
        if (r.ok() && !IsKnownOpType(type)) {
          r.Fail("operation " + std::to_string(i) + " has unknown type " + std::to_string(type));
        }
        req->ops.push_back(GetOperationFields(r, static_cast<OpType>(type)));
      }
      return;
    }
    case Command::kCreateCollection:
    case Command::kCount:
      req->collection = r.Bytes("collection");
      return;
    case Command::kDeleteCollection:
      req->collection = r.Bytes("collection");
      req->force = r.Bool("force");
      return;
    case Command::kScan:
      req->collection = r.Bytes("collection");
      req->scan.start = r.Bytes("start");
      req->scan.end = r.Bytes("end");
      req->scan.prefix = r.Bytes("prefix");
      req->scan.limit = r.U64("limit");
      return;
    case Command::kHeal:
      req->collection = r.Bytes("collection");
      req->ops.push_back(GetOperationFields(r, OpType::kRead));
      return;
    case Command::kBackup:
      req->path = r.Bytes("path");
      return;
    default:
      return;
  }
}

void PutResponsePayload(BodyWriter& w, Command command, const Response& resp) {
  if (SingleOpType(command)) {
    PutOpResultFields(w, resp.results.empty() ? OpResult{} : resp.results.front());
    return;
  }
  switch (command) {
    case Command::kExecute:
      w.U32(static_cast<uint32_t>(resp.results.size()));
      for (const OpResult& r : resp.results) {
        w.StatusField(r.status);
        PutOpResultFields(w, r);
      }
      return;
    case Command::kScan:
      w.Bool(resp.more);
      w.U32(static_cast<uint32_t>(resp.documents.size()));
      for (const Document& d : resp.documents) {
        w.Bytes(d.id);
        w.U64(d.version);
        w.Bytes(d.json);
      }
      return;
    case Command::kCount:
      w.U64(resp.count);
      return;
    case Command::kListCollections:
      w.U32(static_cast<uint32_t>(resp.collections.size()));
      for (const CollectionInfo& c : resp.collections) {
        w.Bytes(c.name);
        w.U64(c.document_count);
      }
      return;
    case Command::kListDbs:
      w.U32(static_cast<uint32_t>(resp.databases.size()));
      for (const DatabaseInfo& d : resp.databases) {
        w.Bytes(d.name);
        w.Bool(d.open);
      }
      return;
    case Command::kStats:
      PutStats(w, resp.stats);
      return;
    case Command::kHeal:
      w.Bool(resp.healed);
      return;
    case Command::kHealAll:
      w.U64(resp.heal_report.documents_checked);
      PutDamaged(w, resp.heal_report.healed);
      PutDamaged(w, resp.heal_report.unrecoverable);
      return;
    case Command::kHealStats:
      PutHealingStats(w, resp.healing);
      return;
    case Command::kVerify:
      w.U64(resp.verify.documents_checked);
      w.U64(resp.verify.segments_checked);
      PutDamaged(w, resp.verify.damaged);
      w.U32(static_cast<uint32_t>(resp.verify.problems.size()));
      for (const std::string& problem : resp.verify.problems) w.Bytes(problem);
      return;
    case Command::kHello:
      w.Bytes(resp.hello.server_version);
      w.U8(resp.hello.protocol_version);
      w.U32(resp.hello.max_frame_body_bytes);
      w.U32(resp.hello.max_in_flight_per_connection);
      w.U32(resp.hello.max_document_bytes);
      w.U64(resp.hello.uptime_ms);
      return;
    case Command::kMetrics:
      w.Bytes(resp.text);
      return;
    default:
      return;
  }
}

void GetResponsePayload(BodyReader& r, Command command, Response* resp) {
  if (SingleOpType(command)) {
    resp->results.emplace_back();
    GetOpResultFields(r, &resp->results.back());
    return;
  }
  switch (command) {
    case Command::kExecute: {
      const uint32_t n = r.Count("result count", kMinOpResultBytes);
      resp->results.resize(n);
      for (OpResult& result : resp->results) {
        result.status = r.StatusField("operation status");
        GetOpResultFields(r, &result);
      }
      return;
    }
    case Command::kScan: {
      resp->more = r.Bool("more");
      const uint32_t n = r.Count("document count", 4 + 8 + 4);
      resp->documents.resize(n);
      for (Document& d : resp->documents) {
        d.id = r.Bytes("document id");
        d.version = r.U64("document version");
        d.json = r.Bytes("document json");
      }
      return;
    }
    case Command::kCount:
      resp->count = r.U64("count");
      return;
    case Command::kListCollections: {
      const uint32_t n = r.Count("collection count", 4 + 8);
      resp->collections.resize(n);
      for (CollectionInfo& c : resp->collections) {
        c.name = r.Bytes("collection name");
        c.document_count = r.U64("document count");
      }
      return;
    }
    case Command::kListDbs: {
      const uint32_t n = r.Count("database count", 4 + 1);
      resp->databases.resize(n);
      for (DatabaseInfo& d : resp->databases) {
        d.name = r.Bytes("database name");
        d.open = r.Bool("open");
      }
      return;
    }
    case Command::kStats:
      GetStats(r, &resp->stats);
      return;
    case Command::kHeal:
      resp->healed = r.Bool("healed");
      return;
    case Command::kHealAll:
      resp->heal_report.documents_checked = r.U64("documents checked");
      GetDamaged(r, &resp->heal_report.healed);
      GetDamaged(r, &resp->heal_report.unrecoverable);
      return;
    case Command::kHealStats:
      GetHealingStats(r, &resp->healing);
      return;
    case Command::kVerify:
      resp->verify.documents_checked = r.U64("documents checked");
      resp->verify.segments_checked = r.U64("segments checked");
      GetDamaged(r, &resp->verify.damaged);
      resp->verify.problems.resize(r.Count("problem count", 4));
      for (std::string& problem : resp->verify.problems) problem = r.Bytes("problem");
      return;
    case Command::kHello:
      resp->hello.server_version = r.Bytes("server version");
      resp->hello.protocol_version = r.U8("protocol version");
      resp->hello.max_frame_body_bytes = r.U32("max frame body bytes");
      resp->hello.max_in_flight_per_connection = r.U32("max in flight");
      resp->hello.max_document_bytes = r.U32("max document bytes");
      if (!r.AtEnd()) resp->hello.uptime_ms = r.U64("uptime");
      return;
    case Command::kMetrics:
      resp->text = r.Bytes("metrics text");
      return;
    default:
      return;
  }
}

}  // namespace

std::optional<WriteBatch::OpKind> OpKindOf(OpType type) {
  switch (type) {
    case OpType::kCreate:
      return WriteBatch::OpKind::kInsert;
    case OpType::kUpdate:
      return WriteBatch::OpKind::kUpdate;
    case OpType::kDelete:
      return WriteBatch::OpKind::kDelete;
    case OpType::kPatch:
      return WriteBatch::OpKind::kPatch;
    case OpType::kPut:
      return WriteBatch::OpKind::kPut;
    case OpType::kMergePatch:
      return WriteBatch::OpKind::kMergePatch;
    case OpType::kRead:
      break;
  }
  return std::nullopt;
}

OpType OpTypeOf(WriteBatch::OpKind kind) {
  switch (kind) {
    case WriteBatch::OpKind::kPut:
      return OpType::kPut;
    case WriteBatch::OpKind::kDelete:
      return OpType::kDelete;
    case WriteBatch::OpKind::kInsert:
      return OpType::kCreate;
    case WriteBatch::OpKind::kUpdate:
      return OpType::kUpdate;
    case WriteBatch::OpKind::kPatch:
      return OpType::kPatch;
    case WriteBatch::OpKind::kMergePatch:
      return OpType::kMergePatch;
  }
  return OpType::kPut;
}

std::string CommandName(uint16_t command) {
  if (IsKnownCommand(command)) return kCommandNames[command];
  return "command " + std::to_string(command);
}

void EncodeFrameHeader(const FrameHeader& header, char out[kFrameHeaderBytes]) {
  EncodeFixed32(out, kFrameMagic);
  out[4] = static_cast<char>(header.version);
  out[5] = static_cast<char>(header.flags);
  out[6] = static_cast<char>(header.command);
  out[7] = static_cast<char>(header.command >> 8);
  EncodeFixed64(out + 8, header.request_id);
  EncodeFixed32(out + 16, header.body_length);
  EncodeFixed32(out + kHeaderCrcOffset, crc32c::Value(out, kHeaderCrcOffset));
}

Result<FrameHeader> DecodeFrameHeader(std::string_view in) {
  if (in.size() < kFrameHeaderBytes) {
    return Status::InvalidArgument("frame header is truncated: " + std::to_string(in.size()) +
                                   " of " + std::to_string(kFrameHeaderBytes) + " bytes");
  }
  if (DecodeFixed32(in.data()) != kFrameMagic) {
    return Status::InvalidArgument("frame does not start with the magic \"DDBP\"");
  }
  const uint32_t stored_crc = DecodeFixed32(in.data() + kHeaderCrcOffset);
  if (stored_crc != crc32c::Value(in.data(), kHeaderCrcOffset)) {
    return Status::InvalidArgument("frame header checksum does not match");
  }
  FrameHeader h;
  h.version = static_cast<uint8_t>(in[4]);
  h.flags = static_cast<uint8_t>(in[5]);
  h.command =
      static_cast<uint16_t>(static_cast<uint8_t>(in[6]) | (static_cast<uint8_t>(in[7]) << 8));
  h.request_id = DecodeFixed64(in.data() + 8);
  h.body_length = DecodeFixed32(in.data() + 16);
  if (h.version != kProtocolVersion) {
    return Status::NotSupported("protocol version " + std::to_string(h.version) +
                                " is not supported (this side speaks version " +
                                std::to_string(kProtocolVersion) + ")");
  }
  if ((h.flags & ~kKnownFlags) != 0) {
    return Status::NotSupported("unknown frame flags " + std::to_string(h.flags));
  }
  return h;
}

bool operator==(const Request& a, const Request& b) {
  return a.command == b.command && a.request_id == b.request_id && a.atomic == b.atomic &&
         a.db == b.db && a.collection == b.collection && a.ops == b.ops && a.force == b.force &&
         a.scan.start == b.scan.start && a.scan.end == b.scan.end &&
         a.scan.prefix == b.scan.prefix && a.scan.limit == b.scan.limit &&
         a.client_version == b.client_version && a.client_name == b.client_name && a.path == b.path;
}

std::string EncodeRequest(const Request& request) {
  size_t expected = 64 + request.db.size() + request.collection.size();
  for (const Operation& op : request.ops)
    expected += 32 + op.collection.size() + op.id.size() + op.json.size();
  BodyWriter w(expected);
  PutRequestBody(w, request);
  FrameHeader header;
  header.command = static_cast<uint16_t>(request.command);
  header.request_id = request.request_id;
  header.flags = request.atomic ? kFlagAtomic : 0;
  return std::move(w).Finish(header);
}

Result<Request> DecodeRequest(const FrameHeader& header, std::string_view body) {
  if (!IsKnownCommand(header.command)) {
    return Status::NotSupported("unknown command " + std::to_string(header.command) +
                                " (this server knows 1-" + std::to_string(kMaxCommand) + ")");
  }
  if ((header.flags & kFlagResponse) != 0) {
    return Status::InvalidArgument(CommandName(header.command) +
                                   ": a request must not carry the response flag");
  }
  Request req;
  req.command = static_cast<Command>(header.command);
  req.request_id = header.request_id;
  req.atomic = (header.flags & kFlagAtomic) != 0;
  BodyReader r(body, CommandName(header.command) + " request");
  GetRequestBody(r, &req);
  Status done = r.Finish();
  if (!done.ok()) return done;
  return req;
}

std::string EncodeResponse(Command command, uint64_t request_id, const Response& response) {
  size_t expected = 64 + response.status.message().size();
  for (const OpResult& r : response.results) expected += 32 + r.id.size() + r.json.size();
  for (const Document& d : response.documents) expected += 16 + d.id.size() + d.json.size();
  BodyWriter w(expected);
  w.StatusField(response.status);
  if (response.status.ok() || command == Command::kExecute) {
    PutResponsePayload(w, command, response);
  }
  FrameHeader header;
  header.flags = kFlagResponse;
  header.command = static_cast<uint16_t>(command);
  header.request_id = request_id;
  return std::move(w).Finish(header);
}

Result<Response> DecodeResponse(Command command, std::string_view body) {
  BodyReader r(body, CommandName(static_cast<uint16_t>(command)) + " response");
  Response resp;
  resp.status = r.StatusField("status");
  if (r.ok() && (resp.status.ok() || command == Command::kExecute)) {
    GetResponsePayload(r, command, &resp);
  }
  // Fields a newer server appends are left for the clients that know them.
  Status done = r.Finish(/*allow_more=*/true);
  if (!done.ok()) return done;
  return resp;
}

}  // namespace docdb::ipc
