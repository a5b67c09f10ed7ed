// SQLite in WAL mode as a DocStore: table docs(collection, id, doc) with primary key
// (collection, id), WITHOUT ROWID so that the primary key is the table's B-tree as in
// the other engines; updates of one field through json_set (docs/performance-ycsb.md,
// "Engines"). durable = synchronous=FULL; relaxed = synchronous=NORMAL. A connection is
// single-threaded here, so each call borrows one (with its prepared statements) from a
// pool. Thread-safety: as DocStore.
#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <vector>

#include "bench/ycsb/store_registry.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS docs (collection TEXT NOT NULL, id TEXT NOT NULL, "
    "doc TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID";

// One connection and its statements. ?1 is always the document ID.
struct Connection {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* put = nullptr;
  sqlite3_stmt* read = nullptr;
  sqlite3_stmt* set_field = nullptr;
  sqlite3_stmt* scan = nullptr;

  ~Connection() {
    for (sqlite3_stmt* s : {insert, put, read, set_field, scan}) sqlite3_finalize(s);
    sqlite3_close(db);
  }
};

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status::IoError("sqlite " + std::string(what) + ": " + sqlite3_errmsg(db),
                         sqlite3_extended_errcode(db));
}

Status Execute(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) return Status::OK();
  return SqliteError(db, sql);
}

Status Prepare(sqlite3* db, const char* sql, sqlite3_stmt** stmt) {
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK) {
    return Status::OK();
  }
  return SqliteError(db, sql);
}

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return {text == nullptr ? "" : text, static_cast<size_t>(sqlite3_column_bytes(stmt, column))};
}

// Steps a write statement to completion and resets it. NotFound when it changed no row.
Status StepWrite(Connection* c, sqlite3_stmt* stmt, std::string_view key) {
  const int rc = sqlite3_step(stmt);
  Status status = rc == SQLITE_DONE ? Status::OK() : SqliteError(c->db, key);
  if (status.ok() && sqlite3_changes(c->db) != 1) status = Status::NotFound(std::string(key));
  sqlite3_reset(stmt);
  return status;
}

class SqliteStore final : public DocStore {
 public:
  std::string_view name() const override { return "sqlite"; }

  Status Open(const std::string& dir, DurabilityMode durability) override {
    path_ = dir + "/docs.sqlite";
    synchronous_ = durability == DurabilityMode::kDurable ? "FULL" : "NORMAL";
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> first, Connect());
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(first));
    return Status::OK();
  }

  Status Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.clear();  // finalizes and closes; the last close checkpoints the WAL
    return Status::OK();
  }

  Status Insert(std::string_view key, std::string_view doc) override {
    return WriteDoc(key, doc, &Connection::insert);
  }

  Status Put(std::string_view key, std::string_view doc) override {
    return WriteDoc(key, doc, &Connection::put);
  }

  Status Read(std::string_view key, std::string* doc) override {
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Borrow());
    BindText(c->read, 1, key);
    const int rc = sqlite3_step(c->read);
    Status status = Status::NotFound(std::string(key));
    if (rc == SQLITE_ROW) {
      *doc = ColumnText(c->read, 0);
      status = Status::OK();
    } else if (rc != SQLITE_DONE) {
      status = SqliteError(c->db, key);
    }
    sqlite3_reset(c->read);
    Return(std::move(c));
    return status;
  }

  Status UpdateField(std::string_view key, std::string_view field,
                     std::string_view value) override {
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Borrow());
    const std::string path = "$." + std::string(field);
    BindText(c->set_field, 1, key);
    BindText(c->set_field, 2, path);
    BindText(c->set_field, 3, value);
    Status status = StepWrite(c.get(), c->set_field, key);
    Return(std::move(c));
    return status;
  }

  Status Scan(std::string_view start_key, int count, std::vector<ScanEntry>* out) override {
    out->clear();
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Borrow());
    BindText(c->scan, 1, start_key);
    sqlite3_bind_int(c->scan, 2, count);
    int rc = 0;
    while ((rc = sqlite3_step(c->scan)) == SQLITE_ROW) {
      out->push_back({ColumnText(c->scan, 0), ColumnText(c->scan, 1)});
    }
    Status status = rc == SQLITE_DONE ? Status::OK() : SqliteError(c->db, "scan");
    sqlite3_reset(c->scan);
    Return(std::move(c));
    return status;
  }

 private:
  Result<std::unique_ptr<Connection>> Connect() {
    auto c = std::make_unique<Connection>();
    if (sqlite3_open_v2(path_.c_str(), &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
      return SqliteError(c->db, "open " + path_);
    }
    // Writers from other connections wait for the lock instead of failing with BUSY.
    sqlite3_busy_timeout(c->db, 60'000);
    DOCDB_RETURN_IF_ERROR(Execute(c->db, "PRAGMA journal_mode=WAL"));
    DOCDB_RETURN_IF_ERROR(Execute(c->db, "PRAGMA synchronous=" + synchronous_));
    DOCDB_RETURN_IF_ERROR(Execute(c->db, kSchema));
    DOCDB_RETURN_IF_ERROR(Prepare(
        c->db, "INSERT INTO docs (collection, id, doc) VALUES ('usertable', ?1, ?2)", &c->insert));
    DOCDB_RETURN_IF_ERROR(Prepare(
        c->db, "UPDATE docs SET doc = ?2 WHERE collection = 'usertable' AND id = ?1", &c->put));
    DOCDB_RETURN_IF_ERROR(Prepare(
        c->db, "SELECT doc FROM docs WHERE collection = 'usertable' AND id = ?1", &c->read));
    DOCDB_RETURN_IF_ERROR(Prepare(c->db,
                                  "UPDATE docs SET doc = json_set(doc, ?2, ?3) "
                                  "WHERE collection = 'usertable' AND id = ?1",
                                  &c->set_field));
    DOCDB_RETURN_IF_ERROR(Prepare(c->db,
                                  "SELECT id, doc FROM docs WHERE collection = 'usertable' "
                                  "AND id >= ?1 ORDER BY id LIMIT ?2",
                                  &c->scan));
    return c;
  }

  Status WriteDoc(std::string_view key, std::string_view doc, sqlite3_stmt* Connection::*stmt) {
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Borrow());
    sqlite3_stmt* s = (*c).*stmt;
    BindText(s, 1, key);
    BindText(s, 2, doc);
    Status status = StepWrite(c.get(), s, key);
    Return(std::move(c));
    return status;
  }

  Result<std::unique_ptr<Connection>> Borrow() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<Connection> c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return Connect();
  }

  void Return(std::unique_ptr<Connection> c) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(c));
  }

  std::string path_;
  std::string synchronous_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
};

}  // namespace

std::unique_ptr<DocStore> NewSqliteStore() { return std::make_unique<SqliteStore>(); }

}  // namespace docdb::ycsb
